import CLibUV

/// Options for ``Socket/connect(_:_:)`` and ``createConnection(_:_:)`` (Node's `socket.connect(options)`).
public struct ConnectOptions {
    /// The options Node's `net.connect(options)` also hands to `new Socket(options)`, stored as such so
    /// that `createConnection` passes them on without building a copy (490 instructions per connection).
    /// The properties they share with ``Socket/Options`` read and write them here. No default value: the
    /// initializers set it once (a default would be built, then destroyed and replaced: 4 retains and
    /// releases per connection).
    var socketOptions: Socket.Options

    /// The port to connect to (TCP). Required unless `path` is set.
    public var port: Int?
    /// The host: an IP literal (no lookup) or a name resolved with `getaddrinfo`. Default `"localhost"`.
    public var host: String
    /// The local address to bind before connecting.
    public var localAddress: String?
    /// The local port to bind before connecting.
    public var localPort: Int?
    /// The IP family to resolve: 0 (either), 4 or 6.
    public var family: Int?
    /// `getaddrinfo` flags (`AI_ADDRCONFIG`, `AI_V4MAPPED`, …); 0 lets Net use `AI_ADDRCONFIG` as Node does.
    public var hints: Int32
    /// A custom resolver in place of `getaddrinfo` (Node's `lookup` option).
    public var lookup: LookupFunction?
    /// Turn off Nagle's algorithm once connected.
    public var noDelay: Bool {
        get { socketOptions.noDelay }
        set { socketOptions.noDelay = newValue }
    }
    /// The path of a Unix domain socket to connect to instead of TCP.
    public var path: String?
    /// Keep the writable side open after the peer ends (for ``createConnection(_:_:)``).
    public var allowHalfOpen: Bool {
        get { socketOptions.allowHalfOpen }
        set { socketOptions.allowHalfOpen = newValue }
    }
    /// Turn on TCP keep-alive once connected (as `setKeepAlive(true, keepAliveInitialDelay)`).
    public var keepAlive: Bool {
        get { socketOptions.keepAlive }
        set { socketOptions.keepAlive = newValue }
    }
    /// The keep-alive idle time in milliseconds (whole seconds are used; 0 keeps the system's; a negative
    /// value counts as 0, as in Node).
    public var keepAliveInitialDelay: Int {
        get { socketOptions.keepAliveInitialDelay }
        set { socketOptions.keepAliveInitialDelay = newValue }
    }
    /// Reads go into this buffer and to its callback instead of 'data' events (Node's `onread`).
    public var onread: OnRead? {
        get { socketOptions.onread }
        set { socketOptions.onread = newValue }
    }
    /// An idle timeout in milliseconds, as `setTimeout(timeout)` right after `connect()`.
    public var timeout: Int?
    /// Destroys the socket with an AbortError when aborted (for ``createConnection(_:_:)``).
    public var signal: AbortSignal? {
        get { socketOptions.signal }
        set { socketOptions.signal = newValue }
    }
    /// Opt in to write gathering, which is not Node's (default false); see ``Socket/gatherWrites``.
    public var gatherWrites: Bool {
        get { socketOptions.gatherWrites }
        set { socketOptions.gatherWrites = newValue }
    }
    /// For ``createConnection(_:_:)``: an existing descriptor for the new socket, as `Socket.Options.fd`.
    public var fd: Int32? {
        get { socketOptions.fd }
        set { socketOptions.fd = newValue }
    }
    /// For ``createConnection(_:_:)``: whether reads are allowed, as `Socket.Options.readable`.
    public var readable: Bool {
        get { socketOptions.readable }
        set { socketOptions.readable = newValue }
    }
    /// For ``createConnection(_:_:)``: whether writes are allowed, as `Socket.Options.writable`.
    public var writable: Bool {
        get { socketOptions.writable }
        set { socketOptions.writable = newValue }
    }
    /// For ``createConnection(_:_:)``: the stream high-water mark in bytes, as `Socket.Options.highWaterMark`
    /// (a negative value throws ERR_INVALID_ARG_VALUE, as in Node).
    public var highWaterMark: Int? {
        get { socketOptions.highWaterMark }
        set { socketOptions.highWaterMark = newValue }
    }
    /// For ``createConnection(_:_:)``: connecting to an address this list blocks fails with `ERR_IP_BLOCKED`
    /// (Node v22's `blockList`; the socket keeps it as `Socket.Options.blockList`).
    public var blockList: BlockList? {
        get { socketOptions.blockList }
        set { socketOptions.blockList = newValue }
    }
    /// Happy eyeballs (RFC 8305, Node's `autoSelectFamily`): look up every address of a host name and try
    /// them in turn, alternating families, each after `autoSelectFamilyAttemptTimeout` ms. nil takes
    /// ``getDefaultAutoSelectFamily()`` (true, as Node v20). Not used for an IP literal, with `family` 4 or
    /// 6, or with `localAddress` (as in Node).
    public var autoSelectFamily: Bool?
    /// How long each attempt gets before the next address is tried, in ms: 1…2147483647, values under 10
    /// count as 10; nil takes ``getDefaultAutoSelectFamilyAttemptTimeout()`` (250).
    public var autoSelectFamilyAttemptTimeout: Int?
    /// A custom resolver that answers every address (Node's `lookup` called with `all: true`), used in
    /// place of `lookup` and `getaddrinfo`; where `autoSelectFamily` does not apply, its first answer is used.
    public var lookupAll: LookupAllFunction?

