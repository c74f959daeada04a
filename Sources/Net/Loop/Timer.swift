import CLibUV

/// A scheduled callback: what `setTimeout`, `setInterval` and `setImmediate` return, as Node's
/// `Timeout` and `Immediate` objects.
///
/// Timeouts and intervals each own a `uv_timer_t` while armed; `ref()`/`unref()` map onto
/// `uv_ref`/`uv_unref` and decide whether the timer keeps ``EventLoop/run()`` from returning. An armed
/// timer stays alive even when nothing else references it, as in Node.
public final class Timer {
    enum Kind { case timeout, interval, immediate }

    private let kind: Kind
    private unowned let loop: EventLoop
    private var callback: (() -> Void)?
    private let delay: UInt64
    private var handle: TimerHandle?
    private var refed = true
    private var cancelled = false
    private var pendingImmediate = false
    /// The thread that made the timer (its loop's): every public method checks it.
    private let ownerThread = ThreadToken.current
    /// The emitter this timer pins: it was made by one of that emitter's 'close' or 'error' listeners (or
    /// by a callback pinned in turn), so the emitter keeps its listeners until it has run or is
    /// cancelled (see `ListenerRetention`).
    private var pin: EventListeners?

    /// Node's `TIMEOUT_MAX`: delays outside `1...TIMEOUT_MAX` become 1 ms, as in Node.
    public static let maxDelay = 2_147_483_647

    init(loop: EventLoop, kind: Kind, delay ms: Int, callback: @escaping () -> Void) {
        self.loop = loop
        self.kind = kind
        self.callback = callback
        self.delay = (1...Timer.maxDelay).contains(ms) ? UInt64(ms) : 1
        if let pin = loop.pinContext {
            self.pin = pin
            loop.addPin(pin)
        }
    }

    deinit {
        // Never ran nor was cancelled: its loop shut down. Nothing is retired any more; just count.
        pin?.pins -= 1
    }

    /// Runs the callback with what it schedules pinned as this timer's work was; a timeout or an
    /// immediate then lets go of its pin (an interval keeps it until cancelled).
    private func run(_ callback: () -> Void) {
        guard let pin else { return callback() }
        loop.pinning(pin, callback)
        if kind != .interval {
            self.pin = nil
            loop.removePin(pin)
        }
    }

    private func unpin() {
        guard let pin else { return }
        self.pin = nil
        loop.removePin(pin)
    }

    /// Whether the callback is still due (armed timer, queued immediate, running interval).
    public var isActive: Bool {
        checkThread()
        switch kind {
        case .immediate: return pendingImmediate
        case .timeout, .interval: return handle?.isActive ?? false
        }
    }

    /// Whether this timer keeps the loop alive (Node's `hasRef()`).
    public func hasRef() -> Bool { checkThread(); return refed }

    @inline(__always) private func checkThread(_ function: StaticString = #function) {
        if ownerThread != ThreadToken.current { EventListeners.wrongThread(Timer.self, function) }
    }

    /// Keeps the loop alive while the timer is active (the default).
    @discardableResult public func ref() -> Timer {
        checkThread()
        setRef(true)
        return self
    }

    /// Lets the loop end even though this timer is active; the callback still runs if the loop is
    /// running for other reasons when it falls due.
    @discardableResult public func unref() -> Timer {
        checkThread()
        setRef(false)
        return self
    }

    private func setRef(_ value: Bool) {
        guard refed != value else { return }
        refed = value
        switch kind {
        case .immediate:
            if pendingImmediate { loop.adjustImmediateRefs(value ? 1 : -1) }
        case .timeout, .interval:
            handle?.hasRef = value
        }
    }

    /// Restarts the countdown from now with the original delay, re-arming a timeout that already fired,
    /// as Node's `refresh()`. Does nothing after ``cancel()`` or on an immediate.
    @discardableResult public func refresh() -> Timer {
        checkThread()
        guard !cancelled, kind != .immediate else { return self }
        arm()
        return self
    }

    /// Stops the timer: its callback will not run (Node's `clearTimeout`/`clearInterval`/`clearImmediate`).
    public func cancel() {
        checkThread()
        guard !cancelled else { return }
        cancelled = true
        callback = nil
        unpin()
        switch kind {
        case .immediate:
            if pendingImmediate, refed { loop.adjustImmediateRefs(-1) }
            pendingImmediate = false
        case .timeout, .interval:
            handle?.close()
            handle = nil
        }
    }

