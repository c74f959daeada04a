@testable import Net
import NetTestSupport
import Testing

/// What `CoalescedWritesTests` cannot see from outside, by design: that a socket's small buffered writes
/// do share a chunk, and which writes start a chunk of their own.
@Suite struct CoalescingQueueTests {
    @Test func smallCallbackLessWritesShareAChunkOthersGetTheirOwn() {
        let result = LoopThread.run { _, trace in
            let socket = Socket()   // not connected: every write is buffered behind the cork
            socket.cork()
            for _ in 0..<100 { socket.write(Buffer.alloc(10, fill: 1)) }
            socket.write("abc")
            var queue: [(Int, Int)] { socket.streamState.writableState!.buffered.map { ($0.chunk.count, $0.writes) } }
            trace.log("\(queue.map { "\($0.0)x\($0.1)" })")
            socket.write(Buffer.alloc(4, fill: 2)) { _ in }          // a callback: its own entry
            socket.write(Buffer.alloc(5, fill: 3))                    // behind a callback: its own entry
            socket.write(Buffer.alloc(WritableState.coalesceLimit + 1, fill: 4))   // too large to copy
            socket.write(Buffer.alloc(6, fill: 5))                    // not appended to a large chunk
            trace.log("\(queue.map { "\($0.0)x\($0.1)" })")
            trace.log("length \(socket.writableLength)")
            socket.destroy()
        }
        #expect(result.finished)
        #expect(result.trace == [
            "[\"1003x101\"]",
            "[\"1003x101\", \"4x1\", \"5x1\", \"\(WritableState.coalesceLimit + 1)x1\", \"6x1\"]",
            "length \(1003 + 4 + 5 + WritableState.coalesceLimit + 1 + 6)",
        ])
    }

    /// A coalesced chunk grows four-fold from 1 KiB: a corked batch of 64-byte writes up to the 16 KiB
    /// high-water mark reallocates twice (the array's own doubling did it eight times), never holds more
    /// than four times its bytes (and 1 KiB), and the caller's buffer is left as it was.
    @Test func aCoalescedChunkGrowsFourFoldFromOneKiB() {
        let callers = Buffer.alloc(64, fill: 7)
        var pending = WritableState.Pending(chunk: callers, callback: nil)
        var capacities: [Int] = []
        let slice = [UInt8](repeating: 8, count: 64)
        for _ in 1..<256 {
            let took = slice.withUnsafeBytes { WritableState.append($0, to: &pending) }
            #expect(took)
            let capacity = pending.chunk.bytes.capacity
            if capacities.last != capacity { capacities.append(capacity) }
            #expect(capacity <= max(1024, 4 * pending.chunk.count) + 64)   // malloc may round up a little
        }
        #expect(pending.chunk.count == 256 * 64 && pending.writes == 256)
        #expect(capacities.count == 3, "reallocations: \(capacities)")
        #expect(callers.count == 64 && callers.bytes.allSatisfy { $0 == 7 })
        #expect(pending.chunk.bytes[..<64].allSatisfy { $0 == 7 } && pending.chunk.bytes[64...].allSatisfy { $0 == 8 })
    }
}
