import CLibUV
import DequeModule

#if canImport(Glibc)
import Glibc
#endif

/// One event loop per thread, wrapping its own `uv_loop_t`: Node's process, in a thread.
///
/// Every Net object is confined to the loop that made it and all of its callbacks run on that loop's
/// thread. The only way in from another thread is ``execute(_:)``. ``run()`` returns when no ref'd handle,
/// request or timer is left, as a Node process exits when its loop has nothing left to do.
///
/// After every callback from libuv into Swift the loop drains its ``nextTick(_:)`` queue before
/// returning to libuv, as Node drains its tick queue, so the orderings Node's tests assert hold here.
/// ``setImmediate(_:)`` callbacks run after I/O polling (`uv_check`), each batch in the next iteration.
public final class EventLoop: @unchecked Sendable, UncaughtErrorReporter {
    // @unchecked: everything but `inbox` and `wakeup` is touched only on `thread` (checked with
    // `checkOnLoop` and the objects' own thread checks); `inbox` is behind a lock, and `wakeup` is only sent to with that lock held while
    // the inbox accepts work (`shutdown` stops accepting before it closes the handle); `actorExecutor` is
    // written once, in `init`, and only read after (from any thread, by an actor's `unownedExecutor`).

    /// The `uv_loop_t` this loop owns.
    let uv: UnsafeMutablePointer<uv_loop_t>
    private let thread: pthread_t
    private let inbox = Locked(Inbox())
    private var wakeup: AsyncHandle!
    private var checkHandle: PhaseHandle!
    private var idleHandle: PhaseHandle!
    // Loop-confined state touched on every callback: no access to it overlaps another (one thread, and
    // no reference to it is held across a call out), so the dynamic exclusivity checks, which profiles
    // showed at a fifth of the instructions of a ping-pong round trip, are turned off for it.
    @exclusivity(unchecked) private var ticks = TickQueue()
    @exclusivity(unchecked) private var drainingTicks = false
    @exclusivity(unchecked) private var callbackDepth = 0
    /// The task waiting for the end of the callback (see ``deferToCallbackEnd(_:)``). One at most.
    @exclusivity(unchecked) private var deferred: (any CallbackEndTask)?
    /// The object that made the last counted call of this callback, and how many it made in a row (see
    /// ``countRun(by:)``).
    @exclusivity(unchecked) private var runner: ObjectIdentifier?
    @exclusivity(unchecked) private var runLength = 0
    /// A byte array to reuse (emptied, its capacity kept), lent to whoever batches bytes within a
    /// callback (a gathering socket), so that a batch allocates nothing.
    @exclusivity(unchecked) var spareBytes: [UInt8] = []
    @exclusivity(unchecked) private var immediates = Deque<Timer>()
    @exclusivity(unchecked) private var refedImmediates = 0
    private var isShutDown = false
    /// True while ``run()`` runs: a handle made on a loop that is not running, from inside a Swift task,
    /// is the dead-loop mistake (see `checkNotDeadLoop`).
    @exclusivity(unchecked) var isRunning = false
    /// Swift-concurrency jobs enqueued from the loop's own thread, run as a tick (see EventLoop+Executor).
    @exclusivity(unchecked) var localJobs = Deque<LoopJob>()
    /// How many Swift-concurrency jobs the loop has run (for tests that count the resumes of an `await`).
    @exclusivity(unchecked) var jobsRun = 0
    /// The serial executor of actors whose `unownedExecutor` is the loop (see EventLoop+Executor): set
    /// once in `init`, before the loop is shared, and never again.
    private(set) var actorExecutor: LoopActorExecutor!
    /// True from the start of `shutdown()`: connects, listens and timers started from the callbacks the
    /// shutdown still runs are refused (nothing happens, nothing is emitted), and new handles fail, so
    /// that a 'close' listener that connects again cannot keep the loop alive forever. Read on every
    /// connect and accept, written once, on the loop's thread: no dynamic exclusivity check (it was one
    /// per handle made).
    @exclusivity(unchecked) private(set) var isShuttingDown = false
    /// Where reads land (see `StreamHandle`): the 64 KiB block, and the 256 KiB one for a stream whose
    /// last read filled the 64 KiB block. A read that fills at least half of its block keeps it as its chunk.
    @exclusivity(unchecked) var readSlab = ReadSlab(size: EventLoop.readSize)
    @exclusivity(unchecked) var largeReadSlab = ReadSlab(size: EventLoop.largeReadSize)
    /// The last chunk a small read was copied into, refilled by the next read once nobody else holds it
    /// (see `chunk(of:)`).
    @exclusivity(unchecked) var spareChunk: [UInt8] = []
    /// The closed emitters that keep their listeners (see `ListenerRetention`).
    let retention = ListenerRetention()
    /// The emitter whose 'close' or 'error' listeners are running, or whose pinned work is: timers,
    /// immediates and ticks made now pin it (see `pinning(_:_:)`). Not counted: it is set only while the
    /// emitter runs one of its own events (which holds it), and what keeps it past that takes a strong copy.
    @exclusivity(unchecked) unowned(unsafe) var pinContext: EventListeners?

