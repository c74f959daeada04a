// Node: test/parallel/test-event-emitter-errors.js
import Net
import NetTestSupport
import Testing

/// An `'error'` emitted with no listener and a payload that is not an error becomes `ERR_UNHANDLED_ERROR`
/// with the payload as `util.inspect` prints it; in Net it goes to the loop's `uncaughtErrorHandler`.
/// Not ported: the two object payloads (`{ message: 'Error!' }` and one whose `util.inspect.custom`
/// throws): they depend on how JavaScript inspects objects.
@Suite struct EventEmitterErrorsTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func stringPayloadIsInspected() {
        let result = LoopThread.run { _, trace in
            EventLoop.current.uncaughtErrorHandler = { error in
                trace.log("\(error.code)|\(error.name)|\(error.message)")
            }
            let ee = E()
            ee.emit(.stringError, "Accepts a string")
        }
        #expect(result.finished)
        #expect(result.trace == ["ERR_UNHANDLED_ERROR|Error|Unhandled error. ('Accepts a string')"])
    }

    @Test func otherPayloadsAsNodePrintsThem() {
        // Not in Node's test: the messages Node v20 gives for `emit('error')`, `emit('error', 42)`,
        // `emit('error', 1.5)`, `emit('error', true)`, `emit('error', "it's")` and `emit('error', 'a\nb')`.
        let result = LoopThread.run { _, trace in
            EventLoop.current.uncaughtErrorHandler = { error in trace.log(error.message) }
            let ee = E()
            ee.emit(.voidError)
            ee.emit(.intError, 42)
            ee.emit(.doubleError, 1.5)
            ee.emit(.boolError, true)
            ee.emit(.stringError, "it's")
            ee.emit(.stringError, "a\nb")
            ee.emit(.optionalError, nil)
        }
        #expect(result.trace == [
            "Unhandled error. (undefined)",
            "Unhandled error. (42)",
            "Unhandled error. (1.5)",
            "Unhandled error. (true)",
            "Unhandled error. (\"it's\")",
            "Unhandled error. ('a\\nb')",
            "Unhandled error. (undefined)",
        ])
    }
}

extension EventKey where Emitter == EventEmitterErrorsTests.E, Payload == String {
    static var stringError: Self { .init("error") }
}

extension EventKey where Emitter == EventEmitterErrorsTests.E, Payload == Void {
    static var voidError: Self { .init("error") }
}

extension EventKey where Emitter == EventEmitterErrorsTests.E, Payload == Int {
    static var intError: Self { .init("error") }
}

extension EventKey where Emitter == EventEmitterErrorsTests.E, Payload == Double {
    static var doubleError: Self { .init("error") }
}

extension EventKey where Emitter == EventEmitterErrorsTests.E, Payload == Bool {
    static var boolError: Self { .init("error") }
}

extension EventKey where Emitter == EventEmitterErrorsTests.E, Payload == Int? {
    static var optionalError: Self { .init("error") }
}
