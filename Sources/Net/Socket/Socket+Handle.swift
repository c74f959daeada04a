import CLibUV

// What the socket does for its handle and its loop: the handle owner's callbacks, the machinery's
// ticks, and the handle options applied from the socket (split from Socket.swift).

extension Socket: StreamHandleOwner {
    func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) { onRead(event, from: stream) }
    func handleDidClose(hadError: Bool) { emitHandleClose(hadError) }
    /// The `onread` buffer reads go into (see `OnReadState`).
    var readBuffer: UnsafeMutableRawBufferPointer? { onreadState?.current }

    /// The loop shut down (its thread ended) with this socket open. Nothing is emitted any more, as nothing
    /// is after Node's process exits; the listeners are dropped, since one that captures the socket would
    /// otherwise keep it (and what it holds) alive forever.
    func handleClosedUnannounced(_ closed: StreamHandle) {
        guard closed === handle else { return }
        eventListeners.releaseAll()
    }
}

extension Socket: TickTarget {
    /// Queues the stream machinery's tick on the loop's tick queue, with the socket itself as its target:
    /// nothing to allocate per read and write.
    @inline(__always)
    public func _queueTick(_ tick: StreamTick) -> Bool {
        EventLoop.withCurrent { $0.nextTick(self, tick.rawValue) }
        return true
    }

    func runTick(_ code: UInt8) {
        switch StreamTick(rawValue: code) {
        case .maybeReadMore: if !maybeReadMoreWhileReading() { maybeReadMoreNT() }
        case .afterWriteBatch: afterWriteBatchNT()
        case .closeAfterDestroy: emitCloseFromMachinery()
        case nil: preconditionFailure("Socket: unknown tick code \(code)")
        }
    }
}

extension Socket {
    /// `socket.setNoDelay([noDelay])`: turns Nagle's algorithm off (`true`, the default) or back on.
    ///
    /// As Node: without a handle (before `connect()`, after close) the wish is only recorded and applied
    /// once a connection is made; with a handle it is applied at once unless it equals the last setting.
    /// It never throws, whatever the socket's state. Returns the socket.
    @discardableResult
    public func setNoDelay(_ noDelay: Bool = true) -> Self {
        checkThread()
        guard let handle else {
            setNoDelayOnConnect = noDelay
            return self
        }
        if let tcp = handle as? TCPHandle, noDelay != setNoDelayOnConnect {
            setNoDelayOnConnect = noDelay
            _ = tcp.setNoDelay(noDelay)
        }
        return self
    }
}
