import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One address served by every loop of an ``EventLoopGroup``: Node's `cluster` (a server in each worker
/// sharing one port), with loops on threads in place of worker processes.
///
/// Each loop has a ``Server`` of its own, made with the same ``Server/Options``, and each accepted
/// ``Socket`` belongs to the loop that serves it: `connectionListener` runs on that loop's thread, and
/// the socket is used there only. Two ways to spread the connections, as Node offers:
///
/// - ``Strategy/roundRobin`` (Node cluster's default on Linux, `SCHED_RR`): the first loop alone listens
///   and accepts; each accepted connection goes to the next loop in turn, its descriptor moved over with
///   ``EventLoop/execute(_:)`` (a duplicate: the accepting loop closes its own).
/// - ``Strategy/reusePort`` (Node's `reusePort` listen option): every loop listens on the port itself
///   with `SO_REUSEPORT`, and the kernel spreads the connections. Linux only.
///
/// What Node's server means for the whole group: ``maxConnections`` counts the connections of every
/// loop (one atomic count), a connection beyond it is closed and reported to the `onDrop` handler;
/// ``getConnections(_:)`` adds up the loops' counts; ``close(_:)`` stops accepting everywhere, and its
/// callback runs once every loop's server has closed and every connection has ended; ``ref()`` and
/// ``unref()`` apply to every loop's server (see ``EventLoopGroup/waitUntilIdle(timeout:)``).
///
/// The object itself is `Sendable`: call it from any thread. Its callbacks run on the group's loops.
///
/// ```swift
/// let group = EventLoopGroup(numberOfThreads: 2)
/// let server = GroupServer(group: group) { socket in
///     socket.end("served on one of the group's loops\r\n")
/// }
/// server.listen(port: 0, host: "127.0.0.1") { error in
///     print(error.map { "\($0)" } ?? "listening on \(server.address()!)")
/// }
/// ```
public final class GroupServer: Sendable {
    /// How the group's loops share the connections to the address.
    public enum Strategy: Sendable, Hashable {
        /// One loop accepts and hands each connection to the next loop in turn (Node cluster's round robin).
        case roundRobin
        /// Every loop listens with `SO_REUSEPORT`; the kernel picks the loop (Node's `reusePort`).
        case reusePort
    }

    /// The group whose loops serve the address.
    public let group: EventLoopGroup
    /// How connections are spread over the loops.
    public let strategy: Strategy
    private let parts: [LoopPart]
    private let gate = ConnectionGate()
    private let state = Locked(GroupState())
    /// Connections accepted for another loop that could not reach it (its loop had shut down): closed.
    private let lostHandoffs = Atomic<Int>(0)

    /// A server on every loop of `group`, each with `options`; `connectionListener` runs for each accepted
    /// socket on the loop that owns it. Nothing listens until ``listen(port:host:backlog:_:)``.
    public init(group: EventLoopGroup, strategy: Strategy = .roundRobin, options: Server.Options = .init(),
                _ connectionListener: @escaping @Sendable (Socket) -> Void) {
        self.group = group
        self.strategy = strategy
        parts = group.loops.map { LoopPart(loop: $0) }
        for (index, part) in parts.enumerated() {
            _ = part.loop.execute { [self] in
                let server = Server(options, connectionListener)
                server.connectionGate = gate
                server.on(.drop) { [weak self] info in self?.handlers.drop?(info) }
                server.on(.error) { [weak self] error in self?.report(error) }
                if strategy == .roundRobin, index == 0 {
                    server.connectionHandoff = { [weak self] client in self?.handOff(client) ?? false }
                }
                part.server = server
            }
        }
    }

    // MARK: Settings

    /// `server.maxConnections` for the whole group: connections beyond this many, over all loops, are
    /// closed at once and reported to the `onDrop` handler. nil or 0: no limit (read back as nil); a
    /// negative value drops every connection, as in Node.
    public var maxConnections: Int? {
        get { gate.limit }
        set { gate.limit = newValue }
    }

