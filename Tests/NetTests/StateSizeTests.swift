@testable import Net
import Testing

/// glibc's (and AddressSanitizer's) size of a heap block; `<malloc.h>` is not in the Glibc module.
@_silgen_name("malloc_usable_size") private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int

/// The malloc block size of a `T`: the smallest of 32 made at once. One alone may land in a larger free
/// block that malloc hands out whole (what is left of it too small to split), as the other tests' frees
/// leave the heap; 32 in a row do not all do so.
private func blockSize<T: AnyObject>(_ make: () -> T) -> Int {
    let objects = (0..<32).map { _ in make() }
    return objects.map { mallocUsableSize(Unmanaged.passUnretained($0).toOpaque()) }.min()!
}

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
