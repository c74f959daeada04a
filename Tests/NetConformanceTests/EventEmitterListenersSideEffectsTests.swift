// Node: test/parallel/test-event-emitter-listeners-side-effects.js
import Net
import Testing

/// `listeners(name)` returns a fresh array and has no side effect on the emitter. Node also checks how
/// `_events` stores one listener (the bare function) and two (an array): its internals, not ported; what
/// stays observable (no event is created by asking, and the order of the listeners) is.
@Suite struct EventEmitterListenersSideEffectsTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func listenersHasNoSideEffects() {
        let e = E()
        var called: [String] = []

        var fl = e.listeners(.foo)  // foo listeners
        #expect(fl.count == 0)
        #expect(e.eventNames() == [])

        e.on(.foo) { called.append("fail") }
        fl = e.listeners(.foo)
        #expect(fl.count == 1)
        fl[0](())
        #expect(called == ["fail"])

        _ = e.listeners(.bar)
        #expect(e.eventNames() == ["foo"], "asking for bar's listeners creates no bar entry")

        e.on(.foo) { called.append("ok") }
        fl = e.listeners(.foo)
        #expect(fl.count == 2)
        called = []
        for listener in fl { listener(()) }
        #expect(called == ["fail", "ok"])
    }
}

extension EventKey where Emitter == EventEmitterListenersSideEffectsTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
    static var bar: Self { .init("bar") }
}