    /// Sets what runs for each connection dropped by ``maxConnections`` (Node's `'drop'` event), on the
    /// loop that accepted it, with the connection's addresses.
    public func onDrop(_ handler: (@Sendable (DropInfo?) -> Void)?) {
        state.withLock { $0.handlers.drop = handler }
    }

    /// Sets what runs for an error of a loop's server (Node's `'error'`), on that loop. Errors of a
    /// ``listen(port:host:backlog:_:)`` go to its callback; with neither, an error is uncaught, as an
    /// `'error'` with no listener is (see ``EventLoop/uncaughtErrorHandler``).
    public func onError(_ handler: (@Sendable (NetError) -> Void)?) {
        state.withLock { $0.handlers.error = handler }
    }

    /// Connections accepted by the round-robin loop for a loop that had already shut down, and closed.
    public var lostConnections: Int { lostHandoffs.load(ordering: .relaxed) }

    private var handlers: Handlers { state.withLock { $0.handlers } }

    /// Reports an error to the pending listen's callback, else the error handler, else as uncaught on the
    /// current loop; `onLoop` false (the caller may be any thread, the loops gone): never as uncaught.
    private func report(_ error: NetError, onLoop: Bool = true) {
        let (listenCallback, handler) = state.withLock { state -> ((@Sendable (NetError?) -> Void)?, (@Sendable (NetError) -> Void)?) in
            let callback = state.listenCallback
            state.listenCallback = nil
            // A listen that failed: the group may listen again (as a Node server whose listen failed).
            if callback != nil { state.listening = false }
            return (callback, state.handlers.error)
        }
        if let listenCallback {
            listenCallback(error)
        } else if let handler {
            handler(error)
        } else if onLoop {
            EventLoop.current.reportUncaughtError(error)
        }
    }

    // MARK: Listening

    /// Listens on `port` (0 picks a free one) at `host` (nil: `::`, falling back to `0.0.0.0`) from the
    /// whole group. Round robin: the first loop listens. `reusePort`: the first loop listens, then every
    /// other loop on the port it got (so that port 0 gives the group one port, not one per loop).
    ///
    /// `callback` runs once, on one of the loops: with nil once every loop that listens is listening,
    /// or with the first error (a bind failure, say; the loops already listening stay so until
    /// ``close(_:)``). Invalid arguments (a bad port) arrive there too, as thrown by ``Server/listen(_:_:)``.
    /// A group that is listening (or starting to) refuses: `callback` gets ERR_SERVER_ALREADY_LISTEN and
    /// the listen under way goes on, its own callback running once.
    public func listen(port: Int = 0, host: String? = nil, backlog: Int = 511,
                       _ callback: (@Sendable (NetError?) -> Void)? = nil) {
        let generation = state.withLock { state -> Int? in
            // Node's ERR_SERVER_ALREADY_LISTEN, to this call's callback; the listen under way goes on.
            guard !state.listening else { return nil }
            state.listenCallback = callback
            state.listening = true
            state.address = nil
            state.generation += 1
            return state.generation
        }
        guard let generation else {
            if let callback, !parts[0].loop.execute({ callback(.serverAlreadyListen) }) { callback(.serverAlreadyListen) }
            return
        }
        let first = parts[0]
        let delivered = first.loop.execute { [self] in
            guard let server = first.server else { return }
            reopenFollowers()
            let options = Server.ListenOptions(port: port, host: host, backlog: backlog,
                                               reusePort: strategy == .reusePort)
            do throws(NetError) {
                // Weak: the server keeps this listener (until 'listening', which a failed listen never
                // emits), and the group server keeps the server.
                try server.listen(options) { [weak self, unowned server] in
                    self?.firstListening(server, backlog: backlog, generation: generation)
                }
            } catch {
                report(error)
            }
        }
        if !delivered { report(.serverNotRunning, onLoop: false) }
    }

