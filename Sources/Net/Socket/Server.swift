import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// Node's `net.Server`: listens for TCP or Unix domain socket connections and emits a ``Socket`` for
/// each in 'connection'.
///
/// Defaults as Node: backlog 511, no host binds `::` (dual stack) and falls back to `0.0.0.0` where IPv6
/// is unavailable, SO_REUSEADDR (libuv sets it). `close()` stops accepting at once and emits 'close' once
/// every accepted connection has closed too. A closed server can listen again.
///
/// Loop-confined: use it only on the thread whose ``EventLoop`` made it.
public final class Server: EventEmitter {
    /// Options for ``createServer(_:_:)`` (Node's `net.createServer(options)`).
    public struct Options: Sendable {
        /// Turn on TCP keep-alive on every accepted socket.
        public var keepAlive: Bool
        /// The keep-alive idle time for accepted sockets, in milliseconds (whole seconds are used; a negative
        /// value counts as 0, as in Node).
        public var keepAliveInitialDelay: Int
        /// Accepted sockets keep their writable side open after the peer ends.
        public var allowHalfOpen: Bool
        /// Accepted sockets start paused: nothing is read until `resume()`.
        public var pauseOnConnect: Bool
        /// Turn off Nagle's algorithm on every accepted socket.
        public var noDelay: Bool
        /// The stream high-water mark (both sides) of every accepted socket, in bytes; nil or a negative
        /// value keeps the default of 16 KiB, as in Node (v20.1).
        public var highWaterMark: Int?
        /// Connections from an address this list blocks are closed before 'connection' (Node's `blockList`).
        public var blockList: BlockList?
        /// Accepted sockets gather small writes (not a Node option; default false, Node's behaviour): the
        /// server-wide default of ``Socket/gatherWrites``, which documents how it differs from Node.
        public var gatherWrites: Bool

        /// Node's defaults.
        public init(allowHalfOpen: Bool = false, pauseOnConnect: Bool = false, noDelay: Bool = false,
                    keepAlive: Bool = false, keepAliveInitialDelay: Int = 0, highWaterMark: Int? = nil,
                    blockList: BlockList? = nil, gatherWrites: Bool = false) {
            self.highWaterMark = highWaterMark
            self.blockList = blockList
            self.gatherWrites = gatherWrites
            self.keepAlive = keepAlive
            self.keepAliveInitialDelay = keepAliveInitialDelay
            self.allowHalfOpen = allowHalfOpen
            self.pauseOnConnect = pauseOnConnect
            self.noDelay = noDelay
        }
    }

    /// Options for ``listen(_:_:)`` (Node's `server.listen(options)`).
    public struct ListenOptions {
        /// The TCP port (0 picks a free one). When set, `path` is ignored (as Node); `port` and `path` both
        /// nil makes ``Server/listen(_:_:)`` throw, as Node's `listen({})` does.
        public var port: Int?
        /// The address or host name to bind; nil binds `::` (or `0.0.0.0`).
        public var host: String?
        /// A Unix domain socket to listen on instead of TCP: a filesystem path (the socket file stays until
        /// unlinked; the server removes it on `close()`), or on Linux an abstract name starting with `"\0"`.
        /// A name longer than `sun_path` (107 bytes for a path, 108 for an abstract name) fails with EINVAL.
        public var path: String?
        /// The pending-connection queue length (default 511).
        public var backlog: Int?
        /// Node's `exclusive`: only matters to Node's cluster module. A `Server` is always exclusive (its
        /// handle is its own); the shared, non-exclusive form is a ``GroupServer`` over several loops.
        public var exclusive: Bool
        /// Bind IPv6 only (no IPv4-mapped dual stack) when listening on an IPv6 address.
        public var ipv6Only: Bool
        /// Make a Unix domain socket's file readable by all users (`uv_pipe_chmod`); throws on an abstract name.
        public var readableAll: Bool
        /// Make a Unix domain socket's file writable by all users (`uv_pipe_chmod`); throws on an abstract name.
        public var writableAll: Bool
        /// Closes the server when the signal aborts (at once if it already has).
        public var signal: AbortSignal?
        /// Node's `reusePort` (v22.12+): set SO_REUSEPORT, so that several sockets (in this process or
        /// others) can listen on one port and the kernel spreads the connections among them. libuv 1.44
        /// has no flag for it: the TCP socket is made before the bind (`uv_tcp_init_ex` with the family),
        /// its descriptor taken with `uv_fileno` and the option set with `setsockopt`, then bound. Linux
        /// only: elsewhere the listen fails with `listen ENOTSUP`, as Node reports libuv's error.
        public var reusePort: Bool = false

