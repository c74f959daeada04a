import DequeModule

// The async API of a socket: connect, write, end and its data as an AsyncSequence. Every method runs on
// the socket's loop (in a task that prefers the loop, or an actor on it) and mixes freely with the
// callback API on the same socket.

/// Connects as `options` say (Node's `net.createConnection(options)`) and returns the socket once it is
/// connected ('connect'); throws the socket's 'error' (`connect ECONNREFUSED 127.0.0.1:8124`,
/// `getaddrinfo ENOTFOUND …`) with Node's code and message, or an argument error as
/// ``createConnection(_:_:)`` throws it.
///
/// Cancelling the awaiting task destroys the socket with Node's AbortError (`ABORT_ERR`), as aborting
/// `options.signal` would.
public func connectAsync(_ options: ConnectOptions, isolation: isolated (any Actor)? = #isolation) async throws(NetError) -> Socket {
    let socket = try createConnection(options)
    try await socket.connected(isolation: isolation)
    return socket
}

/// Connects to `port` on `host` and returns the socket once connected (see ``connectAsync(_:isolation:)``).
public func connectAsync(port: Int, host: String = "localhost", isolation: isolated (any Actor)? = #isolation) async throws(NetError) -> Socket {
    try await connectAsync(ConnectOptions(port: port, host: host), isolation: isolation)
}

/// Connects to the Unix domain socket at `path` and returns the socket once connected.
public func connectAsync(path: String, isolation: isolated (any Actor)? = #isolation) async throws(NetError) -> Socket {
    var options = ConnectOptions()
    options.path = path
    return try await connectAsync(options, isolation: isolation)
}

extension Socket {
    /// Waits for 'connect' of a socket that is connecting; returns at once when it is connected already.
    /// Throws the socket's 'error', or `ERR_STREAM_PREMATURE_CLOSE` if it closes first. Cancelling the
    /// awaiting task destroys the socket with Node's AbortError.
    public func connected(isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        requireLoop(loop)
        if !connecting {
            if let errored { throw errored }
            if destroyed { throw .prematureClose }
            if handle != nil { return }
        }
        try await awaitOnLoop(loop, isolation: isolation, { (waiter: LoopWaiter<Void>) in
            let onConnect = once(.connect) { waiter.succeed(()) }
            let onError = once(.error) { error in waiter.fail(error) }
            let onClose = once(.close) { _ in waiter.fail(.prematureClose) }
            waiter.cleanup = { [unowned self] in
                off(.connect, onConnect)
                off(.error, onError)
                off(.close, onClose)
            }
        }, cancel: { [unowned self] _ in destroy(.abortError) })
    }

    /// Writes `chunk` (Node's `socket.write`) and returns when `write()` returned true (the bytes went to
    /// the kernel or are queued below the high-water mark); when it returned false, after 'drain'.
    ///
    /// Runs on the caller's executor (`nonisolated(nonsending)`): a write that returns at once does not
    /// suspend or switch executors, on the loop's thread in a task that prefers the loop or in an actor on it.
    ///
    /// Throws `ERR_STREAM_DESTROYED` or `ERR_STREAM_WRITE_AFTER_END` without writing (and without the
    /// 'error' event a callback-style write emits) when the socket is destroyed or ended, and the socket's
    /// 'error' if it fails while the write waits. Cancelling the task while it waits for 'drain' destroys
    /// the socket with Node's AbortError.
    nonisolated(nonsending) public func writeAsync(_ chunk: Buffer) async throws(NetError) {
        requireLoop(loop)
        try checkWritableForAsync()
        if write(chunk) { return }
        try await drained()
    }

    /// Writes `string` in `encoding` (see ``writeAsync(_:)-(Buffer)``).
    nonisolated(nonsending) public func writeAsync(_ string: String, encoding: Encoding = .utf8) async throws(NetError) {
        requireLoop(loop)
        try checkWritableForAsync()
        if write(string, encoding: encoding) { return }
        try await drained()
    }

    /// Writes a received chunk (see ``writeAsync(_:)-(Buffer)``): an echo loop's
    /// `try await socket.writeAsync(chunk)`.
    nonisolated(nonsending) public func writeAsync(_ chunk: Chunk) async throws(NetError) {
        requireLoop(loop)
        try checkWritableForAsync()
        if write(chunk) { return }
        try await drained()
    }

    private func checkWritableForAsync() throws(NetError) {
        if destroyed { throw .streamDestroyed("write") }
        if writableEnded { throw .streamWriteAfterEnd }
    }

