import CLibUV

/// Node's `net.Socket`: a ``Duplex`` over a TCP connection or a Unix domain socket, with Node's events
/// in Node's order ('lookup', 'connect', 'ready', 'data', 'end', 'finish', 'error', 'close').
///
/// A socket is made by ``createConnection(_:_:)``/``connect(_:_:)``, by a ``Server`` for each incoming
/// connection, or with `Socket()` and then ``connect(_:_:)``. Writes made while connecting are queued and
/// flushed once connected. With `allowHalfOpen` false (the default) the socket ends its writable side on
/// the tick after the peer's FIN ('end'); writing after that fails with EPIPE, as in Node.
///
/// Loop-confined: use it only on the thread whose ``EventLoop`` made it.
public final class Socket: StreamState, Duplex, CallbackEndTask {
    /// Options for `Socket(_:)` (Node's `new net.Socket(options)`).
    public struct Options {
        /// An existing descriptor to wrap: a connected (or bound) TCP socket, a Unix domain socket or a
        /// pipe, such as 0 or 1 when stdin or stdout is one. The socket owns it from then on and closes it
        /// when destroyed. nil (the default) makes a socket that ``Socket/connect(_:_:)`` connects.
        public var fd: Int32?
        /// Keep the writable side open after the peer ends (default false: end it too).
        public var allowHalfOpen: Bool
        /// Whether reads are allowed (false makes a write-only socket).
        public var readable: Bool
        /// Whether writes are allowed (false makes a read-only socket).
        public var writable: Bool
        /// Node's `highWaterMark` stream option: both `readableHighWaterMark` and `writableHighWaterMark`,
        /// in bytes; nil keeps Node's default of 16 KiB. With 0, any `write` that is not flushed at once
        /// (one made while connecting, say) returns false.
        public var highWaterMark: Int?
        /// Destroys the socket with an AbortError (`ABORT_ERR`) when the signal aborts, or on the next
        /// tick if it already has.
        public var signal: AbortSignal?
        /// Opt in to write gathering (not a Node option; default false, Node's behaviour). See
        /// ``Socket/gatherWrites`` for what it does and how it differs from Node.
        public var gatherWrites: Bool
        /// Turn off Nagle's algorithm once connected (Node's `noDelay`).
        public var noDelay: Bool = false
        /// Turn on TCP keep-alive once connected (Node's `keepAlive`).
        public var keepAlive: Bool = false
        /// The keep-alive idle time in milliseconds (whole seconds are used; a negative value counts as 0).
        public var keepAliveInitialDelay: Int = 0
        /// Reads go into this memory and to its callback instead of 'data' events (Node's `onread`).
        public var onread: OnRead?
        /// Connecting to an address this list blocks fails with ERR_IP_BLOCKED (Node's `blockList`).
        public var blockList: BlockList?

        /// Node's defaults.
        public init(fd: Int32? = nil, allowHalfOpen: Bool = false, readable: Bool = true, writable: Bool = true,
                    highWaterMark: Int? = nil, signal: AbortSignal? = nil, noDelay: Bool = false,
                    keepAlive: Bool = false, keepAliveInitialDelay: Int = 0, onread: OnRead? = nil,
                    blockList: BlockList? = nil, gatherWrites: Bool = false) {
            self.blockList = blockList
            self.noDelay = noDelay
            self.keepAlive = keepAlive
            self.keepAliveInitialDelay = keepAliveInitialDelay
            self.onread = onread
            self.fd = fd
            self.gatherWrites = gatherWrites
            self.signal = signal
            self.allowHalfOpen = allowHalfOpen
            self.readable = readable
            self.writable = writable
            self.highWaterMark = highWaterMark
        }
    }

    /// `socket.readyState`.
    public enum ReadyState: String, Sendable {
        /// Connecting.
        case opening
        /// Readable and writable.
        case open
        /// The writable side has ended.
        case readOnly
        /// The readable side has ended.
        case writeOnly
        /// Neither side is open.
        case closed
    }

    /// The socket's listeners (the ``EventEmitter`` storage): the socket itself, which is its own
    /// ``StreamState`` (one allocation for the socket, its state and its listeners).
    @inline(__always) public var eventListeners: EventListeners { self }
    /// Node's `_readableState` and `_writableState` for this socket: the socket itself.
    @inline(__always) public var streamState: StreamState { self }

