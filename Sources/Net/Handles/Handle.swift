import CLibUV

/// The one place where the lifetime of libuv handles is decided. Every handle type Net uses (tcp, pipe,
/// timer, async, check, idle) is a subclass of `Handle`, and every request (write, connect, shutdown,
/// getaddrinfo) is a `Request`. The rules, learned the hard way by everyone who wrapped libuv:
///
/// 1. **The Swift object lives as long as the libuv handle.** The handle's memory is the object's first
///    stored property (`storage`, room for any handle type Net uses), so the two are one allocation.
///    `init` lets the subclass initialise it (`uv_tcp_init`, …) and then stores
///    `Unmanaged.passRetained(self)` in `handle.data`. That retain is the handle's: it is given back only
///    in libuv's close callback, so no callback can ever find a freed object.
/// 2. **The handle's memory is freed only after the close callback.** `close()` calls `uv_close`; the
///    retain, and with the last one the object and its memory, go when libuv calls back, after any pending
///    callbacks of the handle have run (with `UV_ECANCELED` where libuv cancels them).
/// 3. **Never call into a handle that is closing.** `close()` is idempotent; after it, `isClosing` is true
///    and every wrapper method checks it (`withHandle` returns `UV_EBADF` instead of touching libuv).
/// 4. **Each request owns a retained box** (`Request`) holding its buffers and its callback until libuv's
///    callback runs; a request that libuv refused synchronously is released at once by `submit`.
///
/// Closing, destroying or ending from inside any callback is therefore safe: a close only schedules
/// work, and the objects involved stay alive until libuv is done with them.
class Handle {
    /// The libuv handle. Never read or written from Swift after its zeroing here: libuv owns its bytes,
    /// reached through `raw`. It must stay the first stored property of the class (see `raw`).
    @exclusivity(unchecked) private final var storage = net_handle_storage()
    /// The handle's memory (`storage`): the first stored property sits right after the object header, where
    /// the standard library's `_getUnsafePointerToStoredProperties` points. Valid while the object lives.
    @inline(__always) final var raw: UnsafeMutableRawPointer { _getUnsafePointerToStoredProperties(self) }
    /// The loop this handle belongs to, without a count: libuv's own pointer to its loop (`handle.loop`),
    /// whose `data` is the `EventLoop` (no field of its own: 8 bytes per connection). Used only from libuv's
    /// `init` on, while the handle is open or from its callbacks, where the loop is alive: a loop closes
    /// every handle still open before it goes (`EventLoop.shutdown`).
    @inline(__always) final var loopReference: Unmanaged<EventLoop> {
        Unmanaged.fromOpaque(handle.pointee.loop.pointee.data!)
    }
    /// The loop this handle belongs to (see `loopReference`).
    final var loop: EventLoop { loopReference.takeUnretainedValue() }

    /// Runs `body` with the loop borrowed: no reference counting at all. The read and write callbacks
    /// reach the loop this way; a safe `unowned` read is an atomic unowned-to-strong retain and a release,
    /// and even a plain strong copy is a retain and a release, 2–3% of a ping-pong's instructions.
    @inline(__always) final func withLoop<R>(_ body: (EventLoop) -> R) -> R {
        loopReference._withUnsafeGuaranteedRef(body)
    }
    /// True from `close()` on: libuv must not be called with this handle any more.
    @exclusivity(unchecked) final private(set) var isClosing = false
    /// True once libuv's close callback has run: libuv is done with the memory.
    @exclusivity(unchecked) final private(set) var isClosed = false

