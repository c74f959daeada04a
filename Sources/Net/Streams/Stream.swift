/// What every Node stream shares: the readable and/or writable halves' state, and `destroy`, which
/// tears both down with Node's ordering ('error' then 'close', each on its own tick).
///
/// Conform through ``Readable``, ``Writable`` or ``Duplex``. The underscore methods are Node's
/// implementer hooks (`_read`, `_write`, `_final`, `_destroy`): a stream type provides them, users call
/// the public methods.
///
/// Memory: once a stream has emitted 'close' it keeps its listeners while it is among the loop's most
/// recently closed emitters (``EventLoop/listenerRetentionLimit``), then drops them, so that listeners
/// that capture their own stream, as Node code routinely does, do not leak it.
public protocol Stream: EventEmitter {
    /// The stream's state: its readable half, its writable half, or both.
    var streamState: StreamState { get }

    /// Node's `_destroy(err, cb)`: release the underlying resource, then call `callback` with the error
    /// to report (usually `error`). The default calls back at once.
    func _destroy(_ error: NetError?, _ callback: @escaping (NetError?) -> Void)
    /// `_destroy` for a stream that always calls back before returning (a socket): `callback` does not
    /// escape, so the machinery allocates no closure. Return false (the default) to have the machinery
    /// call ``_destroy(_:_:)`` instead.
    func _destroyAtOnce(_ error: NetError?, _ callback: (NetError?) -> Void) -> Bool
    /// Queues the machinery's `tick` for this stream without allocating a closure (a socket runs it from
    /// its loop's tick queue and calls back into the machinery). Return false (the default) to have the
    /// machinery queue a closure.
    func _queueTick(_ tick: StreamTick) -> Bool
}

/// The ticks the stream machinery queues on every read and write (see `Stream._queueTick(_:)`).
public enum StreamTick: UInt8 {
    /// Readable's `maybeReadMore_`.
    case maybeReadMore
    /// Writable's `afterWriteTick` for a batch of callback-less synchronous writes.
    case afterWriteBatch
    /// The machinery's `emitCloseNT` after a destroy without an error.
    case closeAfterDestroy
}

/// The state behind a ``Stream``: Node's `_readableState` and `_writableState`, plus what `destroy` shares.
///
/// One object holds both halves and the stream's listeners (it is the stream's ``EventListeners``), so
/// that a stream's state is one allocation: ``readableState`` and ``writableState`` are views of it. A
/// ``Socket`` is its own state (it inherits from this class), so that a socket, its state and its
/// listeners are one object. The class cannot be subclassed outside Net.
public class StreamState: EventListeners {
    /// The readable half, for ``Readable`` streams (Node's `_readableState`).
    @inline(__always) public final var readableState: ReadableState? { hasReadable ? ReadableState(self) : nil }
    /// The writable half, for ``Writable`` streams (Node's `_writableState`).
    @inline(__always) public final var writableState: WritableState? { hasWritable ? WritableState(self) : nil }
    /// The readable half's fields (unused when the stream has none). Both halves opt out of dynamic
    /// exclusivity checks: the state is confined to its loop's thread and no access to it is held across
    /// a call out (the views read and write one field at a time), and the checks were a sixth of the
    /// instructions of a ping-pong round trip.
    ///
    /// The order of the stored properties is the object's layout: the four one-byte fields after the
    /// readable half fill the four bytes its last field leaves before the writable half's first (8-byte
    /// aligned) one, so the object is 152 bytes, a 160-byte malloc chunk (it was 157 bytes, a 176-byte one).
    @exclusivity(unchecked) final var readableStorage: ReadableStorage
    /// Whether 'close' is emitted by the stream machinery after destroy (Node's `emitClose`). Sockets
    /// turn it off and emit 'close' when their handle has closed.
    @exclusivity(unchecked) public final var emitClose = true
    /// Whether the stream destroys itself once both halves are done (Node's `autoDestroy`, default true).
    @exclusivity(unchecked) public final var autoDestroy = true
    /// Whether `_destroy` has called back (Node's `called` in `_destroy`'s callback). These three flags
    /// opt out of dynamic exclusivity checks as the halves do (one check per socket made and two per
    /// socket closed, measured).
    @exclusivity(unchecked) final var destroyCallbackCalled = false
    /// Which halves the stream has (`readableBit`, `writableBit`): one byte for two flags.
    private final let halves: BitFlags<UInt8>
    private static let readableBit: UInt8 = 1
    private static let writableBit: UInt8 = 2
    /// The writable half's fields (unused when the stream has none).
    @exclusivity(unchecked) final var writableStorage: WritableStorage
    /// Whether the stream has a readable half.
    final var hasReadable: Bool { halves[Self.readableBit] }
    /// Whether the stream has a writable half.
    final var hasWritable: Bool { halves[Self.writableBit] }

