import Foundation
import Net
import NetFoundation
import NetTestSupport
import Testing

/// `NetFoundation`: `Data` in and out of Net's `Buffer`, and written to a socket.
@Suite struct DataTests {
    @Test func bufferAndDataRoundTrip() {
        let data = Data([0, 1, 2, 0xFF, 0x68, 0x69])
        let buffer = Buffer(data)
        #expect(buffer.bytes == [0, 1, 2, 0xFF, 0x68, 0x69])
        #expect(Data(buffer) == data)
        #expect(Buffer(Data()).length == 0)
        #expect(Data(Buffer()).isEmpty)
        // A slice of Data starts at a non-zero index: the copy must still take exactly its bytes.
        let slice = data[2..<4]
        #expect(Buffer(slice).bytes == [2, 0xFF])
        #expect(Chunk.string("hé").data == Data("hé".utf8))
        #expect(Chunk.buffer(buffer).data == data)
    }

    @Test func socketWritesAndEndsWithData() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { c in
                var received = Buffer()
                c.on(.data) { chunk in received.append(contentsOf: chunk.buffer) }
                c.on(.end) {
                    trace.log("server got \(received.toString())")
                    c.end()
                }
            }
            do {
                try server.listen(port: 0, host: "127.0.0.1") {
                    guard case .inet(let info) = server.address(),
                          let client = try? Net.createConnection(port: info.port, host: "127.0.0.1")
                    else { return }
                    client.on(.connect) {
                        client.write(Data("hello ".utf8))
                        client.end(Data("world".utf8))
                    }
                    client.on(.close) { _ in server.close() }
                }
            } catch {
                trace.log("listen failed: \(error)")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["server got hello world"])
    }
}
