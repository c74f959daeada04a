@testable import Net
import NetTestSupport
import Testing

/// The chunks reads are delivered in. A small read is copied out of the loop's 64 KiB block into the loop's
/// spare chunk, which the next read of the same size refills once nobody else holds it
/// (`EventLoop.chunk(of:)`). A read that fills half of its block (64 KiB, or 256 KiB after a read filled
/// its block) takes the block; a read in between is copied. A chunk a listener keeps must never change under it.
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
    /// A read that fills half of a block takes the block itself; one that fills less is copied, and the
    /// block stays for the next read. For both blocks.
    @Test(arguments: [false, true])
    func aReadTakesItsBlockOnlyWhenItFillsHalfOfIt(large: Bool) {
        let result = LoopThread.run { loop, trace in
            func block() -> UnsafeMutableRawBufferPointer { large ? loop.largeReadSlab.memory() : loop.readSlab.memory() }
            let size = large ? EventLoop.largeReadSize : EventLoop.readSize
            let first = block()
            for i in 0..<size { first[i] = UInt8(truncatingIfNeeded: i % 251) }
            let expected = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 251) }
            // Just under half: copied out, and the block stays.
            let copied = loop.chunk(of: UnsafeRawBufferPointer(rebasing: first[0..<(size / 2 - 1)]))
            trace.log("under half: own storage \(Self.storage(copied) != UnsafeRawPointer(first.baseAddress!)), same block next \(block().baseAddress == first.baseAddress)")
            // Half: the block becomes the chunk, and the next read gets a new block.
            let kept = loop.chunk(of: UnsafeRawBufferPointer(rebasing: first[0..<(size / 2)]))
            trace.log("half: block kept \(Self.storage(kept) == UnsafeRawPointer(first.baseAddress!)), new block next \(block().baseAddress != first.baseAddress)")
            block().initializeMemory(as: UInt8.self, repeating: 0)
            trace.log("bytes as read \(copied.bytes == Array(expected[0..<(size / 2 - 1)])) \(kept.bytes == Array(expected[0..<(size / 2)]))")
        }
        #expect(result.trace == ["under half: own storage true, same block next true",
                                 "half: block kept true, new block next true", "bytes as read true true"])
    }

    /// Over a socket: 4 MiB in one write, its bytes all different from their neighbours, kept chunk by chunk
    /// by the receiver. After a read fills the 64 KiB block the next reads are up to 256 KiB, and the kept
    /// chunks, some of them blocks and some copies, are the bytes sent. After a small message the next
    /// read is a 64 KiB one again.
    @Test func aLargeTransferIsReadInLargeBlocksAndKeptIntact() {
        let total = 4 << 20
        let payload = Buffer((0..<total).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { peer in
                var kept: [Buffer] = []
                var got = 0
                peer.on(.data) { chunk in
                    if got == total {
                        trace.log("after: \(chunk.count) bytes, next read large \(peer.handle!.readsLarge)")
                        peer.end()
                        server.close()
                        return
                    }
                    kept.append(chunk.buffer)
                    got += chunk.count
                    guard got == total else { return }
                    let largest = kept.map(\.count).max()!
                    trace.log("largest chunk above 64 KiB \(largest > EventLoop.readSize), at most 256 KiB \(largest <= EventLoop.largeReadSize)")
                    trace.log("as sent \(kept.reduce(into: [UInt8]()) { $0 += $1.bytes } == payload.bytes)")
                    peer.write(Buffer([1]))
                }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    client.write(payload)
                }
                client.on(.data) { _ in client.write(Buffer(Array("done".utf8))) }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["largest chunk above 64 KiB true, at most 256 KiB true", "as sent true",
                                 "after: 4 bytes, next read large false"])
    }
}
