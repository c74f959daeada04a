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
            var queue: [(Int, Int)] {
                let writable = socket.streamState.writableState!
                writable.sealTail()
                return writable.buffered.map { ($0.chunk.count, $0.writes) }
            }
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

    /// The tail behind the last entry grows four-fold from 1 KiB: a corked batch of 64-byte writes up to
    /// the 16 KiB high-water mark grows it twice, it never has room for more than four times its bytes
    /// (and 1 KiB), and sealing makes one chunk of the entry and the tail, the caller's buffer left as it was.
    @Test func theTailGrowsFourFoldFromOneKiBAndSealsIntoTheEntry() {
        let result = LoopThread.run { _, trace in
            let socket = Socket()   // not connected: every write is buffered behind the cork
            socket.cork()
            let callers = Buffer.alloc(64, fill: 7)
            socket.write(callers)
            let slice = Buffer.alloc(64, fill: 8)
            var capacities: [Int] = []
            for _ in 1..<256 {
                socket.write(slice)
                guard let tail = socket.streamState.writableState!.tail else { return trace.log("no tail") }
                if capacities.last != tail.capacity { capacities.append(tail.capacity) }
                if tail.capacity > max(1024, 4 * tail.count) { trace.log("capacity \(tail.capacity) for \(tail.count)") }
            }
            trace.log("capacities \(capacities)")
            trace.log("tail \(socket.streamState.writableState!.tail.map { "\($0.count)x\($0.writes)" } ?? "none")")
            let writable = socket.streamState.writableState!
            trace.log("queue before sealing \(writable.buffered.map { "\($0.chunk.count)x\($0.writes)" })")
            writable.sealTail()
            trace.log("queue \(writable.buffered.map { "\($0.chunk.count)x\($0.writes)" }), tail \(socket.streamState.writableState!.tail == nil ? "none" : "left")")
            let chunk = writable.buffered[0].chunk
            trace.log("bytes \(chunk.bytes[..<64].allSatisfy { $0 == 7 } && chunk.bytes[64...].allSatisfy { $0 == 8 })")
            trace.log("caller's \(callers.count == 64 && callers.bytes.allSatisfy { $0 == 7 })")
            trace.log("length \(socket.writableLength)")
            socket.destroy()
        }
        #expect(result.finished)
        #expect(result.trace == [
            "capacities [1024, 4096, 16384]",
            "tail \(255 * 64)x255",
            "queue before sealing [\"64x1\"]",
            "queue [\"\(256 * 64)x256\"], tail none",
            "bytes true",
            "caller's true",
            "length \(256 * 64)",
        ])
    }

    /// The tail and the entry before it stay within 64 KiB: the write that would pass it seals the tail
    /// and starts an entry of its own, and the next small write a tail behind that one.
    @Test func theEntryAndItsTailStayWithinTheChunkLimit() {
        let result = LoopThread.run { _, trace in
            let socket = Socket()
            socket.cork()
            let slice = Buffer.alloc(1000, fill: 1)
            for _ in 0..<70 { socket.write(slice) }
            let writable = socket.streamState.writableState!
            writable.sealTail()
            trace.log("\(writable.buffered.map { "\($0.chunk.count)x\($0.writes)" })")
            trace.log("length \(socket.writableLength) bytesWritten \(socket.bytesWritten)")
            socket.destroy()
        }
        #expect(result.finished)
        #expect(result.trace == ["[\"65000x65\", \"5000x5\"]", "length 70000 bytesWritten 70000"])
    }
}
