// Node: test/parallel/test-event-emitter-max-listeners.js
import Net
import Testing

/// `setMaxListeners` rejects a negative count with `ERR_OUT_OF_RANGE` and does not disturb an event named
/// `'maxListeners'`. The message is Node v20's (`The value of "setMaxListeners" is out of range. It must be
/// >= 0. Received -1`); later Node versions name the argument `"n"`. Not ported: `NaN` and a string (not an
/// `Int`), the settable `events.defaultMaxListeners` (a constant in Net) and the static
/// `EventEmitter.setMaxListeners(n, ...targets)`.
@Suite struct EventEmitterMaxListenersTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func negativeCountThrowsAndMaxListenersEventIsUntouched() throws {
        let e = E()
        var maxListenersCalls = 0
        e.on(.maxListeners) { maxListenersCalls += 1 }

        // Should not corrupt the 'maxListeners' queue.
        try e.setMaxListeners(42)

        for obj in [-1, -5_000_000_000] {
            let error = #expect(throws: NetError.self) { try e.setMaxListeners(obj) }
            #expect(error?.code == "ERR_OUT_OF_RANGE")
            #expect(error?.name == "RangeError")
            let received = obj == -1 ? "-1" : "-5_000_000_000"
            #expect(error?.message == "The value of \"setMaxListeners\" is out of range. It must be >= 0. Received \(received)")
        }
        #expect(e.getMaxListeners() == 42, "a rejected count changes nothing")

        e.emit(.maxListeners)
        #expect(maxListenersCalls == 1)
    }
}

extension EventKey where Emitter == EventEmitterMaxListenersTests.E, Payload == Void {
    static var maxListeners: Self { .init("maxListeners") }
}