        /// Listen options.
        public init(port: Int? = nil, host: String? = nil, path: String? = nil, backlog: Int? = nil,
                    exclusive: Bool = false, readableAll: Bool = false, writableAll: Bool = false,
                    ipv6Only: Bool = false, signal: AbortSignal? = nil, reusePort: Bool = false) {
            self.reusePort = reusePort
            self.readableAll = readableAll
            self.writableAll = writableAll
            self.signal = signal
            self.port = port
            self.host = host
            self.path = path
            self.backlog = backlog
            self.exclusive = exclusive
            self.ipv6Only = ipv6Only
        }

        /// The options as Node's `util.inspect` shows the object in error messages (`{}`,
        /// `{ host: 'localhost', exclusive: true }`): the fields that were set, on one line.
        var inspected: String {
            var fields: [String] = []
            if let port { fields.append("port: \(port)") }
            if let host { fields.append("host: \(JSValue.string(host).inspected)") }
            if let path { fields.append("path: \(JSValue.string(path).inspected)") }
            if let backlog { fields.append("backlog: \(backlog)") }
            if exclusive { fields.append("exclusive: true") }
            if readableAll { fields.append("readableAll: true") }
            if writableAll { fields.append("writableAll: true") }
            if ipv6Only { fields.append("ipv6Only: true") }
            if reusePort { fields.append("reusePort: true") }
            return fields.isEmpty ? "{}" : "{ \(fields.joined(separator: ", ")) }"
        }
    }

    /// The server's listeners (the ``EventEmitter`` storage).
    public let eventListeners = EventListeners()
    unowned let loop: EventLoop
    let options: Options
    var handle: StreamHandle?
    var connections = 0
    var connectionKey: String?
    var pipeName: String?
    /// 'close' emissions scheduled and not yet made (each close() of a drained server schedules one).
    var pendingCloseEmits = 0
    /// `unref()` before listening: applied to the handle once it exists.
    var unrefed = false
    /// The `reusePort` of the last `listen(options)` (see ReusePort.swift).
    var reusePort = false
    /// Whether the last of `listen()` and `close()` called was `close()`: a 'close' emitted after a
    /// `listen()` that is still resolving or binding leaves the server open, not closed.
    var closeRequested = false

    /// `server.maxConnections`: connections beyond this many are closed at once and reported with 'drop'.
    /// nil or 0 means no limit; a negative value drops every connection, as in Node.
    public var maxConnections: Int? {
        get { checkThread(); return maxConnectionsLimit }
        set { checkThread(); maxConnectionsLimit = newValue }
    }
    var maxConnectionsLimit: Int?
    /// Bumped by every `listen` and `close` (Node's `_listeningId`): a listen still resolving its host
    /// when the number moves gives up, so `listen(0, "localhost").close()` never binds anything.
    var listeningId = 0
    /// Set by a `GroupServer`: the group-wide `maxConnections` count, consulted instead of ``maxConnections``.
    var connectionGate: ConnectionGate?
    /// Set by a `GroupServer` accepting for all its loops: takes an accepted handle to serve it on another
    /// loop (true), or leaves it to this server (false).
    var connectionHandoff: ((StreamHandle) -> Bool)?

    /// A server; `connectionListener` is added as a 'connection' listener.
    public init(_ options: Options = .init(), _ connectionListener: ((Socket) -> Void)? = nil) {
        loop = EventLoop.current
        self.options = options
        if let connectionListener { on(.connection, connectionListener) }
    }