    /// The socket's loop: its handle's, or before it has one its thread's (a socket is used only on the
    /// thread that made it). Not a field: 8 bytes per connection, which the malloc chunk of the socket
    /// crossed.
    @inline(__always) var loop: EventLoop { handle?.loop ?? EventLoop.current }
    @exclusivity(unchecked) var handle: StreamHandle?
    /// The server that accepted this socket, which counts it until it closes.
    @exclusivity(unchecked) var server: Server?
    @exclusivity(unchecked) var bytesDispatched = 0
    @exclusivity(unchecked) var bytesReadTotal = 0
    /// What most sockets never use (see `SocketExtras`); made on first use.
    @exclusivity(unchecked) var extras: SocketExtras?
    // The flags last, so they share one word.
    /// Whether the writable side stays open after the peer's FIN.
    public let allowHalfOpen: Bool
    /// True between `connect()` and the connection (or its failure).
    public var connecting: Bool { checkThread(); return isConnecting }
    @exclusivity(unchecked) var isConnecting = false
    @exclusivity(unchecked) var readStopped = false
    /// Node's `writeAfterFIN`: set by the socket's own 'end' listener when `allowHalfOpen` is false, so that
    /// a write after the auto-`end()` fails with EPIPE; cleared by `connect()`.
    @exclusivity(unchecked) var writeAfterFIN = false
    /// The rarely set flags, one bit each (see `RareFlag`), so that the flags stay within one word.
    @exclusivity(unchecked) var rareFlags = BitFlags<UInt8>()
    /// 'close' events scheduled and not yet emitted: a socket destroyed, connected again and destroyed
    /// again before the first 'close' has two. Listeners are released only after the last one.
    @exclusivity(unchecked) var pendingCloses: UInt8 = 0

    enum RareFlag {
        static let setNoDelayOnConnect: UInt8 = 1 << 0
        static let keepAliveEnabled: UInt8 = 1 << 1
        static let resetAndClosing: UInt8 = 1 << 2
        /// Small writes are being gathered (see `gather(_:on:)`).
        static let gathering: UInt8 = 1 << 3
        /// Made around a descriptor (`Options.fd`), which other code may write to as well: nothing is
        /// gathered, or its bytes would land after that code's.
        static let sharesDescriptor: UInt8 = 1 << 4
        /// Write gathering was asked for (``Socket/gatherWrites``); off by default, as Node has none.
        static let gatherWrites: UInt8 = 1 << 5
    }

    /// `setNoDelay` was asked for before there was a handle: applied on connect.
    var setNoDelayOnConnect: Bool {
        get { rareFlags[RareFlag.setNoDelayOnConnect] }
        set { rareFlags[RareFlag.setNoDelayOnConnect] = newValue }
    }
    /// Keep-alive is on (applied to each new handle).
    var keepAliveEnabled: Bool {
        get { rareFlags[RareFlag.keepAliveEnabled] }
        set { rareFlags[RareFlag.keepAliveEnabled] = newValue }
    }
    /// `resetAndDestroy()` asked for an RST on close.
    var resetAndClosing: Bool {
        get { rareFlags[RareFlag.resetAndClosing] }
        set { rareFlags[RareFlag.resetAndClosing] = newValue }
    }

    var extrasStorage: SocketExtras {
        if let extras { return extras }
        let made = SocketExtras()
        extras = made
        return made
    }

