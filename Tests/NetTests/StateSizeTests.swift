@testable import Net
import Testing

/// glibc's (and AddressSanitizer's) size of a heap block; `<malloc.h>` is not in the Glibc module.
@_silgen_name("malloc_usable_size") private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int

/// Every socket has a writable state, so its size is idle memory per connection (the benchmark's
/// idle10k row): 88 bytes, a malloc size class below 96 (16 bytes per connection).
@Suite struct StateSizeTests {
    @Test func theWritableStateStaysEightyEightBytes() {
        let state = WritableState()
        let size = mallocUsableSize(Unmanaged.passUnretained(state).toOpaque())
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
