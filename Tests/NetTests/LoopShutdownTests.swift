@testable import Net
import Foundation
import NetTestSupport
import Testing

/// What runs while a loop shuts down at its thread's exit: writes still queued in libuv are cancelled and
/// their callbacks run, on the loop being shut down (`EventLoop.current` is still that loop, though POSIX
/// has emptied the thread-local slot by then), with nothing uncaught ending the process. Found by review:
/// a callback that made a new connection then reached a second loop through `EventLoop.current`, whose
/// ticks ran after the first loop's listeners were gone and ended the process with "Unhandled 'error'".
@Suite(.serialized) struct LoopShutdownTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []
        func add(_ line: String) { lock.withLock { storage.append(line) } }
        var lines: [String] { lock.withLock { storage } }
    }

    enum Then { case nothing, reconnectTheSameSocket, connectANewSocket }

    /// A 32 MiB write to a peer that never reads is still queued when `run()` returns (stopped); the
    /// thread's exit shuts the loop down and the write's callback does `then`.
    static func queuedWriteAtThreadExit(then: Then) -> (LoopThread.Result, [String]) {
        let log = Log()
        let result = LoopThread.run { loop, _ in
            let server = Net.createServer { peer in peer.pause() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let client = try! Net.connect(port: port, host: "127.0.0.1")
                client.on(.error) { _ in }
                client.write(Buffer(count: 32 << 20)) { error in
                    log.add("write callback: \(error?.code ?? "no error"), on the same loop \(EventLoop.current === loop)")
                    switch then {
                    case .nothing: break
                    case .reconnectTheSameSocket:
                        _ = try? client.connect(port: port, host: "127.0.0.1")
                        client.unref()
                    case .connectANewSocket:
                        let other = try? Net.connect(port: port, host: "127.0.0.1")
                        other?.on(.error) { _ in }
                        other?.unref()
                    }
                }
                _ = loop.setTimeout(300) {
                    log.add("stopped with \(client.writableLength > 0 ? "the write pending" : "nothing pending")")
                    loop.stop()
                }
            }
        }
        return (result, log.lines)
    }

    @Test(arguments: [Then.nothing, .reconnectTheSameSocket, .connectANewSocket])
    func aWriteCancelledAtThreadExitCallsBackOnItsOwnLoop(then: Then) {
        let (result, lines) = Self.queuedWriteAtThreadExit(then: then)
        #expect(result.finished)
        #expect(lines == ["stopped with the write pending", "write callback: ECANCELED, on the same loop true"])
    }
    /// Four threads call `execute` on a loop without pause while its thread ends and the loop shuts down:
    /// before, the last `uv_async_send` calls wrote into the freed wakeup handle (AddressSanitizer's
    /// heap-use-after-free). Now execute returns true until the shutdown begins and false after, and work
    /// it accepted runs or is dropped, never both.
    @Test func executeFromFourThreadsAcrossAShutdownNeverTouchesFreedMemory() {
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var loop: EventLoop?
            var stop = false
            var accepted = 0, refused = 0, ran = 0, finished = 0
        }
        let shared = Shared()
        let hammers = (0..<4).map { _ in
            Thread {
                while shared.lock.withLock({ shared.loop == nil && !shared.stop }) { usleep(100) }
                guard let loop = shared.lock.withLock({ shared.loop }) else { return }
                var accepted = 0, refused = 0
                while !shared.lock.withLock({ shared.stop }) {
                    if loop.execute({ shared.lock.withLock { shared.ran += 1 } }) { accepted += 1 } else { refused += 1 }
                }
                shared.lock.withLock { shared.accepted += accepted; shared.refused += refused; shared.finished += 1 }
            }
        }
        for thread in hammers {
            thread.start()
        }
        let result = LoopThread.run { loop, _ in
            shared.lock.withLock { shared.loop = loop }
            loop.setTimeout(100) {}
        }
        // Keep hammering the shut-down loop for a while, then stop.
        usleep(100_000)
        shared.lock.withLock { shared.stop = true; shared.loop = nil }
        var waited = 0
        while shared.lock.withLock({ shared.finished < 4 }), waited < 20_000 {
            usleep(1000)
            waited += 1
        }
        #expect(result.finished)
        shared.lock.withLock {
            #expect(shared.finished == 4)
            #expect(shared.accepted > 0)
            #expect(shared.refused > 0, "execute on a shut-down loop returns false")
            #expect(shared.ran <= shared.accepted)
        }
    }
    /// Node's reconnect pattern on a loop whose thread ends: a client reconnects from its 'close' listener
    /// (at once, to a port nobody listens on), `stop()` makes `run()` return, and the thread's exit shuts
    /// the loop down. The cancelled connect's 'close' listener connects again, that connection fails and
    /// connects again... Before, the shutdown ran those forever (100% CPU, the thread never joined). Now
    /// connects, listens and timers started while the loop shuts down are refused, and the thread ends.
    @Test(arguments: [false, true])
    func aReconnectFromCloseDuringShutdownDoesNotKeepTheLoopAlive(listening: Bool) {
        let log = Log()
        let started = Date()
        let result = LoopThread.run(timeout: 5) { loop, _ in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    let client = Socket()
                    var closes = 0
                    client.on(.error) { _ in }
                    client.on(.close) { _ in
                        closes += 1
                        _ = try? client.connect(port: port, host: "127.0.0.1")
                        if listening {
                            let extra = Net.createServer()
                            _ = try? extra.listen(port: 0, host: "127.0.0.1")
                        }
                        setTimeout(1) { log.add("timer") }
                    }
                    _ = try? client.connect(port: port, host: "127.0.0.1")
                    loop.setTimeout(100) {
                        log.add("stopping after \(closes > 0 ? "some" : "no") reconnects")
                        loop.stop()
                    }
                }
            }
        }
        #expect(result.finished, "the thread ended (the loop's shutdown returned)")
        // run() takes its 100 ms; the shutdown and the join add no more than a second.
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(log.lines.contains("stopping after some reconnects"))
    }
}
