// Node: test/parallel/test-net-binary.js
import Net
import NetTestSupport
import Testing

/// All 256 byte values survive a round trip as latin1 ('binary') text: the client sends them once as a
/// 256-character string (255 down to 0) and then one by one (0 up to 255) as echoed characters arrive;
/// it receives 512 characters, the first half being the second half reversed.
@Suite struct BinaryTests {
    @Test func latin1RoundTripOfEveryByteValue() {
        let result = LoopThread.run { _, trace in
            var binaryString = ""
            for i in stride(from: 255, through: 0, by: -1) {
                binaryString.unicodeScalars.append(Unicode.Scalar(UInt8(i)))
            }
            let echoServer = Net.createServer { connection in
                connection.setEncoding(.latin1)
                connection.on(.data) { chunk in connection.write(chunk.toString(), encoding: .latin1) }
                connection.on(.end) { connection.end() }
            }
            try! echoServer.listen(port: 0)

            var recv: [Unicode.Scalar] = []
            echoServer.on(.listening) {
                var j = 0
                let c = try! Net.createConnection(ConnectOptions(port: echoServer.address()!.port!))
                c.setEncoding(.latin1)
                c.on(.data) { chunk in
                    let text = chunk.toString()
                    let n = j + text.utf16.count
                    while j < n && j < 256 {
                        c.write(String(Unicode.Scalar(UInt8(j))), encoding: .latin1)
                        j += 1
                    }
                    if j == 256 { c.end() }
                    recv += text.unicodeScalars
                }
                c.on(.connect) { c.write(binaryString, encoding: .binary) }
                c.on(.close) { _ in
                    echoServer.close()
                    let first = recv.prefix(256).reversed().map { String($0.value) }.joined(separator: ",")
                    let second = recv.dropFirst(256).map { String($0.value) }.joined(separator: ",")
                    trace.log("received \(recv.count)")
                    trace.log("first half reversed == second half: \(first == second)")
                    trace.log("second half is 0...255: \(second == (0...255).map(String.init).joined(separator: ","))")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "received 512",
            "first half reversed == second half: true",
            "second half is 0...255: true",
        ])
    }
}
