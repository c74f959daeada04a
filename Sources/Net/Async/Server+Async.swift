import DequeModule

// The async API of a server: listen, close and its connections as an AsyncSequence.

extension Server {
    /// Listens as `options` say and returns at 'listening'; throws the server's 'error' (`listen
    /// EADDRINUSE: address already in use :::8124`) with Node's code and message, or an argument error as
    /// ``listen(_:_:)`` throws it. Cancelling the awaiting task closes the server and throws Node's
    /// AbortError, as aborting `options.signal` would.
    public func listenAsync(_ options: ListenOptions, isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        requireLoop(loop)
        try listen(options)
        try await awaitListening(isolation: isolation)
    }

    /// Listens on `port` (0: any free port) of `host` (default: every address) and returns at 'listening'
    /// (see ``listenAsync(_:isolation:)``).
    public func listenAsync(port: Int = 0, host: String? = nil, backlog: Int = 511, isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        try await listenAsync(ListenOptions(port: port, host: host, backlog: backlog), isolation: isolation)
    }

    /// Listens on the Unix domain socket at `path` and returns at 'listening'.
    public func listenAsync(path: String, backlog: Int = 511, isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        try await listenAsync(ListenOptions(path: path, backlog: backlog), isolation: isolation)
    }

    private func awaitListening(isolation: isolated (any Actor)?) async throws(NetError) {
        try await awaitOnLoop(loop, isolation: isolation, { (waiter: LoopWaiter<Void>) in
            let onListening = once(.listening) { waiter.succeed(()) }
            let onError = once(.error) { error in waiter.fail(error) }
            let onClose = once(.close) { waiter.fail(.abortError) }
            waiter.cleanup = { [unowned self] in
                off(.listening, onListening)
                off(.error, onError)
                off(.close, onClose)
            }
        }, cancel: { [unowned self] waiter in
            close()
            waiter.fail(.abortError)
        })
    }

    /// Stops accepting connections (Node's `server.close()`) and returns when its callback would run: at
    /// 'close', once every accepted connection has closed too. Throws ERR_SERVER_NOT_RUNNING when the
    /// server was not listening. Cancelling the awaiting task stops the wait (with Node's AbortError);
    /// the server still closes.
    public func closeAsync(isolation: isolated (any Actor)? = #isolation) async throws(NetError) {
        requireLoop(loop)
        try await awaitOnLoop(loop, isolation: isolation, { (waiter: LoopWaiter<Void>) in
            close { error in
                if let error { waiter.fail(error) } else { waiter.succeed(()) }
            }
        }, cancel: { waiter in waiter.fail(.abortError) })
    }

    /// The server's connections as an AsyncSequence, from now on: `for try await socket in
    /// server.incomingConnections()`. It ends when the server closes and throws the server's 'error'.
    ///
    /// Backpressure: a connection waiting for the consumer is paused (Node's `pauseOnConnect`), so at most
    /// its `readableHighWaterMark` of bytes is read into memory and the rest waits in the kernel; iterating
    /// over the socket (or a 'data' listener, or `resume()`) starts its data flowing. Connections are
    /// buffered without a bound, as a 'connection' listener would receive every one; set
    /// ``maxConnections`` to refuse connections beyond a count, as Node does. Made on the loop's thread,
    /// for one consumer; cancelling the consumer while it waits throws Node's AbortError and ends the
    /// sequence (the server keeps listening).
    public func incomingConnections() -> IncomingConnections {
        requireLoop(loop)
        return IncomingConnections(ConnectionQueue(self))
    }

    /// A server's connections (see ``Server/incomingConnections()``).
    public struct IncomingConnections: AsyncSequence {
        /// An accepted connection.
        public typealias Element = Socket
        /// The server's error.
        public typealias Failure = NetError
        let queue: ConnectionQueue

        init(_ queue: ConnectionQueue) { self.queue = queue }

        /// The iterator; the sequence has one consumer.
        public func makeAsyncIterator() -> Iterator { Iterator(queue: queue) }

        /// The iterator of ``Server/IncomingConnections``.
        public struct Iterator: AsyncIteratorProtocol {
            let queue: ConnectionQueue

