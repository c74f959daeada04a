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
}
