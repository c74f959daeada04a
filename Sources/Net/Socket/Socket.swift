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
public final class Socket: Duplex, WriteGatherer {
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
                    blockList: BlockList? = nil) {
            self.blockList = blockList
            self.noDelay = noDelay
            self.keepAlive = keepAlive
            self.keepAliveInitialDelay = keepAliveInitialDelay
            self.onread = onread
            self.fd = fd
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

    /// The socket's listeners (the ``EventEmitter`` storage).
    public let eventListeners = EventListeners()
    /// Node's `_readableState` and `_writableState` for this socket.
    public let streamState: StreamState

    unowned let loop: EventLoop
    @exclusivity(unchecked) var handle: StreamHandle?
    /// The server that accepted this socket, which counts it until it closes.
    var server: Server?
    @exclusivity(unchecked) var bytesDispatched = 0
    @exclusivity(unchecked) var bytesReadTotal = 0
    /// What most sockets never use (see `SocketExtras`); made on first use.
    @exclusivity(unchecked) private var extras: SocketExtras?
    // The flags last, so they share one word.
    /// Whether the writable side stays open after the peer's FIN.
    public let allowHalfOpen: Bool
    /// True between `connect()` and the connection (or its failure).
    @exclusivity(unchecked) public private(set) var connecting = false
    @exclusivity(unchecked) var readStopped = false
    /// Node's `writeAfterFIN`: set by the socket's own 'end' listener when `allowHalfOpen` is false, so that
    /// a write after the auto-`end()` fails with EPIPE; cleared by `connect()`.
    @exclusivity(unchecked) var writeAfterFIN = false
    /// The rarely set flags, one bit each (see `RareFlag`), so that the flags stay within one word.
    @exclusivity(unchecked) private var rareFlags: UInt8 = 0
    /// 'close' events scheduled and not yet emitted: a socket destroyed, connected again and destroyed
    /// again before the first 'close' has two. Listeners are released only after the last one.
    @exclusivity(unchecked) var pendingCloses: UInt8 = 0

    private enum RareFlag {
        static let setNoDelayOnConnect: UInt8 = 1 << 0
        static let keepAliveEnabled: UInt8 = 1 << 1
        static let resetAndClosing: UInt8 = 1 << 2
        /// Small writes are being gathered (see `gather(_:on:)`).
        static let gathering: UInt8 = 1 << 3
        /// Made around a descriptor (`Options.fd`), which other code may write to as well: nothing is
        /// gathered, or its bytes would land after that code's.
        static let sharesDescriptor: UInt8 = 1 << 4
    }

    private func rareFlag(_ mask: UInt8) -> Bool { rareFlags & mask != 0 }
    private func setRareFlag(_ mask: UInt8, _ value: Bool) {
        if value { rareFlags |= mask } else { rareFlags &= ~mask }
    }
    /// `setNoDelay` was asked for before there was a handle: applied on connect.
    var setNoDelayOnConnect: Bool {
        get { rareFlag(RareFlag.setNoDelayOnConnect) }
        set { setRareFlag(RareFlag.setNoDelayOnConnect, newValue) }
    }
    /// Keep-alive is on (applied to each new handle).
    var keepAliveEnabled: Bool {
        get { rareFlag(RareFlag.keepAliveEnabled) }
        set { setRareFlag(RareFlag.keepAliveEnabled, newValue) }
    }
    /// `resetAndDestroy()` asked for an RST on close.
    var resetAndClosing: Bool {
        get { rareFlag(RareFlag.resetAndClosing) }
        set { setRareFlag(RareFlag.resetAndClosing, newValue) }
    }

    private var extrasStorage: SocketExtras {
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
        get { extras?.timeout }
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
    public convenience init(_ options: Options = .init()) throws(NetError) {
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
            setRareFlag(RareFlag.sharesDescriptor, true)
            adopt(opened)
            // Node: with a handle and `readable` not false, reading starts at once.
            if options.readable { read(0) }
        }
    }

    /// A socket with no connection yet and Node's default options (`new net.Socket()`); it cannot fail.
    public convenience init() {
        self.init(unconnected: Options())
    }

    deinit {
        // The idle timer (if any) may outlive the socket; it must not call into it (see `setTimeout`).
        extras?.timeoutTarget?.socket = nil
    }

    /// A socket with no handle (Node's `new net.Socket()`): what `connect()` starts from.
    init(unconnected options: Options) {
        loop = EventLoop.current
        allowHalfOpen = options.allowHalfOpen
        let readable = options.highWaterMark.map { ReadableState(highWaterMark: $0) } ?? ReadableState()
        readable.readable = options.readable
        let writable = options.highWaterMark.map { WritableState(highWaterMark: $0) } ?? WritableState()
        writable.writable = options.writable
        streamState = StreamState(readable: readable, writable: writable)
        streamState.emitClose = false   // 'close' comes when the handle has closed, with hadError
        addEndListener()
        if let signal = options.signal { watch(signal) }
    }

    /// A socket around an accepted connection.
    init(accepted handle: StreamHandle, server: Server, allowHalfOpen: Bool, pauseOnCreate: Bool, highWaterMark: Int? = nil) {
        loop = handle.loop
        self.allowHalfOpen = allowHalfOpen
        streamState = highWaterMark.map {
            StreamState(readable: ReadableState(highWaterMark: $0), writable: WritableState(highWaterMark: $0))
        } ?? StreamState(readable: ReadableState(), writable: WritableState())
        streamState.emitClose = false
        self.server = server
        addEndListener()
        adopt(handle)
        if pauseOnCreate {
            streamState.readable!.flowing = false
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
    private func addEndListener() {
        // Its own listener and a user's 'data' and 'error' (or 'connect' and 'close'): one allocation.
        if eventListeners.slots.isEmpty { eventListeners.reserve(3) }
        addHook(.end, Socket.endHook)
    }

    /// One box for every socket's hook.
    private static let endHook = EventListeners.HookBox { socket in
        unsafeDowncast(socket, to: Socket.self).onReadableStreamEnd()
    }

    private func onReadableStreamEnd() {
        if !allowHalfOpen { writeAfterFIN = true }
    }

    func adopt(_ handle: StreamHandle) {
        self.handle = handle
        handle.owner = self
    }

    // MARK: Properties (Node's getters)

    /// `socket.pending`: true before a connection exists (no handle yet, or still connecting).
    public var pending: Bool { handle == nil || connecting }

    /// `socket.readyState`.
    public var readyState: ReadyState {
        if connecting { return .opening }
        switch (readable, writable) {
        case (true, true): return .open
        case (true, false): return .readOnly
        case (false, true): return .writeOnly
        case (false, false): return .closed
        }
    }

    /// `socket.bytesRead`: bytes received.
    public var bytesRead: Int { bytesReadTotal }

    /// `socket.bytesWritten`: bytes sent, plus bytes queued in the socket (bytes, not characters).
    public var bytesWritten: Int {
        var total = bytesDispatched + pendingWrites
        for pending in streamState.writable!.buffered { total += pending.chunk.count }
        return total
    }

    /// `socket.bufferSize`: bytes waiting to be written (`writableLength` while a handle exists).
    public var bufferSize: Int { handle == nil ? 0 : writableLength }

    /// `socket.localAddress` (nil before connect; after close, what was read while connected).
    public var localAddress: String? { local?.address }
    /// `socket.localPort`.
    public var localPort: Int? { local?.port }
    /// `socket.localFamily`: `"IPv4"` or `"IPv6"`.
    public var localFamily: String? { local?.family }
    /// `socket.remoteAddress` (nil before connect or after a failed one; after close, what was read while
    /// connected, as in Node).
    public var remoteAddress: String? { remote?.address }
    /// `socket.remotePort`.
    public var remotePort: Int? { remote?.port }
    /// `socket.remoteFamily`: `"IPv4"` or `"IPv6"`.
    public var remoteFamily: String? { remote?.family }

    /// `socket.address()`: the local address, port and family, or nil when unknown.
    public func address() -> AddressInfo? {
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
        guard !connecting, let tcp = handle as? TCPHandle, let address = tcp.remoteAddress() else { return nil }
        cachedRemote = (address.ip, address.port, address.familyName)
        return cachedRemote
    }

    /// The local address: cached, or read from the connected handle (nil while connecting).
    var local: (address: String, port: Int, family: String)? {
        if let cachedLocal { return cachedLocal }
        guard !connecting, let tcp = handle as? TCPHandle, let address = tcp.localAddress() else { return nil }
        cachedLocal = (address.ip, address.port, address.familyName)
        return cachedLocal
    }

    // MARK: Reading

    public func _read(_ size: Int) {
        guard !connecting, let handle else {
            once(.connect) { [self] in _read(size) }
            return
        }
        if !handle.isReading { tryReadStart() }
    }

    private func tryReadStart() {
        guard let handle else { return }
        readStopped = false
        let status = handle.readStart()
        if status < 0 { destroy(.errno(status, syscall: "read")) }
    }

    private func onRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) {
        switch event {
        case .data(let bytes):
            bytesReadTotal += bytes.count
            refreshTimeout()
            guard !destroyed else { return }
            if let onread = onreadState {
                deliverToOnRead(onread, count: bytes.count)
                return
            }
            // The handle's loop, borrowed, not the socket's: the socket holds its loop `unowned`, and each
            // use of that is an unowned-to-strong retain and a release.
            if !push(stream.withLoop { $0.chunk(of: bytes) }) {
                handle?.readStop()
                readStopped = true
            }
        case .eof:
            if !streamState.readable!.endEmitted {
                push(nil)
                read(0)
            }
        case .error(let status):
            destroy(.errno(status, syscall: "read"))
        }
    }

    // MARK: Writing

    /// A socket writes a batch of buffered chunks with one `writev` (Node's `Socket.prototype._writev`).
    public var hasWritev: Bool { true }

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
            send(bytes, callbackless: callbackless, orLater: later()) { written in ([chunk], written) }
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
        guard admitWrite(given) else { return false }
        var string = string
        return string.withUTF8 { writeOrBuffer(.borrowed(UnsafeRawBufferPointer($0)), given) }
    }

    /// `_write(_:orLater:)` of bytes borrowed for the call (see `writeString`).
    func sendBorrowed(_ bytes: UnsafeRawBufferPointer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError?? {
        send(bytes, callbackless: wstate.writecbIsNop, orLater: later()) { written in ([Buffer(bytes[written...])], 0) }
    }

    /// A write of `bytes`. The common case, without arrays or closures: connected, and the kernel takes
    /// it all at once. Otherwise `rest(written)` gives the chunks (and the bytes of them already written)
    /// to queue behind: `bytes` are only borrowed for this call.
    @inline(__always)
    private func send(
        _ bytes: UnsafeRawBufferPointer,
        callbackless: Bool,
        orLater later: @autoclosure () -> (NetError?) -> Void,
        rest: (_ written: Int) -> (chunks: [Buffer], skipping: Int)
    ) -> NetError?? {
        guard !connecting, let handle, !handle.isClosing else {
            writeGeneric(rest(0).chunks, later())
            return nil
        }
        let count = bytes.count
        bytesDispatched += count
        refreshTimeout()
        if count <= Self.gatherableSize, callbackless {
            if isGathering || shouldGather(on: handle) { return gather(bytes, on: handle) }
        } else if isGathering, let error = flushGathered(on: handle) {
            return .some(error)
        }
        handle.withLoop { $0.flushGatherer(before: self) }
        let written = handle.tryWrite(bytes)
        if written == count { return .some(nil) }
        if written < 0 { return .some(.errno(Int32(written), syscall: "write")) }
        let (chunks, skipping) = rest(written)
        finishWrite(chunks, written: skipping, on: handle, later())
        return nil
    }

    public func _writev(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void) {
        writeGeneric(chunks, callback)
    }

    private func writeGeneric(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void) {
        if connecting {
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
        handle.withLoop { $0.flushGatherer(before: self) }
        let count = chunks.reduce(0) { $0 + $1.count }
        bytesDispatched += count
        refreshTimeout()
        let written = handle.tryWrite(chunks)
        if written == count { return callback(nil) }
        finishWrite(chunks, written: written, on: handle, callback)
    }

    /// After a `uv_try_write` that took `written` bytes (or failed): queue the rest without copying it,
    /// or report the failure, as Node's `writeGeneric` does with libuv's answer.
    private func finishWrite(_ chunks: [Buffer], written: Int, on handle: StreamHandle, _ callback: @escaping (NetError?) -> Void) {
        if written < 0 { return callback(.errno(Int32(written), syscall: "write")) }
        let status = handle.queueWrite(chunks, skipping: written) { [self] status in
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

    /// A socket's first small callback-less writes of a callback go out at once, as in Node; from this
    /// many on, in a row, they are gathered (see `gather(_:on:)`). A callback that writes a few times
    /// and then blocks or computes leaves nothing of them waiting.
    static let writesAtOnce = 4
    /// The largest write that is gathered.
    static let gatherableSize = 4096
    /// Gathered bytes leave at once when they reach this much (Node's default high-water mark).
    static let gatherFlushSize = 16384

    /// Whether writes are gathered, waiting for the end of the callback (or for `gatherFlushSize`).
    var isGathering: Bool { rareFlag(RareFlag.gathering) }

    /// Whether this small callback-less write should be gathered: more than `writesAtOnce` of them in a
    /// row in this callback, nothing queued in libuv, and a descriptor of the socket's own.
    @inline(never) private func shouldGather(on handle: StreamHandle) -> Bool {
        handle.withLoop { $0.countWrite(by: ObjectIdentifier(self)) } > Self.writesAtOnce
            && handle.writeQueueSize == 0 && !rareFlag(RareFlag.sharesDescriptor)
    }

    /// Takes a small callback-less write as the kernel takes one, at once (it completes synchronously,
    /// as after a `uv_try_write` that took it all), and keeps its bytes to hand them to the kernel with
    /// the writes that follow: at the end of the callback (the loop's `settle`), once they reach
    /// `gatherFlushSize`, before this socket's next write, `end()`, connect or destroy that must come
    /// after them, before another socket's write, shutdown, close or connect (one socket gathers at a
    /// time), before an uncaught error is reported, and at `exit()`.
    ///
    /// Node's contract holds: `write` returns what it would, `writableLength` is back to 0, callbacks,
    /// 'drain' and the bytes' order (across sockets too) are the same. What moves is the moment the bytes
    /// reach the kernel, to one of the points above. A write with a callback is never gathered, so a
    /// failure reaches the callback of the write it belongs to, as in Node; gathered bytes that fail make
    /// an 'error', as a callback-less write's failure does in Node.
    @inline(never) private func gather(_ bytes: UnsafeRawBufferPointer, on handle: StreamHandle) -> NetError?? {
        let extras = extrasStorage
        if !isGathering {
            setRareFlag(RareFlag.gathering, true)
            handle.withLoop { loop in
                if extras.gathered.capacity == 0 { swap(&extras.gathered, &loop.spareGatherBuffer) }
                loop.startGathering(self)
            }
        }
        extras.gathered.append(contentsOf: bytes)
        if extras.gathered.count >= Self.gatherFlushSize { return .some(flushGathered(on: handle)) }
        return .some(nil)
    }

    /// The loop's call (at the end of the callback, or before another socket's write): flush, and fail
    /// the socket if the kernel refuses (at exit, with no callback to come, only try).
    func flushGathered(atExit: Bool) {
        guard isGathering else { return }
        guard let handle, !handle.isClosing else {
            // Not reached (a destroy flushes first); never let the bytes reach a later connection.
            assertionFailure("gathered bytes on a socket without a handle")
            setRareFlag(RareFlag.gathering, false)
            extras?.gathered = []
            return
        }
        if let error = flushGathered(on: handle, atExit: atExit), !atExit { destroy(error) }
    }

    /// Hands the gathered bytes to the kernel. What it does not take at once is queued: it counts in
    /// `writableLength` until written, as a write the kernel took in part does in Node, and later writes
    /// queue behind it. Returns the failure of the attempt, which is the caller's to report.
    @inline(never) private func flushGathered(on handle: StreamHandle, atExit: Bool = false) -> NetError? {
        setRareFlag(RareFlag.gathering, false)
        handle.withLoop { $0.stopGathering(self) }
        guard let extras else { return nil }
        var bytes: [UInt8] = []
        swap(&bytes, &extras.gathered)
        let written = bytes.withUnsafeBytes { handle.tryWrite($0) }
        if written == bytes.count || written < 0 || atExit {
            // Back to the loop for the next batch of any socket, not kept here by an idle socket.
            bytes.removeAll(keepingCapacity: true)
            handle.withLoop { loop in
                if loop.spareGatherBuffer.capacity == 0 { swap(&bytes, &loop.spareGatherBuffer) }
            }
            return written < 0 ? .errno(Int32(written), syscall: "write") : nil
        }
        let left = bytes.count - written
        let status = handle.queueWrite([Buffer(bytes)], skipping: written) { [self] status in
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
        if status < 0 { return .errno(status, syscall: "write") }
        holdLength(left)
        lastWriteQueueSize = handle.writeQueueSize
        return nil
    }

    /// Before `end()` decides whether `_final` may run: what the kernel refuses must count in `length`
    /// first, so that `_final` (the shutdown) waits for it, as it waits for a write in flight in Node.
    func flushGatheredBeforeEnd() {
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
        handle.withLoop { $0.flushGatherer(before: self) }
        let status = handle.shutdown { _ in callback(nil) }
        if status == UV_ENOTCONN.rawValue {
            callback(nil)
        } else if status < 0 {
            callback(.errno(status, syscall: "shutdown"))
        }
    }

    // MARK: Destroying

    public func _destroy(_ error: NetError?, _ callback: @escaping (NetError?) -> Void) {
        destroyHandle(error) { callback($0) }
    }

    /// `_destroy` with a callback that does not escape: it runs before this returns, at the point Node's
    /// `_destroy` calls back (the stream machinery calls this directly, without allocating a closure).
    func destroyHandle(_ error: NetError?, _ callback: (NetError?) -> Void) {
        // What was gathered counts as taken, as bytes in the kernel's buffer: it goes out before the close
        // (an error now changes nothing, the socket is closing anyway), after any other socket's.
        if let handle {
            if isGathering { _ = flushGathered(on: handle) }
            handle.withLoop { $0.flushGatherer(before: self) }
        }
        connecting = false
        timeoutTimer?.cancel()
        timeoutTimer = nil
        if let handle {
            pendingCloses += 1
            handle.closeNotice = error != nil ? .closedWithError : .closed
            if resetAndClosing, let tcp = handle as? TCPHandle {
                // resetAndDestroy(): close with an RST; if libuv refuses, report it and close normally.
                resetAndClosing = false
                let status = tcp.closeReset()
                if status < 0 {
                    emit(.error, .errno(status, syscall: "reset"))
                    handle.close()
                }
            } else {
                handle.close()
            }
            self.handle = nil
            callback(error)
        } else {
            callback(error)
            pendingCloses += 1
            loop.nextTick { [self] in emitHandleClose(false) }
        }
        if let server {
            self.server = nil
            server.connectionClosed()
        }
    }

    /// Emits a scheduled 'close' (what its listeners schedule pins the socket: see `ListenerRetention`);
    /// after the last one pending, the socket joins the loop's retention list (see
    /// `retainListenersAfterClose`). A 'close' listener, or a pending write failing from it, may destroy
    /// the socket again and schedule another 'close', which still needs them.
    private func emitHandleClose(_ hadError: Bool) {
        loop.pinning(eventListeners) { emit(.close, hadError) }
        pendingCloses -= 1
        if pendingCloses == 0 { retainListenersAfterClose(on: loop) }
    }

    /// `socket.setNoDelay([noDelay])`: turns Nagle's algorithm off (`true`, the default) or back on.
    ///
    /// As Node: without a handle (before `connect()`, after close) the wish is only recorded and applied
    /// once a connection is made; with a handle it is applied at once unless it equals the last setting.
    /// It never throws, whatever the socket's state. Returns the socket.
    @discardableResult
    public func setNoDelay(_ noDelay: Bool = true) -> Self {
        guard let handle else {
            setNoDelayOnConnect = noDelay
            return self
        }
        if let tcp = handle as? TCPHandle, noDelay != setNoDelayOnConnect {
            setNoDelayOnConnect = noDelay
            _ = tcp.setNoDelay(noDelay)
        }
        return self
    }

    /// `socket.destroySoon()`: end the writable side, then destroy once it has finished.
    public func destroySoon() {
        if writable { end() }
        if writableFinished {
            destroy()
        } else {
            once(.finish) { [self] in destroy() }
        }
    }

    // MARK: Connecting

    /// Connects with `options` (Node's `socket.connect(options[, connectListener])`); `connectListener`
    /// is added as a once-listener of 'connect'. Argument errors throw; connection errors arrive as 'error'.
    @discardableResult
    public func connect(_ options: ConnectOptions, _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
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
        if options.lookup == nil && isIP(host) == 0 {
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
        lookupAndConnect(options)
        return self
    }

    /// Connects to `port` on `host` (Node's `socket.connect(port[, host][, connectListener])`).
    @discardableResult
    public func connect(port: Int, host: String = "localhost", _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
        try connect(ConnectOptions(port: port, host: host), connectListener)
    }

    /// Connects to the Unix domain socket at `path` (Node's `socket.connect(path[, connectListener])`).
    @discardableResult
    public func connect(path: String, _ connectListener: (() -> Void)? = nil) -> Socket {
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
            setRareFlag(RareFlag.sharesDescriptor, false)   // the new handle's descriptor is its own
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
                addEndListener()
            }
        }
        writeAfterFIN = false
        if handle == nil {
            handle = pipe ? try PipeHandle(loop: loop) : try TCPHandle(loop: loop)
            adopt(handle!)
        }
        if let connectListener { once(.connect, connectListener) }
        connecting = true
    }

    private func lookupAndConnect(_ options: ConnectOptions) {
        let host = options.host.isEmpty ? "localhost" : options.host
        let port = options.port ?? 0
        let family = isIP(host)
        if family != 0 {
            // The closure takes the two fields it needs, not a copy of the whole options.
            let localAddress = options.localAddress, localPort = options.localPort
            loop.nextTick { [self] in
                if connecting { internalConnect(host, port, family, localAddress, localPort) }
            }
            return
        }
        var hints = options.hints
        if options.family != 4 && options.family != 6 && hints == 0 { hints = AI_ADDRCONFIG }
        let lookupOptions = LookupOptions(family: options.family ?? 0, hints: hints)
        if lookupAndConnectMultiple(options, host: host, port: port, lookupOptions) { return }
        let lookup = options.lookup ?? defaultLookup
        lookup(host, lookupOptions) { [self] error, ip, addressFamily in
            emit(.lookup, LookupResult(error: error, address: ip, family: addressFamily, host: host))
            guard connecting else { return }
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

    func internalConnect(_ address: String, _ port: Int, _ family: Int, _ localAddress: String?, _ localPort: Int?) {
        guard let tcp = handle as? TCPHandle else { return }
        // Another socket's gathered bytes were written before this connect: in the kernel first.
        tcp.withLoop { $0.flushGatherer(before: self) }
        var localAddress = localAddress
        if localAddress != nil || localPort != nil {
            let local = localAddress ?? (family == 4 ? "0.0.0.0" : "::")
            localAddress = local
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
        let status = tcp.connect(target) { [self] status in afterConnect(status, address, port, localAddress, localPort) }
        if status < 0 {
            var details: String?
            if let local = tcp.localAddress() { details = "\(local.ip):\(local.port)" }
            destroy(.withHostPort(status, syscall: "connect", address: address, port: port, local: details))
        }
    }

    private func connectPipe(_ path: String) {
        guard let pipe = handle as? PipeHandle else { return }
        pipe.withLoop { $0.flushGatherer(before: self) }
        emitConnectionAttempt(path, nil, nil)
        let status = pipe.connect(path) { [self] status in afterConnect(status, path, nil, nil, nil) }
        // Node: a connect the handle refuses at once (a name too long for sun_path: EINVAL) destroys
        // the socket with `connect EINVAL <path>`.
        if status < 0 { destroy(.withHostPort(status, syscall: "connect", address: path, port: nil)) }
    }

    func afterConnect(_ status: Int32, _ address: String, _ port: Int?, _ localAddress: String?, _ localPort: Int?) {
        guard !destroyed else { return }
        connecting = false
        if status == 0 {
            refreshTimeout()
            if let tcp = handle as? TCPHandle {
                if setNoDelayOnConnect { _ = tcp.setNoDelay(true) }
                if keepAliveEnabled { _ = tcp.setKeepAlive(true, delaySeconds: keepAliveDelaySeconds) }
            }
            if let onread = onreadState { handle?.readBuffer = onread.current }
            emit(.connect)
            emit(.ready)
            if streamState.readable!.readable && !isPaused() { read(0) }
        } else {
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
    /// The happy-eyeballs state of a connect (issue 21: Socket+AutoSelectFamily.swift).
    var autoSelect: AutoSelectState?
    /// Small writes taken and not yet handed to the kernel (see `Socket.gather(_:on:)`).
    var gathered: [UInt8] = []
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

extension Socket: StreamHandleOwner {
    func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) { onRead(event, from: stream) }
    func handleDidClose(hadError: Bool) { emitHandleClose(hadError) }

    /// The loop shut down (its thread ended) with this socket open. Nothing is emitted any more, as nothing
    /// is after Node's process exits; the listeners are dropped, since one that captures the socket would
    /// otherwise keep it (and what it holds) alive forever.
    func handleClosedUnannounced(_ closed: StreamHandle) {
        guard closed === handle else { return }
        eventListeners.releaseAll()
    }
}

extension Socket {
    /// Node's `maybeReadMore_` for the common case, the handle reading: its one `read(0)` finds nothing to
    /// return and calls `_read`, which has nothing to do while the handle reads, so all it does is set
    /// `reading` and `needReadable`. Done here without the call (100 instructions of every read).
    /// Returns false, having done nothing, in every other case; the caller then runs the general one.
    func maybeReadMoreWhileReading() -> Bool {
        guard !connecting, let handle, handle.isReading, let state = streamState.readable else { return false }
        guard !state.reading, !state.ended, !state.destroyed, state.errored == nil,
              state.length < state.highWaterMark else { return false }
        // What read(0) leaves: reading (set before `_read`), sync back off, needReadable (the buffer is
        // empty or below the mark); then maybeReadMore_ stops, the length unchanged.
        state.reading = true
        state.sync = false
        state.needReadable = true
        state.readingMore = false
        return true
    }
}

extension Socket: TickTarget {
    func runTick(_ code: TickCode) {
        switch code {
        case .maybeReadMore: if !maybeReadMoreWhileReading() { maybeReadMoreNT() }
        case .afterWriteBatch: afterWriteBatchNT()
        case .closeAfterDestroy: emitCloseFromMachinery()
        }
    }
}