    /// State for a stream with the given halves: `StreamState(readable: .init(), writable: .init())` for
    /// a duplex with Node's defaults, `StreamState(writable: .init(highWaterMark: 1024))` for a writable.
    public init(readable: ReadableState.Options? = nil, writable: WritableState.Options? = nil) {
        var halves = BitFlags<UInt8>()
        halves[Self.readableBit] = readable != nil
        halves[Self.writableBit] = writable != nil
        self.halves = halves
        readableStorage = ReadableStorage(readable ?? .init())
        writableStorage = WritableStorage(writable ?? .init())
        super.init()
    }

    final var destroyed: Bool { (writableState?.destroyed ?? false) || (readableState?.destroyed ?? false) }
    final var errorEmitted: Bool { (writableState?.errorEmitted ?? false) || (readableState?.errorEmitted ?? false) }
    final var closeEmitted: Bool { (writableState?.closeEmitted ?? false) || (readableState?.closeEmitted ?? false) }
    final var errored: NetError? { writableState?.errored ?? readableState?.errored }

    /// Node's `_undestroy()`: both halves back to their initial state, for a socket that reconnects.
    final func reset() {
        if let r = readableState {
            r.destroyed = false; r.closed = false; r.closeEmitted = false; r.errored = nil; r.errorEmitted = false
            r.ended = false; r.endEmitted = false; r.reading = false; r.sync = true
        }
        if let w = writableState {
            w.destroyed = false; w.closed = false; w.closeEmitted = false; w.errored = nil; w.errorEmitted = false
            w.ended = false; w.ending = false; w.finished = false; w.finalCalled = false; w.prefinished = false
            w.pendingcb = 0; w.writing = false; w.corked = 0; w.length = 0; w.buffered.removeAll(); w.discardTail(); w.heldWrites = 0
        }
        destroyCallbackCalled = false
    }

    final func setError(_ error: NetError?) {
        guard let error else { return }
        if let w = writableState, w.errored == nil { w.errored = error }
        if let r = readableState, r.errored == nil { r.errored = error }
    }
}

extension EventKey where Emitter: Stream, Payload == Bool {
    /// `'close'`: the stream and its resource are closed. The payload is whether an error caused it
    /// (`hadError`, as a socket's 'close' carries; plain streams pass `errored != nil`).
    public static var close: Self { .init(.close) }
}

extension Stream {
    /// The stream's listener storage: its ``StreamState``, which is one (a stream's state and listeners
    /// are one allocation). A stream type may still declare its own `eventListeners`.
    @inline(__always) public var eventListeners: EventListeners { streamState }

    /// The default `_destroy`: nothing to release.
    public func _destroy(_ error: NetError?, _ callback: @escaping (NetError?) -> Void) { callback(error) }

    /// By default the machinery calls ``_destroy(_:_:)``.
    public func _destroyAtOnce(_ error: NetError?, _ callback: (NetError?) -> Void) -> Bool { false }

    /// By default the machinery queues its ticks as closures.
    public func _queueTick(_ tick: StreamTick) -> Bool { false }

    /// Whether ``destroy(_:)`` has been called.
    public var destroyed: Bool { checkThread(); return streamState.destroyed }

    /// The error the stream was destroyed with, if any (Node's `errored`).
    public var errored: NetError? { checkThread(); return streamState.errored }