    /// Bytes of writes parked until 'connect'.
    var pendingWrites: Int {
        get { extras?.pendingWrites ?? 0 }
        set { if newValue != 0 || extras != nil { extrasStorage.pendingWrites = newValue } }
    }
    /// The addresses as read (lazily, on first use) from the handle; see `remote` and `local`.
    var cachedLocal: (address: String, port: Int, family: String)? {
        get { extras?.cachedLocal }
        set { if newValue != nil || extras != nil { extrasStorage.cachedLocal = newValue } }
    }
    var cachedRemote: (address: String, port: Int, family: String)? {
        get { extras?.cachedRemote }
        set { if newValue != nil || extras != nil { extrasStorage.cachedRemote = newValue } }
    }
    // Socket controls (SocketControls.swift).
    var timeoutTimer: Timer? {
        get { extras?.timeoutTimer }
        set { if newValue != nil || extras != nil { extrasStorage.timeoutTimer = newValue } }
    }
    var timeoutTarget: TimeoutTarget? {
        get { extras?.timeoutTarget }
        set { if newValue != nil || extras != nil { extrasStorage.timeoutTarget = newValue } }
    }
    var timeoutCallbacks: [ListenerToken] {
        get { extras?.timeoutCallbacks ?? [] }
        set { if !newValue.isEmpty || extras != nil { extrasStorage.timeoutCallbacks = newValue } }
    }
    var lastWriteQueueSize: Int {
        get { extras?.lastWriteQueueSize ?? 0 }
        set { if newValue != 0 || extras != nil { extrasStorage.lastWriteQueueSize = newValue } }
    }
    /// `socket.timeout`: the idle timeout last set with `setTimeout`, in milliseconds (nil before).
    public internal(set) var timeout: Int? {
        get { checkThread(); return extras?.timeout }
        set { if newValue != nil || extras != nil { extrasStorage.timeout = newValue } }
    }
    var keepAliveDelaySeconds: Int {
        get { extras?.keepAliveDelaySeconds ?? 0 }
        set { if newValue != 0 || extras != nil { extrasStorage.keepAliveDelaySeconds = newValue } }
    }
    var onreadState: OnReadState? {
        get { extras?.onreadState }
        set { if newValue != nil || extras != nil { extrasStorage.onreadState = newValue } }
    }
    var blockList: BlockList? {
        get { extras?.blockList }
        set { if newValue != nil || extras != nil { extrasStorage.blockList = newValue } }
    }
    var autoSelect: AutoSelectState? {
        get { extras?.autoSelect }
        set { if newValue != nil || extras != nil { extrasStorage.autoSelect = newValue } }
    }

    /// Node's `new net.Socket(options)`: a socket with no connection yet (call ``connect(_:_:)``), or with
    /// `options.fd`, a socket around that descriptor, reading at once unless `readable` is false.
    ///
    /// Throws as Node does for the descriptor: ERR_OUT_OF_RANGE for a negative `fd`,
    /// ERR_INVALID_FD_TYPE (`Unsupported fd type: TTY`) for one that is neither a TCP socket nor a
    /// pipe/Unix socket, `open <code>` when libuv cannot adopt it. Without `fd` it never throws.
    public convenience init(_ options: borrowing Options = .init()) throws(NetError) {
        try Self.validate(options)
        var opened: StreamHandle?
        if let fd = options.fd {
            guard fd >= 0 else { throw .outOfRange("fd", ">= 0 && <= 2147483647", .int(Int(fd))) }
            switch StreamHandle.open(fd: fd, loop: EventLoop.current) {
            case .success(let handle): opened = handle
            case .failure(.unsupportedType(let type)): throw .invalidFDType(type)
            case .failure(.failed(let status)): throw .errno(status, syscall: "open")
            }
        }
        self.init(unconnected: options)
        applyConstructorOptions(options)
        if let opened {
            rareFlags[RareFlag.sharesDescriptor] = true
            adopt(opened)
            // Node: with a handle and `readable` not false, reading starts at once.
            if options.readable { read(0) }
        }
    }

    /// A socket with no connection yet and Node's default options (`new net.Socket()`); it cannot fail.
    public convenience init() {
        self.init(unconnected: ())
    }

    deinit {
        // The idle timer (if any) may outlive the socket; it must not call into it (see `setTimeout`).
        extras?.timeoutTarget?.socket = nil
    }

    /// A socket with no handle (Node's `new net.Socket()`): what `connect()` starts from.
    init(unconnected options: borrowing Options) {
        allowHalfOpen = options.allowHalfOpen
        super.init(readable: ReadableState.Options(highWaterMark: options.highWaterMark ?? 16 * 1024),
                   writable: WritableState.Options(highWaterMark: options.highWaterMark ?? 16 * 1024))
        if !options.readable { streamState.readableState!.readable = false }
        if !options.writable { streamState.writableState!.writable = false }
        streamState.emitClose = false   // 'close' comes when the handle has closed, with hadError
        if options.gatherWrites { rareFlags[RareFlag.gatherWrites] = true }
        addEndListener(reserving: 4)
        if let signal = options.signal { watch(signal) }
    }

