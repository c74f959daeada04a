import CLibUV

// Connecting: argument checks, DNS lookup, bind and connect (split from Socket.swift).
extension Socket {
    // MARK: Connecting

    /// Connects with `options` (Node's `socket.connect(options[, connectListener])`); `connectListener`
    /// is added as a once-listener of 'connect'. Argument errors throw; connection errors arrive as 'error'.
    /// On a loop that is shutting down (its thread is ending) nothing happens: the socket stays as it is
    /// and emits nothing, as after Node's process exits.
    @discardableResult
    public func connect(_ options: ConnectOptions, _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
        checkThread()
        if loop.isShuttingDown { return self }
        // Node registers the listener first, then checks the arguments (ERR_MISSING_ARGS), makes the
        // handle and sets `connecting`; the checks of lookupAndConnect (below) throw after that, leaving
        // the socket connecting (`readyState` opening) with its listener.
        if let connectListener { once(.connect, connectListener) }
        if let path = options.path, !path.isEmpty {
            try prepareConnect(pipe: true, nil)
            if let timeout = options.timeout, timeout != 0 { try setTimeout(timeout) }
            connectPipe(path)
            return self
        }
        // Node: `options.port === undefined && options.path == null` → ERR_MISSING_ARGS; a path of ""
        // is no path, and no port then connects to port 0 (`port |= 0`).
        guard options.port != nil || options.path != nil else { throw .missingArgs(anyOf: ["options", "port", "path"]) }
        let port = options.port ?? 0
        try prepareConnect(pipe: false, nil)
        if let localAddress = options.localAddress, isIP(localAddress) == 0 {
            throw .invalidIPAddress(localAddress)
        }
        try validatePort(port)
        try Self.validateAutoSelectFamily(options)
        let host = options.host.isEmpty ? "localhost" : options.host
        let family = isIP(host)
        if options.lookup == nil && family == 0 {
            // What Node's `dns.lookup` checks synchronously (so only for a host name and the default
            // lookup): the hints bits, then the family.
            var hints = options.hints
            if options.family != 4 && options.family != 6 && hints == 0 { hints = AI_ADDRCONFIG }
            let valid = AI_ADDRCONFIG | AI_V4MAPPED | AI_ALL
            if hints & ~valid != 0 { throw .invalidArgValue("hints", .int(Int(UInt32(bitPattern: hints)))) }
            if let family = options.family, ![0, 4, 6].contains(family) {
                throw .invalidArgValue("options.family", .int(family), reason: "must be one of: 0, 4, 6")
            }
        }
        if let timeout = options.timeout, timeout != 0 { try setTimeout(timeout) }
        lookupAndConnect(options, host: host, family: family)
        return self
    }

    /// Connects to `port` on `host` (Node's `socket.connect(port[, host][, connectListener])`).
    @discardableResult
    public func connect(port: Int, host: String = "localhost", _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
        checkThread()
        // To an IP literal, `connect(options)` reads nothing but the port and the host: the same steps,
        // without building (and copying, and destroying) a `ConnectOptions` (about 650 instructions).
        let family = isIP(host)
        guard family != 0 else { return try connect(ConnectOptions(port: port, host: host), connectListener) }
        // The loop borrowed here and below: the socket's, which `loop` would retain and release.
        if EventLoop.withCurrent({ $0.isShuttingDown }) { return self }
        if let connectListener { once(.connect, connectListener) }
        try prepareConnect(pipe: false, nil)
        try validatePort(port)
        connectToLiteral(host, port: port, family: family, localAddress: nil, localPort: nil)
        return self
    }

    /// Connects to the Unix domain socket at `path` (Node's `socket.connect(path[, connectListener])`).
    @discardableResult
    public func connect(path: String, _ connectListener: (() -> Void)? = nil) -> Socket {
        checkThread()
        var options = ConnectOptions()
        options.path = path
        // A path connect has no argument that can be invalid.
        return (try? connect(options, connectListener)) ?? self
    }