    /// Round robin: the servers that never listen accept again after a ``close(_:)``.
    private func reopenFollowers() {
        guard strategy == .roundRobin else { return }
        for part in parts.dropFirst() {
            _ = part.loop.execute {
                guard let server = part.server, server.closeRequested else { return }
                server.loop.retention.remove(server.eventListeners)
                server.closeRequested = false
            }
        }
    }

    /// The first loop listens: round robin is done; `reusePort` starts the other loops on its port.
    private func firstListening(_ server: Server, backlog: Int, generation: Int) {
        guard let address = server.address() else { return }
        // A close (or another listen) came since: nothing is waiting for this listen any more.
        let current = state.withLock { state -> Bool in
            guard state.generation == generation else { return false }
            state.address = address
            return true
        }
        guard current else { return }
        guard strategy == .reusePort, parts.count > 1, case .inet(let info) = address else {
            finishListen(generation)
            return
        }
        let pending = Locked(parts.count - 1)
        for part in parts.dropFirst() {
            let delivered = part.loop.execute { [self] in
                guard let server = part.server else { return }
                let options = Server.ListenOptions(port: info.port, host: info.address, backlog: backlog, reusePort: true)
                do throws(NetError) {
                    try server.listen(options) { [weak self] in
                        if pending.withLock({ $0 -= 1; return $0 == 0 }) { self?.finishListen(generation) }
                    }
                } catch {
                    report(error)
                }
            }
            // That loop has shut down (its group is stopping): the listen callback hears it; with none
            // left (a close came meanwhile), nobody waits for it and it is not a server's 'error'.
            if !delivered { report(.serverNotRunning, onLoop: false) }
        }
    }

    private func finishListen(_ generation: Int) {
        let callback = state.withLock { state -> (@Sendable (NetError?) -> Void)? in
            guard state.generation == generation else { return nil }
            defer { state.listenCallback = nil }
            return state.listenCallback
        }
        callback?(nil)
    }

    /// The address the group listens on (the first loop's `server.address()`), once listening; nil before
    /// the listen callback and after ``close(_:)``.
    public func address() -> ServerAddress? { state.withLock { $0.address } }

    // MARK: Round robin

    /// On the accepting loop: `client` goes to the next loop in turn (false: this loop's turn). Its
    /// descriptor is duplicated and the accepting handle closed; the other loop opens a socket on the
    /// duplicate. If that loop has shut down, the duplicate is closed and counted in ``lostConnections``.
    private func handOff(_ client: StreamHandle) -> Bool {
        let first = parts[0]
        let index = first.nextTurn(of: parts.count)
        guard index != 0 else { return false }
        let copy = client.fileDescriptor.map { fcntl($0, F_DUPFD_CLOEXEC, 0) } ?? -1
        client.close()
        guard copy >= 0 else {
            lostHandoffs.add(1, ordering: .relaxed)
            return true
        }
        let target = parts[index]
        let delivered = target.loop.execute { target.adopt(copy) }
        if !delivered {
            Glibc.close(copy)
            lostHandoffs.add(1, ordering: .relaxed)
        }
        return true
    }

    // MARK: Connections, ref, close

    /// `server.getConnections(callback)` for the group: asks every loop for its server's count and calls
    /// `callback` with the sum, on the loop that answers last.
    public func getConnections(_ callback: @escaping @Sendable (NetError?, Int) -> Void) {
        let tally = Locked((left: parts.count, total: 0))
        let answer: @Sendable (Int) -> Void = { count in
            let done = tally.withLock { tally -> Int? in
                tally.left -= 1
                tally.total += count
                return tally.left == 0 ? tally.total : nil
            }
            if let done { callback(nil, done) }
        }
        for part in parts {
            if !part.loop.execute({ answer(part.server?.connections ?? 0) }) { answer(0) }
        }
    }

