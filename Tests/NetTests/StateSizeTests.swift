@testable import Net
import NetTestSupport
import Testing

/// Every socket has a writable state, so its size is idle memory per connection (the benchmark's
/// idle10k row): 88 bytes, a malloc size class below 96 (16 bytes per connection).
@Suite struct StateSizeTests {
    @Test func theWritableStateStaysEightyEightBytes() {
        let size = blockSize { WritableState() }
        #expect(size <= 88, "WritableState takes \(size) bytes")
    }

    @Test func pendingWriteCountsPastSixteenBitsAndBackStayExact() {
        let state = WritableState()
        for n in [0, 1, 65_536, Int(Int32.max)] {
            state.pendingcb = n
            #expect(state.pendingcb == n)
        }
    }
}