    /// What happens to an `.error` event that has no listener (Node's uncaught exception). The default
    /// prints the error as Node does to standard error and exits with status 1, as Node's process does.
    public var uncaughtErrorHandler: (NetError) -> Void = EventLoop.defaultUncaughtErrorHandler

    /// Node's behaviour for an unhandled `'error'` event: print it, exit with status 1.
    public static func defaultUncaughtErrorHandler(_ error: NetError) {
        UncaughtErrors.printAndExit(error)
    }

    private init() {
        net_ignore_sigpipe()
        _ = runDeferredAtExitRegistration
        thread = pthread_self()
        uv = .allocate(capacity: 1)
        let status = uv_loop_init(uv)
        precondition(status == 0, "uv_loop_init failed: \(NetError.uvErrorName(status))")
        // Every handle finds its `EventLoop` here, through libuv's pointer to the loop (`Handle.loop`).
        uv.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        do {
            wakeup = try AsyncHandle(loop: self) { [unowned self] in self.drainInbox() }
            checkHandle = try PhaseHandle(loop: self, phase: .check) { [unowned self] in self.runImmediates() }
            idleHandle = try PhaseHandle(loop: self, phase: .idle) {}
        } catch {
            preconditionFailure("cannot create the loop's own handles: \(error)")
        }
        // The loop's own handles never keep it alive; only user work does.
        wakeup.hasRef = false
        checkHandle.hasRef = false
        // Unhandled 'error' events on this thread come here (see `reportUncaughtError`).
        UncaughtErrors.register(self)
        actorExecutor = LoopActorExecutor(self)
    }

    deinit {
        uv.deallocate()
    }

    /// The calling thread's loop, created on first use.
    public static var current: EventLoop {
        if let existing = pthread_getspecific(currentLoopKey) {
            return Unmanaged<EventLoop>.fromOpaque(existing).takeUnretainedValue()
        }
        let loop = EventLoop()
        pthread_setspecific(currentLoopKey, Unmanaged.passRetained(loop).toOpaque())
        return loop
    }

    /// Runs `body` with the calling thread's loop borrowed: no retain and release, which `current` costs
    /// its caller. For the ticks the stream machinery queues on every read and write.
    @inline(__always) static func withCurrent<R>(_ body: (EventLoop) -> R) -> R {
        guard let existing = pthread_getspecific(currentLoopKey) else { return body(current) }
        return Unmanaged<EventLoop>.fromOpaque(existing)._withUnsafeGuaranteedRef(body)
    }

    /// Whether the caller is on this loop's thread.
    public var inEventLoop: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Stops the program unless the caller is on this loop's thread, in release builds too: the check at
    /// the loop's own entry points that only its thread may call.
    @inline(__always) func checkOnLoop(_ function: StaticString = #function) {
        if !inEventLoop { Self.offLoop(function) }
    }

    @inline(never) private static func offLoop(_ function: StaticString) -> Never {
        preconditionFailure("EventLoop.\(function) called from another thread than the loop's own; from another "
            + "thread, reach a loop with `loop.execute { ... }`.")
    }

    // MARK: Running

