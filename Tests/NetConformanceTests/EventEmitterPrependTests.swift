// Node: test/parallel/test-event-emitter-prepend.js
import Net
import Testing

/// `prependListener` and `prependOnceListener` put a listener before the others.
/// Not ported: the fallback for a missing `prependListener` in `stream` (JavaScript prototype surgery).
@Suite struct EventEmitterPrependTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func prependedListenersRunFirst() {
        let myEE = E()
        var m = 0
        var seen: [String] = []
        // This one comes last.
        myEE.on(.foo) { seen.append("on m=\(m)") }
        // This one comes second.
        myEE.prependListener(.foo) { seen.append("prependListener m=\(m)"); m += 1 }
        // This one comes first.
        myEE.prependOnceListener(.foo) { seen.append("prependOnceListener m=\(m)"); m += 1 }
        myEE.emit(.foo)
        #expect(seen == ["prependOnceListener m=0", "prependListener m=1", "on m=2"])
        #expect(myEE.listenerCount(.foo) == 2, "the prepended once listener is gone")
    }
}

extension EventKey where Emitter == EventEmitterPrependTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
}