            /// The next connection, nil once the server has closed; throws the server's error.
            public mutating func next(isolation actor: isolated (any Actor)?) async throws(NetError) -> Socket? {
                try await queue.next(isolation: actor)
            }

            /// The next connection (see ``next(isolation:)``).
            public mutating func next() async throws(NetError) -> Socket? {
                try await queue.next(isolation: nil)
            }
        }
    }
}

/// The connections a server accepted that the consumer has not taken yet, each paused.
final class ConnectionQueue {
    unowned let loop: EventLoop
    private var server: Server?
    private var buffer = Deque<Socket>()
    private var finished = false
    private var failure: NetError?
    private var waiter: LoopWaiter<Socket?>?
    private var tokens: (connection: ListenerToken, error: ListenerToken, close: ListenerToken)?
    /// Alive while the server's listeners (which hold it unowned) may fire.
    private var keepAlive: ConnectionQueue?

    init(_ server: Server) {
        loop = server.loop
        self.server = server
        let connection = server.on(.connection) { [unowned self] socket in accepted(socket) }
        let error = server.once(.error) { [unowned self] error in finish(error) }
        let close = server.once(.close) { [unowned self] in finish(nil) }
        tokens = (connection, error, close)
        keepAlive = self
    }

    private func accepted(_ socket: Socket) {
        if let waiter, waiter.isPending {
            self.waiter = nil
            waiter.succeed(socket)
            return
        }
        socket.pause()
        buffer.append(socket)
    }

    func finish(_ error: NetError?) {
        guard !finished else { return }
        finished = true
        failure = error
        if let server, let tokens {
            server.off(.connection, tokens.connection)
            server.off(.error, tokens.error)
            server.off(.close, tokens.close)
        }
        tokens = nil
        server = nil
        if let waiter, waiter.isPending {
            self.waiter = nil
            if let error { waiter.fail(error) } else { waiter.succeed(nil) }
        }
        keepAlive = nil
    }

    func next(isolation: isolated (any Actor)?) async throws(NetError) -> Socket? {
        requireLoop(loop)
        if let socket = buffer.popFirst() {
            // Paused while it waited; a 'data' listener or the chunk sequence will start it.
            return socket
        }
        if finished {
            if let failure {
                self.failure = nil
                throw failure
            }
            return nil
        }
        return try await awaitOnLoop(loop, isolation: isolation, { (waiter: LoopWaiter<Socket?>) in
            self.waiter = waiter
        }, cancel: { [unowned self] waiter in
            self.waiter = nil
            finish(nil)
            waiter.fail(.abortError)
        })
    }
}

extension Server {
    /// Runs `handler` for each connection, each in a child task on the server's loop, until the server
    /// closes; returns when it has closed and every handler has returned. A handler that throws destroys
    /// its socket (with nothing emitted to the other handlers); the server's 'error' is thrown. The
    /// structured form of ``incomingConnections()``: the sockets never leave the loop. The handler gets
    /// its socket as `sending`, so it may hand it on to an actor whose executor is the loop.
    ///
    /// ```swift
    /// try await server.handleConnections { socket in
    ///     for try await chunk in socket { try await socket.writeAsync(chunk) }
    /// }
    /// ```
    public func handleConnections(
        isolation: isolated (any Actor)? = #isolation,
        _ handler: @escaping @Sendable (sending Socket) async throws -> Void
    ) async throws(NetError) {
        requireLoop(loop)
        let loop = self.loop
        var connections = incomingConnections().makeAsyncIterator()
        do {
            try await withThrowingDiscardingTaskGroup { group in
                while let socket = try await connections.next(isolation: isolation) {
                    let bound = LoopBound(socket, loop: loop)
                    group.addTask(executorPreference: loop) {
                        do {
                            try await handler(bound.value)
                        } catch {
                            let socket = bound.value
                            if !socket.destroyed { socket.destroy() }
                        }
                    }
                }
            }
        } catch let error as NetError {
            throw error
        } catch {
            throw .abortError
        }
    }
}