    /// Runs the loop until no ref'd handle, request or timer is left (or ``stop()`` is called).
    ///
    /// Work queued before `run()` (``nextTick(_:)``, ``execute(_:)``) runs first, as Node drains its tick
    /// queue after the main script.
    public func run() {
        precondition(inEventLoop, "EventLoop.run() must be called on the loop's own thread")
        precondition(callbackDepth == 0 && !drainingTicks, "EventLoop.run() called from inside a callback")
        precondition(!isShutDown, "EventLoop.run() after the loop was shut down")
        isRunning = true
        defer { isRunning = false }
        drainInbox()
        settle()
        uv_run(uv, UV_RUN_DEFAULT)
    }

    /// Whether the loop keeps running with nothing ref'd (its wakeup handle ref'd): a loop serving Swift
    /// tasks (``EventLoopThread``) waits for work from other threads until it is shut down.
    var keepsRunning: Bool {
        get { wakeup.hasRef }
        set { wakeup.hasRef = newValue }
    }

    /// Makes a running ``run()`` return after the current iteration (`uv_stop`). Not a Node API: for
    /// embedding a loop in a host that decides when to stop.
    public func stop() {
        checkOnLoop()
        uv_stop(uv)
    }

    /// Whether libuv still has ref'd work (`uv_loop_alive`), i.e. whether `run()` would block.
    public var isAlive: Bool { uv_loop_alive(uv) != 0 || refedImmediates > 0 }

    /// The loop's cached time in milliseconds (`uv_now`), the clock timers are measured against.
    public var now: UInt64 { uv_now(uv) }