    /// Options for a TCP connection to `port` on `host`.
    public init(
        port: Int? = nil, host: String = "localhost", localAddress: String? = nil, localPort: Int? = nil,
        family: Int? = nil, hints: Int32 = 0, lookup: LookupFunction? = nil, noDelay: Bool = false,
        allowHalfOpen: Bool = false, keepAlive: Bool = false, keepAliveInitialDelay: Int = 0,
        onread: OnRead? = nil, timeout: Int? = nil, signal: AbortSignal? = nil
    ) {
        self.timeout = timeout
        self.port = port
        self.host = host
        self.localAddress = localAddress
        self.localPort = localPort
        self.family = family
        self.hints = hints
        self.lookup = lookup
        socketOptions = Socket.Options(allowHalfOpen: allowHalfOpen, signal: signal, noDelay: noDelay,
                                       keepAlive: keepAlive, keepAliveInitialDelay: keepAliveInitialDelay, onread: onread)
    }

    /// Options for a Unix domain socket at `path`.
    public init(path: String, allowHalfOpen: Bool = false, gatherWrites: Bool = false) {
        self.init(allowHalfOpen: allowHalfOpen)
        self.path = path
        self.gatherWrites = gatherWrites
    }
}

/// What a lookup function is asked for (Node's `dns.lookup` options).
public struct LookupOptions: Sendable, Equatable {
    /// 0, 4 or 6.
    public var family: Int
    /// `getaddrinfo` flags.
    public var hints: Int32
    /// Whether every address is asked for (Node's `all`): true when a connect uses `autoSelectFamily`.
    public var all: Bool

    /// Lookup options.
    public init(family: Int = 0, hints: Int32 = 0, all: Bool = false) {
        self.family = family
        self.hints = hints
        self.all = all
    }
}

/// A resolver with Node's `lookup(hostname, options, callback(err, address, family))` shape.
public typealias LookupFunction = (String, LookupOptions, @escaping (NetError?, String?, Int?) -> Void) -> Void

/// The payload of a socket's `'lookup'` event: Node's `(err, address, family, host)`.
public struct LookupResult: Sendable, Equatable {
    /// The resolution error, if it failed.
    public var error: NetError?
    /// The address chosen.
    public var address: String?
    /// 4 or 6.
    public var family: Int?
    /// The host name that was looked up.
    public var host: String
}

/// Node's `dns.lookup` with `all: false`: the first address `getaddrinfo` returns (resolver order).
public func defaultLookup(_ host: String, _ options: LookupOptions, _ callback: @escaping (NetError?, String?, Int?) -> Void) {
    let loop = EventLoop.current
    let status = GetAddrInfo.lookup(loop: loop, host: host, family: options.family, hints: options.hints) { status, entries in
        if status < 0 {
            callback(.dns(status, syscall: "getaddrinfo", hostname: host), nil, nil)
        } else if let first = entries.first {
            callback(nil, first.address, first.family)
        } else {
            callback(.dns(UV_EAI_NODATA.rawValue, syscall: "getaddrinfo", hostname: host), nil, nil)
        }
    }
    if status < 0 {
        let error = NetError.dns(status, syscall: "getaddrinfo", hostname: host)
        loop.nextTick { callback(error, nil, nil) }
    }
}

/// Node's `validatePort`: 0…65535, else ERR_SOCKET_BAD_PORT.
func validatePort(_ port: Int, name: String = "Port", allowZero: Bool = true) throws(NetError) {
    if port < 0 || port > 0xFFFF || (port == 0 && !allowZero) {
        throw .socketBadPort(name, .int(port), allowZero: allowZero)
    }
}
