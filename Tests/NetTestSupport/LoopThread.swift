import Foundation
import Net

/// Runs a scenario on a fresh thread with its own `EventLoop`, as a Node test runs in its own process:
/// `body` sets things up, then the loop runs until nothing ref'd is left, then the thread exits (which
/// shuts the loop down and closes whatever is left). Returns what `body`'s recorder collected.
///
/// A watchdog stops the loop after `timeout` seconds so a hung scenario fails instead of hanging the suite.
public enum LoopThread {
    /// The outcome of one scenario.
    public struct Result: Sendable {
        /// Lines recorded with `Trace.log` in the order they happened.
        public var trace: [String]
        /// Whether `run()` returned by itself (false: the watchdog had to stop it).
        public var finished: Bool
        /// Wall time from the start of `run()` until it returned, in seconds.
        public var seconds: Double
    }

    /// Runs `body` then the loop on a new thread, and waits for the thread to end.
    public static func run(timeout: Double = 20, _ body: @escaping @Sendable (EventLoop, Trace) -> Void) -> Result {
        let box = ResultBox()
        let work = ThreadWork {
            let loop = EventLoop.current
            let trace = Trace()
            box.setLoop(loop)
            body(loop, trace)
            let start = DispatchTime.now()
            loop.run()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            box.finish(Result(trace: trace.lines, finished: !box.stoppedByWatchdog, seconds: elapsed))
        }
        // A pthread, joined below: the loop shuts down in the thread's exit (a thread-local destructor),
        // after `Thread.isFinished` would already say true, and the test must not end before it has.
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { argument in
            Unmanaged<ThreadWork>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, Unmanaged.passRetained(work).toOpaque())
        pthread_attr_destroy(&attributes)
        precondition(status == 0, "pthread_create failed: \(status)")
        if !box.wait(timeout: timeout) {
            box.markWatchdog()
            box.loop?.execute { EventLoop.current.stop() }
            _ = box.wait(timeout: 10)
        }
        // Until the thread has really exited, its loop shut down and the shutdown's callbacks run; a
        // shutdown that never ends fails the test (finished false) instead of hanging the suite.
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += Int(max(timeout, 10))
        guard timedJoin(thread, nil, &deadline) == 0 else {
            pthread_detach(thread)
            let partial = box.result
            return Result(trace: partial?.trace ?? [], finished: false, seconds: partial?.seconds ?? timeout)
        }
        return box.result ?? Result(trace: [], finished: false, seconds: timeout)
    }
}

/// What a loop thread runs, handed to `pthread_create`.
private final class ThreadWork: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// An ordered log of what a scenario saw; loop-confined, read after the loop ends.
public final class Trace: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    public init() {}

    /// Appends one line.
    public func log(_ line: String) { lock.withLock { storage.append(line) } }

    /// Everything logged so far.
    public var lines: [String] { lock.withLock { storage } }
}

private final class ResultBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: LoopThread.Result?
    private var stopped = false
    private var loopRef: EventLoop?

    func setLoop(_ loop: EventLoop) { condition.withLock { loopRef = loop } }
    var loop: EventLoop? { condition.withLock { loopRef } }

    func finish(_ result: LoopThread.Result) {
        condition.withLock {
            value = result
            loopRef = nil
            condition.broadcast()
        }
    }

    func wait(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            while value == nil {
                if !condition.wait(until: deadline) { return value != nil }
            }
            return true
        }
    }

    func markWatchdog() { condition.withLock { stopped = true } }
    var stoppedByWatchdog: Bool { condition.withLock { stopped } }
    var result: LoopThread.Result? { condition.withLock { value } }
}

/// Runs the `net-fixture` executable (Tests/Fixtures), built next to the test bundle, as a child process.
public enum Fixture {
    /// The built fixture's path, next to the running test binary.
    public static var path: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary is .build/<config>/NetPackageTests.xctest (a file on Linux).
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("net-fixture").path
    }

    /// The path of another executable of this package, built next to the fixture (e.g. `NetDemo`).
    public static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Runs `net-fixture scenario args…` and returns its output and exit status.
    public static func run(_ scenario: String, _ arguments: [String] = []) throws -> Node.Output {
        try ChildProcess.run(path, [scenario] + arguments)
    }
}

/// glibc's `pthread_timedjoin_np` (a GNU extension the Glibc module does not import).
@_silgen_name("pthread_timedjoin_np")
private func timedJoin(_ thread: pthread_t, _ result: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                       _ deadline: UnsafePointer<timespec>) -> Int32
