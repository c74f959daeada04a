// Node: test/parallel/test-event-emitter-modify-in-emit.js
import Net
import Testing

/// Listeners added during an emit wait for the next one; listeners removed during an emit still run in it.
@Suite struct EventEmitterModifyInEmitTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func addingAndRemovingDuringEmit() {
        let e = E()
        var callbacksCalled: [String] = []
        var tokens: [String: ListenerToken] = [:]

        let callback2: () -> Void = { [unowned e] in
            callbacksCalled.append("callback2")
            e.removeListener(.foo, tokens["callback2"]!)
        }
        let callback3: () -> Void = { [unowned e] in
            callbacksCalled.append("callback3")
            e.removeListener(.foo, tokens["callback3"]!)
        }
        let callback1: () -> Void = { [unowned e] in
            callbacksCalled.append("callback1")
            tokens["callback2"] = e.on(.foo, callback2)
            tokens["callback3"] = e.on(.foo, callback3)
            e.removeListener(.foo, tokens["callback1"]!)
        }

        tokens["callback1"] = e.on(.foo, callback1)
        #expect(e.listeners(.foo).count == 1)

        e.emit(.foo)
        #expect(e.listeners(.foo).count == 2)
        #expect(callbacksCalled == ["callback1"])

        e.emit(.foo)
        #expect(e.listeners(.foo).count == 0)
        #expect(callbacksCalled == ["callback1", "callback2", "callback3"])

        e.emit(.foo)
        #expect(e.listeners(.foo).count == 0)
        #expect(callbacksCalled == ["callback1", "callback2", "callback3"])

        tokens["callback1"] = e.on(.foo, callback1)
        tokens["callback2"] = e.on(.foo, callback2)
        #expect(e.listeners(.foo).count == 2)
        e.removeAllListeners(.foo)
        #expect(e.listeners(.foo).count == 0)

        // Removing callbacks while in emit lets the emit reach all listeners.
        callbacksCalled = []
        tokens["callback2"] = e.on(.foo, callback2)
        tokens["callback3"] = e.on(.foo, callback3)
        #expect(e.listeners(.foo).count == 2)
        e.emit(.foo)
        #expect(callbacksCalled == ["callback2", "callback3"])
        #expect(e.listeners(.foo).count == 0)
    }
}

extension EventKey where Emitter == EventEmitterModifyInEmitTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
}
