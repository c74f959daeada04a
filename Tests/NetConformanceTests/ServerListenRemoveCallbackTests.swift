// Node: test/parallel/test-net-server-listen-remove-callback.js
import Net
import NetTestSupport
import Testing

/// The listen callback is a once-listener of 'listening': after it ran, no 'listening' listener is left
/// (checked in every 'close'); listening again from a once('close') listener works and its callback runs.
/// Node listens on common.PORT and common.PORT + 1; the port uses 0 both times.
@Suite struct ServerListenRemoveCallbackTests {
    @Test func listenCallbackRunsOnceAndIsRemoved() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            server.on(.close) { trace.log("close, listening listeners: \(server.listenerCount(.listening))") }
            do {
                try server.listen(port: 0) {
                    trace.log("listening 1")
                    server.close()
                }
            } catch { trace.log("listen threw \(error)") }
            server.once(.close) {
                do {
                    try server.listen(port: 0) {
                        trace.log("listening 2")
                        server.close()
                    }
                } catch { trace.log("second listen threw \(error)") }
            }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "listening 1", "close, listening listeners: 0",
            "listening 2", "close, listening listeners: 0",
        ])
    }
}
