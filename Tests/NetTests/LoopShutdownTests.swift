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
}
