import CLibUV

/// `uv_timer_t`: one per active `Timer`.
final class TimerHandle: Handle {
    private var onTimeout: ((TimerHandle) -> Void)?

    init(loop: EventLoop, onTimeout: @escaping (TimerHandle) -> Void) throws(NetError) {
        self.onTimeout = onTimeout
        try super.init(loop: loop, type: UV_TIMER) { uv_timer_init(loop.uv, $0.assumingMemoryBound(to: uv_timer_t.self)) }
    }

    private var timer: UnsafeMutablePointer<uv_timer_t> { raw.assumingMemoryBound(to: uv_timer_t.self) }

    /// `uv_timer_start`; `repeatMs` 0 fires once.
    func start(_ timeoutMs: UInt64, repeat repeatMs: UInt64) {
        guard !isClosing else { return }
        uv_timer_start(timer, { timer in
            let handle = TimerHandle.from(timer!)
            handle.loop.dispatch { handle.onTimeout?(handle) }
        }, timeoutMs, repeatMs)
    }

    /// Drops the callback, which holds its `Timer`, so that a closed handle ends the pair's lifetime.
    override func didClose() { onTimeout = nil }

    /// `uv_timer_stop`: an inactive timer does not keep the loop alive.
    func stop() {
        guard !isClosing else { return }
        uv_timer_stop(timer)
    }
}

/// `uv_async_t`: the loop's only thread-safe entry point, woken by `EventLoop.execute`.
final class AsyncHandle: Handle {
    private let onWake: () -> Void

    init(loop: EventLoop, onWake: @escaping () -> Void) throws(NetError) {
        self.onWake = onWake
        try super.init(loop: loop, type: UV_ASYNC) {
            uv_async_init(loop.uv, $0.assumingMemoryBound(to: uv_async_t.self)) { async in
                let handle = AsyncHandle.from(async!)
                handle.onWake()
            }
        }
    }

    /// `uv_async_send`: safe from any thread while the handle is open. The caller must order this with the
    /// handle's closing (the loop sends only with its inbox lock held while the inbox accepts work, and
    /// stops accepting before it closes the handle); a send after that is a bug, stopped here rather than
    /// let libuv write into freed memory.
    func send() {
        precondition(!isClosing, "uv_async_send on a closed async handle (EventLoop.execute after shutdown)")
        uv_async_send(raw.assumingMemoryBound(to: uv_async_t.self))
    }
}

/// `uv_check_t` (runs right after I/O polling) or `uv_idle_t` (keeps the poll from blocking), the two
/// handles behind `setImmediate`, as in Node.
final class PhaseHandle: Handle {
    enum Phase { case check, idle }
    private let phase: Phase
    private let callback: () -> Void

    init(loop: EventLoop, phase: Phase, callback: @escaping () -> Void) throws(NetError) {
        self.phase = phase
        self.callback = callback
        switch phase {
        case .check:
            try super.init(loop: loop, type: UV_CHECK) { uv_check_init(loop.uv, $0.assumingMemoryBound(to: uv_check_t.self)) }
        case .idle:
            try super.init(loop: loop, type: UV_IDLE) { uv_idle_init(loop.uv, $0.assumingMemoryBound(to: uv_idle_t.self)) }
        }
    }

    func start() {
        guard !isClosing, !isActive else { return }
        switch phase {
        case .check:
            uv_check_start(raw.assumingMemoryBound(to: uv_check_t.self)) { PhaseHandle.from($0!).callback() }
        case .idle:
            uv_idle_start(raw.assumingMemoryBound(to: uv_idle_t.self)) { PhaseHandle.from($0!).callback() }
        }
    }

    func stop() {
        guard !isClosing, isActive else { return }
        switch phase {
        case .check: uv_check_stop(raw.assumingMemoryBound(to: uv_check_t.self))
        case .idle: uv_idle_stop(raw.assumingMemoryBound(to: uv_idle_t.self))
        }
    }
}
