@testable import Net
import NetTestSupport
import Testing

/// The chunks reads are delivered in. A small read is copied out of the loop's 64 KiB block into the loop's
/// spare chunk, which the next read of the same size refills once nobody else holds it
/// (`EventLoop.chunk(of:)`). A chunk a listener keeps must never change under it.
@Suite struct ReadChunkTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Message `i` of a run: 64 bytes of one letter.
    static func message(_ i: Int) -> Buffer {
        Buffer([UInt8](repeating: UInt8(ascii: "A") + UInt8(i % 26), count: 64))
    }

    static func storage(_ buffer: Buffer) -> UnsafeRawPointer? {
        buffer.bytes.withUnsafeBytes { $0.baseAddress }
    }

    @Test func aChunkThatIsKeptIsNotOverwrittenByTheNextRead() {
        let result = LoopThread.run { loop, trace in
            let first = Self.bytes("aaaa").withUnsafeBytes { loop.chunk(of: $0) }
            let second = Self.bytes("bbbb").withUnsafeBytes { loop.chunk(of: $0) }
            trace.log("first \(String(decoding: first.bytes, as: UTF8.self)) second \(String(decoding: second.bytes, as: UTF8.self))")
            trace.log("same storage \(Self.storage(first) == Self.storage(second))")
        }
        #expect(result.trace == ["first aaaa second bbbb", "same storage false"])
    }

    @Test func aChunkLetGoIsRefilledByTheNextReadOfItsSize() {
        let result = LoopThread.run { loop, trace in
            var first: Buffer? = Self.bytes("aaaa").withUnsafeBytes { loop.chunk(of: $0) }
            let address = Self.storage(first!)
            first = nil
            let second = Self.bytes("bbbb").withUnsafeBytes { loop.chunk(of: $0) }
            trace.log("second \(String(decoding: second.bytes, as: UTF8.self)) reused \(Self.storage(second) == address)")
            // Another size gets storage of its own.
            let third = Self.bytes("ccccc").withUnsafeBytes { loop.chunk(of: $0) }
            trace.log("third \(String(decoding: third.bytes, as: UTF8.self)) reused \(Self.storage(third) == address)")
            trace.log("second still \(String(decoding: second.bytes, as: UTF8.self))")
        }
        #expect(result.trace == ["second bbbb reused true", "third ccccc reused false", "second still bbbb"])
    }

    /// Reads above `spareChunkLimit` get arrays of their own, and the loop keeps no reference to them (a
    /// holder that kept them would pay a wasted copy at the next refill, and one that changed them a copy).
    @Test func aReadAboveTheLimitIsNotKept() {
        let result = LoopThread.run { loop, trace in
            let small = Self.bytes("aaaa").withUnsafeBytes { loop.chunk(of: $0) }
            let large = [UInt8](repeating: 7, count: EventLoop.spareChunkLimit + 1).withUnsafeBytes { loop.chunk(of: $0) }
            trace.log("spare still the small one \(Self.storage(Buffer(loop.spareChunk)) == Self.storage(small))")
            trace.log("large \(large.count) bytes, unique \(Self.storage(large) != Self.storage(Buffer(loop.spareChunk)))")
        }
        #expect(result.trace == ["spare still the small one true", "large \(EventLoop.spareChunkLimit + 1) bytes, unique true"])
    }

    @Test func aChunkMutatedByItsHolderDoesNotChangeTheNextRead() {
        let result = LoopThread.run { loop, trace in
            var held = Self.bytes("aaaa").withUnsafeBytes { loop.chunk(of: $0) }
            held.bytes[0] = UInt8(ascii: "z")
            let next = Self.bytes("bbbb").withUnsafeBytes { loop.chunk(of: $0) }
            trace.log("held \(String(decoding: held.bytes, as: UTF8.self)) next \(String(decoding: next.bytes, as: UTF8.self))")
        }
        #expect(result.trace == ["held zaaa next bbbb"])
    }

    /// Over a socket: 64-byte messages with different contents, each read on its own (the sender waits for
    /// the echo before the next), kept by the receiver in flowing mode and in paused mode. The echoes, read
    /// and dropped by the client, are what would be refilled into a kept chunk's storage if its holder
    /// were not seen.
    @Test(arguments: [false, true])
    func keptChunksKeepTheirBytesOverASocket(paused: Bool) {
        let count = 50
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { peer in
                var kept: [Buffer] = []
                var checked = false
                let check = {
                    guard !checked else { return }
                    checked = true
                    let got = kept.reduce(into: [UInt8]()) { $0 += $1.bytes }
                    let expected = (0..<count).reduce(into: [UInt8]()) { $0 += Self.message($1).bytes }
                    trace.log("kept \(got.count) bytes, as sent \(got == expected)")
                    peer.end()
                    server.close()
                }
                if paused {
                    // Reads pile up in the readable buffer; each is taken out on 'readable'.
                    peer.on(.readable) {
                        while let chunk = peer.read() {
                            kept.append(chunk.buffer)
                            peer.write(chunk.buffer)
                        }
                        if kept.reduce(0, { $0 + $1.count }) == count * 64 { check() }
                    }
                } else {
                    peer.on(.data) { chunk in
                        kept.append(chunk.buffer)
                        peer.write(chunk.buffer)
                        if kept.reduce(0, { $0 + $1.count }) == count * 64 { check() }
                    }
                }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var sent = 0
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    client.setNoDelay(true)
                    client.write(Self.message(0))
                    sent = 1
                }
                // The echo is read into the loop's spare chunk too (one loop for both ends) and let go.
                var echoed = 0
                client.on(.data) { echo in
                    echoed += echo.count
                    while echoed >= 64, sent < count {
                        echoed -= 64
                        client.write(Self.message(sent))
                        sent += 1
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["kept \(count * 64) bytes, as sent true"])
    }
}
