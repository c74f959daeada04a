// Node: test/parallel/test-event-emitter-remove-all-listeners.js
import Net
import Testing

/// `removeAllListeners(name)` removes one listener at a time, last added first, each followed by its
/// `'removeListener'`; `removeAllListeners()` does every event, `'removeListener'` itself last. Not
/// ported: the listener passed to `'removeListener'` (the typed payload is the name) and `_events = undefined`.
@Suite struct EventEmitterRemoveAllListenersTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func removeAllListenersOfOneEvent() {
        let ee = E()
        var noopCalls = 0
        let noop: () -> Void = { noopCalls += 1 }
        ee.on(.foo, noop)
        ee.on(.bar, noop)
        ee.on(.baz, noop)
        ee.on(.baz, noop)
        let fooListeners = ee.listeners(.foo)
        let barListeners = ee.listeners(.bar)
        let bazListeners = ee.listeners(.baz)
        var removed: [String] = []
        ee.on(.removeListener) { name in removed.append(name) }
        ee.removeAllListeners(.bar)
        ee.removeAllListeners(.baz)
        #expect(removed.sorted() == ["bar", "baz", "baz"])
        #expect(ee.listeners(.foo).count == 1)
        #expect(ee.listeners(.bar).isEmpty)
        #expect(ee.listeners(.baz).isEmpty)
        // After calling removeAllListeners(), the old listeners arrays stay unchanged.
        #expect(fooListeners.count == 1)
        #expect(barListeners.count == 1)
        #expect(bazListeners.count == 2)
        #expect(noopCalls == 0)
        ee.removeAllListeners()
    }

    @Test func removeAllListenersOfEveryEvent() {
        let ee = E()
        var calls = 0
        ee.on(.foo) { calls += 1 }
        ee.on(.bar) { calls += 1 }
        // Expect LIFO order
        var first: [String] = []
        var second: [String] = []
        ee.on(.removeListener) { first.append($0) }
        ee.on(.removeListener) { second.append($0) }
        ee.removeAllListeners()
        #expect(first.sorted() == ["bar", "foo", "removeListener"])
        #expect(second.sorted() == ["bar", "foo"])
        #expect(ee.listeners(.foo).isEmpty)
        #expect(ee.listeners(.bar).isEmpty)
        #expect(ee.eventNames() == [])
        #expect(calls == 0)
    }

    @Test func removeAllListenersOfAnEventWithoutListeners() {
        // A regression in Node: removeAllListeners(name) threw when there was a 'removeListener' listener
        // but none for `name`. Node only binds the call; calling it is the stronger check.
        let ee = E()
        var calls = 0
        ee.on(.removeListener) { _ in calls += 1 }
        ee.removeAllListeners(.foo)
        #expect(calls == 0)
        ee.removeAllListeners()
    }

    @Test func eachRemovalSeesTheListenersStillLeft() {
        let ee = E()
        var expectLength = 2
        var seen: [Int] = []
        ee.on(.removeListener) { [unowned ee] _ in
            seen.append(ee.listeners(.baz).count)
            #expect(expectLength == ee.listeners(.baz).count)
            expectLength -= 1
        }
        var bazCalls = 0
        ee.on(.baz) { bazCalls += 1 }
        ee.on(.baz) { bazCalls += 1 }
        ee.on(.baz) { bazCalls += 1 }
        #expect(ee.listeners(.baz).count == expectLength + 1)
        ee.removeAllListeners(.baz)
        #expect(ee.listeners(.baz).count == 0)
        #expect(seen == [2, 1, 0])
        #expect(bazCalls == 0)
        ee.removeAllListeners()
    }

    @Test func removeAllListenersIsChainable() {
        let ee = E()
        #expect(ee.removeAllListeners() === ee)
    }

    @Test func symbolNamedEventsAreRemovedToo() {
        // Node uses Symbol('symbol'); Net's one symbol-named event is `.errorMonitor`.
        let ee = E()
        var noopCalls = 0
        ee.on(.errorMonitor) { _ in noopCalls += 1 }
        var removed: [String] = []
        ee.on(.removeListener) { removed.append($0) }
        ee.removeAllListeners()
        #expect(removed == ["Symbol(events.errorMonitor)"])
        #expect(noopCalls == 0)
    }

    @Test func removalOrderFollowsEventNames() {
        // Not in Node's test: removeAllListeners() walks `Reflect.ownKeys(_events)`, array-index names
        // first. Node v20 reports 7, 123, b, a here.
        let ee = E()
        ee.on(.b) {}
        ee.on(.n123) {}
        ee.on(.a) {}
        ee.on(.n7) {}
        var removed: [String] = []
        ee.on(.removeListener) { removed.append($0) }
        ee.removeAllListeners()
        #expect(removed == ["7", "123", "b", "a"])
    }
}

extension EventKey where Emitter == EventEmitterRemoveAllListenersTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
    static var bar: Self { .init("bar") }
    static var baz: Self { .init("baz") }
    static var a: Self { .init("a") }
    static var b: Self { .init("b") }
    static var n7: Self { .init("7") }
    static var n123: Self { .init("123") }
}
