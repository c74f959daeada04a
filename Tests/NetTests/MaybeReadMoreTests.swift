@testable import Net
import NetTestSupport
import Testing

/// `Socket.maybeReadMoreWhileReading`, the shortcut the maybeReadMore tick takes while the handle reads,
/// must leave the readable state exactly as Node's `maybeReadMore_` (`maybeReadMoreNT`, a port of it) does,
/// and do nothing else: no tick queued, no 'data' emitted. Every combination of the flags either can read
/// is tried, with three high-water marks, on a connected, reading socket.
@Suite struct MaybeReadMoreTests {
    /// The flags that decide what `read(0)` does: flag `i` of `flagCount` set to `on`.
    static let flagCount = 8
    static func setFlag(_ i: Int, of state: ReadableState, to on: Bool) {
        switch i {
        case 0: state.needReadable = on
        case 1: state.sync = on
        case 2: state.emittedReadable = on
        case 3: state.reading = on
        case 4: state.ended = on
        case 5: state.dataEmitted = on
        case 6: state.readableListening = on
        default: state.destroyed = on
        }
    }

    @Test func theShortcutLeavesTheStateAsTheGeneralPathDoes() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { peer in peer.write("x") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1")
                var dataEvents = 0
                client.on(.data) { _ in
                    dataEvents += 1
                    guard dataEvents == 1 else { return }
                    // Ticks done, the handle reading: now compare the two paths from the same states.
                    _ = setImmediate {
                        let loop = EventLoop.current
                        let state = client.streamState.readableState!
                        let saved = (state.bits, state.length, state.highWaterMark)
                        var taken = 0, compared = 0, differing: [String] = []
                        for flowing in [nil, true, false] as [Bool?] {
                            for mask in 0..<(1 << Self.flagCount) {
                                for mark in [saved.2, 1, 0] {
                                    for length in Set([0, 10, mark - 1, mark]).sorted() where length >= 0 {
                                        let set = {
                                            state.bits = saved.0
                                            for i in 0..<Self.flagCount { Self.setFlag(i, of: state, to: mask & (1 << i) != 0) }
                                            state.flowing = flowing
                                            state.highWaterMark = mark
                                            state.length = length
                                            state.readingMore = true
                                        }
                                        // Each path's whole effect: the state, and what it queued or emitted.
                                        let effect = { (path: () -> Bool) -> (UInt32, Int, Int, Int, Bool, UInt32) in
                                            set()
                                            let before = state.bits
                                            let ticks = loop.pendingTickCount, events = dataEvents
                                            let took = path()
                                            return (state.bits.raw, state.length, loop.pendingTickCount - ticks, dataEvents - events, took, before.raw)
                                        }
                                        let shortcut = effect { client.maybeReadMoreWhileReading() }
                                        let general = effect { client.maybeReadMoreNT(); return true }
                                        compared += 1
                                        if shortcut.4 {
                                            taken += 1
                                            if shortcut.0 != general.0 || shortcut.1 != general.1 || shortcut.2 != general.2
                                                || shortcut.3 != general.3 || shortcut.2 != 0 || shortcut.3 != 0 {
                                                differing.append("flowing \(String(describing: flowing)) mask \(mask) mark \(mark) length \(length)")
                                            }
                                        } else if shortcut.0 != shortcut.5 || shortcut.1 != length || shortcut.2 != 0 || shortcut.3 != 0 {
                                            differing.append("declined but acted: mask \(mask) mark \(mark) length \(length)")
                                        }
                                    }
                                }
                            }
                        }
                        state.bits = saved.0
                        state.length = saved.1
                        state.highWaterMark = saved.2
                        trace.log("compared \(compared), shortcut taken in \(taken), differing \(differing)")
                        client.destroy()
                        server.close()
                    }
                }
            }
        }
        #expect(result.finished)
        // 3 flowing values × 256 flag sets × 9 (mark, length) pairs: mark 16 KiB with lengths 0, 10, mark − 1
        // and mark; mark 1 with 0, 1, 10; mark 0 with 0, 10. The shortcut applies where none of `reading`,
        // `ended`, `destroyed` is set and the buffer is below a non-zero mark: 3 × 32 × (3 + 1).
        #expect(result.trace == ["compared 6912, shortcut taken in 384, differing []"])
    }
}