    /// Runs `work` on the loop's thread. The only thread-safe entry point: wakes the loop with
    /// `uv_async_send`. Work submitted while `run()` is not running runs at the next `run()`; queued work
    /// does not by itself keep the loop alive.
    ///
    /// Returns false, and drops `work`, once the loop has begun to shut down (its thread is ending): like
    /// SwiftNIO's event loops, a loop that is gone refuses work instead of touching freed memory. Work
    /// queued before that and not yet run when the loop shuts down is dropped too.
    @discardableResult
    public func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        inbox.withLock { inbox in
            guard inbox.accepting else { return false }
            inbox.work.append(work)
            // With the lock held: `shutdown` closes the wakeup handle only after it stopped accepting.
            wakeup.send()
            return true
        }
    }

    private func drainInbox() {
        let batch = inbox.withLock { inbox -> [@Sendable () -> Void] in
            let taken = inbox.work
            inbox.work.removeAll()
            return taken
        }
        for work in batch { dispatch(work) }
    }

    /// Runs one callback into Swift; when the outermost callback returns, drains the tick queue and runs
    /// the task deferred meanwhile (see ``deferToCallbackEnd(_:)``), until neither is left.
    @inline(__always) func dispatch(_ body: () -> Void) {
        if callbackDepth == 0 { runner = nil }
        callbackDepth += 1
        body()
        if callbackDepth == 1, !drainingTicks, !ticks.isEmpty || deferred != nil { settle() }
        callbackDepth -= 1
    }

    private func settle() {
        repeat {
            runTicks()
            runDeferred()
        } while !ticks.isEmpty || deferred != nil
    }

    // MARK: Work deferred to the end of a callback

    /// Counts a call by `object` and returns how many it has made in a row in this callback, with no
    /// other object's call between; 0 outside a callback (the main script before `run()` and its first
    /// ticks), where nothing would run a deferred task.
    @inline(__always) func countRun(by object: ObjectIdentifier) -> Int {
        guard callbackDepth > 0 else { return 0 }
        if runner == object {
            runLength += 1
        } else {
            runner = object
            runLength = 1
        }
        return runLength
    }

    /// Before `object` acts on something another object's deferred task would act on first: that task
    /// runs now (a gathering socket's bytes go to the kernel before another socket's write).
    @inline(__always) func runDeferred(before object: AnyObject) {
        if let deferred, deferred !== object { runDeferred() }
    }

    /// `task` is to run at the end of this callback, after its ticks; any other object's deferred task
    /// runs now (one at a time, so their effects keep the order the program asked for them in).
    func deferToCallbackEnd(_ task: any CallbackEndTask) {
        if deferred != nil { runDeferred() }
        deferred = task
    }

    /// `task` has done its work by itself.
    @inline(__always) func cancelDeferred(_ task: AnyObject) {
        if deferred === task { deferred = nil }
    }

    /// Runs the deferred task now (at the end of a callback, before another object's action, before an
    /// uncaught error is reported); `atExit`, only what cannot block.
    func runDeferred(atExit: Bool = false) {
        guard let deferred else { return }
        self.deferred = nil
        deferred.runAtCallbackEnd(atExit: atExit)
    }

    /// Runs the calling thread's loop's deferred task, if it has a loop (none is made): at `exit()`
    /// (`atExit`). Only the calling thread's loop: a loop is confined to its thread.
    static func runCurrentDeferred(atExit: Bool = false) {
        guard let existing = pthread_getspecific(currentLoopKey) else { return }
        Unmanaged<EventLoop>.fromOpaque(existing).takeUnretainedValue().runDeferred(atExit: atExit)
    }

    /// Reports an 'error' event nobody listens to (Node's uncaught exception) to `uncaughtErrorHandler`,
    /// after the deferred task: what the program did before the error must have happened first.
    func reportUncaughtError(_ error: NetError) {
        runDeferred()
        uncaughtErrorHandler(error)
    }

    // MARK: nextTick

    /// Queues `callback` to run as soon as the current callback into Swift returns, before libuv regains
    /// control: Node's `process.nextTick`. Ticks queued while the queue drains run in the same drain.
    public func nextTick(_ callback: @escaping () -> Void) {
        checkOnLoop()
        // Outside any callback (the "main script" before run()), the queue is drained when run() starts.
        if let pin = pinContext {
            pin.pins += 1
            ticks.append(.pinned(callback, pin))
        } else {
            ticks.append(.closure(callback))
        }
    }

    /// Queues `code` for `target` as a tick, like ``nextTick(_:)`` but with nothing to allocate (what the
    /// code means is the target's business: a socket's are the stream machinery's ticks).
    func nextTick(_ target: any TickTarget, _ code: UInt8) {
        // Internal: reached only from an object's own loop work, whose public entry point checked the
        // thread; a second check here would cost every read and write a `pthread_self`.
        assert(inEventLoop, "a tick queued off the loop's thread")
        ticks.append(.target(target, code))
    }

    /// How many ticks are queued (for tests that check a path queues none).
    var pendingTickCount: Int { ticks.count }

    private func runTicks() {
        guard !drainingTicks else { return }
        drainingTicks = true
        while let tick = ticks.popFirst() {
            switch consume tick {   // moved out of the queue: no copy, so no retain and release per tick
            case .closure(let callback): callback()
            case .target(let target, let code): target.runTick(code)
            case .pinned(let callback, let pin): runPinned(callback, pin)
            }
        }
        drainingTicks = false
    }

    // MARK: Immediates

    func enqueueImmediate(_ timer: Timer) {
        immediates.append(timer)
        if timer.hasRef() { adjustImmediateRefs(+1) }
        checkHandle.start()
    }

    /// Node keeps one count of ref'd immediates; while it is positive an idle handle keeps the poll
    /// from blocking (and the loop alive).
    func adjustImmediateRefs(_ delta: Int) {
        refedImmediates += delta
        if refedImmediates > 0 { idleHandle.start() } else { idleHandle.stop() }
    }

    private func runImmediates() {
        // Immediates queued while this batch runs wait for the next iteration, as in Node.
        var batch = immediates
        immediates.removeAll()
        while let timer = batch.popFirst() {
            dispatch { timer.fireImmediate() }
        }
        if immediates.isEmpty { checkHandle.stop() }
    }

    // MARK: Shutdown

    /// Closes every handle still open, lets their close callbacks run, and closes the `uv_loop_t`.
    /// Runs when the loop's thread exits.
    func shutdown() {
        guard !isShutDown else { return }
        isShuttingDown = true
        // From now on `execute` refuses work (and never sends to the wakeup handle, which closes below).
        let dropped = inbox.withLock { inbox in
            inbox.accepting = false
            defer { inbox.work = [] }
            return inbox.work
        }
        _ = consume dropped   // released outside the lock: a closure's captures may run deinits
        // Node delivers nothing once its process exits; here callbacks still run while handles close
        // (cancelled connects and writes report ECANCELED), so an 'error' nobody listens to any more must
        // not end the process from a thread's teardown.
        uncaughtErrorHandler = { _ in }
        // A deferred task (a gathering socket's bytes, which the kernel had in Node) runs before the
        // handles close (not reached today, as every callback runs it when it ends).
        runDeferred()
        // A callback run by the closing (a 'close' listener that connects again) can open a new handle, so
        // close and run until libuv has none left. Handles rely on this: no handle outlives its loop
        // (`Handle.loop` does not keep it alive), and the loop's memory is freed with the loop.
        var status: Int32
        var rounds = 0
        repeat {
            uv_walk(uv, { handle, _ in
                guard let handle, uv_is_closing(handle) == 0, handle.pointee.data != nil else { return }
                Unmanaged<Handle>.fromOpaque(handle.pointee.data).takeUnretainedValue().close()
            }, nil)
            uv_run(uv, UV_RUN_DEFAULT)
            status = uv_loop_close(uv)
            rounds += 1
        } while status == UV_EBUSY.rawValue && rounds < 100
        precondition(status == 0, "uv_loop_close at thread exit: \(NetError.uvErrorName(status)) (callbacks kept opening handles)")
        // Nothing will be emitted any more: the closed emitters' listeners go, and with them the cycles
        // of listeners that capture their emitter.
        retention.retireAll()
        isShutDown = true
    }
}

