@testable import Net
import NetTestSupport
import Testing

/// `Socket.maybeReadMoreWhileReading`, the shortcut the maybeReadMore tick takes while the handle reads,
/// must leave the readable state exactly as Node's `maybeReadMore_` (`maybeReadMoreNT`, a port of it) does.
/// Every combination of the flags either can read is tried on a connected, reading socket.
@Suite struct MaybeReadMoreTests {
    /// The flags that decide what `read(0)` does: flag `i` of `flagCount` set to `on`.
    static let flagCount = 7
    static func setFlag(_ i: Int, of state: ReadableState, to on: Bool) {
        switch i {
        case 0: state.needReadable = on
        case 1: state.sync = on
        case 2: state.emittedReadable = on
        case 3: state.reading = on
        case 4: state.ended = on
        case 5: state.dataEmitted = on
        default: state.readableListening = on
        }
    }

    @Test func theShortcutLeavesTheStateAsTheGeneralPathDoes() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { peer in peer.write("x") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1")
                client.on(.data) { _ in
                    // Ticks done, the handle reading: now compare the two paths from the same states.
                    _ = setImmediate {
                        let state = client.streamState.readable!
                        let saved = (state.bits, state.length)
                        var taken = 0, compared = 0, differing: [String] = []
                        for flowing in [nil, true, false] as [Bool?] {
                            for mask in 0..<(1 << Self.flagCount) {
                                for length in [0, 10, state.highWaterMark - 1, state.highWaterMark] {
                                    let set = {
                                        state.bits = saved.0
                                        for i in 0..<Self.flagCount { Self.setFlag(i, of: state, to: mask & (1 << i) != 0) }
                                        state.flowing = flowing
                                        state.length = length
                                        state.readingMore = true
                                    }
                                    set()
                                    let tookShortcut = client.maybeReadMoreWhileReading()
                                    let shortcut = (state.bits, state.length)
                                    set()
                                    client.maybeReadMoreNT()
                                    let general = (state.bits, state.length)
                                    compared += 1
                                    if tookShortcut {
                                        taken += 1
                                        if shortcut != general {
                                            differing.append("flowing \(String(describing: flowing)) mask \(mask) length \(length)")
                                        }
                                    }
                                }
                            }
                        }
                        state.bits = saved.0
                        state.length = saved.1
                        trace.log("compared \(compared), shortcut taken in \(taken), differing \(differing)")
                        client.destroy()
                        server.close()
                    }
                }
            }
        }
        #expect(result.finished)
        // 3 flowing values × 128 flag sets × 4 lengths; the shortcut applies where neither `reading` nor
        // `ended` is set and the buffer is below the mark: 3 × 32 × 3.
        #expect(result.trace == ["compared 1536, shortcut taken in 288, differing []"])
    }
}
