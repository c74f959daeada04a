import CLibUV

// Reading: starting the handle and turning what it reads into pushes (split from Socket.swift).
extension Socket {
    // MARK: Reading

    public func _read(_ size: Int) {
        guard !isConnecting, let handle else {
            once(.connect) { [self] in _read(size) }
            return
        }
        if !handle.isReading { tryReadStart() }
    }

    private func tryReadStart() {
        guard let handle else { return }
        readStopped = false
        let status = handle.readStart()
        if status < 0 { destroy(.errno(status, syscall: "read")) }
    }

    func onRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) {
        switch event {
        case .data(let bytes):
            bytesReadTotal += bytes.count
            refreshTimeout()
            guard !destroyed else { return }
            if let onread = onreadState {
                deliverToOnRead(onread, count: bytes.count)
                return
            }
            // The handle's loop, borrowed, not the socket's: the socket holds its loop `unowned`, and each
            // use of that is an unowned-to-strong retain and a release.
            if !push(stream.withLoop { $0.chunk(of: bytes) }) {
                handle?.readStop()
                readStopped = true
            }
        case .eof:
            if !streamState.readableState!.endEmitted {
                push(nil)
                read(0)
            }
        case .error(let status):
            destroy(.errno(status, syscall: "read"))
        }
    }
}

extension Socket {
    /// Node's `maybeReadMore_` for the common case, the handle reading: its one `read(0)` finds nothing to
    /// return and calls `_read`, which has nothing to do while the handle reads, so all it does is set
    /// `reading` and `needReadable`. Done here without the call (100 instructions of every read).
    /// Returns false, having done nothing, in every other case; the caller then runs the general one.
    func maybeReadMoreWhileReading() -> Bool {
        guard !isConnecting, let handle, handle.isReading, let state = streamState.readableState else { return false }
        guard !state.reading, !state.ended, !state.destroyed, state.errored == nil,
              state.length < state.highWaterMark else { return false }
        // What read(0) leaves: reading (set before `_read`), sync back off, needReadable (the buffer is
        // empty or below the mark); then maybeReadMore_ stops, the length unchanged.
        state.reading = true
        state.sync = false
        state.needReadable = true
        state.readingMore = false
        return true
    }
}
