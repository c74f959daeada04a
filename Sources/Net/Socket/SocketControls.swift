import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// Node's `onread` option: reads go into memory the user owns and to `callback`, with no 'data' events
/// and no copies.
public struct OnRead {
    /// The memory reads land in: one reusable buffer, or a function that hands out the next one after
    /// each read. The memory must stay valid while the socket can read.
    public enum Memory {
        /// One buffer, reused for every read.
        case buffer(UnsafeMutableRawBufferPointer)
        /// A new buffer for the first read and after each one.
        case provider(() -> UnsafeMutableRawBufferPointer)
    }

    /// Where reads land.
    public var buffer: Memory
    /// Called for every read with the number of bytes written to the buffer and the buffer; return false
    /// to stop reading until `resume()`.
    public var callback: (Int, UnsafeMutableRawBufferPointer) -> Bool

    /// An `onread` option.
    public init(buffer: Memory, callback: @escaping (Int, UnsafeMutableRawBufferPointer) -> Bool) {
        self.buffer = buffer
        self.callback = callback
    }
}

/// How a socket's idle timer reaches the socket without keeping it alive: the socket's `deinit` clears
/// `socket`, so the timer's callback never sees a freed socket. (Loop-confined, like the socket.)
final class TimeoutTarget {
    unowned(unsafe) var socket: Socket?
    init(_ socket: Socket) { self.socket = socket }
}

/// A socket's live `onread` state.
final class OnReadState {
    var current: UnsafeMutableRawBufferPointer
    let provider: (() -> UnsafeMutableRawBufferPointer)?
    let callback: (Int, UnsafeMutableRawBufferPointer) -> Bool

    init(_ onread: OnRead) {
        switch onread.buffer {
        case .buffer(let memory):
            current = memory
            provider = nil
        case .provider(let next):
            current = next()
            provider = next
        }
        callback = onread.callback
    }
}

extension EventKey where Emitter == Socket, Payload == Void {
    /// `'timeout'`: the socket has been idle for the time set with `setTimeout`. Nothing else happens:
    /// end or destroy the socket yourself.
    public static var timeout: Self { .init(.timeout) }
}

extension Socket {
    // MARK: Idle timeout

    /// Emits 'timeout' after `ms` milliseconds without reads, writes or connection progress (Node's
    /// `socket.setTimeout`). The timer does not keep the loop alive and is re-armed by every read and
    /// write, even after it fired. 0 disables it (and with a `callback`, removes the callbacks added by
    /// earlier `setTimeout` calls: Swift closures cannot be compared). `callback` becomes a once-listener
    /// of 'timeout'. Throws ERR_OUT_OF_RANGE for a negative `ms`; a destroyed socket ignores the call.
    @discardableResult
    public func setTimeout(_ ms: Int, _ callback: (() -> Void)? = nil) throws(NetError) -> Socket {
        checkThread()
        if destroyed { return self }
        timeout = ms
        guard ms >= 0 else { throw .outOfRange("msecs", "a non-negative finite number", .int(ms)) }
        var delay = ms
        if delay > Timer.maxDelay {
            var warning = "(node:\(getpid())) TimeoutOverflowWarning: \(ms) does not fit into a 32-bit signed "
                + "integer.\nTimer duration was truncated to \(Timer.maxDelay).\n"
            warning.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
            delay = Timer.maxDelay
        }
        timeoutTimer?.cancel()
        timeoutTimer = nil
        if delay == 0 {
            if callback != nil {
                for token in timeoutCallbacks { off(.timeout, token) }
                timeoutCallbacks.removeAll()
            }
        } else {
            // The timer must not keep the socket alive (an abandoned socket is freed with its timer still
            // armed), so it reaches the socket through `TimeoutTarget`, which the socket's deinit clears,
            // rather than through a weak reference (which would give the socket a side table, and every
            // retain and release of it the slow path, for life).
            let target = timeoutTarget ?? TimeoutTarget(self)
            timeoutTarget = target
            timeoutTimer = loop.setTimeout(delay) { target.socket?.onTimeout() }.unref()
            if let callback { timeoutCallbacks.append(once(.timeout, callback)) }
        }
        return self
    }

    /// Node's `_unrefTimer`: activity restarts the idle countdown.
    func refreshTimeout() {
        timeoutTimer?.refresh()
    }

    /// Node's `_onTimeout`: while queued writes are still draining, the timeout is postponed.
    fileprivate func onTimeout() {
        if lastWriteQueueSize > 0, let handle {
            let size = handle.writeQueueSize
            if size != lastWriteQueueSize {
                lastWriteQueueSize = size
                refreshTimeout()
                return
            }
        }
        emit(.timeout)
    }

