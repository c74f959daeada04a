// Node: test/parallel/test-net-socket-no-halfopen-enforcer.js
import Net
import Testing

/// `Socket` does not add the Duplex's own half-open enforcer on top of its own: a fresh socket with
/// `allowHalfOpen: false` has exactly one 'end' listener, the socket's (Node's `onReadableStreamEnd`).
@Suite struct SocketNoHalfopenEnforcerTests {
    @Test func freshSocketHasOneEndListener() throws {
        let socket = try Socket(.init(allowHalfOpen: false))
        #expect(socket.listenerCount(.end) == 1)
    }
}
