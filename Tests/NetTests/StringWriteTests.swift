@testable import Net
import NetTestSupport
import Testing

/// `Socket.write(_:encoding:)` and `end(_:encoding:)` of a string whose bytes are its UTF-8 (`.utf8`, and
/// `.ascii`/`.latin1` of an ASCII string) hand the string's own storage to the kernel and copy only what
/// has to wait: bytes buffered behind another write or a cork, the part a full kernel buffer refused, a
/// write before the connection is up. Each case must deliver exactly the bytes `Buffer(string, encoding:)`
/// holds, in order, after the string itself is gone.
@Suite struct StringWriteTests {
    /// Text that does not repeat, with 1- to 4-byte UTF-8 sequences (or only ASCII), of at least `count`
    /// UTF-8 bytes. Made at run time, so that its storage is freed once the caller lets go of it.
    static func text(atLeast count: Int, ascii: Bool) -> String {
        var text = ""
        var line = 0
        while text.utf8.count < count {
            text += ascii ? "line \(line) abc\n" : "line \(line) ü€😀\n"
            line += 1
        }
        return text
    }

    /// A server that collects everything until its peer ends, then logs whether it got `expected`.
    static func collect(_ trace: Trace, expected: [UInt8], paused: Bool = false, then: @escaping (Server, Int) -> Void) {
        var server: Server!
        server = Net.createServer(.init(pauseOnConnect: paused)) { peer in
            var got: [UInt8] = []
            peer.on(.data) { got += $0.buffer.bytes }
            peer.on(.end) {
                trace.log("received \(got.count) bytes, as expected \(got == expected)")
                server.close()
            }
            if paused { setTimeout(200) { peer.resume() } }
        }
        try! server.listen(port: 0, host: "127.0.0.1") { then(server, server.address()!.port!) }
    }

    /// A string the kernel takes only in part: the rest is copied and queued, and arrives after it.
    @Test(arguments: [Encoding.utf8, .ascii, .latin1])
    func aLargeStringTheKernelTakesInPartArrivesWhole(encoding: Encoding) {
        let total = 16 << 20
        let result = LoopThread.run { _, trace in
            var string: String? = Self.text(atLeast: total, ascii: encoding != .utf8)
            let expected = Buffer(string!, encoding: encoding).bytes
            Self.collect(trace, expected: expected, paused: true) { _, port in
                var client: Socket!
                client = try! Net.connect(port: port, host: "127.0.0.1") {
                    let returned = client.write(string!, encoding: encoding) { error in
                        trace.log("callback \(error.map { "\($0)" } ?? "nil"), bytesWritten \(client.bytesWritten == expected.count)")
                        client.end()
                    }
                    string = nil
                    // In progress, as in Node: it counts whole in writableLength until libuv has written the rest.
                    trace.log("write returned \(returned), in progress \(client.writableLength == expected.count)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.count == 3)
        #expect(result.trace.first == "write returned false, in progress true")
        #expect(result.trace.dropFirst().first == "callback nil, bytesWritten true")
        #expect(result.trace.last?.hasSuffix("as expected true") == true)
    }

    /// Strings written while another write is in progress, or while corked, wait in the stream's buffer:
    /// as copies, with the encodings applied, in order with the Buffers among them.
    @Test(arguments: [false, true])
    func stringsThatWaitArriveAsWritten(corked: Bool) {
        let result = LoopThread.run { _, trace in
            // Made at each call (not literals), so that each is freed right after its write call.
            let parts: [(@Sendable () -> String, Encoding)] = [
                ({ Self.text(atLeast: 100_000, ascii: false) }, .utf8),
                ({ "ascii \(corked) " + String(repeating: "a", count: 20) }, .ascii),
                ({ "café \(corked) " + String(repeating: "é", count: 20) }, .latin1),   // not ASCII: a Buffer of its low bytes
                ({ "ascii as latin1 \(corked)" }, .latin1),
                ({ "utf16 \(corked)" }, .utf16le),
                ({ "small \(corked) ü" }, .utf8),
                ({ Self.text(atLeast: 10_000, ascii: true) }, .ascii),
            ]
            let head = Buffer([UInt8](repeating: 0x2A, count: corked ? 1_000 : 16 << 20))
            var expected = head.bytes
            for (make, encoding) in parts { expected += Buffer(make(), encoding: encoding).bytes }
            Self.collect(trace, expected: expected) { _, port in
                var client: Socket!
                client = try! Net.connect(port: port, host: "127.0.0.1") {
                    if corked { client.cork() }
                    client.write(head)
                    var waiting = true
                    for (make, encoding) in parts {
                        client.write(make(), encoding: encoding)
                        waiting = waiting && client.writableLength > 0
                    }
                    trace.log("all waited \(waiting)")
                    if corked { client.uncork() }
                    client.end()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.first == "all waited true")
        #expect(result.trace.last?.hasSuffix("as expected true") == true)
    }

    /// A write before 'connect' waits for the connection, as a copy.
    @Test func aStringWrittenBeforeConnectArrives() {
        let result = LoopThread.run { _, trace in
            var string: String? = Self.text(atLeast: 50_000, ascii: false)
            let expected = Array(string!.utf8)
            Self.collect(trace, expected: expected) { _, port in
                let client = try! Net.connect(port: port, host: "127.0.0.1")
                client.write(string!) { error in trace.log("callback \(error.map { "\($0)" } ?? "nil")") }
                string = nil
                trace.log("connecting \(client.connecting)")
                client.end()
            }
        }
        #expect(result.finished)
        #expect(result.trace.first == "connecting true")
        #expect(result.trace.dropFirst().first == "callback nil")
        #expect(result.trace.last?.hasSuffix("as expected true") == true)
    }

    /// Many small callback-less string writes in one callback, each written from the string's own bytes
    /// (and, with `gatherWrites`, gathered: README, "Small writes"); `end(string)` writes its string last,
    /// in each kind of encoding.
    @Test(arguments: [Encoding.utf8, .latin1, .hex], [false, true])
    func smallStringsAndEndArriveInOrder(endEncoding: Encoding, gatherWrites: Bool) {
        let result = LoopThread.run { _, trace in
            let small = (0..<40).map { "message \($0) ü\n" }
            let last = endEncoding == .hex ? "c3bc21" : "the end \(endEncoding)"
            var expected = small.flatMap { Array($0.utf8) }
            expected += Buffer(last, encoding: endEncoding).bytes
            Self.collect(trace, expected: expected) { _, port in
                var client: Socket!
                client = try! Net.connect(port: port, host: "127.0.0.1") {
                    client.gatherWrites = gatherWrites
                    var all = true
                    for i in small.indices { all = client.write("message \(i) ü\n") && all }
                    trace.log("every write returned true \(all), writableLength \(client.writableLength)")
                    client.end(last, encoding: endEncoding) { trace.log("end callback \($0.map { "\($0)" } ?? "nil")") }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.first == "every write returned true true, writableLength 0")
        #expect(result.trace.contains("end callback nil"))
        #expect(result.trace.last?.hasSuffix("as expected true") == true)
    }
}
