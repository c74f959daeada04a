// Node: test/parallel/test-event-emitter-listener-count.js
import Net
import Testing

/// `listenerCount(name)`. Not ported: the deprecated static `EventEmitter.listenerCount(emitter, name)`;
/// the number `123` as a name becomes the string `"123"`, which is what JavaScript makes of it.
@Suite struct EventEmitterListenerCountTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func countsPerEvent() {
        let emitter = E()
        emitter.on(.foo) {}
        emitter.on(.foo) {}
        emitter.on(.baz) {}
        // Allow any type
        emitter.on(.n123) {}

        #expect(emitter.listenerCount(.foo) == 2)
        #expect(emitter.listenerCount(.bar) == 0)
        #expect(emitter.listenerCount(.baz) == 1)
        #expect(emitter.listenerCount(.n123) == 1)
    }
}

extension EventKey where Emitter == EventEmitterListenerCountTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
    static var bar: Self { .init("bar") }
    static var baz: Self { .init("baz") }
    static var n123: Self { .init("123") }
}
