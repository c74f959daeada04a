@testable import Net
import NetTestSupport
import Testing

/// Every socket has a stream state, so its size is idle memory per connection (the benchmark's idle10k
/// row). Both halves and the listener storage live in one object (the readable and writable states are
/// views of it, and it is the stream's `EventListeners`), with its flags packed after the readable half:
/// a block of 152 usable bytes (malloc's 160-byte chunk), where the state and the listener storage were
/// blocks of 136 and 40 (chunks of 144 and 48).
@Suite struct StateSizeTests {
    @Test func bothHalvesAndTheListenersAreOneBlockOf152Bytes() {
        let size = blockSize { StreamState(readable: .init(), writable: .init()) }
        #expect(size <= 152, "StreamState takes \(size) bytes")
    }

    /// A stream that declares only its state gets its listeners from it, and a socket's two are one
    /// object: one allocation fewer per socket.
    @Test func aStreamsListenersAreItsState() {
        final class Source: Readable {
            let streamState = StreamState(readable: .init())
            func _read(_ size: Int) {}
        }
        let source = Source()
        #expect(source.eventListeners === source.streamState)
        var got: [String] = []
        source.on(.data) { got.append($0.toString()) }
        source.push(Buffer("hi"))
        EventLoop.current.run()
        #expect(got == ["hi"])
        let socket = Socket()
        #expect(socket.eventListeners === socket.streamState)
        socket.destroy()
    }

    /// A socket is its own stream state and listener storage: the socket, both halves and the listeners
    /// are one block (they were two, of 96 and 160 bytes' chunks), with the socket's fields after the
    /// state's.
    @Test func aSocketIsItsOwnStateInOneBlockOf216Bytes() {
        let socket = Socket()
        #expect(socket.streamState === socket && socket.eventListeners === socket)
        socket.destroy()
        let size = blockSize { Socket() }
        #expect(size <= 216, "Socket takes \(size) bytes")
    }

    @Test func theHalvesAreViewsOfTheOneState() {
        let state = StreamState(readable: .init(highWaterMark: 5), writable: .init(highWaterMark: 7))
        let readable = state.readableState!, writable = state.writableState!
        readable.length = 3
        writable.length = 4
        #expect(state.readableState!.length == 3 && state.writableState!.length == 4)
        #expect(readable.highWaterMark == 5 && writable.highWaterMark == 7)
        #expect(StreamState(readable: .init()).writableState == nil)
        #expect(StreamState(writable: .init()).readableState == nil)
    }

    @Test func pendingWriteCountsPastSixteenBitsAndBackStayExact() {
        let state = StreamState(writable: .init()).writableState!
        for n in [0, 1, 65_536, Int(Int32.max)] {
            state.pendingcb = n
            #expect(state.pendingcb == n)
        }
    }
}
