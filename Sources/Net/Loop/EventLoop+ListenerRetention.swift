extension EventLoop {
    /// How many closed sockets, servers and streams keep their listeners on this loop (default 1024).
    ///
    /// Node keeps an emitter's listeners until the program removes them; a closed socket can be connected
    /// again, and a closed server listen again, at any time, and every listener still fires. Net keeps
    /// them too, for the most recently closed emitters, for any emitter whose 'close' or 'error' listeners
    /// scheduled work that is still pending (a reconnect timer), for one that is open again, and for one
    /// with ``EventEmitter/keepsListenersAfterClose`` set. Beyond this many, the oldest other closed
    /// emitter drops its listeners, which frees it when they were all that held it (a listener that
    /// captures its own socket, as `c.on(.data) { c.write($0) }` does, would otherwise keep it forever:
    /// there is no garbage collector). Connecting or listening again after that prints a warning.
    /// 0 drops the listeners of every closed emitter as soon as nothing pins it. Lowering the limit
    /// retires the excess at once.
    public var listenerRetentionLimit: Int {
        get { retention.limit }
        set {
            precondition(newValue >= 0, "listenerRetentionLimit must not be negative")
            retention.limit = newValue
            retention.retireExcess()
        }
    }

    /// Runs `body`, an emission of one of `listeners`' emitter's 'close' or 'error' events, so that the
    /// timers, immediates and ticks its listeners schedule pin the emitter (see `ListenerRetention`).
    @inline(__always) @discardableResult
    func pinning<R>(_ listeners: EventListeners, _ body: () -> R) -> R {
        let saved = pinContext
        pinContext = listeners
        defer { pinContext = saved }
        return body()
    }

    /// Runs a tick that pinned `pin` when it was queued (its count was raised then), pinning it again for
    /// what `callback` schedules.
    func runPinned(_ callback: () -> Void, _ pin: EventListeners) {
        pin.pins -= 1
        pinning(pin, callback)
        if pin.pins == 0, pin.retentionSeq != 0 { retention.retireExcess() }
    }

    /// Pins `pin` for a timer or an immediate (see `Timer`).
    func addPin(_ pin: EventListeners) { pin.pins += 1 }

    /// A timer or immediate that pinned `pin` has run or was cancelled.
    func removePin(_ pin: EventListeners) {
        pin.pins -= 1
        if pin.pins == 0, pin.retentionSeq != 0, retention.count > retention.limit { retention.retireExcess() }
    }
}
