// Node: test/parallel/test-event-emitter-set-max-listeners-side-effects.js
import Net
import Testing

/// `setMaxListeners` does not register anything as an event (Node checks that `_events` stays empty).
@Suite struct EventEmitterSetMaxListenersSideEffectsTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func setMaxListenersAddsNoEvent() throws {
        let e = E()
        #expect(e.eventNames() == [])
        try e.setMaxListeners(5)
        #expect(e.eventNames() == [])
        #expect(e.getMaxListeners() == 5)
    }
}
