@testable import Net
import NetTestSupport
import Testing

/// Every socket has a stream state, so its size is idle memory per connection (the benchmark's idle10k
/// row). Both halves live in one object (the readable and writable states are views of it): 136 bytes, a
/// malloc size class of 144, where three objects took 48 + 64 + 96.
@Suite struct StateSizeTests {
    @Test func bothHalvesAreOneObjectOf136Bytes() {
        let size = blockSize { StreamState(readable: .init(), writable: .init()) }
        #expect(size <= 136, "StreamState takes \(size) bytes")
    }

    @Test func theHalvesAreViewsOfTheOneState() {
        let state = StreamState(readable: .init(highWaterMark: 5), writable: .init(highWaterMark: 7))
        let readable = state.readable!, writable = state.writable!
        readable.length = 3
        writable.length = 4
        #expect(state.readable!.length == 3 && state.writable!.length == 4)
        #expect(readable.highWaterMark == 5 && writable.highWaterMark == 7)
        #expect(StreamState(readable: .init()).writable == nil)
        #expect(StreamState(writable: .init()).readable == nil)
    }

    @Test func pendingWriteCountsPastSixteenBitsAndBackStayExact() {
        let state = StreamState(writable: .init()).writable!
        for n in [0, 1, 65_536, Int(Int32.max)] {
            state.pendingcb = n
            #expect(state.pendingcb == n)
        }
    }
}