/// A loop's `execute` queue: the work, and whether it still accepts any.
private struct Inbox {
    var work: [@Sendable () -> Void] = []
    var accepting = true
}

/// The thread-local slot holding each thread's loop; its destructor shuts the loop down at thread exit.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, shutDownThreadLoop)
    precondition(status == 0, "pthread_key_create failed")
    return key
}()

/// Registers ``EventLoop/runCurrentDeferred(atExit:)`` with `atexit`, once, when the first loop is made.
private let runDeferredAtExitRegistration: Void = {
    _ = atexit { EventLoop.runCurrentDeferred(atExit: true) }
}()

/// The slot's destructor: shuts the thread's loop down and releases it. POSIX empties the slot before
/// calling it, so the loop is put back while it shuts down: the callbacks the shutdown runs (cancelled
/// writes and connects, 'close' listeners) reach it as `EventLoop.current` and do not make a new loop,
/// whose ticks would run after this loop's listeners were dropped, with the default uncaught-error handler.
private func shutDownThreadLoop(_ pointer: UnsafeMutableRawPointer?) {
    guard let pointer else { return }
    pthread_setspecific(currentLoopKey, pointer)
    let loop = Unmanaged<EventLoop>.fromOpaque(pointer).takeRetainedValue()
    loop.shutdown()
    UncaughtErrors.register(nil)
    pthread_setspecific(currentLoopKey, nil)
}

/// An object with work deferred to the end of the current callback into Swift (a socket gathering
/// writes; see ``EventLoop/deferToCallbackEnd(_:)``).
protocol CallbackEndTask: AnyObject {
    /// Does the work now; `atExit` (the process is exiting), only what cannot block.
    func runAtCallbackEnd(atExit: Bool)
}

extension EventLoop {
    /// The libuv type names (`"tcp"`, `"pipe"`, `"timer"`, …) of the handles open on this loop and not
    /// closing, as `uv_walk` finds them: Node's `process.getActiveResourcesInfo()` counterpart, for tests
    /// that check that no handle is left (a closed socket may itself still be alive in the loop's
    /// `ListenerRetention`, so its being freed is not the test).
    func openHandleTypes() -> [String] {
        final class Found { var names: [String] = [] }
        let found = Found()
        withExtendedLifetime(found) {
            uv_walk(uv, { handle, argument in
                guard let handle, uv_is_closing(handle) == 0 else { return }
                let found = Unmanaged<Found>.fromOpaque(argument!).takeUnretainedValue()
                found.names.append(String(cString: uv_handle_type_name(handle.pointee.type)))
            }, Unmanaged.passUnretained(found).toOpaque())
        }
        return found.names
    }
}
