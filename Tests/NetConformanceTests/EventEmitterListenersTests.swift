// Node: test/parallel/test-event-emitter-listeners.js
import Net
import Testing

/// `listeners()` returns a copy in calling order with `once` listeners unwrapped; `rawListeners()` returns
/// them as stored, a `once` listener wrapped so that calling it removes it. Closures have no identity in
/// Swift, so "is that listener" is checked by calling it. Not ported: `_events = undefined` (internals) and
/// the `wrapper.listener` property.
@Suite struct EventEmitterListenersTests {
    class E: EventEmitter { let eventListeners = EventListeners() }
    final class TestStream: E {}

    @Test func listenersIsASnapshot() {
        var calls: [String] = []
        do {
            let ee = E()
            ee.on(.foo) { calls.append("listener") }
            let fooListeners = ee.listeners(.foo)
            #expect(ee.listeners(.foo).count == 1)
            ee.removeAllListeners(.foo)
            #expect(ee.listeners(.foo).isEmpty)
            #expect(fooListeners.count == 1)
            fooListeners[0](())
            #expect(calls == ["listener"])
        }
        do {
            let ee = E()
            ee.on(.foo) {}
            var eeListenersCopy = ee.listeners(.foo)
            #expect(eeListenersCopy.count == 1)
            #expect(ee.listeners(.foo).count == 1)
            eeListenersCopy.append({ _ in })
            #expect(ee.listeners(.foo).count == 1)
            #expect(eeListenersCopy.count == 2)
        }
        do {
            calls = []
            let ee = E()
            ee.on(.foo) { calls.append("listener") }
            let eeListenersCopy = ee.listeners(.foo)
            ee.on(.foo) { calls.append("listener2") }
            let now = ee.listeners(.foo)
            for listener in now { listener(()) }
            #expect(calls == ["listener", "listener2"])
            #expect(eeListenersCopy.count == 1)
        }
    }

    @Test func onceListenersAreUnwrapped() {
        var calls: [String] = []
        do {
            let ee = E()
            ee.once(.foo) { calls.append("listener") }
            let listeners = ee.listeners(.foo)
            #expect(listeners.count == 1)
            // The listener itself, not the wrapper: calling it does not remove it.
            listeners[0](())
            #expect(calls == ["listener"])
            #expect(ee.listenerCount(.foo) == 1)
        }
        do {
            calls = []
            let ee = E()
            ee.on(.foo) { calls.append("listener") }
            ee.once(.foo) { calls.append("listener2") }
            let listeners = ee.listeners(.foo)
            #expect(listeners.count == 2)
            for listener in listeners { listener(()) }
            #expect(calls == ["listener", "listener2"])
            #expect(ee.listenerCount(.foo) == 2)
        }
    }

    @Test func subclassStartsWithNoListeners() {
        let s = TestStream()
        #expect(s.listeners(.foo).isEmpty)
    }

    @Test func rawListenersWrapOnceListeners() {
        var calls: [String] = []
        let ee = E()
        ee.on(.foo) { calls.append("listener") }
        let wrappedListener = ee.rawListeners(.foo)
        #expect(wrappedListener.count == 1)
        wrappedListener[0](())
        #expect(calls == ["listener"])
        #expect(ee.listenerCount(.foo) == 1, "a plain listener is returned as is")

        ee.once(.foo) { calls.append("once listener") }
        let wrappedListeners = ee.rawListeners(.foo)
        #expect(wrappedListeners.count == 2)
        ee.emit(.foo)
        #expect(calls == ["listener", "listener", "once listener"])
        #expect(wrappedListeners.count == 2, "the array returned earlier is unchanged")
        // The wrapper of a once listener that already fired does nothing.
        wrappedListeners[1](())
        #expect(calls == ["listener", "listener", "once listener"])
    }

    @Test func callingAOnceWrapperRemovesIt() {
        var returned: [Int] = []
        let ee = E()
        ee.once(.foo) { returned.append(0) }  // listener3
        ee.on(.foo) { returned.append(1) }  // listener4
        let rawListeners = ee.rawListeners(.foo)
        #expect(rawListeners.count == 2)
        rawListeners[0](())
        #expect(returned == [0])
        let rawListener = ee.rawListeners(.foo)
        #expect(rawListener.count == 1)
        rawListener[0](())
        #expect(returned == [0, 1])
    }
}

extension EventKey where Emitter: EventEmitterListenersTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
}
