// Node: test/parallel/test-net-connect-nodelay.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `connect({noDelay: true})` turns Nagle's algorithm off once connected; `noDelay: false` leaves it on. The
/// client then ends, and the server closes at the client's 'end'.
///
/// Node spies on `client._handle.setNoDelay` (internal) and expects one call with `true`, or none; here the
/// kernel's TCP_NODELAY is read at 'connect' and again at 'end' instead.
/// Dropped: JavaScript truthy/falsy values (`1`, `'true'`, `{}`, `[]`, `0`, `''`): the option is a Bool.
@Suite struct ConnectNodelayTests {
    @Test(arguments: [true, false])
    func noDelayOptionIsAppliedOnConnect(noDelay: Bool) {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    trace.log("listening")
                    guard let port = server.address()?.port else { return }
                    do {
                        var client: Socket!
                        client = try Net.connect(ConnectOptions(port: port, noDelay: noDelay)) {
                            trace.log("connect TCP_NODELAY=\(sockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY))")
                            client.end()
                        }
                        client.on(.end) {
                            trace.log("end TCP_NODELAY=\(sockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY))")
                            server.close()
                        }
                        client.on(.error) { e in trace.log("client error \(e)") }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        let flag = noDelay ? 1 : 0
        #expect(r.finished)
        #expect(r.trace == ["listening", "connect TCP_NODELAY=\(flag)", "end TCP_NODELAY=\(flag)"])
    }
}

