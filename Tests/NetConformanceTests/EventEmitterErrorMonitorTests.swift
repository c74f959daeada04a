// Node: test/parallel/test-event-emitter-error-monitor.js
import Net
import NetTestSupport
import Testing

/// `.errorMonitor` listeners see every `.error` first, whether or not an `.error` listener handles it, and
/// no other event. Not ported: the third monitor call, which comes from the promise of
/// `EventEmitter.once(EE, 'notTriggered')` rejecting (no promises in Net), so the monitor runs twice here.
@Suite struct EventEmitterErrorMonitorTests {
    final class E: EventEmitter { let eventListeners = EventListeners() }

    @Test func errorMonitorSeesErrorsBeforeListenersAndTheUncaughtHandler() {
        let result = LoopThread.run { _, trace in
            let theErr = NetError("MyError")
            EventLoop.current.uncaughtErrorHandler = { error in trace.log("uncaught same=\(error == theErr)") }
            let ee = E()
            ee.on(.errorMonitor) { e in trace.log("monitor same=\(e == theErr)") }

            // Verify with no error listener
            ee.emit(.error, theErr)

            // Verify with error listener
            ee.once(.error) { e in trace.log("error same=\(e == theErr)") }
            ee.emit(.error, theErr)

            // Only error events trigger error monitor
            ee.on(.aEvent) { trace.log("aEvent") }
            ee.emit(.aEvent)
        }
        #expect(result.finished)
        #expect(result.trace == [
            "monitor same=true", "uncaught same=true",
            "monitor same=true", "error same=true",
            "aEvent",
        ])
    }
}

extension EventKey where Emitter == EventEmitterErrorMonitorTests.E, Payload == Void {
    static var aEvent: Self { .init("aEvent") }
}