    /// Waits for 'drain' after a write that returned false.
    nonisolated(nonsending) private func drained() async throws(NetError) {
        try await awaitOnLoop(loop, isolation: #isolation, { (waiter: LoopWaiter<Void>) in
            let onDrain = once(.drain) { waiter.succeed(()) }
            let onError = once(.error) { error in waiter.fail(error) }
            let onClose = once(.close) { [unowned self] _ in waiter.fail(errored ?? .streamDestroyed("write")) }
            waiter.cleanup = { [unowned self] in
                off(.drain, onDrain)
                off(.error, onError)
                off(.close, onClose)
            }
        }, cancel: { [unowned self] _ in destroy(.abortError) })
    }

    /// Ends the writable side (Node's `socket.end([chunk])`) and returns when it has finished ('finish':
    /// the FIN was handed to the kernel after every byte). Throws what the end callback gets (the socket's
    /// error), or `ERR_STREAM_DESTROYED` when the socket closes first. Cancelling the awaiting task destroys
    /// the socket with Node's AbortError.
    public func endAsync(_ chunk: Buffer? = nil, isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        requireLoop(loop)
        if writableFinished { return }
        try await awaitOnLoop(loop, isolation: isolation, { (waiter: LoopWaiter<Void>) in
            let onError = once(.error) { error in waiter.fail(error) }
            let onClose = once(.close) { [unowned self] _ in
                if writableFinished { waiter.succeed(()) } else { waiter.fail(errored ?? .streamDestroyed("end")) }
            }
            waiter.cleanup = { [unowned self] in
                off(.error, onError)
                off(.close, onClose)
            }
            end(chunk) { error in
                if let error { waiter.fail(error) } else { waiter.succeed(()) }
            }
        }, cancel: { [unowned self] _ in destroy(.abortError) })
    }

    /// Ends the writable side with `string` (see ``endAsync(_:isolation:)``).
    public func endAsync(_ string: String, encoding: Encoding = .utf8, isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        try await endAsync(Buffer(string, encoding: encoding), isolation: isolation)
    }
}

// MARK: Incoming data as an AsyncSequence

extension Socket: AsyncSequence {
    /// A chunk of received bytes (a 'data' event's payload).
    public typealias Element = Chunk
    /// The socket's error.
    public typealias Failure = NetError

    /// The socket's incoming data, chunk by chunk: `for try await chunk in socket`. The loop ends at 'end',
    /// throws the socket's 'error' (or `ERR_STREAM_PREMATURE_CLOSE` when it closes without either), and
    /// applies backpressure: when more than `readableHighWaterMark` bytes wait for the consumer, the socket
    /// is paused (reading from the kernel stops once its own buffer is full), and it resumes when the
    /// consumer has taken them all. Leaving the loop early (`break`, a thrown error) destroys the socket,
    /// as Node's `for await` does. Made on the loop's thread; its 'data' listener puts the socket in
    /// flowing mode, and it resumes a paused socket, as Node's `for await` reads a paused stream.
    public func makeAsyncIterator() -> ChunkIterator {
        requireLoop(loop)
        return ChunkIterator(ChunkReader(self))
    }
}

/// The iterator of a ``Socket``'s chunks (see ``Socket/makeAsyncIterator()``).
public struct ChunkIterator: AsyncIteratorProtocol {
    let reader: ChunkReader
    /// Destroys the socket when the iterator goes away before the end (see `ReaderLifetime`).
    private let lifetime: ReaderLifetime

    init(_ reader: ChunkReader) {
        self.reader = reader
        lifetime = ReaderLifetime(reader)
    }

    /// The next chunk, nil at 'end'; throws the socket's error. Cancelling the awaiting task destroys the
    /// socket with Node's AbortError.
    public mutating func next(isolation actor: isolated (any Actor)?) async throws(NetError) -> Chunk? {
        try await reader.next(isolation: actor)
    }

    /// The next chunk (see ``next(isolation:)``).
    public mutating func next() async throws(NetError) -> Chunk? {
        try await reader.next(isolation: nil)
    }
}

/// Destroys the socket when the last copy of its iterator goes away before the stream ended, as Node's
/// `for await` destroys the stream on `break`.
final class ReaderLifetime {
    let reader: ChunkReader
    init(_ reader: ChunkReader) { self.reader = reader }
    deinit {
        let bound = LoopBound(Carry(value: reader), loop: reader.loop)
        if reader.loop.inEventLoop {
            reader.abandon()
        } else {
            reader.loop.execute { bound.value.value.abandon() }
        }
    }
}

