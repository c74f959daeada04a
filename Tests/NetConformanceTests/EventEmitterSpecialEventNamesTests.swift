// Node: test/parallel/test-event-emitter-special-event-names.js
import Net
import Testing

/// Names that are properties of `Object.prototype` are ordinary event names. Not ported: the checks that
/// `_events` has no prototype (internals) and `process.on('__proto__')` (`process` is not an emitter in Net).
@Suite struct EventEmitterSpecialEventNamesTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func objectPrototypeNamesAreOrdinaryNames() {
        let ee = E()
        var handled: [String] = []

        #expect(ee.eventNames() == [])

        ee.on(.proto) { _ in handled.append("__proto__") }
        ee.on(.defineGetter) { _ in handled.append("__defineGetter__") }
        ee.on(.toString) { _ in handled.append("toString") }

        #expect(ee.eventNames() == ["__proto__", "__defineGetter__", "toString"])

        for listener in ee.listeners(.proto) + ee.listeners(.defineGetter) + ee.listeners(.toString) {
            listener(0)
        }
        #expect(handled == ["__proto__", "__defineGetter__", "toString"])

        var received: [Int] = []
        ee.on(.proto) { val in received.append(val) }
        ee.emit(.proto, 1)
        #expect(received == [1])
    }

    @Test func arrayIndexNamesComeFirstAsInJavaScript() {
        // Not in Node's test: `eventNames()` is `Reflect.ownKeys(_events)`, and JavaScript lists keys that
        // are array indices first, in numeric order. Node v20 prints [ '7', '123', 'b', 'a' ] here.
        let ee = E()
        ee.on(.b) { _ in }
        ee.on(.n123) { _ in }
        ee.on(.a) { _ in }
        ee.on(.n7) { _ in }
        ee.on(.n007) { _ in }
        #expect(ee.eventNames() == ["7", "123", "b", "a", "007"])
    }
}

extension EventKey where Emitter == EventEmitterSpecialEventNamesTests.E, Payload == Int {
    static var proto: Self { .init("__proto__") }
    static var defineGetter: Self { .init("__defineGetter__") }
    static var toString: Self { .init("toString") }
    static var a: Self { .init("a") }
    static var b: Self { .init("b") }
    static var n7: Self { .init("7") }
    static var n007: Self { .init("007") }
    static var n123: Self { .init("123") }
}
