import Foundation
import Net
import NetTestSupport
import Testing

/// `EventLoopGroup`: loops on threads of their own, handed out in turn, stopped with a deadline.
@Suite struct EventLoopGroupTests {
    @Test func everyLoopRunsOnAThreadOfItsOwn() {
        let group = EventLoopGroup(numberOfThreads: 3)
        defer { #expect(group.shutdownGracefully()) }
        #expect(group.loops.count == 3)
        #expect(Set(group.loops.map(ObjectIdentifier.init)).count == 3)
        #expect(!group.inGroup)
        let seen = SharedLog()
        for (index, loop) in group.loops.enumerated() {
            #expect(!loop.inEventLoop)
            loop.execute {
                let mine = EventLoop.current === loop && loop.inEventLoop
                let others = group.loops.enumerated().filter { $0.offset != index }.allSatisfy { !$0.element.inEventLoop }
                seen.add("\(index) \(mine) \(others) \(group.inGroup)")
            }
        }
        #expect(seen.wait { $0.count == 3 })
        #expect(seen.lines.sorted() == ["0 true true true", "1 true true true", "2 true true true"])
    }

    @Test func nextHandsTheLoopsOutInTurn() {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let picked = (0..<6).map { _ in ObjectIdentifier(group.next()) }
        #expect(picked[0] != picked[1])
        #expect(picked[0] == picked[2] && picked[2] == picked[4])
        #expect(picked[1] == picked[3] && picked[3] == picked[5])
    }

    @Test func defaultIsOneLoopPerCore() {
        #expect(EventLoopGroup.coreCount >= 1)
        let group = EventLoopGroup()
        defer { group.shutdownGracefully() }
        #expect(group.loops.count == EventLoopGroup.coreCount)
    }

    /// The loops keep running with nothing to do; after the shutdown, work is refused.
    @Test func loopsRunUntilShutDownThenRefuseWork() {
        let group = EventLoopGroup(numberOfThreads: 2)
        usleep(50_000)
        let ran = Awaited<Bool>()
        #expect(group.loops[1].execute { ran.set(true) })
        #expect(ran.wait() == true)
        #expect(group.shutdownGracefully(timeout: 10))
        #expect(!group.loops[0].execute {})
        #expect(!group.loops[1].execute {})
        // A second stop is harmless.
        #expect(group.shutdownGracefully(timeout: 1))
    }

    /// The shutdown closes what the loops still hold (a listening server, a connected socket and its
    /// peer, a timer), and ends in time.
    @Test func shutdownClosesWhatIsOpen() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        let port = Awaited<Int>()
        group.loops[0].execute {
            let server = Net.createServer { _ in }
            try! server.listen(port: 0, host: "127.0.0.1") { port.set(server.address()!.port!) }
            _ = setInterval(1000) {}
        }
        let listeningPort = try #require(port.wait())
        let client = try BlockingClient(port: listeningPort)
        _ = client
        let start = Date()
        #expect(group.shutdownGracefully(timeout: 10))
        #expect(Date().timeIntervalSince(start) < 5)
        // Nothing listens any more.
        #expect(throws: (any Error).self) { try BlockingClient(port: listeningPort) }
    }

    /// `waitUntilIdle` ends the loops once nothing ref'd is left (a Node process's exit): a ref'd timer
    /// holds its loop, and the wait times out, until the timer is unref'd.
    @Test func waitUntilIdleEndsTheLoopsOnceNothingIsRefed() {
        let group = EventLoopGroup(numberOfThreads: 2)
        let timer = Awaited<LoopBound<Net.Timer>>()
        group.loops[1].execute {
            timer.set(LoopBound(setInterval(50) {}))
        }
        let bound = timer.wait()!
        #expect(!group.waitUntilIdle(timeout: 0.5))
        // Loop 0 was idle: it has ended; loop 1 still runs its timer.
        #expect(!group.loops[0].execute {})
        #expect(bound.loop.execute { bound.value.unref() })
        #expect(group.waitUntilIdle(timeout: 10))
        #expect(!group.loops[1].execute {})
    }

    /// Work submitted from many threads at once all runs, each item once, on the loop it was sent to.
    @Test func executeFromManyThreads() {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let log = SharedLog()
        DispatchQueue.concurrentPerform(iterations: 8) { sender in
            for item in 0..<50 {
                let loop = group.next()
                loop.execute { log.add("\(sender).\(item) \(loop.inEventLoop)") }
            }
        }
        #expect(log.wait { $0.count == 400 })
        #expect(Set(log.lines).count == 400)
        #expect(log.lines.allSatisfy { $0.hasSuffix("true") })
    }
}
