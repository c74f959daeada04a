import Foundation
import Net
import NetTestSupport
import Testing

/// `GroupServer`: one address served by every loop of a group, with either strategy, and Node's server
/// semantics (maxConnections and 'drop', getConnections, close, unref) for the whole group.
@Suite struct GroupServerTests {
    /// The index of the group's loop the caller runs on (-1: none).
    static func loopIndex(_ group: EventLoopGroup) -> Int {
        group.loops.firstIndex { $0.inEventLoop } ?? -1
    }

    /// Starts a group server whose sockets answer with the index of the loop serving them, then end.
    static func start(_ strategy: GroupServer.Strategy, loops: Int = 2) throws -> (EventLoopGroup, GroupServer, Int) {
        let group = EventLoopGroup(numberOfThreads: loops)
        let server = GroupServer(group: group, strategy: strategy) { socket in
            // The socket is confined to the loop that runs this listener.
            precondition(EventLoop.current.inEventLoop)
            socket.end("\(GroupServerTests.loopIndex(group))")
        }
        let listened = Awaited<String>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error.map { "\($0)" } ?? "ok") }
        #expect(listened.wait() == "ok")
        let port = try #require(server.address()?.port)
        return (group, server, port)
    }

    /// Round robin: the first loop accepts, and the connections alternate between the loops.
    @Test func roundRobinAlternatesBetweenTheLoops() throws {
        let (group, server, port) = try Self.start(.roundRobin)
        defer { group.shutdownGracefully() }
        var served: [String] = []
        for _ in 0..<20 {
            let client = try BlockingClient(port: port)
            served.append(client.readToEnd())
        }
        #expect(served == Array(repeating: ["0", "1"], count: 10).flatMap { $0 })
        let closed = Awaited<String>()
        server.close { error in closed.set(error?.code ?? "closed") }
        #expect(closed.wait() == "closed")
        #expect(server.lostConnections == 0)
    }

    /// Round robin over three loops, many clients at once: every connection is served once, in turn.
    @Test func roundRobinUnderConcurrentClients() throws {
        let (group, server, port) = try Self.start(.roundRobin, loops: 3)
        defer { group.shutdownGracefully() }
        let log = SharedLog()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<15 {
                guard let client = try? BlockingClient(port: port) else { log.add("refused"); continue }
                log.add(client.readToEnd())
            }
        }
        let counts = Dictionary(grouping: log.lines, by: { $0 }).mapValues(\.count)
        #expect(counts == ["0": 20, "1": 20, "2": 20])
        let closed = Awaited<Bool>()
        server.close { _ in closed.set(true) }
        #expect(closed.wait() == true)
    }

    /// `reusePort`: every loop listens on the one port (port 0 gives the group one port), and the kernel
    /// spreads the connections: with 64 connections, both loops serve some.
    @Test func reusePortServesFromEveryLoop() throws {
        let (group, server, port) = try Self.start(.reusePort)
        defer { group.shutdownGracefully() }
        var served: [String] = []
        for _ in 0..<64 {
            let client = try BlockingClient(port: port)
            served.append(client.readToEnd())
        }
        #expect(Set(served) == ["0", "1"])
        #expect(served.count == 64)
        let closed = Awaited<Bool>()
        server.close { _ in closed.set(true) }
        #expect(closed.wait() == true)
        #expect(throws: (any Error).self) { try BlockingClient(port: port) }
    }

    /// Echo through both strategies: data read on the owning loop comes back whole.
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func echo(_ strategy: GroupServer.Strategy) throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let server = GroupServer(group: group, strategy: strategy) { socket in
            socket.on(.data) { chunk in socket.write(chunk) }
        }
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        let port = try #require(server.address()?.port)
        for index in 0..<10 {
            let client = try BlockingClient(port: port)
            let text = String(repeating: "abc\(index)", count: 1000)
            client.send(text)
            #expect(client.read(count: text.utf8.count) == text)
        }
    }

    /// maxConnections counts the whole group: with 3 held open (spread over both loops), the next two
    /// are dropped and reported with their addresses; getConnections adds the loops' counts up; once one
    /// closes, a new one is admitted again.
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func maxConnectionsIsGroupWide(_ strategy: GroupServer.Strategy) throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let served = SharedLog()
        let server = GroupServer(group: group, strategy: strategy) { socket in
            served.add("\(GroupServerTests.loopIndex(group))")
            socket.write("hi")
        }
        let drops = SharedLog()
        server.onDrop { info in drops.add("\(info?.remoteAddress ?? "?") \(GroupServerTests.loopIndex(group))") }
        server.maxConnections = 3
        #expect(server.maxConnections == 3)
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        let port = try #require(server.address()?.port)
        var held: [BlockingClient] = []
        for _ in 0..<3 {
            let client = try BlockingClient(port: port)
            #expect(client.read(count: 2) == "hi")
            held.append(client)
        }
        for _ in 0..<2 {
            let dropped = try BlockingClient(port: port)
            #expect(dropped.readToEnd() == "")
        }
        #expect(drops.wait { $0.count == 2 })
        #expect(drops.lines.allSatisfy { $0.hasPrefix("127.0.0.1 ") })
        #expect(served.lines.count == 3)
        if strategy == .roundRobin { #expect(served.lines.sorted() == ["0", "0", "1"]) }
        let count = Awaited<Int>()
        server.getConnections { error, total in count.set(error == nil ? total : -1) }
        #expect(count.wait() == 3)
        // One ends: its slot is free again.
        held.removeFirst().end()
        let afterOneClosed = Awaited<Int>()
        for _ in 0..<100 {
            let now = Awaited<Int>()
            server.getConnections { _, total in now.set(total) }
            if now.wait() == 2 { afterOneClosed.set(2); break }
            usleep(10_000)
        }
        #expect(afterOneClosed.current == 2)
        let again = try BlockingClient(port: port)
        #expect(again.read(count: 2) == "hi")
        #expect(drops.lines.count == 2)
        // No limit: nil.
        server.maxConnections = nil
        #expect(server.maxConnections == nil)
    }

    /// A negative maxConnections drops every connection, as in Node.
    @Test func negativeMaxConnectionsDropsAll() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let served = SharedLog()
        let server = GroupServer(group: group) { _ in served.add("served") }
        let drops = SharedLog()
        server.onDrop { _ in drops.add("drop") }
        server.maxConnections = -1
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        let port = try #require(server.address()?.port)
        for _ in 0..<4 { #expect(try BlockingClient(port: port).readToEnd() == "") }
        #expect(drops.wait { $0.count == 4 })
        #expect(served.lines.isEmpty)
    }

    /// close(): no more accepting anywhere at once; the callback waits for every connection of every loop
    /// to end, as Node's server 'close'.
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func closeWaitsForEveryConnection(_ strategy: GroupServer.Strategy) throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let server = GroupServer(group: group, strategy: strategy) { socket in socket.write("hi") }
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        let port = try #require(server.address()?.port)
        var held: [BlockingClient] = []
        for _ in 0..<4 {
            let client = try BlockingClient(port: port)
            #expect(client.read(count: 2) == "hi")
            held.append(client)
        }
        let closed = Awaited<String>()
        server.close { error in closed.set(error?.code ?? "closed") }
        #expect(closed.wait(timeout: 0.5) == nil)
        #expect(server.address() == nil)
        usleep(100_000)
        #expect(throws: (any Error).self) { try BlockingClient(port: port) }
        for client in held.prefix(3) { client.end() }
        #expect(closed.wait(timeout: 0.3) == nil)
        held.last!.end()
        #expect(closed.wait() == "closed")
        // Closing a closed group: ERR_SERVER_NOT_RUNNING, as Node's server.
        let again = Awaited<String>()
        server.close { error in again.set(error?.code ?? "none") }
        #expect(again.wait() == "ERR_SERVER_NOT_RUNNING")
    }

    /// A closed group can listen again (as a Node server can), with both strategies.
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func listenAgainAfterClose(_ strategy: GroupServer.Strategy) throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let server = GroupServer(group: group, strategy: strategy) { socket in
            socket.end("\(GroupServerTests.loopIndex(group))")
        }
        for _ in 0..<2 {
            let listened = Awaited<Bool>()
            server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
            #expect(listened.wait() == true)
            let port = try #require(server.address()?.port)
            var served: Set<String> = []
            for _ in 0..<32 { served.insert(try BlockingClient(port: port).readToEnd()) }
            #expect(served == ["0", "1"])
            let closed = Awaited<Bool>()
            server.close { error in closed.set(error == nil) }
            #expect(closed.wait() == true)
        }
    }

    /// A port in use: the listen callback gets Node's EADDRINUSE.
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func listenErrorReachesTheCallback(_ strategy: GroupServer.Strategy) throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let holderPort = Awaited<Int>()
        group.loops[0].execute {
            let holder = Net.createServer()
            try! holder.listen(port: 0, host: "127.0.0.1") { holderPort.set(holder.address()!.port!) }
        }
        let port = try #require(holderPort.wait())
        let server = GroupServer(group: group, strategy: strategy) { _ in }
        let result = Awaited<String>()
        server.listen(port: port, host: "127.0.0.1") { error in result.set(error?.code ?? "listening") }
        #expect(result.wait() == "EADDRINUSE")
    }

    /// unref(): a listening group server no longer keeps its loops running, so `waitUntilIdle` returns;
    /// ref'd, it keeps them (the wait times out).
    @Test func unrefLetsTheLoopsEnd() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        let server = GroupServer(group: group, strategy: .reusePort) { _ in }
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        #expect(!group.waitUntilIdle(timeout: 0.3))
        server.unref()
        #expect(group.waitUntilIdle(timeout: 10))
    }

    /// A group whose loops have shut down: listen reports ERR_SERVER_NOT_RUNNING to its callback (on the
    /// caller's thread, no loop being left), and close's callback still runs.
    @Test func listenAfterTheGroupShutDown() {
        let group = EventLoopGroup(numberOfThreads: 2)
        let server = GroupServer(group: group) { _ in }
        #expect(group.shutdownGracefully())
        let result = Awaited<String>()
        server.listen(port: 0, host: "127.0.0.1") { error in result.set(error?.code ?? "listening") }
        #expect(result.wait() == "ERR_SERVER_NOT_RUNNING")
        let closed = Awaited<String>()
        server.close { error in closed.set(error?.code ?? "closed") }
        #expect(closed.wait() == "ERR_SERVER_NOT_RUNNING")
    }

    /// The group server is Sendable: settings and close can come from any thread, here many at once.
    @Test func usableFromManyThreads() throws {
        let (group, server, port) = try Self.start(.roundRobin)
        defer { group.shutdownGracefully() }
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            server.maxConnections = 100 + index
            _ = server.maxConnections
            server.getConnections { _, _ in }
            _ = try? BlockingClient(port: port).readToEnd()
        }
        let closed = Awaited<Bool>()
        server.close { _ in closed.set(true) }
        #expect(closed.wait() == true)
    }
}
