// Node: test/parallel/test-net-large-string.js
import Net
import NetTestSupport
import Testing

/// A 40 K-character string of a 3-byte UTF-8 character, written with `encoding: .utf8`, arrives as 40 K
/// characters at a server that decodes with `setEncoding(.utf8)` (no character is split across chunks).
@Suite struct LargeStringTests {
    static let poolSize = 40 * 1024

    @Test func multiByteStringArrivesWhole() {
        let result = LoopThread.run { _, trace in
            let data = String(repeating: "あ", count: Self.poolSize)   // 3 bytes each
            var receivedSize = 0
            var server: Server!
            server = Net.createServer { socket in
                socket.setEncoding(.utf8)
                socket.on(.data) { data in receivedSize += data.toString().utf16.count }
                socket.on(.end) { socket.end() }
                socket.on(.close) { _ in trace.log("S close received \(receivedSize)") }
            }
            try! server.listen(port: 0) {
                let client = try! Net.createConnection(port: server.address()!.port!)
                client.on(.end) { server.close() }
                client.write(data, encoding: .utf8)
                client.end()
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["S close received \(Self.poolSize)"])
    }
}
