// The stream methods a socket's user calls on every message, declared on `Socket` itself.
//
// `Readable` and `Writable` implement them once, in protocol extensions. Called from another module, such
// a generic method runs unspecialized: every state access goes through the protocol witness table and
// retains the state, and every helper it reaches is unspecialized too (callgrind on `NetBench pingpong-1`
// showed the `_writableState` getter alone at 7% of all instructions). These forwarding methods are not
// generic, so a call from user code enters the stream machinery here, inside Net, where it is specialized
// for `Socket`. They do exactly what the protocol versions do; a `Socket` seen as `any Writable` still gets
// those, with the same behaviour.

extension Socket {
    /// Writes `chunk`; returns false once `writableLength` reaches `writableHighWaterMark` (then wait for
    /// 'drain'). `callback` runs when this chunk is flushed, or with the error that prevented it.
    @discardableResult
    public func write(_ chunk: Buffer, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        checkThread()
        // A small write behind the cork, or behind a write in flight, goes into the tail of what is buffered.
        if callback == nil, let taken = WritableState(self).writeIntoTail(chunk) {
            return taken
        }
        return writeChunk(chunk, callback)
    }

    /// Writes `string` encoded with `encoding` (bytes are counted, not characters).
    @discardableResult
    public func write(_ string: String, encoding: Encoding = .utf8, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        checkThread()
        return writeString(string, encoding, callback)
    }

    /// Writes a chunk as it came from a readable (so `on(.data) { s.write($0) }` echoes).
    @discardableResult
    public func write(_ chunk: Chunk, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        checkThread()
        // Switched on once: each `chunk.buffer` is a copy, a retain.
        let buffer = chunk.buffer
        if callback == nil, let taken = WritableState(self).writeIntoTail(buffer) { return taken }
        return writeChunk(buffer, callback)
    }

    /// Destroys the socket: no more reads or writes, the handle closes; then 'error' (when `error` is
    /// given) and 'close'. Calling it again does nothing.
    @discardableResult
    public func destroy(_ error: NetError? = nil) -> Self {
        checkThread()
        destroyStream(error, nil)
        return self
    }

    /// Buffers writes until ``uncork()``, so they reach the kernel together in one `writev`.
    public func cork() {
        checkThread()
        corkStream()
    }

    /// Undoes one ``cork()``; the last one flushes what was buffered.
    public func uncork() {
        checkThread()
        uncorkStream()
    }

    /// Ends the writable side after `chunk` (if any): a `shutdown` once everything is flushed, then
    /// 'finish'. `callback` runs on 'finish' or with the error that prevented it.
    @discardableResult
    public func end(_ chunk: Buffer? = nil, _ callback: ((NetError?) -> Void)? = nil) -> Socket {
        checkThread()
        endWritable(chunk, callback)
        return self
    }

    /// Ends after writing `string` in `encoding`.
    @discardableResult
    public func end(_ string: String, encoding: Encoding = .utf8, _ callback: ((NetError?) -> Void)? = nil) -> Socket {
        checkThread()
        // As `endWritable` does with a chunk: the write, then the end.
        writeString(string, encoding, nil)
        endWritable(nil, callback)
        return self
    }

    /// Sends everything this socket reads into `destination`, with backpressure (Node's `readable.pipe`);
    /// see ``Readable/pipe(_:end:)``.
    @discardableResult
    public func pipe(_ destination: Socket, end: Bool = true) -> Socket {
        checkThread()
        return pipeStream(destination, end: end)
    }
}
