// Node: test/parallel/test-event-emitter-emit-context.js
import Net
import NetTestSupport
import Testing

/// Node calls `emit` with another `this` (an object with no `constructor.name`): that JavaScript-only part
/// is not ported. What it asserts still applies: an `'error'` with no listener throws the error itself,
/// and emitting an event that has no listener returns false.
@Suite struct EventEmitterEmitContextTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func unhandledErrorIsTheErrorItself() {
        let result = LoopThread.run { _, trace in
            EventLoop.current.uncaughtErrorHandler = { error in
                trace.log("\(error.name): \(error.message) code=\(error.code)")
            }
            let ctx = E()
            let handled = ctx.emit(.error, NetError("foo"))
            trace.log("emit returned \(handled)")
        }
        #expect(result.finished)
        #expect(result.trace == ["Error: foo code=", "emit returned false"])
    }

    @Test func emitWithoutListenersReturnsFalse() {
        #expect(E().emit(.foo) == false)
    }
}

extension EventKey where Emitter == EventEmitterEmitContextTests.E, Payload == Void {
    static var foo: Self { .init("foo") }
}
