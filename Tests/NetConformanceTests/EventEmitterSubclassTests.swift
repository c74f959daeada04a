// Node: test/parallel/test-event-emitter-subclass.js
import Net
import NetTestSupport
import Testing

/// Emitters that are subclasses: emitting from the initializer, `removeAllListeners()` leaving nothing,
/// an unhandled `'error'` from the initializer, and each instance keeping its own listeners. Keys declared
/// with `where Emitter: Base` serve every subclass. Not ported: `Object.setPrototypeOf` and a shared
/// prototype object (`MyEE2.prototype = new EventEmitter()`) as such; the Swift counterpart is two
/// instances of one subclass.
@Suite struct EventEmitterSubclassTests {
    class Base: EventEmitter { let eventListeners = EventListeners() }

    final class MyEE: Base {
        init(_ cb: @escaping () -> Void) {
            super.init()
            once(.one, cb)
            emit(.one)
            removeAllListeners()
        }
    }

    final class ErrorEE: Base {
        override init() {
            super.init()
            emit(.error, NetError("blerg"))
        }
    }

    final class MyEE2: Base {}

    @Test func emitFromInitializerThenRemoveAll() {
        var calls = 0
        let myee = MyEE { calls += 1 }
        #expect(calls == 1)
        #expect(myee.eventNames() == [])
    }

    @Test func unhandledErrorFromInitializer() {
        let result = LoopThread.run { _, trace in
            EventLoop.current.uncaughtErrorHandler = { error in trace.log(error.message) }
            _ = ErrorEE()
        }
        #expect(result.finished)
        #expect(result.trace == ["blerg"])
    }

    @Test func instancesDoNotShareListeners() {
        let ee1 = MyEE2()
        let ee2 = MyEE2()
        ee1.on(.x) {}
        #expect(ee2.listenerCount(.x) == 0)
        #expect(ee1.listenerCount(.x) == 1)
    }
}

extension EventKey where Emitter: EventEmitterSubclassTests.Base, Payload == Void {
    static var one: Self { .init("1") }
    static var x: Self { .init("x") }
}