    private func prepareConnect(pipe: Bool, _ connectListener: (() -> Void)?) throws(NetError) {
        // Written before this connect, so in the kernel before it in Node (a live pipe socket keeps its
        // handle here, and a pending connect would make libuv queue them behind it). A failure is not
        // reported: connecting a live socket fails (EISCONN) and destroys it anyway.
        if isGathering, let handle { _ = flushGathered(on: handle) }
        if destroyed {
            // Reconnecting a closed socket, as Node's `_undestroy`.
            handle = nil
            rareFlags[RareFlag.sharesDescriptor] = false   // the new handle's descriptor is its own
            cachedRemote = nil
            cachedLocal = nil
            // A new handle counts from zero, as Node's getters read the new handle's counters.
            bytesDispatched = 0
            bytesReadTotal = 0
            streamState.reset()
            // Open again: off the retention list. If it had dropped its listeners meanwhile (retired, see
            // `ListenerRetention`), say so, and give it its own 'end' listener back (one the program
            // removed stays removed, as in Node).
            loop.retention.remove(eventListeners)
            if eventListeners.warnIfRetired("connect() on a Socket", limit: loop.listenerRetentionLimit),
               !eventListeners.hasHook(EventName(.end)) {
                addEndListener(reserving: 4)
            }
        }
        writeAfterFIN = false
        if handle == nil {
            // The loop borrowed: `loop` is `EventLoop.current` here, with a retain and a release.
            let made = EventLoop.withCurrent { loop -> Result<StreamHandle, NetError> in
                do throws(NetError) {
                    return .success(pipe ? try PipeHandle(loop: loop) : try TCPHandle(loop: loop))
                } catch {
                    return .failure(error)
                }
            }
            adopt(try made.get())
        }
        if let connectListener { once(.connect, connectListener) }
        isConnecting = true
    }

    /// Node's `lookupAndConnect`; `family` is `isIP(host)`, which `connect` has checked already.
    private func lookupAndConnect(_ options: ConnectOptions, host: String, family: Int) {
        let port = options.port ?? 0
        if family != 0 {
            connectToLiteral(host, port: port, family: family, localAddress: options.localAddress,
                             localPort: options.localPort)
            return
        }
        var hints = options.hints
        if options.family != 4 && options.family != 6 && hints == 0 { hints = AI_ADDRCONFIG }
        let lookupOptions = LookupOptions(family: options.family ?? 0, hints: hints)
        if lookupAndConnectMultiple(options, host: host, port: port, lookupOptions) { return }
        let lookup = options.lookup ?? defaultLookup
        lookup(host, lookupOptions) { [self] error, ip, addressFamily in
            emit(.lookup, LookupResult(error: error, address: ip, family: addressFamily, host: host))
            guard isConnecting else { return }
            if let error {
                loop.nextTick { [self] in destroy(error) }
            } else if let ip, isIP(ip) != 0, let addressFamily {
                if addressFamily != 4 && addressFamily != 6 {
                    let error = NetError.invalidAddressFamily("\(addressFamily)", host: options.host, port: port)
                    loop.nextTick { [self] in destroy(error) }
                } else {
                    internalConnect(ip, port, addressFamily, options.localAddress, options.localPort)
                }
            } else {
                let error = NetError.invalidIPAddress(ip ?? "undefined")
                loop.nextTick { [self] in destroy(error) }
            }
        }
    }

    /// `lookupAndConnect` for an IP literal (`family` 4 or 6): Node connects on the next tick. The request
    /// made now is that tick (see `runTick` below): a numeric connect allocates nothing else.
    private func connectToLiteral(_ host: String, port: Int, family: Int, localAddress: String?, localPort: Int?) {
        let request = ConnectRequest.make(ConnectAttempt(
            requester: self, address: host, port: port, family: family,
            localAddress: localAddress, localPort: localPort))
        EventLoop.withCurrent { $0.nextTick(request, 0) }
    }

    func internalConnect(_ address: String, _ port: Int, _ family: Int, _ localAddress: String?, _ localPort: Int?) {
        internalConnect(ConnectRequest.make(ConnectAttempt(
            requester: self, address: address, port: port, family: family,
            localAddress: localAddress, localPort: localPort)))
    }