    /// `init(unconnected: Options())` without building the options: `Options()` is copied once and
    /// destroyed twice on the way in (about 190 instructions of `createConnection(port:host:)`).
    init(unconnected: Void) {
        allowHalfOpen = false
        super.init(readable: ReadableState.Options(highWaterMark: 16 * 1024),
                   writable: WritableState.Options(highWaterMark: 16 * 1024))
        streamState.emitClose = false   // as `init(unconnected: Options)`
        addEndListener(reserving: 4)
    }

    /// A socket around an accepted connection.
    init(accepted handle: StreamHandle, server: Server, allowHalfOpen: Bool, pauseOnCreate: Bool, highWaterMark: Int? = nil) {
        self.allowHalfOpen = allowHalfOpen
        self.server = server
        super.init(readable: ReadableState.Options(highWaterMark: highWaterMark ?? 16 * 1024),
                   writable: WritableState.Options(highWaterMark: highWaterMark ?? 16 * 1024))
        streamState.emitClose = false
        addEndListener(reserving: 3)
        adopt(handle)
        if pauseOnCreate {
            streamState.readableState!.flowing = false
        } else {
            read(0)
        }
    }

    /// Node's Socket constructor registers one 'end' listener of its own (`onReadableStreamEnd`), so a fresh
    /// socket has `listenerCount(.end) == 1` and user listeners run after it. With `allowHalfOpen` false it
    /// arms `writeAfterFIN`; the auto-`end()` itself comes from the Duplex machinery a tick after 'end'.
    ///
    /// It is a hook: `emit` hands it the socket, so it holds no reference to it. Not `weak` (a weak
    /// reference gives the object a side table for life, and every retain and release of the socket the
    /// slow path), and no closure context to allocate per socket. To `listenerCount`, `listeners`,
    /// `prependListener` and `removeAllListeners` it is an ordinary listener, as in Node.
    ///
    /// The first listener reserves room for `count` in all, so that the usual ones take one allocation: on
    /// an accepted socket its own, a 'data' and an 'error' listener (3 slots, a 144-byte malloc chunk); on
    /// a socket that connects also a 'connect' (`createConnection`'s callback) and a 'close' or 'end'
    /// (4 slots, a 176-byte chunk).
    func addEndListener(reserving count: Int) {
        if eventListeners.slots.isEmpty { eventListeners.reserve(count) }
        addHook(.end, Socket.endHook)
    }

    /// One hook for every socket.
    private static let endHook = EventListeners.Hook { socket in
        unsafeDowncast(socket, to: Socket.self).onReadableStreamEnd()
    }

    private func onReadableStreamEnd() {
        if !allowHalfOpen { writeAfterFIN = true }
    }

    func adopt(_ handle: StreamHandle) {
        self.handle = handle
        handle.setOwner(self)
    }

    // MARK: Properties (Node's getters)

    /// `socket.pending`: true before a connection exists (no handle yet, or still connecting).
    public var pending: Bool { checkThread(); return handle == nil || isConnecting }

    /// `socket.readyState`.
    public var readyState: ReadyState {
        checkThread()
        if isConnecting { return .opening }
        switch (readable, writable) {
        case (true, true): return .open
        case (true, false): return .readOnly
        case (false, true): return .writeOnly
        case (false, false): return .closed
        }
    }

    /// `socket.bytesRead`: bytes received.
    public var bytesRead: Int { checkThread(); return bytesReadTotal }

    /// `socket.bytesWritten`: bytes sent, plus bytes queued in the socket (bytes, not characters).
    public var bytesWritten: Int {
        checkThread()
        var total = bytesDispatched + pendingWrites
        let writable = streamState.writableState!
        for pending in writable.buffered { total += pending.chunk.count }
        total += writable.tail?.count ?? 0   // the writes appended behind the last entry
        return total
    }

    /// `socket.bufferSize`: bytes waiting to be written (`writableLength` while a handle exists).
    public var bufferSize: Int { checkThread(); return handle == nil ? 0 : writableLength }

    /// `socket.localAddress` (nil before connect; after close, what was read while connected).
    public var localAddress: String? { checkThread(); return local?.address }
    /// `socket.localPort`.
    public var localPort: Int? { checkThread(); return local?.port }
    /// `socket.localFamily`: `"IPv4"` or `"IPv6"`.
    public var localFamily: String? { checkThread(); return local?.family }
    /// `socket.remoteAddress` (nil before connect or after a failed one; after close, what was read while
    /// connected, as in Node).
    public var remoteAddress: String? { checkThread(); return remote?.address }
    /// `socket.remotePort`.
    public var remotePort: Int? { checkThread(); return remote?.port }
    /// `socket.remoteFamily`: `"IPv4"` or `"IPv6"`.
    public var remoteFamily: String? { checkThread(); return remote?.family }

