/// Waits for the next `event` of `emitter` and returns its payload: Node's `events.once(emitter, name)`.
///
/// As in Node, an 'error' emitted while waiting (for any other event) is thrown instead, and aborting
/// `signal` throws Node's AbortError (`ABORT_ERR`) and removes the listeners; so does cancelling the
/// awaiting task. Runs on the emitter's loop thread.
///
/// ```swift
/// let server = Net.createServer()
/// try server.listen(port: 0)
/// try await Net.once(server, .listening)
/// ```
public func once<E: EventEmitter, P>(
    _ emitter: E, _ event: EventKey<E, P>, signal: AbortSignal? = nil,
    isolation: isolated (any Actor)? = #isolation
) async throws(NetError) -> P {
    let loop = EventLoop.current
    if let signal, signal.aborted { throw .abortError }
    return try await awaitOnLoop(loop, isolation: isolation, { (waiter: LoopWaiter<P>) in
        let onEvent = emitter.once(event) { payload in waiter.succeed(payload) }
        let errorKey = EventKey<E, NetError>.error
        let onError: ListenerToken? = event.name == errorKey.name
            ? nil : emitter.once(errorKey) { error in waiter.fail(error) }
        let onAbort = signal.map { $0.once(.abort) { waiter.fail(.abortError) } }
        waiter.cleanup = {
            _ = emitter.off(event, onEvent)
            if let onError { _ = emitter.off(errorKey, onError) }
            if let signal, let onAbort { _ = signal.off(.abort, onAbort) }
        }
    }, cancel: { waiter in waiter.fail(.abortError) })
}

// MARK: Scoped lifetimes (Node v20's `server[Symbol.asyncDispose]`)

/// Makes a server, listens on `port` of `host`, runs `body` with it, and closes the server when `body`
/// returns or throws, waiting for its close callback (every connection closed), as Node's
/// `await using server = …` does with `server[Symbol.asyncDispose]`. Returns what `body` returns.
public func withServer<R>(
    _ options: Server.Options = .init(), port: Int = 0, host: String? = nil,
    isolation: isolated (any Actor)? = #isolation,
    _ body: nonisolated(nonsending) (Server) async throws -> R
) async throws -> R {
    let server = Server(options)
    try await server.listenAsync(port: port, host: host, isolation: isolation)
    let result: R
    do {
        result = try await body(server)
    } catch {
        if server.listening { try? await server.closeAsync(isolation: isolation) }
        throw error
    }
    if server.listening { try await server.closeAsync(isolation: isolation) }
    return result
}

/// Connects to `port` on `host`, runs `body` with the connected socket, and when `body` returns, ends it
/// and waits for 'finish'; when `body` throws, destroys it. Returns what `body` returns.
public func withConnection<R>(
    port: Int, host: String = "localhost",
    isolation: isolated (any Actor)? = #isolation,
    _ body: nonisolated(nonsending) (Socket) async throws -> R
) async throws -> R {
    try await withConnection(ConnectOptions(port: port, host: host), isolation: isolation, body)
}

/// Connects as `options` say, runs `body` with the connected socket, and closes it after (see
/// ``withConnection(port:host:isolation:_:)``).
public func withConnection<R>(
    _ options: ConnectOptions,
    isolation: isolated (any Actor)? = #isolation,
    _ body: nonisolated(nonsending) (Socket) async throws -> R
) async throws -> R {
    let socket = try await connectAsync(options, isolation: isolation)
    let result: R
    do {
        result = try await body(socket)
    } catch {
        socket.destroy()
        throw error
    }
    if !socket.destroyed { try await socket.endAsync(isolation: isolation) }
    return result
}
