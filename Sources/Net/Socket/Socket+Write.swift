import CLibUV

// Writing: one uv_try_write/uv_write per write by default, the opt-in gathering of small writes,
// _final (split from Socket.swift).
extension Socket {
    // MARK: Writing

    /// A socket writes a batch of buffered chunks with one `writev` (Node's `Socket.prototype._writev`).
    public var hasWritev: Bool { true }

    /// A socket's chunks become one byte stream in the kernel, so small buffered writes (corked, or made
    /// while a write is in flight) share a chunk: at `uncork` the kernel gets one `writev` of a few large
    /// pieces instead of one iovec per write, and no queue entry or reference per write is made.
    public var _coalescesBufferedWrites: Bool { true }

    public func _write(_ chunk: Buffer, _ callback: @escaping (NetError?) -> Void) {
        if let completed = send(chunk, callbackless: false, orLater: callback) { callback(completed) }
    }

    @inline(__always)
    public func _write(_ chunk: Buffer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError?? {
        // The stream machinery marks a write made without a callback before it calls this.
        send(chunk, callbackless: wstate.writecbIsNop, orLater: later())
    }

    @inline(__always)
    private func send(_ chunk: Buffer, callbackless: Bool, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError?? {
        chunk.withUnsafeBytes { bytes in
            send(bytes, callbackless: callbackless, orLater: later()) { written in .chunks([chunk], skipping: written) }
        }
    }

    /// Writes `string` in `encoding` as `write(Buffer(string, encoding:))` would. When those bytes are its
    /// UTF-8 (`.utf8`, and `.ascii` or `.latin1` of an all-ASCII string: `Codec.isUTF8`), they go straight
    /// from the string's storage: a `Buffer` is made only of what cannot go to the kernel at once (a write
    /// buffered behind another or a cork, one before 'connect', the part a full kernel buffer refused), so
    /// a string the kernel takes whole is never copied.
    @discardableResult
    func writeString(_ string: String, _ encoding: Encoding, _ given: ((NetError?) -> Void)?) -> Bool {
        guard Codec.isUTF8(string, in: encoding) else { return writeChunk(Buffer(string, encoding: encoding), given) }
        // A small string behind the cork, or behind a write in flight, goes into the tail of what is buffered.
        if given == nil, let taken = WritableState(self).writeIntoTail(utf8: string) { return taken }
        guard admitWrite(given) else { return false }
        var string = string
        if string.utf8.count >= Self.lendableStringSize {
            // What the kernel refuses of a large string is queued from the string's own storage, kept
            // alive by the request, not copied (a 4 GiB string would otherwise need 4 GiB more).
            string.makeContiguousUTF8()
            let lent = LentString(string)
            extrasStorage.lentString = lent
            defer { extras?.lentString = nil }
            var shared = lent.string   // the same native storage: `withUTF8` does not copy it
            return shared.withUTF8 { writeOrBuffer(.borrowed(UnsafeRawBufferPointer($0)), given) }
        }
        return string.withUTF8 { writeOrBuffer(.borrowed(UnsafeRawBufferPointer($0)), given) }
    }

    /// Strings of at least this many UTF-8 bytes are lent to a queued write rather than copied.
    static let lendableStringSize = 65_536

    /// `_write(_:orLater:)` of bytes borrowed for the call (see `writeString`): only what the kernel does
    /// not take at once is copied (or, for a large string, kept alive with it).
    public func _writeBorrowed(_ bytes: UnsafeRawBufferPointer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError?? {
        send(bytes, callbackless: wstate.writecbIsNop, orLater: later()) { written in
            if let lent = extras?.lentString { return .lent(UnsafeRawBufferPointer(rebasing: bytes[written...]), owner: lent) }
            return .chunks([Buffer(bytes[written...])], skipping: 0)
        }
    }

    /// What a write the kernel did not take whole leaves to queue.
    enum Remainder {
        /// Chunks, of which the first `skipping` bytes were written.
        case chunks([Buffer], skipping: Int)
        /// The unwritten bytes of a string's storage, kept alive by `owner` (see `writeString`).
        case lent(UnsafeRawBufferPointer, owner: AnyObject)

        /// All of it as chunks, copying lent bytes (for a write that waits for 'connect').
        var chunks: [Buffer] {
            switch self {
            case .chunks(let chunks, _): return chunks
            case .lent(let bytes, _): return [Buffer(bytes)]
            }
        }
    }

    /// A write of `bytes`. The common case, without arrays or closures: connected, and the kernel takes
    /// it all at once. Otherwise `rest(written)` gives the chunks (and the bytes of them already written)
    /// to queue behind: `bytes` are only borrowed for this call.
    @inline(__always)
    private func send(
        _ bytes: UnsafeRawBufferPointer,
        callbackless: Bool,
        orLater later: @autoclosure () -> (NetError?) -> Void,
        rest: (_ written: Int) -> Remainder
    ) -> NetError?? {
        guard !isConnecting, let handle, !handle.isClosing else {
            writeGeneric(rest(0).chunks, later())
            return nil
        }
        let count = bytes.count
        bytesDispatched += count
        refreshTimeout()
        // Only a socket that opted in (`gatherWrites`) ever gathers: by default each write reaches the
        // kernel here, as in Node.
        if rareFlags[RareFlag.gatherWrites | RareFlag.gathering] {
            if count <= GatheredWrites.gatherableSize, callbackless {
                if isGathering || shouldGather(on: handle) { return gather(bytes, on: handle) }
            } else if isGathering, let error = flushGathered(on: handle) {
                return .some(error)
            }
        }
        handle.withLoop { $0.runDeferred(before: self) }
        let written = handle.tryWrite(bytes)
        if written == count { return .some(nil) }
        if written < 0 { return .some(.errno(Int32(clamping: written), syscall: "write")) }
        switch rest(written) {
        case .chunks(let chunks, let skipping):
            finishWrite(written: skipping, on: handle, later()) { handle.queueWrite(chunks, skipping: skipping, completion: $0) }
        case .lent(let bytes, let owner):
            finishWrite(written: 0, on: handle, later()) { handle.queueWrite(bytes, keeping: owner, completion: $0) }
        }
        return nil
    }

    public func _writev(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void) {
        writeGeneric(chunks, callback)
    }

    private func writeGeneric(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void) {
        if isConnecting {
            // Node keeps the data until 'connect', and fails the write if the socket closes first.
            let count = chunks.reduce(0) { $0 + $1.count }
            pendingWrites += count
            var closeToken: ListenerToken?
            let connectToken = once(.connect) { [self] in
                if let closeToken { off(.close, closeToken) }
                pendingWrites -= count
                writeGeneric(chunks, callback)
            }
            closeToken = once(.close) { [self] _ in
                off(.connect, connectToken)
                pendingWrites -= count
                callback(.socketClosedBeforeConnection)
            }
            return
        }
        guard let handle, !handle.isClosing else {
            callback(.socketClosed)
            return
        }
        if isGathering, let error = flushGathered(on: handle) { return callback(error) }
        handle.withLoop { $0.runDeferred(before: self) }
        let count = chunks.reduce(0) { $0 + $1.count }
        bytesDispatched += count
        refreshTimeout()
        let written = handle.tryWrite(chunks)
        if written == count { return callback(nil) }
        finishWrite(written: written, on: handle, callback) { handle.queueWrite(chunks, skipping: written, completion: $0) }
    }

    /// After a `uv_try_write` that took `written` bytes (or failed): queue the rest without copying it
    /// (`queue` hands it to the handle with the completion given), or report the failure, as Node's
    /// `writeGeneric` does with libuv's answer.
    private func finishWrite(written: Int, on handle: StreamHandle, _ callback: @escaping (NetError?) -> Void,
                             queue: (_ completion: @escaping (Int32) -> Void) -> Int32) {
        if written < 0 { return callback(.errno(Int32(clamping: written), syscall: "write")) }
        let status = queue { [self] status in
            // The socket was destroyed and connected again meanwhile: its stream state was reset (the
            // write is no longer pending there) and a completion now would be taken for a later write's.
            if let current = self.handle, current !== handle { return }
            // Node's onWriteComplete: the write of a destroyed socket completes without an error (its
            // ECANCELED is the destroy's own doing), and the timer and the queue size stay as they are.
            if destroyed { return callback(nil) }
            lastWriteQueueSize = 0
            refreshTimeout()
            callback(status < 0 ? .errno(status, syscall: "write") : nil)
        }
        if status < 0 {
            callback(.errno(status, syscall: "write"))
        } else {
            lastWriteQueueSize = handle.writeQueueSize
        }
    }

    // MARK: Gathering small writes

    /// Write gathering, an opt-in that is not Node's (default false: every `write` reaches the kernel
    /// when Node's would, one `uv_try_write`/`uv_write` per write or per `uncork()` batch).
    ///
    /// On, a socket's fifth and later small writes without a callback in one callback into Swift (up to
    /// 4 KiB each, in a row with no other socket writing between) complete at once, as a write the kernel
    /// takes does, and their bytes are kept and handed to the kernel together: when the callback and its
    /// ticks are done, at 16 KiB, before this socket's next write that is not kept, `end()`, connect or
    /// destroy, before another socket's write, shutdown, close or connect, before an unhandled 'error' is
    /// reported, and at `exit()`. What the kernel then refuses counts in `writableLength` until written.
    /// A socket around a descriptor (`Options.fd`) never gathers. Return values, `writableLength`,
    /// callbacks, 'drain' and the bytes' order stay Node's. The differences from Node, all from the later
    /// moment the kept bytes reach the kernel:
    /// - a callback that writes ten small chunks and then blocks (a synchronous call) delays chunks 4–9 by
    ///   as long; in Node the peer has all ten at once;
    /// - a failure those bytes meet (a peer that reset) comes later as one 'error': the writes themselves
    ///   return true and `destroyed` stays false during the callback, where in Node the failing write
    ///   errors the socket at once, later writes return false and, from the next tick, fail with
    ///   `ERR_STREAM_DESTROYED`;
    /// - a process that dies in that callback without `exit()` (a crash, `abort()`, `_exit()`, a signal)
    ///   loses the kept bytes, which Node's kernel already had.
    ///
    /// Turning it off hands anything kept to the kernel at once. Set it per socket, through
    /// ``Options/gatherWrites``, ``ConnectOptions/gatherWrites`` or, for accepted sockets,
    /// ``Server/Options/gatherWrites``.
    public var gatherWrites: Bool {
        get { rareFlags[RareFlag.gatherWrites] }
        set {
            rareFlags[RareFlag.gatherWrites] = newValue
            if !newValue, isGathering, let handle, let error = flushGathered(on: handle) { destroy(error) }
        }
    }

    /// Whether writes are gathered, waiting for the end of the callback (or for `GatheredWrites.flushSize`).
    var isGathering: Bool { rareFlags[RareFlag.gathering] }

    /// Whether this small callback-less write should be gathered: gathering asked for, more than
    /// `GatheredWrites.writesAtOnce` of them in a row in this callback, nothing queued in libuv, and a
    /// descriptor of the socket's own.
    @inline(never) private func shouldGather(on handle: StreamHandle) -> Bool {
        rareFlags[RareFlag.gatherWrites]
            && handle.withLoop { $0.countRun(by: ObjectIdentifier(self)) } > GatheredWrites.writesAtOnce
            && handle.writeQueueSize == 0 && !rareFlags[RareFlag.sharesDescriptor]
    }

    /// Takes a small callback-less write as the kernel takes one, at once (it completes synchronously,
    /// as after a `uv_try_write` that took it all), and keeps its bytes to hand them to the kernel with
    /// the writes that follow: at the end of the callback (the loop's `settle`), once they reach
    /// `GatheredWrites.flushSize`, before this socket's next write, `end()`, connect or destroy that must
    /// come after them, before another socket's write, shutdown, close or connect (one socket gathers at
    /// a time), before an uncaught error is reported, and at `exit()`.
    ///
    /// Node's contract holds: `write` returns what it would, `writableLength` is back to 0, callbacks,
    /// 'drain' and the bytes' order (across sockets too) are the same. What moves is the moment the bytes
    /// reach the kernel, to one of the points above. A write with a callback is never gathered, so a
    /// failure reaches the callback of the write it belongs to, as in Node; gathered bytes that fail make
    /// an 'error', as a callback-less write's failure does in Node.
    @inline(never) private func gather(_ bytes: UnsafeRawBufferPointer, on handle: StreamHandle) -> NetError?? {
        let extras = extrasStorage
        handle.withLoop { loop in
            if !isGathering {
                rareFlags[RareFlag.gathering] = true
                loop.deferToCallbackEnd(self)
            }
            extras.gathered.append(bytes, reusing: &loop.spareBytes)
        }
        if extras.gathered.isFull { return .some(flushGathered(on: handle)) }
        return .some(nil)
    }

    /// The loop's call (at the end of the callback, or before another socket's write): flush, and fail
    /// the socket if the kernel refuses (at exit, with no callback to come, only try).
    func runAtCallbackEnd(atExit: Bool) {
        guard isGathering else { return }
        // Every path that drops or closes the handle (destroy, connect, the loop's shutdown) flushes first;
        // gathered bytes without a handle would be lost, so this holds in release builds too.
        guard let handle, !handle.isClosing else {
            preconditionFailure("Socket: \(extras?.gathered.bytes.count ?? 0) gathered bytes and no open handle to write them to")
        }
        if let error = flushGathered(on: handle, atExit: atExit), !atExit { destroy(error) }
    }

    /// Hands the gathered bytes to the kernel. What it does not take at once is queued: it counts in
    /// `writableLength` until written, as a write the kernel took in part does in Node, and later writes
    /// queue behind it. Returns the failure of the attempt, which is the caller's to report.
    @inline(never) func flushGathered(on handle: StreamHandle, atExit: Bool = false) -> NetError? {
        rareFlags[RareFlag.gathering] = false
        handle.withLoop { $0.cancelDeferred(self) }
        guard let extras else { return nil }
        var left = 0
        let outcome = handle.withLoop { loop in
            extras.gathered.flush(to: handle, atExit: atExit, reusing: &loop.spareBytes) { [self] status in
                // As `finishWrite`'s completion. A destroyed socket's count no longer matters, and one
                // connected again has a new one.
                if let current = self.handle, current !== handle { return }
                // Node's onWriteComplete: a destroyed socket's write completes without an error, and the
                // machinery's afterWrite then fails what waits (errorBuffer); a failure goes through onwrite.
                if destroyed { releaseLength(left); return }
                lastWriteQueueSize = 0
                refreshTimeout()
                if status < 0 { failHeldLength(left, .errno(status, syscall: "write")); return }
                releaseLength(left)
            }
        }
        switch outcome {
        case .written:
            return nil
        case .failed(let status):
            return .errno(status, syscall: "write")
        case .queued(let count):
            // What the kernel refused counts in `writableLength` until written, as a write the kernel took
            // in part does in Node.
            left = count
            holdLength(count)
            lastWriteQueueSize = handle.writeQueueSize
            return nil
        }
    }

    /// Before `end()` decides whether `_final` may run, gathered bytes go to the kernel: what it refuses
    /// must count in `length` first, so that `_final` (the shutdown) waits for it, as it waits for a write
    /// in flight in Node.
    public func _beforeEnd() {
        guard isGathering, let handle else { return }
        if let error = flushGathered(on: handle) { destroy(error) }
    }

    public func _interceptWrite(_ callback: ((NetError?) -> Void)?) -> Bool {
        // Node's writeAfterFIN: once the peer ended and we auto-ended, writes fail with EPIPE.
        guard writeAfterFIN, writableEnded else { return false }
        let error = NetError("This socket has been ended by the other party", code: "EPIPE")
        if let callback { loop.nextTick { callback(error) } }
        destroy(error)
        return true
    }

    public func _final(_ callback: @escaping (NetError?) -> Void) {
        // Node waits for 'connect' whenever the socket is pending, also when it has no handle and is not
        // connecting: `new Socket().end()` then never finishes (no 'finish', no callback).
        if pending {
            once(.connect) { [self] in _final(callback) }
            return
        }
        guard let handle else { return callback(nil) }
        if isGathering, let error = flushGathered(on: handle) { return callback(error) }
        handle.withLoop { $0.runDeferred(before: self) }
        let status = handle.shutdown { _ in callback(nil) }
        if status == UV_ENOTCONN.rawValue {
            callback(nil)
        } else if status < 0 {
            callback(.errno(status, syscall: "shutdown"))
        }
    }
}
