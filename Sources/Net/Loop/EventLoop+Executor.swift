import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// The loop as an executor: Swift-concurrency jobs run on the loop's thread, between its callbacks, so a
/// task that prefers the loop (`Task(executorPreference: loop)`, `withTaskExecutorPreference(loop)`) or an
/// actor whose `unownedExecutor` is the loop may touch sockets and servers directly.
///
/// A job enqueued from another thread goes through ``execute(_:)`` (a lock and a wakeup); one enqueued on
/// the loop's own thread (a continuation resumed by a socket's callback) needs neither: it joins a queue
/// that runs as a tick, when the current callback into Swift returns, as Node runs a promise's
/// continuation after the callback that resolved it.
///
/// The loop is two executors with two identities, because Swift's runtime tells them apart by identity:
/// the loop object itself is the *task* executor (what `Task(executorPreference:)` holds), whose jobs run
/// as nonisolated code (isolated to no actor) on the loop's thread; the serial executor of actors, from
/// ``asUnownedSerialExecutor()``, is another object, whose jobs run isolated to it. Were they one, a job
/// of a task that prefers the loop would run as if isolated to an actor, and every nonisolated async
/// function it entered or returned to would hop (enqueue itself and wait for the next tick) to leave an
/// isolation it never needed: about nine hops per `await` of a socket read.
extension EventLoop: SerialExecutor, TaskExecutor {
    /// Runs `job` on the loop's thread, as nonisolated code of a task that prefers the loop: at the end of
    /// the current callback when called on that thread, else through ``execute(_:)``. A job enqueued on a
    /// loop that has shut down is dropped (its task never resumes), as `execute` drops work then.
    public func enqueue(_ job: consuming ExecutorJob) {
        enqueueJob(LoopJob(job: UnownedJob(job), isolated: false))
    }

    /// Queues `job` (see `enqueue(_:)`).
    @inline(__always) func enqueueJob(_ job: LoopJob) {
        if inEventLoop {
            if localJobs.isEmpty { nextTick(self, EventLoop.runJobsTick) }
            localJobs.append(job)
        } else {
            execute { [self] in
                run(job)
                jobsRun &+= 1
            }
        }
    }

    /// The serial executor of actors that run on the loop (`nonisolated var unownedExecutor:
    /// UnownedSerialExecutor { loop.asUnownedSerialExecutor() }`): their jobs run on the loop's thread,
    /// isolated to the actor, with the loop as task executor.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        actorExecutor.asUnownedSerialExecutor()
    }

    /// The loop as a task executor (for `Task(executorPreference:)`).
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Whether `other` is this loop.
    public func isSameExclusiveExecutionContext(other: EventLoop) -> Bool { other === self }

    /// Stops the program unless the caller is on the loop's thread (`assumeIsolated` and the runtime's
    /// isolation checks call this).
    public func checkIsolated() {
        if !inEventLoop {
            fatalError("Net: code isolated to an EventLoop ran off the loop's thread; reach the loop with loop.execute { … } or run the task on it (Task(executorPreference: loop))")
        }
    }

    /// The tick code of the job queue (see `runTick`).
    static let runJobsTick: UInt8 = 0
    /// How many jobs one tick runs before the rest wait for the next loop iteration, so that a task that
    /// keeps yielding (`Task.yield()`) cannot starve I/O.
    static let jobsPerTick = 512

    /// Runs `job`: an actor's isolated to the actor executor, a task's as nonisolated code on the loop.
    @inline(__always) func run(_ job: LoopJob) {
        if job.isolated {
            job.job.runSynchronously(isolatedTo: actorExecutor.asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        } else {
            job.job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Runs the queued jobs (and those they enqueue), up to `jobsPerTick`; the rest go through `execute`,
    /// which runs them after the next poll for I/O.
    func runLocalJobs() {
        var count = 0
        while let job = localJobs.first {
            if count == EventLoop.jobsPerTick {
                let parked = execute { [self] in runLocalJobs() }
                if parked { return }
            }
            localJobs.removeFirst()
            run(job)
            count += 1
            jobsRun &+= 1
        }
    }

    // MARK: The dead-loop check

    /// Stops the program, with a message naming the fix, when called from inside a Swift task: a loop made
    /// (or a handle opened on a loop not running) there belongs to a thread of the cooperative pool, which
    /// never runs it, so 'listening' and 'connect' would never come and nothing would say why.
    ///
    /// Called only where a loop is made and where a handle is opened on a loop that is not running: never
    /// on the path of a running loop's reads and writes.
    static func checkNotInTask() {
        let inTask = withUnsafeCurrentTask { $0 != nil }
        if inTask { deadLoopFailure() }
    }

    /// The message of the dead-loop check (also printed by tests that look for it).
    static let deadLoopMessage = """
        Net: a Net object was created or used from a Swift task on a thread whose event loop is not running \
        (a thread of the cooperative pool): nothing would ever run it, so 'listening' and 'connect' would \
        never come. Run Net code on a running loop: `try await EventLoop.run { loop in … }`, or \
        `let thread = EventLoopThread()` then `Task(executorPreference: thread.loop) { … }` (or an actor whose \
        unownedExecutor is the loop), or call `EventLoop.current.run()` on a thread of your own.
        """

    private static func deadLoopFailure() -> Never {
        fatalError(deadLoopMessage)
    }
}

extension EventLoop: TickTarget {
    func runTick(_ code: UInt8) { runLocalJobs() }
}

/// A job queued on the loop, and whether it is an actor's (isolated) or a task's (nonisolated).
struct LoopJob {
    let job: UnownedJob
    let isolated: Bool
}

/// The serial executor of actors on a loop (``EventLoop/asUnownedSerialExecutor()``): its jobs join the
/// loop's queue, and run isolated to it.
final class LoopActorExecutor: SerialExecutor {
    /// Unowned: the loop owns this executor and outlives every use of it (an actor on a loop that is gone
    /// is the misuse `execute` already refuses).
    unowned let loop: EventLoop

    init(_ loop: EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        loop.enqueueJob(LoopJob(job: UnownedJob(job), isolated: true))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Stops the program unless the caller is on the loop's thread (see ``EventLoop/checkIsolated()``).
    func checkIsolated() { loop.checkIsolated() }
}
