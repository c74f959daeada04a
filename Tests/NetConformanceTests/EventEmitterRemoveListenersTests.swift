// Node: test/parallel/test-event-emitter-remove-listeners.js
import Net
import Testing

/// `removeListener`/`off` with the token `on` returned: `'removeListener'` follows each removal and sees
/// the listeners left; a removed listener still runs in the emit under way. Node's `'removeListener'` also
/// passes the listener; the typed payload is the name only, so "which listener" is checked by calling
/// what `listeners()` returns. Not ported: `_events = undefined` and `_events.foo === listener2` (internals).
@Suite struct EventEmitterRemoveListenersTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func removeListenerEmitsRemoveListener() {
        let ee = E()
        let listener1 = ee.on(.hello) {}
        var names: [String] = []
        ee.on(.removeListener) { names.append($0) }
        ee.removeListener(.hello, listener1)
        #expect(names == ["hello"])
        #expect(ee.listeners(.hello).isEmpty)
    }

    @Test func removingAListenerThatIsNotThereDoesNothing() {
        var calls: [String] = []
        let ee = E()
        ee.on(.hello) { calls.append("listener1") }
        // listener2 was added to another emitter only: its token matches nothing here.
        let other = E()
        let listener2 = other.on(.hello) { calls.append("listener2") }
        var removeListenerCalls = 0
        ee.on(.removeListener) { _ in removeListenerCalls += 1 }
        ee.removeListener(.hello, listener2)
        #expect(removeListenerCalls == 0)
        let left = ee.listeners(.hello)
        #expect(left.count == 1)
        for listener in left { listener(()) }
        #expect(calls == ["listener1"])
        #expect(other.listenerCount(.hello) == 1)
    }

    @Test func removeListenerSeesTheListenersLeft() {
        var calls: [String] = []
        let ee = E()
        let listener1 = ee.on(.hello) { calls.append("listener1") }
        let listener2 = ee.on(.hello) { calls.append("listener2") }
        var seen: [String] = []
        ee.once(.removeListener) { [unowned ee] name in
            seen.append(name)
            for listener in ee.listeners(.hello) { listener(()) }
        }
        ee.removeListener(.hello, listener1)
        #expect(seen == ["hello"])
        #expect(calls == ["listener2"])
        #expect(ee.listeners(.hello).count == 1)

        ee.once(.removeListener) { [unowned ee] name in
            seen.append(name)
            #expect(ee.listeners(.hello).isEmpty)
        }
        ee.removeListener(.hello, listener2)
        #expect(seen == ["hello", "hello"])
        #expect(ee.listeners(.hello).isEmpty)
    }

    @Test func removeListenerListenerRemovingAndEmitting() {
        let ee = E()
        var quuxCalls = 0
        var removeListenerCalls = 0
        var remove2: ListenerToken?
        ee.on(.removeListener) { [unowned ee] _ in
            removeListenerCalls += 1
            // Node: `if (cb !== remove1) return`; remove1 is the first one removed.
            guard removeListenerCalls == 1 else { return }
            ee.removeListener(.quux, remove2!)
            ee.emit(.quux)
        }
        let remove1 = ee.on(.quux) { quuxCalls += 1 }
        remove2 = ee.on(.quux) { quuxCalls += 1 }
        ee.removeListener(.quux, remove1)
        #expect(removeListenerCalls == 2)
        #expect(quuxCalls == 0, "remove1 and remove2 should not have been called")
    }

    @Test func nestedOnceRemoveListener() {
        let ee = E()
        let listener1 = ee.on(.hello) {}
        let listener2 = ee.on(.hello) {}
        var outer = 0, inner = 0
        ee.once(.removeListener) { [unowned ee] name in
            outer += 1
            #expect(name == "hello")
            #expect(ee.listeners(.hello).count == 1)
            ee.once(.removeListener) { [unowned ee] name in
                inner += 1
                #expect(name == "hello")
                #expect(ee.listeners(.hello).isEmpty)
            }
            ee.removeListener(.hello, listener2)
            #expect(ee.listeners(.hello).isEmpty)
        }
        ee.removeListener(.hello, listener1)
        #expect(ee.listeners(.hello).isEmpty)
        #expect(outer == 1)
        #expect(inner == 1)
    }

    @Test func listenerRemovedDuringEmitStillRuns() {
        let ee = E()
        var listener3Calls = 0, listener4Calls = 0
        var listener4: ListenerToken?
        ee.on(.hello) { [unowned ee] in
            listener3Calls += 1
            ee.removeListener(.hello, listener4!)
        }
        listener4 = ee.on(.hello) { listener4Calls += 1 }

        // listener4 will still be called although it is removed by listener 3.
        ee.emit(.hello)
        // This is so because the internal listener array at time of emit was [listener3, listener4].

        // Internal listener array [listener3]
        ee.emit(.hello)
        #expect(listener3Calls == 2)
        #expect(listener4Calls == 1)
    }

    @Test func onceListenerRemovalEmitsRemoveListener() {
        let ee = E()
        var listener1Calls = 0
        ee.once(.hello) { listener1Calls += 1 }
        var names: [String] = []
        ee.on(.removeListener) { names.append($0) }
        ee.emit(.hello)
        #expect(names == ["hello"])
        #expect(listener1Calls == 1)
    }

    @Test func removeListenerIsChainable() {
        let ee = E()
        let token = E().on(.foo) {}
        #expect(ee.removeListener(.foo, token) === ee)
        #expect(ee.off(.foo, token) === ee)
    }

    @Test func readdingKeepsOrder() {
        var calls: [String] = []
        let ee = E()
        var listener1 = ee.on(.foo) { calls.append("listener1") }
        ee.on(.foo) { calls.append("listener2") }
        func order() -> [String] {
            calls = []
            for listener in ee.listeners(.foo) { listener(()) }
            return calls
        }
        #expect(order() == ["listener1", "listener2"])

        ee.removeListener(.foo, listener1)
        #expect(order() == ["listener2"])

        listener1 = ee.on(.foo) { calls.append("listener1") }
        #expect(order() == ["listener2", "listener1"])

        ee.removeListener(.foo, listener1)
        #expect(order() == ["listener2"])
    }
}

extension EventKey where Emitter == EventEmitterRemoveListenersTests.E, Payload == Void {
    static var hello: Self { .init("hello") }
    static var quux: Self { .init("quux") }
    static var foo: Self { .init("foo") }
}
