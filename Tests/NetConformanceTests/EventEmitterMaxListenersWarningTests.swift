// Node: test/parallel/test-event-emitter-max-listeners-warning.js
@testable import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Past `setMaxListeners(1)`, the second listener triggers one MaxListenersExceededWarning naming the
/// count, the event and the emitter's class, and the third adds none. Node observes it with
/// `process.on('warning')`; Net prints it to standard error as Node's default handler does, so this port
/// catches the text through the storage's test seam (`@testable`). Not ported: the warning object's
/// `emitter`, `type` and `count` properties (Net has no warning object), and that the text really reaches
/// standard error, which needs a child process (a `net-fixture` scenario).
@Suite struct EventEmitterMaxListenersWarningTests {
    final class FakeInput: EventEmitter {
        let eventListeners = EventListeners()
        func resume() {}
        func pause() {}
        func write() {}
        func end() {}
    }

    @Test func secondListenerWarnsOnce() throws {
        let e = FakeInput()
        var warnings: [String] = []
        e.eventListeners.onWarning = { warnings.append($0) }
        try e.setMaxListeners(1)

        e.on(.eventType) {}
        e.on(.eventType) {}  // Trigger warning.
        e.on(.eventType) {}  // Verify that warning is emitted only once.

        try #require(warnings.count == 1)
        let warning = warnings[0]
        #expect(warning.contains("MaxListenersExceededWarning: "))
        #expect(warning.contains("2 event-type listeners added to [FakeInput]."))
        // The whole line, as Node v20 prints it.
        #expect(warning == "(node:\(getpid())) MaxListenersExceededWarning: Possible EventEmitter memory leak "
            + "detected. 2 event-type listeners added to [FakeInput]. MaxListeners is 1. Use "
            + "emitter.setMaxListeners() to increase limit\n")
    }
}

extension EventKey where Emitter == EventEmitterMaxListenersWarningTests.FakeInput, Payload == Void {
    static var eventType: Self { .init("event-type") }
}

extension EventEmitterMaxListenersWarningTests {
    @Test func warningReachesStandardErrorOnce() throws {
        let run = try Fixture.run("max-listeners-warning")
        #expect(run.status == 0)
        let lines = run.stderr.split(separator: "\n")
        try #require(lines.count == 1, "\(run.stderr)")
        let line = String(lines[0])
        #expect(line.hasPrefix("(node:"))
        #expect(line.hasSuffix(") MaxListenersExceededWarning: Possible EventEmitter memory leak detected. "
            + "2 event-type listeners added to [Thing]. MaxListeners is 1. Use emitter.setMaxListeners() to increase limit"))
    }
}

extension EventEmitterMaxListenersWarningTests {
    class BaseInput: EventEmitter {
        let eventListeners = EventListeners()
    }
    final class DerivedInput: BaseInput {}

    /// Node names the emitter's own constructor (`emitter.constructor.name`), however the program refers
    /// to it: a subclass reached through its base class is named as the subclass.
    @Test func theWarningNamesTheEmittersOwnClass() throws {
        let e: BaseInput = DerivedInput()
        var warnings: [String] = []
        e.eventListeners.onWarning = { warnings.append($0) }
        try e.setMaxListeners(1)
        e.on(.baseEvent) {}
        e.on(.baseEvent) {}
        try #require(warnings.count == 1)
        #expect(warnings[0].contains("2 base-event listeners added to [DerivedInput]."), "\(warnings[0])")
    }
}

extension EventKey where Emitter == EventEmitterMaxListenersWarningTests.BaseInput, Payload == Void {
    static var baseEvent: Self { .init("base-event") }
}
