// Node: test/parallel/test-net-socket-byteswritten.js
import Net
import NetTestSupport
import Testing

/// Two corked writes flushed by `uncork()` while connecting become one writev; `bytesWritten` counts
/// their bytes once ("one" = 3, "twø" = 4 in UTF-8): 7 at once, at 'connect' and at 'end'.
@Suite struct SocketByteswrittenTests {
    @Test func corkedWritevCountsBytes() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in socket.end() }
            try! server.listen(port: 0) {
                let socket = try! Net.connect(port: server.address()!.port!)
                // Cork, then write twice: uncork() makes a writev, which once miscounted bytesWritten.
                socket.cork()
                socket.write("one")
                socket.write(Buffer("twø", encoding: .utf8))
                socket.uncork()
                trace.log("after uncork \(socket.bytesWritten)")
                socket.on(.connect) { trace.log("connect \(socket.bytesWritten)") }
                socket.on(.end) {
                    trace.log("end \(socket.bytesWritten)")
                    server.close()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["after uncork 7", "connect 7", "end 7"])
    }
}