    /// Destroys the stream: no more reads or writes; `_destroy` releases the resource; then, each on a
    /// later tick, 'error' (when `error` is given) and 'close'. Calling it again does nothing.
    @discardableResult
    public func destroy(_ error: NetError? = nil) -> Self {
        checkThread()
        destroyStream(error, nil)
        return self
    }

    // Specialised for the socket, whose every close runs it (the optimiser left it generic: each read of
    // `streamState` a witness call).
    @_specialize(where Self == Socket)
    func destroyStream(_ error: NetError?, _ callback: (() -> Void)?) {
        let state = streamState
        if state.destroyed {
            callback?()
            return
        }
        // Node's `Writable.prototype.destroy`: buffered writes and `end` callbacks fail on the next tick,
        // before 'error' and 'close'.
        if let writable = state.writableState, !writable.buffered.isEmpty || !writable.onFinished.isEmpty {
            EventLoop.current.nextTick { writable.errorBuffer() }
        }
        state.setError(error)
        state.writableState?.destroyed = true
        state.readableState?.destroyed = true
        // A socket's `_destroy` calls back before it returns, so no escaping closure (an allocation) is needed.
        if _destroyAtOnce(error, { error in finishDestroy(error, callback) }) { return }
        _destroy(error) { [self] error in
            // Node's `called`: a `_destroy` that calls back twice is heard once. The flag can live in the
            // state because a stream is destroyed once until `reset()` (which clears it) un-destroys it.
            guard !state.destroyCallbackCalled else { return }
            state.destroyCallbackCalled = true
            finishDestroy(error, callback)
        }
    }

    /// What follows `_destroy`'s callback: the halves are closed, and 'error' (if any) and the machinery's
    /// 'close' follow on the next tick.
    @_specialize(where Self == Socket)
    private func finishDestroy(_ error: NetError?, _ callback: (() -> Void)?) {
        let state = streamState
        state.setError(error)
        state.writableState?.closed = true
        state.readableState?.closed = true
        callback?()
        // The loop is looked up in the branches that use it: a socket's tick (the usual way) finds its own.
        if let error {
            EventLoop.current.nextTick { [self] in
                emitErrorOnce(error)
                emitCloseFromMachinery()
            }
        } else if _queueTick(.closeAfterDestroy) {
            return
        } else {
            EventLoop.current.nextTick { [self] in emitCloseFromMachinery() }
        }
    }

    func emitErrorOnce(_ error: NetError) {
        let state = streamState
        guard !state.errorEmitted else { return }
        state.writableState?.errorEmitted = true
        state.readableState?.errorEmitted = true
        // Work its listeners schedule (a reconnect timer) keeps the listeners (see `ListenerRetention`).
        EventLoop.current.pinning(eventListeners) { emit(.error, error) }
    }

    func emitCloseFromMachinery() {
        let state = streamState
        state.writableState?.closeEmitted = true
        state.readableState?.closeEmitted = true
        if state.emitClose {
            let loop = EventLoop.current
            loop.pinning(eventListeners) { emit(.close, state.errored != nil) }
            retainListenersAfterClose(on: loop)
        }
    }

    /// After its last 'close' the stream joins the loop's `ListenerRetention`, which keeps its listeners
    /// as Node does for the most recently closed emitters and drops them beyond that, so that a listener
    /// that captures its stream (`s.on(.data) { s.write($0) }`) does not keep both alive forever. A stream
    /// revived by a 'close' listener (a socket reconnected there) is open, not closed, and is not added.
    func retainListenersAfterClose(on loop: EventLoop) {
        if streamState.destroyed { loop.retention.add(eventListeners) }
    }

    /// Node's `errorOrDestroy`: destroy with `error` when the stream auto-destroys, otherwise emit it.
    func errorOrDestroy(_ error: NetError, sync: Bool) {
        let state = streamState
        if state.destroyed { return }
        if state.autoDestroy {
            destroy(error)
        } else {
            state.setError(error)
            if sync {
                EventLoop.current.nextTick { [self] in emitErrorOnce(error) }
            } else {
                emitErrorOnce(error)
            }
        }
    }
}
