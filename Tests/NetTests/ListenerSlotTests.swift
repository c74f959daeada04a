@testable import Net
import NetTestSupport
import Testing

/// The listener storage's layout and the names it no longer stores: a slot is a box reference and a
/// word of bits (16 bytes, so a socket's three reserved slots take 80 bytes of storage), and an event of
/// a custom name keeps its name in a `NamedBox` around the listener's box.
@Suite struct ListenerSlotTests {
    final class Emitter: EventEmitter {
        let eventListeners = EventListeners()
    }

    @Test func aSlotIsTwoWords() {
        #expect(MemoryLayout<EventListeners.Slot>.stride == 16)
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