/// The consumer side of a socket's chunk sequence: the chunks the socket emitted and the consumer has not
/// taken yet, the waiting `next()`, and the pause that keeps the two within the high-water mark.
///
/// The hot path of an async read loop: a `next()` that waits stores its continuation here and nothing
/// else is allocated (no waiter object, no closure), and a chunk that arrives while it waits goes
/// straight to it.
final class ChunkReader {
    unowned(unsafe) let loop: EventLoop
    /// Strong until the sequence finishes: the listeners hold the reader, the reader the socket.
    private var socket: Socket?
    private var buffer = Deque<Chunk>()
    private var bufferedBytes = 0
    private var pausedByReader = false
    private var finished = false
    private var failure: NetError?
    private var continuation: UnsafeContinuation<Carry<Chunk?>, any Error>?
    private var tokens: (data: ListenerToken, end: ListenerToken, error: ListenerToken, close: ListenerToken)?
    /// The reader keeps itself alive while its listeners may fire (they capture it unowned).
    private var keepAlive: ChunkReader?

    init(_ socket: Socket) {
        loop = socket.loop
        self.socket = socket
        let data = socket.on(.data) { [unowned(unsafe) self] chunk in received(chunk) }
        let end = socket.once(.end) { [unowned(unsafe) self] in finish(nil) }
        let error = socket.once(.error) { [unowned(unsafe) self] error in finish(error) }
        let close = socket.once(.close) { [unowned(unsafe) self] _ in finish(.prematureClose) }
        tokens = (data, end, error, close)
        // Iterating consumes the socket whatever its mode, as Node's `for await` reads a paused stream
        // (a connection paused by `pauseOnConnect` or while it waited in a server's connection sequence).
        if socket.readableFlowing == false { socket.resume() }
        keepAlive = self
    }

    private func received(_ chunk: Chunk) {
        if let continuation {
            self.continuation = nil
            continuation.resume(returning: Carry(value: chunk))
            return
        }
        buffer.append(chunk)
        bufferedBytes += chunk.count
        if let socket, !pausedByReader, bufferedBytes > socket.readableHighWaterMark {
            pausedByReader = true
            socket.pause()
        }
    }

    private func finish(_ error: NetError?) {
        guard !finished else { return }
        finished = true
        // 'close' after 'end' is no premature close; an error wins over the close that follows it.
        failure = error
        if let socket, let tokens {
            socket.off(.data, tokens.data)
            socket.off(.end, tokens.end)
            socket.off(.error, tokens.error)
            socket.off(.close, tokens.close)
        }
        tokens = nil
        // Buffered chunks stay for the consumer; then the end, or the error.
        if let continuation {
            self.continuation = nil
            if let error {
                failure = nil
                continuation.resume(throwing: error)
            } else {
                continuation.resume(returning: Carry(value: nil))
            }
        }
        keepAlive = nil
    }

    /// The next chunk: a buffered one at once (no suspension, no cancellation handler), else the wait.
    /// Inlined into the iterator's `next(isolation:)`: as a function of its own with its own `isolated`
    /// parameter it would switch executors once more per chunk (see `EventLoop+Executor.swift` on what a
    /// switch costs a task that prefers the loop).
    @inline(__always) func next(isolation: isolated (any Actor)?) async throws(NetError) -> Chunk? {
        requireLoop(loop)
        if let chunk = buffer.popFirst() {
            bufferedBytes -= chunk.count
            if pausedByReader, buffer.isEmpty, !finished {
                pausedByReader = false
                socket?.resume()
            }
            return chunk
        }
        if finished {
            socket = nil
            if let failure {
                self.failure = nil
                throw failure
            }
            return nil
        }
        let bound = LoopBound(self, loop: loop)
        do {
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation(isolation: isolation) { (continuation: UnsafeContinuation<Carry<Chunk?>, any Error>) in
                    // The operation must run where the caller does (it captures `isolation`, so it is
                    // isolated to it): a nonisolated closure would run on the generic executor, which for
                    // an actor's task with no executor preference is the cooperative pool.
                    assert(loop.inEventLoop, "a chunk's wait began off the loop's thread")
                    self.continuation = continuation
                }
            } onCancel: {
                bound.loop.execute { bound.value.cancelWaiting() }
            }.value
        } catch let error as NetError {
            throw error
        } catch {
            throw .abortError
        }
    }

    /// The waiting task was cancelled: the socket is destroyed with Node's AbortError, whose 'error'
    /// ends the wait (see `finish`).
    private func cancelWaiting() {
        guard continuation != nil else { return }
        if let socket, !finished {
            socket.destroy(.abortError)
        } else {
            finish(.abortError)
        }
    }

    /// The iterator went away: before the end, the socket is destroyed (Node's `for await` on `break`).
    func abandon() {
        if !finished, let socket {
            finish(nil)
            socket.destroy()
        }
        socket = nil
        buffer.removeAll()
    }
}
