import CLibUV

// Destroying: closing the handle and the 'close' that follows (split from Socket.swift).
extension Socket {
    // MARK: Destroying

    public func _destroy(_ error: NetError?, _ callback: @escaping (NetError?) -> Void) {
        destroyHandle(error) { callback($0) }
    }

    /// A socket's destroy always calls back before it returns: done here without an escaping closure.
    public func _destroyAtOnce(_ error: NetError?, _ callback: (NetError?) -> Void) -> Bool {
        destroyHandle(error, callback)
        return true
    }

    /// `_destroy` with a callback that does not escape: it runs before this returns, at the point Node's
    /// `_destroy` calls back (the stream machinery calls this, through `_destroyAtOnce`, without
    /// allocating a closure).
    func destroyHandle(_ error: NetError?, _ callback: (NetError?) -> Void) {
        // One binding of the handle for the whole close (two cost a retain and a release more). Nothing
        // below can give the socket another handle before `self.handle = nil`: a destroyed socket is not
        // destroyed again, and only `connect()` makes a handle.
        if let handle {
            // What was gathered counts as taken, as bytes in the kernel's buffer: it goes out before the
            // close (an error now changes nothing, the socket is closing anyway), after any other socket's.
            if isGathering { _ = flushGathered(on: handle) }
            handle.withLoop { $0.runDeferred(before: self) }
            isConnecting = false
            timeoutTimer?.cancel()
            timeoutTimer = nil
            pendingCloses += 1
            handle.closeNotice = error != nil ? .closedWithError : .closed
            if resetAndClosing, let tcp = handle as? TCPHandle {
                // resetAndDestroy(): close with an RST; if libuv refuses, report it and close normally.
                resetAndClosing = false
                let status = tcp.closeReset()
                if status < 0 {
                    emit(.error, .errno(status, syscall: "reset"))
                    handle.close()
                }
            } else {
                handle.close()
            }
            self.handle = nil
            callback(error)
        } else {
            isConnecting = false
            timeoutTimer?.cancel()
            timeoutTimer = nil
            callback(error)
            pendingCloses += 1
            loop.nextTick { [self] in emitHandleClose(false) }
        }
        if let server = server.take() { server.connectionClosed() }   // moved out: no retain and release
    }

    /// Emits a scheduled 'close' (what its listeners schedule pins the socket: see `ListenerRetention`);
    /// after the last one pending, the socket joins the loop's retention list (see
    /// `retainListenersAfterClose`). A 'close' listener, or a pending write failing from it, may destroy
    /// the socket again and schedule another 'close', which still needs them.
    func emitHandleClose(_ hadError: Bool) {
        // The loop borrowed: the socket's (it is confined to it), but `loop` would retain and release it.
        EventLoop.withCurrent { loop in
            loop.pinning(eventListeners) { emit(.close, hadError) }
            pendingCloses -= 1
            if pendingCloses == 0 { retainListenersAfterClose(on: loop) }
        }
    }

    /// `socket.destroySoon()`: end the writable side, then destroy once it has finished.
    public func destroySoon() {
        checkThread()
        if writable { end() }
        if writableFinished {
            destroy()
        } else {
            once(.finish) { [self] in destroy() }
        }
    }
}