    /// `server.unref()` on every loop's server: a listening server no longer keeps its loop running
    /// (see ``EventLoopGroup/waitUntilIdle(timeout:)``).
    public func unref() {
        for part in parts { _ = part.loop.execute { part.server?.unref() } }
    }

    /// `server.ref()` on every loop's server: undoes ``unref()``.
    public func ref() {
        for part in parts { _ = part.loop.execute { part.server?.ref() } }
    }

    /// Stops accepting on every loop. `callback` runs once every loop's server has closed and every
    /// connection of the group has ended (Node's server 'close'), with ERR_SERVER_NOT_RUNNING if the group
    /// was not listening. A connection that the round-robin loop accepted before the close but that reaches
    /// its loop after it is closed at once.
    public func close(_ callback: (@Sendable (NetError?) -> Void)? = nil) {
        let wasListening = state.withLock { state -> Bool in
            defer {
                state.listening = false
                state.address = nil
                state.generation += 1
                state.listenCallback = nil
            }
            return state.listening
        }
        let pending = Locked(parts.count)
        let finish: @Sendable () -> Void = {
            if pending.withLock({ $0 -= 1; return $0 == 0 }) {
                callback?(wasListening ? nil : .serverNotRunning)
            }
        }
        for part in parts {
            let delivered = part.loop.execute {
                guard let server = part.server else { return finish() }
                server.close { _ in finish() }
            }
            if !delivered { finish() }
        }
    }
}

/// A loop's share of a ``GroupServer``: its server, touched only on that loop's thread.
private final class LoopPart: @unchecked Sendable {
    // @unchecked: `server` and `turn` are set and read only by work run on `loop` (its `execute`).
    let loop: EventLoop
    var server: Server? {
        get { loop.checkOnLoop(); return storedServer }
        set { loop.checkOnLoop(); storedServer = newValue }
    }
    private var storedServer: Server?
    private var turn = 0

    init(loop: EventLoop) { self.loop = loop }

    /// The accepting loop's round-robin cursor: the index of the loop whose turn it is.
    func nextTurn(of count: Int) -> Int {
        loop.checkOnLoop()
        let index = turn
        turn = (turn + 1) % count
        return index
    }

    /// A connection handed over from the accepting loop: a socket on `fd` for this loop's server, unless
    /// it is closed (then the connection is closed too).
    func adopt(_ fd: Int32) {
        guard let server = storedServer, !server.closeRequested else {
            Glibc.close(fd)
            return
        }
        switch StreamHandle.open(fd: fd, loop: loop) {
        case .success(let handle): server.admit(handle)
        case .failure: Glibc.close(fd)
        }
    }
}

/// The group-wide connection count behind ``GroupServer/maxConnections``, shared by every loop's server.
final class ConnectionGate: Sendable {
    private let count = Atomic<Int>(0)
    private let maximum = Atomic<Int>(0)

    /// nil or 0: no limit.
    var limit: Int? {
        get { let value = maximum.load(ordering: .relaxed); return value == 0 ? nil : value }
        set { maximum.store(newValue ?? 0, ordering: .relaxed) }
    }

    /// Counts a new connection unless the limit is reached (Node: `connections >= maxConnections`).
    func admit() -> Bool {
        let max = maximum.load(ordering: .relaxed)
        guard max != 0 else {
            count.add(1, ordering: .relaxed)
            return true
        }
        var current = count.load(ordering: .relaxed)
        while current < max {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// An admitted connection has closed.
    func release() { count.subtract(1, ordering: .relaxed) }
}

/// A `GroupServer`'s handlers and listen state, behind its lock.
private struct GroupState {
    var handlers = Handlers()
    var listenCallback: (@Sendable (NetError?) -> Void)?
    var listening = false
    var address: ServerAddress?
    /// Bumped by every listen and close: a listen's late answers are ignored.
    var generation = 0
}

private struct Handlers {
    var drop: (@Sendable (DropInfo?) -> Void)?
    var error: (@Sendable (NetError) -> Void)?
}
