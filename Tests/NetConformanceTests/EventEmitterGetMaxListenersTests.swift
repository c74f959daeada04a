// Node: test/parallel/test-event-emitter-get-max-listeners.js
import Net
import Testing

/// `getMaxListeners` reports the default, then whatever `setMaxListeners` set.
@Suite struct EventEmitterGetMaxListenersTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func getMaxListenersFollowsSetMaxListeners() throws {
        let emitter = E()
        #expect(emitter.getMaxListeners() == EventListeners.defaultMaxListeners)
        #expect(EventListeners.defaultMaxListeners == 10, "Node's EventEmitter.defaultMaxListeners")

        try emitter.setMaxListeners(0)
        #expect(emitter.getMaxListeners() == 0)

        try emitter.setMaxListeners(3)
        #expect(emitter.getMaxListeners() == 3)
    }

    @Test func secondListenerOnFreshStorageDoesNotFail() {
        // https://github.com/nodejs/node/issues/523: Node calls `on` on a plain object twice. The Swift
        // counterpart is storage that has never held a listener.
        let recv = E()
        recv.on(.event) {}
        recv.on(.event) {}
        #expect(recv.listenerCount(.event) == 2)
    }
}

extension EventKey where Emitter == EventEmitterGetMaxListenersTests.E, Payload == Void {
    static var event: Self { .init("event") }
}