    /// `server.listening`: whether the server is accepting connections.
    public var listening: Bool { checkThread(); return handle != nil && connectionKey != nil }

    // MARK: listen

    /// Listens on `port` (0 picks one) at `host` (nil: `::` falling back to `0.0.0.0`). `callback` is added
    /// as a once-listener of 'listening'. Throws ERR_SERVER_ALREADY_LISTEN or ERR_SOCKET_BAD_PORT; bind
    /// and listen failures arrive as 'error'.
    @discardableResult
    public func listen(port: Int = 0, host: String? = nil, backlog: Int = 511, _ callback: (() -> Void)? = nil) throws(NetError) -> Server {
        checkThread()
        return try listen(ListenOptions(port: port, host: host, backlog: backlog), callback)
    }

    /// Listens on the Unix domain socket at `path`.
    @discardableResult
    public func listen(path: String, backlog: Int = 511, _ callback: (() -> Void)? = nil) throws(NetError) -> Server {
        checkThread()
        return try listen(ListenOptions(path: path, backlog: backlog), callback)
    }

    /// Listens as `options` say (Node's `server.listen(options[, callback])`).
    ///
    /// Node's steps, in its order: a server that is listening throws ERR_SERVER_ALREADY_LISTEN; `callback`
    /// becomes a once-listener of 'listening' (it stays registered if this call then throws or fails);
    /// a `port` is validated (ERR_SOCKET_BAD_PORT) and wins over `path`; else `path` listens on a Unix
    /// domain socket; options with neither (Node's `listen({})`, `listen({host: 'localhost'})`) throw
    /// ERR_INVALID_ARG_VALUE `The argument 'options' must have the property "port" or "path". Received …`.
    /// On a loop that is shutting down (its thread is ending), every form of `listen` does nothing.
    @discardableResult
    public func listen(_ options: ListenOptions, _ callback: (() -> Void)? = nil) throws(NetError) -> Server {
        checkThread()
        if loop.isShuttingDown { return self }
        try beginListen(callback)
        if let signal = options.signal { watch(signal) }
        guard let port = options.port else {
            guard let path = options.path else {
                throw NetError(
                    "The argument 'options' must have the property \"port\" or \"path\". Received \(options.inspected)",
                    code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
            }
            // Node's isPipeName: an empty path is no pipe name, and the options are "invalid".
            guard !path.isEmpty else {
                throw NetError("The argument 'options' is invalid. Received \(options.inspected)",
                               code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
            }
            try listenPipe(path, options)
            return self
        }
        try validatePort(port, name: "options.port")
        reusePort = options.reusePort
        let backlog = options.backlog ?? 511
        let flags = options.ipv6Only
        let id = listeningId
        if let host = options.host, !host.isEmpty {
            let family = isIP(host)
            if family != 0 {
                loop.nextTick { [self] in
                    guard id == listeningId else { return }
                    setupListenHandle(host, port, family, backlog, ipv6Only: flags)
                }
            } else {
                defaultLookup(host, LookupOptions()) { [self] error, ip, family in
                    // Closed, or listening again, while the lookup ran: its answer is stale.
                    guard id == listeningId else { return }
                    if let error {
                        emitError(error)
                    } else {
                        setupListenHandle(ip, port, family ?? 4, backlog, ipv6Only: flags)
                    }
                }
            }
        } else {
            setupListenHandle(nil, port, 4, backlog, ipv6Only: flags)
        }
        return self
    }

    /// What every form of Node's `listen` does first: refuse a server that is listening, register the
    /// callback for 'listening' (it stays if the call then throws), and make earlier listens stale.
    /// The abort-signal option is watched after this, as Node does (listen(fd:) has none).
    private func beginListen(_ callback: (() -> Void)?) throws(NetError) {
        if handle != nil { throw .serverAlreadyListen }
        closeRequested = false
        // Listening again after 'close': off the retention list (warning if it dropped its listeners).
        loop.retention.remove(eventListeners)
        eventListeners.warnIfRetired("listen() on a Server", limit: loop.listenerRetentionLimit)
        if let callback { once(.listening, callback) }
        listeningId += 1
    }

    private func setupListenHandle(_ address: String?, _ port: Int, _ family: Int, _ backlog: Int, ipv6Only: Bool) {
        guard handle == nil else { return }
        var address = address
        var created: TCPHandle?
        var failure: Int32 = 0
        if address == nil {
            // Try the unspecified IPv6 address first; fall back to IPv4 where IPv6 is unavailable.
            switch createHandle("::", port, ipv6Only: ipv6Only) {
            case .success(let h): created = h; address = "::"
            case .failure:
                address = "0.0.0.0"
                switch createHandle("0.0.0.0", port, ipv6Only: false) {
                case .success(let h): created = h
                case .failure(let status): failure = status
                }
            }
        } else {
            switch createHandle(address!, port, ipv6Only: ipv6Only) {
            case .success(let h): created = h
            case .failure(let status): failure = status
            }
        }
        guard let tcp = created else {
            let error = NetError.uvWithHostPort(failure, syscall: "listen", address: address, port: port)
            loop.nextTick { [self] in emitError(error) }
            return
        }
        startListening(tcp, backlog: backlog, key: "\(family):\(address!):\(port)", address: address!, port: port)
    }

    private enum HandleResult { case success(TCPHandle), failure(Int32) }

    private func createHandle(_ address: String, _ port: Int, ipv6Only: Bool) -> HandleResult {
        var tcp: TCPHandle
        do { tcp = try TCPHandle(loop: loop) } catch { return .failure(error.errno ?? UV_EINVAL.rawValue) }
        guard let storage = SocketAddressStorage(ip: address, port: port) else {
            tcp.close()
            return .failure(UV_EINVAL.rawValue)
        }
        if reusePort {
            tcp.close()
            let (made, status) = TCPHandle.reusingPort(loop: loop, family: storage.family)
            guard let made else { return .failure(status) }
            tcp = made
        }
        let status = tcp.bind(storage, ipv6Only: ipv6Only && storage.family == AF_INET6)
        if status < 0 {
            tcp.close()
            return .failure(status)
        }
        return .success(tcp)
    }

    private func startListening(_ listener: StreamHandle, backlog: Int, key: String, address: String?, port: Int?) {
        handle = listener
        listener.owner = self
        let status = listener.listen(backlog: Int32(clamping: backlog > 0 ? backlog : 511))
        if status < 0 {
            let error = NetError.uvWithHostPort(status, syscall: "listen", address: address, port: port)
            listener.close()
            handle = nil
            loop.nextTick { [self] in emitError(error) }
            return
        }
        connectionKey = key
        if unrefed { listener.hasRef = false }
        loop.nextTick { [self] in
            if handle != nil { emit(.listening) }
        }
    }

    /// Node's pipe branch of `listen`: the abstract-name check, bind + listen (failures arrive as 'error'),
    /// then `readableAll`/`writableAll` as a chmod of the socket file, whose failure closes the handle
    /// and throws `uv_pipe_chmod <code>`.
    private func listenPipe(_ path: String, _ options: ListenOptions) throws(NetError) {
        if PipeHandle.isAbstract(path) && (options.readableAll || options.writableAll) {
            // Node's message, typo included.
            throw NetError(
                "The argument 'options' can not set readableAll or writableAllt to true when path is abstract "
                    + "unix socket. Received \(options.inspected)",
                code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
        }
        pipeName = path
        let pipe: PipeHandle
        do { pipe = try PipeHandle(loop: loop) } catch {
            loop.nextTick { [self] in emitError(error) }
            return
        }
        let status = pipe.bind(path)
        if status < 0 {
            pipe.close()
            let error = NetError.uvWithHostPort(status, syscall: "listen", address: path, port: -1)
            loop.nextTick { [self] in emitError(error) }
            return
        }
        startListening(pipe, backlog: options.backlog ?? 511, key: "-1:\(path):-1", address: path, port: -1)
        guard handle != nil else { return }
        if options.readableAll || options.writableAll {
            let status = pipe.chmod(readable: options.readableAll, writable: options.writableAll)
            if status < 0 {
                pipe.close()
                handle = nil
                connectionKey = nil
                throw .errno(status, syscall: "uv_pipe_chmod")
            }
        }
    }

    /// Listens on an existing descriptor (Node's `server.listen({ fd })`): a bound TCP or Unix domain
    /// socket, adopted as is (nothing is bound). A descriptor of another kind (a file, a terminal) or one
    /// that cannot listen reports `listen EINVAL: invalid argument` (or the kernel's error) as 'error',
    /// as Node does; a negative `fd` throws as Node's `listen({ fd: -1 })`. Once adopted the descriptor
    /// is the server's: `close()` closes it (a socket file it is bound to is not unlinked).
    @discardableResult
    public func listen(fd: Int32, backlog: Int = 511, _ callback: (() -> Void)? = nil) throws(NetError) -> Server {
        checkThread()
        if loop.isShuttingDown { return self }
        try beginListen(callback)
        guard fd >= 0 else {
            throw NetError("The argument 'options' must have the property \"port\" or \"path\". Received { fd: \(fd) }",
                           code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
        }
        let opened: StreamHandle
        switch StreamHandle.open(fd: fd, loop: loop) {
        case .success(let h): opened = h
        case .failure(let failure):
            // Node's createServerHandle turns an unusable descriptor type into UV_EINVAL.
            let status = failure.status ?? UV_EINVAL.rawValue
            let error = NetError.uvWithHostPort(status, syscall: "listen", address: nil, port: nil)
            loop.nextTick { [self] in emitError(error) }
            return self
        }
        pipeName = nil
        startListening(opened, backlog: backlog, key: "fd:\(fd)", address: nil, port: nil)
        return self
    }

    /// Listens on the socket under another listening ``Server`` (Node's `server.listen(handle)`), through a
    /// duplicate of its descriptor: both servers then accept from the same socket, and each closes its
    /// own descriptor. Throws ERR_INVALID_ARG_VALUE when `other` has no handle.
    @discardableResult
    public func listen(handle other: Server, backlog: Int = 511, _ callback: (() -> Void)? = nil) throws(NetError) -> Server {
        checkThread()
        return try listen(duplicating: other.handle?.fileDescriptor, what: "Server", backlog: backlog, callback)
    }

    /// Listens on the socket under a ``Socket`` (one made with `Socket.Options(fd:)` around a bound
    /// socket, say), through a duplicate of its descriptor (Node's `server.listen(handle)`).
    @discardableResult
    public func listen(handle other: Socket, backlog: Int = 511, _ callback: (() -> Void)? = nil) throws(NetError) -> Server {
        checkThread()
        return try listen(duplicating: other.handle?.fileDescriptor, what: "Socket", backlog: backlog, callback)
    }

    private func listen(duplicating fd: Int32?, what: String, backlog: Int, _ callback: (() -> Void)?) throws(NetError) -> Server {
        if loop.isShuttingDown { return self }
        if handle != nil { throw .serverAlreadyListen }
        guard let fd else {
            throw NetError("The argument 'handle' must have an open handle. Received a \(what) without one",
                           code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
        }
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw .errno(-errno, syscall: "dup") }
        do {
            try listen(fd: copy, backlog: backlog, callback)
            // Not adopted (its 'error' is on its way): the duplicate is still ours to close.
            if handle == nil { Glibc.close(copy) }
            return self
        } catch {
            Glibc.close(copy)
            throw error
        }
    }

    // MARK: Connections

    /// The listening handle's owner callback: one incoming connection (or a failed accept's status).
    func handleConnection(_ status: Int32) {
        guard status >= 0 else {
            emitError(.errno(status, syscall: "accept"))
            return
        }
        guard let listener = handle else { return }
        let client: StreamHandle
        do {
            client = listener is PipeHandle ? try PipeHandle(loop: loop) : try TCPHandle(loop: loop)
        } catch {
            emitError(error)
            return
        }
        let accepted = listener.accept(client)
        guard accepted == 0 else {
            client.close()
            emitError(.errno(accepted, syscall: "accept"))
            return
        }
        // A server of a `GroupServer` accepting for the whole group may pass the connection to another loop.
        if let handoff = connectionHandoff, handoff(client) { return }
        admit(client)
    }

    /// What follows the accept: the block list, `maxConnections` ('drop'), then the ``Socket`` and
    /// 'connection'. Also where a connection handed over from another loop of a `GroupServer` enters.
    func admit(_ client: StreamHandle) {
        if isBlocked(client) {
            client.close()
            return
        }
        // Node: `if (self.maxConnections && self._connections >= self.maxConnections)`: any non-zero value.
        // A group's gate counts across its loops; a lone server counts its own connections.
        let refused: Bool
        if let gate = connectionGate {
            refused = !gate.admit()
        } else if let max = maxConnectionsLimit, max != 0 {
            refused = connections >= max
        } else {
            refused = false
        }
        if refused {
            // Node 19+: report the dropped peer's addresses, then close it.
            var info: DropInfo?
            if let tcp = client as? TCPHandle {
                let local = tcp.localAddress(), remote = tcp.remoteAddress()
                info = DropInfo(localAddress: local?.ip, localPort: local?.port, localFamily: local?.familyName,
                                remoteAddress: remote?.ip, remotePort: remote?.port, remoteFamily: remote?.familyName)
            }
            emit(.drop, info)
            client.close()
            return
        }
        let socket = Socket(accepted: client, server: self, allowHalfOpen: options.allowHalfOpen,
                            pauseOnCreate: options.pauseOnConnect,
                            highWaterMark: options.highWaterMark.flatMap { $0 < 0 ? nil : $0 })
        if options.gatherWrites { socket.gatherWrites = true }
        // The cast (and the retain it makes) only when there is something to set.
        if options.noDelay || options.keepAlive, let tcp = client as? TCPHandle {
            if options.noDelay {
                socket.setNoDelayOnConnect = true
                _ = tcp.setNoDelay(true)
            }
            if options.keepAlive {
                socket.keepAliveEnabled = true
                // Node's Server constructor turns a negative keepAliveInitialDelay into 0.
                socket.keepAliveDelaySeconds = max(0, options.keepAliveInitialDelay) / 1000
                _ = tcp.setKeepAlive(true, delaySeconds: socket.keepAliveDelaySeconds)
            }
        }
        connections += 1
        emit(.connection, socket)
    }

    /// Lets `EventLoop.run()` return while the server listens (`uv_unref`); kept across `listen()`.
    @discardableResult
    public func unref() -> Server {
        checkThread()
        unrefed = true
        handle?.hasRef = false
        return self
    }

    /// Undoes ``unref()``: a listening server keeps `EventLoop.run()` from returning again.
    @discardableResult
    public func ref() -> Server {
        checkThread()
        unrefed = false
        handle?.hasRef = true
        return self
    }

    /// Node's `addServerAbortSignalOption`: an aborted signal closes the server.
    private func watch(_ signal: AbortSignal) {
        if signal.aborted {
            loop.nextTick { [weak self] in self?.close() }
        } else {
            let token = signal.once(.abort) { [weak self] in self?.close() }
            once(.close) { [weak signal] in signal?.off(.abort, token) }
        }
    }

    func connectionClosed() {
        connectionGate?.release()
        connections -= 1
        emitCloseIfDrained()
    }

    /// `server.getConnections(callback)`: the number of open connections, on the next tick.
    @discardableResult
    public func getConnections(_ callback: @escaping (NetError?, Int) -> Void) -> Server {
        checkThread()
        let count = connections
        loop.nextTick { callback(nil, count) }
        return self
    }

    // MARK: Closing

    /// Stops accepting connections. 'close' follows once every accepted connection has closed too;
    /// `callback` runs then, with ERR_SERVER_NOT_RUNNING if the server was not listening.
    @discardableResult
    public func close(_ callback: ((NetError?) -> Void)? = nil) -> Server {
        checkThread()
        listeningId += 1
        closeRequested = true
        if let callback {
            if handle == nil {
                once(.close) { callback(.serverNotRunning) }
            } else {
                once(.close) { callback(nil) }
            }
        }
        if let handle {
            handle.close()
            self.handle = nil
            connectionKey = nil
        }
        emitCloseIfDrained()
        return self
    }

    private func emitCloseIfDrained() {
        guard handle == nil, connections == 0 else { return }
        pendingCloseEmits += 1
        loop.nextTick { [self] in
            pendingCloseEmits -= 1
            loop.pinning(eventListeners) { emit(.close) }
            // Nothing more is emitted unless the server listens again or another 'close' is on its way:
            // it joins the retention list, which drops the listeners of the oldest closed emitters so
            // that those capturing them do not keep them alive (see `ListenerRetention`).
            if handle == nil, pendingCloseEmits == 0, closeRequested { loop.retention.add(eventListeners) }
        }
    }

    /// Emits 'error'; what its listeners schedule (a retry timer) pins the server (`ListenerRetention`).
    private func emitError(_ error: NetError) {
        loop.pinning(eventListeners) { emit(.error, error) }
    }

    /// `server.address()`: the bound address (`.inet`), the socket path (`.path`), or nil when not listening.
    public func address() -> ServerAddress? {
        checkThread()
        if let tcp = handle as? TCPHandle, let local = tcp.localAddress() {
            return .inet(AddressInfo(address: local.ip, family: local.familyName, port: local.port))
        }
        if handle != nil, let pipeName { return .path(pipeName) }
        // A pipe server made from a descriptor: the name it is bound to, if any.
        if let pipe = handle as? PipeHandle, let name = pipe.name(peer: false) { return .path(name) }
        return nil
    }
}

/// What ``Server/address()`` returns: an IP address and port, or a Unix domain socket path.
public enum ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// A TCP server's `{ address, family, port }`.
    case inet(AddressInfo)
    /// A Unix domain socket server's path.
    case path(String)

    /// The port of a TCP server.
    public var port: Int? {
        if case .inet(let info) = self { return info.port }
        return nil
    }

    /// As Node prints it: the object for TCP, the path string for pipes.
    public var description: String {
        switch self {
        case .inet(let info): return info.description
        case .path(let path): return path
        }
    }
}

extension EventKey where Emitter == Server, Payload == Void {
    /// `'listening'`: the server is bound and accepting.
    public static var listening: Self { .init(.listening) }
    /// `'close'`: the server stopped and every connection it accepted has closed.
    public static var close: Self { .init(.close) }
}

extension EventKey where Emitter == Server, Payload == DropInfo? {
    /// `'drop'`: a connection beyond `maxConnections` was closed; the payload has its addresses (nil for
    /// a Unix domain socket).
    public static var drop: Self { .init(.drop) }
}

/// The payload of a server's `'drop'` event: the dropped connection's local and remote addresses.
public struct DropInfo: Sendable, Equatable {
    /// The local address.
    public var localAddress: String?
    /// The local port.
    public var localPort: Int?
    /// `"IPv4"` or `"IPv6"`.
    public var localFamily: String?
    /// The peer's address.
    public var remoteAddress: String?
    /// The peer's port.
    public var remotePort: Int?
    /// `"IPv4"` or `"IPv6"`.
    public var remoteFamily: String?
}

extension EventKey where Emitter == Server, Payload == Socket {
    /// `'connection'`: a new connection was accepted.
    public static var connection: Self { .init(.connection) }
}

extension Server: StreamHandleOwner {
    func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) {}
    func handleDidClose(hadError: Bool) {}

    /// The loop shut down (its thread ended) while the server listened: nothing is emitted any more, and
    /// the listeners, which may capture the server, are dropped so that it can be freed.
    func handleClosedUnannounced(_ closed: StreamHandle) {
        guard closed === handle else { return }
        eventListeners.releaseAll()
    }
}
