// Node: test/parallel/test-net-connect-keepalive.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `connect({keepAlive: true, keepAliveInitialDelay})` turns keep-alive on once connected, with the delay in
/// whole seconds (floored; negative or missing → 0, which leaves the system's idle time); without
/// `keepAlive` it is never turned on. The client then ends, and the server closes at the client's 'end'.
///
/// Node spies on `client._handle.setKeepAlive` (internal) and expects `(true, delay[1])`; here the kernel's
/// view of the socket is read instead: SO_KEEPALIVE, and TCP_KEEPIDLE in seconds, which stays at the
/// system default (what a fresh TCP socket reports) when the delay is 0. That the socket recorded exactly
/// `delay[1]` is checked too: `setKeepAlive(true, delay[1] * 1000)` afterwards is skipped as a repeat (a
/// marker TCP_KEEPINTVL set behind Net's back survives), and without `keepAlive`, `setKeepAlive(false)` is.
/// Dropped: JavaScript truthy/falsy values (`1`, `'true'`, `{}`, `[]`, `0`, `''`): the option is a Bool.
@Suite struct ConnectKeepaliveTests {
    /// (keepAlive, keepAliveInitialDelay, the idle time Node passes to the handle in seconds).
    static let cases: [(Bool, Int?, Int)] = [
        (true, 123, 0), (true, 456_123, 456), (true, -123_000, 0), (true, nil, 0),
        (false, nil, 0),
    ]

    @Test(arguments: 0..<cases.count)
    func keepAliveOptionIsAppliedOnConnect(index: Int) {
        let (keepAlive, delay, seconds) = Self.cases[index]
        let r = LoopThread.run { _, trace in
            let defaultIdle = systemKeepIdle()
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    trace.log("listening")
                    guard let port = server.address()?.port else { return }
                    var options = ConnectOptions(port: port, keepAlive: keepAlive)
                    if let delay { options.keepAliveInitialDelay = delay }
                    do {
                        var client: Socket!
                        client = try Net.connect(options) {
                            let on = sockopt(client, SOL_SOCKET, SO_KEEPALIVE)
                            let idle = sockopt(client, Int32(IPPROTO_TCP), TCP_KEEPIDLE)
                            trace.log("connect SO_KEEPALIVE=\(on)")
                            if seconds > 0 {
                                trace.log("TCP_KEEPIDLE \(idle == seconds ? "is the delay" : "is \(idle), not \(seconds)")")
                            } else {
                                trace.log("TCP_KEEPIDLE \(idle == defaultIdle ? "is the system default" : "is \(idle), not the default \(defaultIdle)")")
                            }
                            // What Node's spy sees is the socket's record: the same setting again is
                            // skipped. Marker values set behind Net's back survive a skipped call.
                            if keepAlive {
                                setsockopt(client, Int32(IPPROTO_TCP), TCP_KEEPINTVL, 5)
                                client.setKeepAlive(true, seconds * 1000)
                                let kept = sockopt(client, Int32(IPPROTO_TCP), TCP_KEEPINTVL) == 5
                                trace.log("setKeepAlive(true, \(seconds * 1000)) \(kept ? "skipped" : "applied")")
                            } else {
                                setsockopt(client, SOL_SOCKET, SO_KEEPALIVE, 1)
                                client.setKeepAlive(false)
                                let kept = sockopt(client, SOL_SOCKET, SO_KEEPALIVE) == 1
                                trace.log("setKeepAlive(false) \(kept ? "skipped" : "applied")")
                            }
                            client.end()
                        }
                        client.on(.end) {
                            trace.log("end")
                            server.close()
                        }
                        client.on(.error) { e in trace.log("client error \(e)") }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "listening",
            "connect SO_KEEPALIVE=\(keepAlive ? 1 : 0)",
            seconds > 0 ? "TCP_KEEPIDLE is the delay" : "TCP_KEEPIDLE is the system default",
            keepAlive ? "setKeepAlive(true, \(seconds * 1000)) skipped" : "setKeepAlive(false) skipped",
            "end",
        ])
    }
}



/// TCP_KEEPIDLE of a fresh TCP socket: the system's default idle time, in seconds.
private func systemKeepIdle() -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &value, &length) == 0 ? value : -1
}