    /// `socket.address()`: the local address, port and family, or nil when unknown.
    public func address() -> AddressInfo? {
        checkThread()
        guard let local else { return nil }
        return AddressInfo(address: local.address, family: local.family, port: local.port)
    }

    // Addresses are read when first asked for while connected, as Node's `_getpeername`/`_getsockname`
    // do, not on every connection: most connections never ask, and reading and formatting both cost
    // four syscalls and four `inet_ntop`s per connection pair. Once read they are cached until a
    // reconnect, so they stay readable after close; never read while connected, they are nil after close
    // (Node: `remoteAddress` undefined; `localAddress` is undefined after close in Node in any case).

    /// The peer's address: cached, or read from the connected handle (nil while connecting).
    var remote: (address: String, port: Int, family: String)? {
        if let cachedRemote { return cachedRemote }
        guard !isConnecting, let tcp = handle as? TCPHandle, let address = tcp.remoteAddress() else { return nil }
        cachedRemote = (address.ip, address.port, address.familyName)
        return cachedRemote
    }

    /// The local address: cached, or read from the connected handle (nil while connecting).
    var local: (address: String, port: Int, family: String)? {
        if let cachedLocal { return cachedLocal }
        guard !isConnecting, let tcp = handle as? TCPHandle, let address = tcp.localAddress() else { return nil }
        cachedLocal = (address.ip, address.port, address.familyName)
        return cachedLocal
    }
}

/// The parts of a socket most sockets never use: an idle timeout, keep-alive's delay, `onread`, writes
/// parked while connecting, the addresses once read. Kept out of `Socket` so that an idle connection
/// costs less memory (Socket: 88 bytes instead of 280).
final class SocketExtras {
    var pendingWrites = 0
    var cachedLocal: (address: String, port: Int, family: String)?
    var cachedRemote: (address: String, port: Int, family: String)?
    var timeoutTimer: Timer?
    var timeoutTarget: TimeoutTarget?
    var timeoutCallbacks: [ListenerToken] = []
    var lastWriteQueueSize = 0
    var timeout: Int?
    var keepAliveDelaySeconds = 0
    var onreadState: OnReadState?
    /// Node's `socket.blockList`, checked before each connect attempt (Socket+AutoSelectFamily.swift).
    var blockList: BlockList?
    /// The happy-eyeballs state of a connect (Socket+AutoSelectFamily.swift).
    var autoSelect: AutoSelectState?
    /// Small writes taken and not yet handed to the kernel (see `Socket.gather(_:on:)`).
    var gathered = GatheredWrites()
    /// The large string being written, during `writeString` (see `Socket.lendableStringSize`).
    var lentString: LentString?
}

/// A string whose UTF-8 storage a queued write reads from; the request holds this until libuv is done.
final class LentString {
    let string: String
    init(_ string: String) { self.string = string }
}

/// An address as Node's `address()` returns it: `{ address, family, port }`.
public struct AddressInfo: Sendable, Hashable, CustomStringConvertible {
    /// The IP address text.
    public var address: String
    /// `"IPv4"` or `"IPv6"`.
    public var family: String
    /// The port.
    public var port: Int

    /// An address.
    public init(address: String, family: String, port: Int) {
        self.address = address
        self.family = family
        self.port = port
    }

    /// As Node's `util.inspect` prints it: `{ address: '::', family: 'IPv6', port: 8124 }`.
    public var description: String { "{ address: '\(address)', family: '\(family)', port: \(port) }" }
}

extension EventKey where Emitter == Socket, Payload == Void {
    /// `'connect'`: the connection is established.
    public static var connect: Self { .init(.connect) }
    /// `'ready'`: right after 'connect'.
    public static var ready: Self { .init(.ready) }
}

extension EventKey where Emitter == Socket, Payload == LookupResult {
    /// `'lookup'`: the host name was resolved (or failed to), before connecting.
    public static var lookup: Self { .init(.lookup) }
}
