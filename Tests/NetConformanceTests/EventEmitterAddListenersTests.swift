// Node: test/parallel/test-event-emitter-add-listeners.js
import Net
import Testing

/// `'newListener'` is emitted with the event name before the listener is added, so a listener added from a
/// `'newListener'` listener runs before the one being added. Not ported: the listener passed to
/// `'newListener'` (the typed payload is the name only), `this`, and the non-function listener TypeError.
@Suite struct EventEmitterAddListenersTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func newListenerSeesTheNameBeforeTheListenerIsAdded() {
        let ee = E()
        var eventsNewListenerEmitted: [String] = []
        ee.on(.newListener) { event in
            // Don't track newListener listeners.
            if event == "newListener" { return }
            eventsNewListenerEmitted.append(event)
        }

        var helloCalls: [String] = []
        var onceNames: [String] = []
        var helloListenersSeenByOnce: [Int] = []
        ee.once(.newListener) { [unowned ee] name in
            onceNames.append(name)
            helloListenersSeenByOnce.append(ee.listeners(.hello).count)
        }

        ee.on(.hello) { args in helloCalls.append("\(args.0) \(args.1)") }
        var fooCalls = 0
        ee.once(.foo) { fooCalls += 1 }
        #expect(eventsNewListenerEmitted == ["hello", "foo"])
        #expect(onceNames == ["hello"])
        #expect(helloListenersSeenByOnce == [0])

        ee.emit(.hello, ("a", "b"))
        #expect(helloCalls == ["a b"])
        #expect(fooCalls == 0)
    }

    @Test func addListenerIsOn() {
        // Node: `assert.strictEqual(ee.addListener, ee.on)`; here, the same behaviour.
        let ee = E()
        var order: [String] = []
        ee.on(.order) { order.append("on 1") }
        ee.addListener(.order) { order.append("addListener") }
        ee.on(.order) { order.append("on 2") }
        ee.emit(.order)
        #expect(order == ["on 1", "addListener", "on 2"])
    }

    @Test func setMaxListenersZeroDoesNotThrow() throws {
        let f = E()
        try f.setMaxListeners(0)
        #expect(f.getMaxListeners() == 0)
    }

    @Test func listenerAddedFromNewListenerComesFirst() {
        var calls: [String] = []
        var seen: [Int] = []
        let ee = E()
        ee.once(.newListener) { [unowned ee] _ in
            seen.append(ee.listeners(.hello).count)
            ee.once(.newListener) { [unowned ee] _ in
                seen.append(ee.listeners(.hello).count)
            }
            ee.on(.hello) { _ in calls.append("listen2") }
        }
        ee.on(.hello) { _ in calls.append("listen1") }
        #expect(seen == [0, 0])
        // The order of listeners on an event is not always the order in which the listeners were added.
        let listeners = ee.listeners(.hello)
        #expect(listeners.count == 2)
        for listener in listeners { listener(("", "")) }
        #expect(calls == ["listen2", "listen1"])
    }
}

extension EventKey where Emitter == EventEmitterAddListenersTests.E, Payload == (String, String) {
    static var hello: Self { .init("hello") }
}

extension EventKey where Emitter == EventEmitterAddListenersTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
    static var order: Self { .init("order") }
}