    // MARK: Scheduling

    func start() {
        // Made while the loop shuts down: refused, as after Node's process exits (it never runs).
        if loop.isShuttingDown { return cancel() }
        switch kind {
        case .immediate:
            pendingImmediate = true
            loop.enqueueImmediate(self)
        case .timeout, .interval:
            arm()
        }
    }

    private func arm() {
        if loop.isShuttingDown { return cancel() }
        if handle == nil {
            do {
                handle = try TimerHandle(loop: loop) { [self] _ in fired() }
            } catch {
                preconditionFailure("uv_timer_init failed: \(error)")
            }
            if !refed { handle?.hasRef = false }
        }
        handle?.start(delay, repeat: kind == .interval ? delay : 0)
    }

    private func fired() {
        guard let callback else { return }
        if kind == .timeout {
            // A fired timeout gives its handle back; refresh() makes a new one.
            handle?.close()
            handle = nil
        }
        run(callback)
    }

    func fireImmediate() {
        guard pendingImmediate, !cancelled, let callback else { return }
        pendingImmediate = false
        if refed { loop.adjustImmediateRefs(-1) }
        self.callback = nil
        run(callback)
    }
}

extension EventLoop {
    /// Calls `callback` once after `ms` milliseconds (Node's `setTimeout`; 1 ms when `ms` is out of range).
    @discardableResult
    public func setTimeout(_ ms: Int, _ callback: @escaping () -> Void) -> Timer {
        checkOnLoop()
        let timer = Timer(loop: self, kind: .timeout, delay: ms, callback: callback)
        timer.start()
        return timer
    }

    /// Calls `callback` every `ms` milliseconds until cancelled (Node's `setInterval`).
    @discardableResult
    public func setInterval(_ ms: Int, _ callback: @escaping () -> Void) -> Timer {
        checkOnLoop()
        let timer = Timer(loop: self, kind: .interval, delay: ms, callback: callback)
        timer.start()
        return timer
    }

    /// Calls `callback` after the current poll phase (Node's `setImmediate`); immediates queued while
    /// immediates run wait for the next iteration.
    @discardableResult
    public func setImmediate(_ callback: @escaping () -> Void) -> Timer {
        checkOnLoop()
        let timer = Timer(loop: self, kind: .immediate, delay: 0, callback: callback)
        timer.start()
        return timer
    }
}

/// Node's `setTimeout` on the current thread's loop.
@discardableResult
public func setTimeout(_ ms: Int, _ callback: @escaping () -> Void) -> Timer {
    EventLoop.current.setTimeout(ms, callback)
}

/// Node's `setInterval` on the current thread's loop.
@discardableResult
public func setInterval(_ ms: Int, _ callback: @escaping () -> Void) -> Timer {
    EventLoop.current.setInterval(ms, callback)
}

/// Node's `setImmediate` on the current thread's loop.
@discardableResult
public func setImmediate(_ callback: @escaping () -> Void) -> Timer {
    EventLoop.current.setImmediate(callback)
}

/// Node's `process.nextTick` on the current thread's loop.
public func nextTick(_ callback: @escaping () -> Void) {
    EventLoop.current.nextTick(callback)
}

/// Node's `clearTimeout`: cancels `timer` (nil is ignored, as Node ignores `undefined`).
public func clearTimeout(_ timer: Timer?) { timer?.cancel() }

/// Node's `clearInterval`.
public func clearInterval(_ timer: Timer?) { timer?.cancel() }

/// Node's `clearImmediate`.
public func clearImmediate(_ timer: Timer?) { timer?.cancel() }

extension AbortSignal {
    /// A signal that aborts after `ms` milliseconds with a TimeoutError (Node's `AbortSignal.timeout`);
    /// its timer does not keep the loop alive. The timer holds the signal until it fires, so a signal only
    /// its listeners know (`connect(.init(…, signal: .timeout(ms)))`) still aborts, as Node keeps a timeout
    /// signal that has listeners.
    public static func timeout(_ ms: Int) -> AbortSignal {
        let signal = AbortSignal()
        setTimeout(ms) {
            signal.fire(NetError("The operation was aborted due to timeout", name: "TimeoutError"))
        }.unref()
        return signal
    }
}
