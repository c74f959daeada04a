import CLibUV
@testable import Net
import Testing

/// `GatheredWrites` on its own, over a transport that answers each call as scripted: all taken, a partial
/// write, EAGAIN (libuv's `uv_try_write` reports it as 0 taken), ECONNRESET, a refused queue.
@Suite struct GatheredWritesTests {
    /// A transport whose `tryWrite` answers come from `answers`, in order, and which records every call.
    final class ScriptedTransport: WriteTransport {
        enum Answer {
            case all
            case partial(Int)
            case eagain
            case error(Int32)
        }
        var answers: [Answer]
        var queueStatus: Int32 = 0
        private(set) var tried: [[UInt8]] = []
        private(set) var queued: [(bytes: [UInt8], skipping: Int)] = []
        private(set) var completions: [(Int32) -> Void] = []

        init(_ answers: [Answer]) { self.answers = answers }

        func tryWrite(_ bytes: UnsafeRawBufferPointer) -> Int {
            tried.append([UInt8](bytes))
            switch answers.removeFirst() {
            case .all: return bytes.count
            case .partial(let n): return n
            case .eagain: return 0
            case .error(let code): return Int(code)
            }
        }

        func queueWrite(_ chunks: [Buffer], skipping offset: Int, completion: @escaping (Int32) -> Void) -> Int32 {
            queued.append((chunks.flatMap(\.bytes), offset))
            if queueStatus == 0 { completions.append(completion) }
            return queueStatus
        }
    }

    static func gathered(_ writes: [String]) -> (GatheredWrites, [UInt8]) {
        var gathered = GatheredWrites()
        var spare: [UInt8] = []
        for write in writes { Array(write.utf8).withUnsafeBytes { gathered.append($0, reusing: &spare) } }
        return (gathered, writes.flatMap { Array($0.utf8) })
    }

    @Test func everythingTakenIsOneTryWriteAndGivesTheStorageBack() {
        var (gathered, all) = Self.gathered(["one ", "two ", "three"])
        let transport = ScriptedTransport([.all])
        var spare: [UInt8] = []
        let outcome = gathered.flush(to: transport, reusing: &spare) { _ in Issue.record("no completion expected") }
        #expect(outcome == .written)
        #expect(transport.tried == [all])
        #expect(transport.queued.isEmpty)
        #expect(gathered.isEmpty)
        #expect(spare.isEmpty && spare.capacity >= all.count)
    }

    @Test func aPartialWriteQueuesTheRestInOrder() {
        var (gathered, all) = Self.gathered(["abcdef", "ghij"])
        let transport = ScriptedTransport([.partial(4)])
        var spare: [UInt8] = []
        var completed: [Int32] = []
        let outcome = gathered.flush(to: transport, reusing: &spare) { completed.append($0) }
        #expect(outcome == .queued(left: all.count - 4))
        #expect(transport.queued.count == 1)
        #expect(transport.queued.first?.bytes == all)
        #expect(transport.queued.first?.skipping == 4)
        #expect(gathered.isEmpty)
        transport.completions.first?(0)
        #expect(completed == [0])
    }

    @Test func eagainQueuesEverything() {
        var (gathered, all) = Self.gathered(["x", "y", "z"])
        let transport = ScriptedTransport([.eagain])
        var spare: [UInt8] = []
        let outcome = gathered.flush(to: transport, reusing: &spare) { _ in }
        #expect(outcome == .queued(left: all.count))
        #expect(transport.queued.first?.skipping == 0)
        #expect(transport.queued.first?.bytes == all)
    }

    @Test func aResetFailsTheFlushAndQueuesNothing() {
        var (gathered, _) = Self.gathered(["x", "y"])
        let transport = ScriptedTransport([.error(UV_ECONNRESET.rawValue)])
        var spare: [UInt8] = []
        let outcome = gathered.flush(to: transport, reusing: &spare) { _ in Issue.record("no completion expected") }
        #expect(outcome == .failed(UV_ECONNRESET.rawValue))
        #expect(transport.queued.isEmpty)
        #expect(gathered.isEmpty)
    }

    @Test func aQueueTheTransportRefusesFailsTheFlush() {
        var (gathered, _) = Self.gathered(["abcdef"])
        let transport = ScriptedTransport([.partial(2)])
        transport.queueStatus = UV_EPIPE.rawValue
        var spare: [UInt8] = []
        let outcome = gathered.flush(to: transport, reusing: &spare) { _ in Issue.record("no completion expected") }
        #expect(outcome == .failed(UV_EPIPE.rawValue))
        #expect(gathered.isEmpty)
    }

    @Test func atExitOnlyTries() {
        var (gathered, _) = Self.gathered(["abcdef"])
        let transport = ScriptedTransport([.partial(2)])
        var spare: [UInt8] = []
        let outcome = gathered.flush(to: transport, atExit: true, reusing: &spare) { _ in }
        #expect(outcome == .written)
        #expect(transport.queued.isEmpty)
    }

    @Test func nothingKeptCallsNothing() {
        var gathered = GatheredWrites()
        let transport = ScriptedTransport([])
        var spare: [UInt8] = []
        #expect(gathered.flush(to: transport, reusing: &spare) { _ in } == .written)
        #expect(transport.tried.isEmpty)
    }

    @Test func appendReusesTheSpareStorageAndFillsToTheFlushSize() {
        var gathered = GatheredWrites()
        var spare = [UInt8]()
        spare.reserveCapacity(GatheredWrites.flushSize)
        let capacity = spare.capacity
        let chunk = [UInt8](repeating: 7, count: GatheredWrites.gatherableSize)
        chunk.withUnsafeBytes { gathered.append($0, reusing: &spare) }
        #expect(spare.capacity == 0)
        #expect(gathered.bytes.capacity == capacity)
        #expect(!gathered.isFull)
        for _ in 1..<(GatheredWrites.flushSize / GatheredWrites.gatherableSize) {
            chunk.withUnsafeBytes { gathered.append($0, reusing: &spare) }
        }
        #expect(gathered.isFull)
    }
}