    /// Makes a handle of `type` and runs `initialize` (e.g. `uv_timer_init`) on it. On failure the libuv
    /// error is thrown (libuv never saw the handle; its memory goes with the object).
    init(loop: EventLoop, type: uv_handle_type, initialize: (UnsafeMutableRawPointer) -> Int32) throws(NetError) {
        // A loop shutting down takes no new handles (see `EventLoop.isShuttingDown`); the public entry
        // points refuse before they get here, this is the backstop.
        if loop.isShuttingDown {
            throw NetError.errno(UV_ECANCELED.rawValue, syscall: "uv_\(String(cString: uv_handle_type_name(type)))_init")
        }
        // A socket or server opened on a loop that is not running: before `run()` (fine), or from a Swift
        // task on a thread no loop runs on (the dead-loop mistake, which fails loudly).
        if !loop.isRunning, type == UV_TCP || type == UV_NAMED_PIPE { EventLoop.checkNotInTask() }
        precondition(uv_handle_size(type) <= MemoryLayout<net_handle_storage>.size,
                     "net_handle_storage has no room for a \(String(cString: uv_handle_type_name(type))) handle")
        let status = initialize(raw)
        if status < 0 {
            isClosing = true
            isClosed = true
            throw NetError.errno(status, syscall: "uv_\(String(cString: uv_handle_type_name(type)))_init")
        }
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// The handle as libuv's base type.
    final var handle: UnsafeMutablePointer<uv_handle_t> { raw.assumingMemoryBound(to: uv_handle_t.self) }

    /// The Swift object stored in a handle's `data`, for use in libuv callbacks (a strong reference; see
    /// `borrowing` for the hot callbacks).
    static func from(_ handle: UnsafeRawPointer) -> Self {
        borrowing(handle) { $0 }
    }

    /// Runs `body` with the Swift object of a handle a callback received, borrowed (no retain and release):
    /// `handle.data` holds a reference until the close callback, so the object outlives the call.
    @inline(__always) static func borrowing<R>(_ handle: UnsafeRawPointer, _ body: (Self) -> R) -> R {
        let data = handle.assumingMemoryBound(to: uv_handle_t.self).pointee.data!
        // Every handle a callback receives was made by this class for this callback: no dynamic cast.
        return Unmanaged<Handle>.fromOpaque(data)._withUnsafeGuaranteedRef { body(unsafeDowncast($0, to: Self.self)) }
    }

    /// Closes the handle; idempotent. `didClose()` runs from libuv's close callback.
    final func close() {
        _ = close { handle, callback in
            uv_close(handle, callback)
            return 0
        }
    }

    /// Closes the handle with `closer` (`uv_close`, or `uv_tcp_close_reset`, which sends an RST), passing
    /// it the one close callback that frees the handle. Returns the closer's status; on failure the handle
    /// stays open and can still be closed normally.
    final func close(with closer: (UnsafeMutablePointer<uv_handle_t>, uv_close_cb) -> Int32) -> Int32 {
        guard !isClosing else { return 0 }
        let status = closer(handle) { handle in
            let object = Unmanaged<Handle>.fromOpaque(handle!.pointee.data).takeRetainedValue()
            object.isClosed = true
            object.withLoop { $0.dispatch { object.didClose() } }   // borrowed: `loop` would retain it
        }
        if status == 0 { isClosing = true }
        return status
    }

    /// Called once, from the close callback, after the memory is freed. Subclasses report closure here.
    func didClose() {}

    /// `uv_ref`/`uv_unref`: whether this handle keeps `EventLoop.run()` from returning.
    final var hasRef: Bool {
        get { !isClosing && uv_has_ref(handle) != 0 }
        set {
            guard !isClosing else { return }
            if newValue { uv_ref(handle) } else { uv_unref(handle) }
        }
    }

    /// Whether libuv considers the handle active (a started timer, a listening or reading stream…).
    final var isActive: Bool { !isClosing && uv_is_active(handle) != 0 }

    deinit {
        // Only reachable after the close callback released the retain, or when init failed.
        precondition(isClosed, "a libuv handle's Swift object died before its close callback")
    }
}

/// A request (`uv_write_t`, `uv_connect_t`, `uv_shutdown_t`, `uv_getaddrinfo_t`) and everything it needs
/// until its callback runs: the buffers it points to, the completion, and the request's own memory, all
/// in one allocation (the request is the buffer's one tail element, the context its header).
///
/// ``submit(_:)`` retains the box in `req.data` and starts the request; the callback takes that retain
/// back with ``complete(_:)``. A request libuv refuses at once (a negative status) is released there. A
/// box that was never submitted is freed as any object is, when the last reference goes.
final class Request<Req, Context>: ManagedBuffer<Context, Req> {
    /// A box for `context` with zeroed request memory, not yet submitted.
    static func make(_ context: Context) -> Request {
        let box = unsafeDowncast(create(minimumCapacity: 1) { _ in context }, to: Request.self)
        box.withUnsafeMutablePointerToElements {
            _ = UnsafeMutableRawPointer($0).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Req>.size)
        }
        return box
    }

    /// The request's memory: the box's tail, which neither moves nor goes while the box lives.
    var req: UnsafeMutablePointer<Req> { withUnsafeMutablePointerToElements { $0 } }

    /// Whatever must stay alive while libuv holds the request: buffers, the callback, the handle.
    var context: Context { contextPointer.pointee }

    /// The context in place. Read and written through this, not through `header`: `header` is a stored
    /// property of `ManagedBuffer`, so each access to it made a dynamic exclusivity check (three per
    /// connection made; callgrind, `NetBench connrate-32`).
    var contextPointer: UnsafeMutablePointer<Context> { withUnsafeMutablePointerToHeader { $0 } }

    /// Retains the box in `req.data` and runs `start` (`uv_write`, `uv_tcp_connect`, …) with the request;
    /// returns its status. On a negative status libuv will not call back, so the retain is given back.
    @inline(__always) func submit(_ start: (UnsafeMutablePointer<Req>) -> Int32) -> Int32 {
        let pointer = req
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: uv_req_t.self).pointee.data =
            Unmanaged.passRetained(self).toOpaque()
        let status = start(pointer)
        if status < 0 { Unmanaged.passUnretained(self).release() }
        return status
    }

    /// Takes back the box of a request whose callback is running; the box is released when the caller is done.
    static func complete(_ req: UnsafeMutableRawPointer) -> Request {
        let data = req.assumingMemoryBound(to: uv_req_t.self).pointee.data!
        return Unmanaged<Request>.fromOpaque(data).takeRetainedValue()
    }
}
