@testable import Net
import NetTestSupport
import Testing

/// The listener storage's layout and the names it no longer stores: a slot holds the listener's closure
/// itself (two words), its payload type or an `Extra` holding it, and a word of bits (32 bytes, so a
/// socket's three reserved slots take 128 bytes of storage and adding a listener allocates nothing of
/// Net's), and an event of a custom name keeps its name in the slot's `Extra`; a `once` listener gets one only when
/// `rawListeners` hands out its wrapper (see `OnceListenerTests`).
@Suite struct ListenerSlotTests {
    final class Emitter: EventEmitter {
        let eventListeners = EventListeners()
    }

    @Test func aSlotIsFourWordsAndOnlyCustomNamesAndWrappedOnceListenersHaveAnExtra() {
        #expect(MemoryLayout<EventListeners.Slot>.stride == 32)
        let emitter = Emitter()
        emitter.on(EventKey<Emitter, Int>("data")) { _ in }
        emitter.once(EventKey<Emitter, Int>("data")) { _ in }
        emitter.on(EventKey<Emitter, Int>("custom")) { _ in }
        #expect(emitter.eventListeners.slots.map { $0.extra != nil } == [false, false, true])
        #expect(emitter.eventListeners.slots.map { $0.extra?.name } == [nil, nil, "custom"])
        _ = emitter.rawListeners(EventKey<Emitter, Int>("data"))
        #expect(emitter.eventListeners.slots.map { $0.extra != nil } == [false, true, true])
        #expect(emitter.eventListeners.slots.map { $0.extra?.name } == [nil, nil, "custom"])
    }

    /// Every kind of closure a slot holds comes back callable, with its payload, through `listeners`,
    /// `rawListeners` and `emit`; a key of another payload type sees none of them.
    @Test func everyKindOfListenerIsCalledWithItsPayload() {
        final class Source: Readable {
            let streamState = StreamState(readable: .init())
            func _read(_ size: Int) {}
        }
        let source = Source()
        var calls: [String] = []
        source.on(.data) { (chunk: Chunk) in calls.append("chunk \(chunk.toString())") }      // concrete (Chunk)
        source.on(.end) { calls.append("end") }                                                // concrete ()
        source.on(.error) { calls.append("error \($0.code)") }                          // generic NetError
        source.once(EventKey<Source, Int>("n")) { calls.append("n \($0)") }                   // generic, custom, once
        for listener in source.listeners(.data) { listener(.buffer(Buffer("a"))) }
        for listener in source.listeners(.end) { listener(()) }
        for listener in source.listeners(.error) { listener(NetError("x", code: "E1")) }
        let raw = source.rawListeners(EventKey<Source, Int>("n"))
        #expect(source.listeners(EventKey<Source, String>("n")).isEmpty)
        raw[0](1)
        raw[0](2)                                                                            // fired: nothing
        #expect(!source.emit(EventKey<Source, Int>("n"), 3))
        source.emit(.error, NetError("y", code: "E2"))
        #expect(calls == ["chunk a", "end", "error E1", "n 1", "error E2"])
        #expect(source.listenerCount(.end) == 1)
    }

    /// Every socket and server has one: the listener-retention number, the owning thread and the
    /// `kDataListening` flag share one word, and `maxListeners` lives in the side object once set, so the
    /// object stays at 40 bytes (a 48-byte malloc chunk).
    @Test func theStorageStaysFortyBytesAndMaxListenersKeepsAnyValue() {
        let store = EventListeners()
        let size = blockSize { EventListeners() }
        #expect(size <= 40, "EventListeners takes \(size) bytes")
        for n in [0, 10, 32767, 32768, 1 << 40, Int.max] {
            store.maxListeners = n
            #expect(store.maxListeners == n)
        }
        #expect(store.rare != nil, "values other than the default live in the side object")
    }

    @Test func customAndNodeNamesKeepTheirNamesOrderAndListeners() {
        let emitter = Emitter()
        var calls: [String] = []
        let custom = EventKey<Emitter, Int>("custom")
        let other = EventKey<Emitter, Int>("other")
        emitter.on(custom) { calls.append("custom \($0)") }
        emitter.on(EventKey<Emitter, Int>("data")) { calls.append("data \($0)") }
        let token = emitter.once(other) { calls.append("other \($0)") }
        emitter.on(custom) { calls.append("custom again \($0)") }
        #expect(emitter.eventNames() == ["custom", "data", "other"])
        #expect(emitter.listenerCount(custom) == 2)
        #expect(emitter.listenerCount(other) == 1)

        // Each slot's name is the one its listener was added under, custom or Node's.
        #expect(emitter.eventListeners.slots.map(\.name) == ["custom", "custom", "data", "other"])

        #expect(emitter.emit(custom, 1))
        #expect(emitter.emit(EventKey<Emitter, Int>("data"), 2))
        #expect(emitter.emit(other, 3))
        #expect(!emitter.emit(other, 4))   // the once listener is gone
        #expect(calls == ["custom 1", "custom again 1", "data 2", "other 3"])

        emitter.off(other, token)           // already removed: nothing happens
        emitter.removeAllListeners(custom)
        #expect(emitter.eventNames() == ["data"])
        #expect(!emitter.emit(custom, 5))
    }
}