    // MARK: TCP options

    /// Turns TCP keep-alive on or off (Node's `socket.setKeepAlive`): SO_KEEPALIVE, with TCP_KEEPIDLE set
    /// to `initialDelay` milliseconds in whole seconds (0 leaves the system's value), TCP_KEEPINTVL 1 and
    /// TCP_KEEPCNT 10. Before a connection exists the wish is kept and applied on connect; afterwards the
    /// socket is only touched when the setting changes.
    @discardableResult
    public func setKeepAlive(_ enable: Bool = false, _ initialDelay: Int = 0) -> Socket {
        checkThread()
        let delay = initialDelay / 1000
        guard let handle else {
            keepAliveEnabled = enable
            keepAliveDelaySeconds = delay
            return self
        }
        guard let tcp = handle as? TCPHandle else { return self }
        if enable != keepAliveEnabled || (enable && delay != keepAliveDelaySeconds) {
            keepAliveEnabled = enable
            keepAliveDelaySeconds = delay
            _ = tcp.setKeepAlive(enable, delaySeconds: delay)
        }
        return self
    }

    // MARK: ref / unref

    /// Lets `EventLoop.run()` return while this socket is open (`uv_unref`). Before `connect()` it takes
    /// effect once connected.
    @discardableResult
    public func unref() -> Socket {
        checkThread()
        guard let handle else {
            once(.connect) { [unowned self] in unref() }
            return self
        }
        handle.hasRef = false
        return self
    }

    /// Undoes ``unref()``: the open socket keeps `EventLoop.run()` from returning again.
    @discardableResult
    public func ref() -> Socket {
        checkThread()
        guard let handle else {
            once(.connect) { [unowned self] in ref() }
            return self
        }
        handle.hasRef = true
        return self
    }

    // MARK: Reset

    /// Closes the connection with an RST instead of a FIN, then destroys the socket (Node's
    /// `resetAndDestroy`): the peer sees ECONNRESET. While connecting, the reset waits for the connection.
    /// Without a handle the socket is destroyed with ERR_SOCKET_CLOSED. Throws ERR_INVALID_HANDLE_TYPE for
    /// a Unix domain socket.
    @discardableResult
    public func resetAndDestroy() throws(NetError) -> Socket {
        checkThread()
        guard let handle else {
            destroy(.socketClosed)
            return self
        }
        guard handle is TCPHandle else { throw .invalidHandleType }
        if isConnecting {
            once(.connect) { [unowned self] in resetNow() }
        } else {
            resetNow()
        }
        return self
    }

    private func resetNow() {
        resetAndClosing = true
        destroy()
    }

    // MARK: onread

    func deliverToOnRead(_ onread: OnReadState, count: Int) {
        let keepReading = onread.callback(count, onread.current)
        if let provider = onread.provider {
            onread.current = provider()   // the handle asks for it (`readBuffer`) before the next read
        }
        if !keepReading { handle?.readStop() }
    }

    /// Pauses the flow; with `onread`, stops reading from the handle too (Node's `Socket.pause`).
    @discardableResult
    public func pause() -> Socket {
        checkThread()
        if onreadState != nil, !isConnecting, let handle, handle.isReading, !destroyed {
            handle.readStop()
        }
        pauseStream()
        return self
    }

    /// Resumes the flow; with `onread`, restarts reading from the handle (Node's `Socket.resume`).
    @discardableResult
    public func resume() -> Socket {
        checkThread()
        if onreadState != nil, !isConnecting, let handle, !handle.isReading {
            let status = handle.readStart()
            if status < 0 { destroy(.errno(status, syscall: "read")) }
        }
        resumeStream()
        return self
    }

    // MARK: AbortSignal

    /// The stream constructor's `addAbortSignal`: an aborted signal destroys the socket with an AbortError,
    /// on the next tick if it had already aborted. A live signal gets its 'abort' listener at once (so it
    /// has one right after `Socket(…)` or `createConnection(…)` returns), removed when the socket closes.
    /// As in Node, the pending tick and the listener keep the socket alive: a socket nobody else holds (one
    /// that has not connected) still emits its 'error' and 'close'.
    func watch(_ signal: AbortSignal) {
        if signal.aborted {
            loop.nextTick { [self] in destroy(.abortError) }
        } else {
            let token = signal.once(.abort) { [self] in destroy(.abortError) }
            once(.close) { [weak signal] _ in signal?.off(.abort, token) }
        }
    }
}

extension Readable {
    /// The stream machinery's `pause`, for types that add behaviour to their own `pause()`.
    func pauseStream() { pause() }
    /// The stream machinery's `resume`.
    func resumeStream() { resume() }
}
