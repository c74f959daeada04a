// Node: test/parallel/test-event-emitter-once.js
import Net
import Testing

/// `once` listeners run at most once, are removed before they are called, and can be removed unfired.
/// Not ported: the `ERR_INVALID_ARG_TYPE` check for a non-function listener and the argument-count cases
/// (a typed key carries exactly one payload).
@Suite struct EventEmitterOnceTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func onceListenerRunsOnceOverFourEmits() {
        let e = E()
        var calls = 0
        e.once(.hello) { _ in calls += 1 }
        #expect(e.emit(.hello, ("a", "b")))
        #expect(!e.emit(.hello, ("a", "b")))
        #expect(!e.emit(.hello, ("a", "b")))
        #expect(!e.emit(.hello, ("a", "b")))
        #expect(calls == 1)
    }

    @Test func onceListenerRemovedBeforeEmitIsNotCalled() {
        let e = E()
        var calls = 0
        let remove = e.once(.foo) { calls += 1 }
        e.removeListener(.foo, remove)
        e.emit(.foo)
        #expect(calls == 0, "once->foo should not be emitted")
    }

    @Test func onceListenerEmittingItsOwnEventRunsEachOnceListenerOnce() {
        let e = E()
        var first = 0, second = 0
        e.once(.e) { [unowned e] in
            first += 1
            e.emit(.e)
        }
        e.once(.e) { second += 1 }
        e.emit(.e)
        #expect(first == 1)
        #expect(second == 1)
    }
}

extension EventKey where Emitter == EventEmitterOnceTests.E, Payload == (String, String) {
    static var hello: Self { .init("hello") }
}

extension EventKey where Emitter == EventEmitterOnceTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
    static var e: Self { .init("e") }
}