    /// Node's `internalConnect` for one address, with the request that will carry the connect.
    func internalConnect(_ request: ConnectRequest) {
        guard let tcp = handle as? TCPHandle else { return }
        // Another socket's gathered bytes were written before this connect: in the kernel first.
        tcp.withLoop { $0.runDeferred(before: self) }
        let attempt = request.contextPointer
        let address = attempt.pointee.address, port = attempt.pointee.port ?? 0, family = attempt.pointee.family
        let localPort = attempt.pointee.localPort
        if attempt.pointee.localAddress != nil || localPort != nil {
            let local = attempt.pointee.localAddress ?? (family == 4 ? "0.0.0.0" : "::")
            attempt.pointee.localAddress = local
            var status = SocketAddressStorage(ip: local, port: localPort ?? 0).map { tcp.bind($0) } ?? UV_EINVAL.rawValue
            // Node's checkBindError: libuv defers EADDRINUSE from bind() (getsockname then reports it),
            // and a failed bind followed by connect() would bind a random port; so check the socket is
            // bound to the port asked for before connecting.
            if status == 0, let localPort, localPort > 0 {
                let (error, bound) = tcp.sockname()
                if error != 0 {
                    status = error
                } else if let bound, bound.port != localPort {
                    status = UV_EADDRINUSE.rawValue
                }
            }
            if status < 0 {
                destroy(.withHostPort(status, syscall: "bind", address: local, port: localPort ?? 0))
                return
            }
        }
        if !beginAttempt(address, port, family) { return }
        guard let target = SocketAddressStorage(ip: address, port: port) else {
            destroy(.invalidIPAddress(address))
            return
        }
        let status = tcp.connect(target, request)
        if status < 0 {
            var details: String?
            if let local = tcp.localAddress() { details = "\(local.ip):\(local.port)" }
            destroy(.withHostPort(status, syscall: "connect", address: address, port: port, local: details))
        }
    }

    private func connectPipe(_ path: String) {
        guard let pipe = handle as? PipeHandle else { return }
        pipe.withLoop { $0.runDeferred(before: self) }
        emitConnectionAttempt(path, nil, nil)
        let status = pipe.connect(path) { [self] status in afterConnect(status, path, nil, nil, nil) }
        // Node: a connect the handle refuses at once (a name too long for sun_path: EINVAL) destroys
        // the socket with `connect EINVAL <path>`.
        if status < 0 { destroy(.withHostPort(status, syscall: "connect", address: path, port: nil)) }
    }

    /// libuv's connect callback of a ``ConnectRequest`` made by this socket.
    func connectDidFinish(_ status: Int32, _ request: ConnectRequest) {
        // A connection made needs none of the attempt's strings: not copied to be passed along.
        if status == 0 {
            if !destroyed { didConnect() }
            return
        }
        let attempt = request.contextPointer
        afterConnect(status, attempt.pointee.address, attempt.pointee.port, attempt.pointee.localAddress,
                     attempt.pointee.localPort)
    }

    func afterConnect(_ status: Int32, _ address: String, _ port: Int?, _ localAddress: String?, _ localPort: Int?) {
        guard !destroyed else { return }
        if status == 0 {
            didConnect()
        } else {
            isConnecting = false
            // Node: details and the localAddress/localPort fields only when both are set and the port is
            // not 0 (`if (req.localAddress && req.localPort)`); the address is 0.0.0.0/:: when only a
            // port was given.
            var error: NetError
            if let localAddress, let localPort, localPort != 0 {
                error = .withHostPort(status, syscall: "connect", address: address, port: port,
                                      local: "\(localAddress):\(localPort)")
                error.localAddress = localAddress
                error.localPort = localPort
            } else {
                error = .withHostPort(status, syscall: "connect", address: address, port: port)
            }
            emitConnectionAttemptFailed(address, port, error)
            destroy(error)
        }
    }
}

extension Socket {
    /// Node's `afterConnect` for a connection made (the socket is not destroyed): the options that wait for
    /// a connection, then 'connect', 'ready' and reading.
    private func didConnect() {
        isConnecting = false
        refreshTimeout()
        if let tcp = handle as? TCPHandle {
            if setNoDelayOnConnect { _ = tcp.setNoDelay(true) }
            if keepAliveEnabled { _ = tcp.setKeepAlive(true, delaySeconds: keepAliveDelaySeconds) }
        }
        if onreadState != nil { handle?.readsIntoOwnerBuffer = true }
        emit(.connect)
        emit(.ready)
        if streamState.readableState!.readable && !isPaused() { read(0) }
    }
}

extension Socket: ConnectRequester {}

/// A numeric host's connect request doubles as the tick Node's `lookupAndConnect` queues for it
/// (`process.nextTick(internalConnect)`): the tick runs the connect if the socket still waits for it.
extension Request: TickTarget where Req == uv_connect_t, Context == ConnectAttempt {
    func runTick(_ code: UInt8) {
        let socket = unsafeDowncast(contextPointer.pointee.requester, to: Socket.self)
        if socket.isConnecting { socket.internalConnect(self) }
    }
}
