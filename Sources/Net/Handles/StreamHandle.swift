import CLibUV

/// `uv_stream_t`: the one stream layer under TCP and pipe sockets and servers (`TCPHandle`, `PipeHandle`).
///
/// Reads land in the loop's 64 KiB block, or its 256 KiB one while a stream's reads fill their blocks (or
/// in a buffer the owner supplies, for `onread`), and are handed to the `owner` as a borrowed view, valid
/// only during the call; `EventLoop.chunk(of:)` turns it into a chunk, keeping the block itself for a read
/// that fills half of it and copying anything smaller.
/// Writes try `uv_try_write` first and queue (in a request-owned copy) only what the kernel did not take.
class StreamHandle: Handle {
    /// What a read callback delivered.
    enum ReadEvent {
        /// `count` bytes at `bytes` (a view of the slab or of the owner's buffer, valid during the call).
        case data(UnsafeRawBufferPointer)
        /// The peer closed its writing side (FIN).
        case eof
        /// A read error (negative libuv code, e.g. `UV_ECONNRESET`).
        case error(Int32)
    }

    // The order of the stored properties is the object's layout: the one-byte fields first, in the bytes
    // `Handle`'s two flags leave before the next 8-byte boundary, then the owner, one word, so that a TCP
    // handle's object is 296 bytes, a 304-byte malloc chunk (it was 344, a 352-byte one: the owner was
    // two words, and a listening handle's connection callback and an `onread` buffer had fields of
    // their own, which the owner now answers for).

    /// Whether the owner hears of the close (`handleDidClose`), and with which `hadError`.
    @exclusivity(unchecked) final var closeNotice: CloseNotice = .none
    /// Whether the next read gets the loop's 256 KiB block instead of the 64 KiB one: set when a read
    /// fills its block (more is likely waiting, and one system call then moves four times as much),
    /// cleared by a read of less than 64 KiB.
    @exclusivity(unchecked) final var readsLarge = false
    /// Whether `readStart()` is in effect.
    @exclusivity(unchecked) final private(set) var isReading = false
    /// Whether reads go into the owner's `readBuffer` (Node's `onread.buffer`) instead of the loop's slab.
    @exclusivity(unchecked) final var readsIntoOwnerBuffer = false
    /// What `ownerObject` is: a socket and a server are called as what they are, without a dynamic cast.
    @exclusivity(unchecked) private final var ownerKind = OwnerKind.none
    /// `owner`, in one word (an existential would take two, the witness table's): the conformance is
    /// looked up only for an owner that is neither a socket nor a server (a test's).
    @exclusivity(unchecked) private final var ownerObject: AnyObject?

    private enum OwnerKind: UInt8 {
        case none, socket, server, other
    }

    /// Receives every read, each incoming connection of a listening handle and, when asked for with
    /// `closeNotice`, the close; set before `readStart()`, dropped at close. An object rather than
    /// closures: a socket would allocate a closure context for each (two allocations per connection).
    final var owner: (any StreamHandleOwner)? {
        get {
            guard let ownerObject else { return nil }
            switch ownerKind {
            case .socket: return unsafeDowncast(ownerObject, to: Socket.self)
            case .server: return unsafeDowncast(ownerObject, to: Server.self)
            case .none, .other: return (ownerObject as! any StreamHandleOwner)
            }
        }
        set {
            ownerObject = newValue
            // The dynamic type against the final classes: a load and a compare, where `is` is a dynamic cast.
            guard let newValue else { ownerKind = .none; return }
            let type = type(of: newValue)
            ownerKind = type == Socket.self ? .socket : type == Server.self ? .server : .other
        }
    }

    /// `owner = socket` without building the existential (which costs a connection's two handles three
    /// reference counting calls each): what a socket adopting its handle does.
    final func setOwner(_ socket: Socket) {
        ownerObject = socket
        ownerKind = .socket
    }

    /// Hands a read to the owner: a socket directly, borrowed (no witness table; the handle holds it for
    /// the call), any other owner through the protocol.
    @inline(__always) private final func deliver(_ event: ReadEvent) {
        if ownerKind == .socket {
            Unmanaged.passUnretained(unsafeDowncast(ownerObject.unsafelyUnwrapped, to: Socket.self))
                ._withUnsafeGuaranteedRef { $0.handleRead(event, from: self) }
        } else {
            owner?.handleRead(event, from: self)
        }
    }

    final var stream: UnsafeMutablePointer<uv_stream_t> { raw.assumingMemoryBound(to: uv_stream_t.self) }

    override func didClose() {
        // The owner is moved out of its field (no retain and release) and, like `deliver`, called as what
        // it is: a socket or a server without the witness table.
        let kind = ownerKind
        let object = ownerObject.take()
        ownerKind = .none
        if let object {
            switch kind {
            case .socket: notifyClose(unsafeDowncast(object, to: Socket.self))
            case .server: notifyClose(unsafeDowncast(object, to: Server.self))
            case .none, .other:
                let owner = object as! any StreamHandleOwner
                notifyClose(owner)
            }
        }
        closeNotice = .none
        readsIntoOwnerBuffer = false
        isReading = false
    }

    private final func notifyClose(_ owner: some StreamHandleOwner) {
        switch closeNotice {
        case .none: owner.handleClosedUnannounced(self)
        case .closed: owner.handleDidClose(hadError: false)
        case .closedWithError: owner.handleDidClose(hadError: true)
        }
    }

    // MARK: Reading

    /// `uv_read_start`; idempotent.
    @discardableResult
    final func readStart() -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        guard !isReading else { return 0 }
        // Both callbacks borrow the handle's object and its loop: no reference counting per read.
        let status = uv_read_start(stream, { handle, suggested, buf in
            StreamHandle.borrowing(handle!) { stream in
                if stream.readsIntoOwnerBuffer, let user = stream.owner?.readBuffer {
                    buf!.pointee = uv_buf_init(user.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(clamping: user.count))
                } else {
                    let large = stream.readsLarge
                    let slab = stream.withLoop { large ? $0.largeReadSlab.memory() : $0.readSlab.memory() }
                    buf!.pointee = uv_buf_init(slab.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(clamping: slab.count))
                }
            }
        }, { handle, nread, buf in
            guard nread != 0 else { return }   // EAGAIN: nothing to report
            let event: ReadEvent
            if nread > 0 {
                event = .data(UnsafeRawBufferPointer(start: buf!.pointee.base, count: nread))
            } else if nread == Int(UV_EOF.rawValue) {
                event = .eof
            } else {
                event = .error(Int32(clamping: nread))
            }
            StreamHandle.borrowing(handle!) { stream in
                if nread > 0, !stream.readsIntoOwnerBuffer {
                    // A read that filled its block is followed by a large one; one under 64 KiB ends that.
                    let filled = nread == Int(clamping: buf!.pointee.len)
                    if filled || nread < EventLoop.readSize { stream.readsLarge = filled }
                }
                stream.withLoop { $0.dispatch { stream.deliver(event) } }
            }
        })
        if status == 0 { isReading = true }
        return status
    }

    /// `uv_read_stop`; idempotent.
    final func readStop() {
        guard !isClosing, isReading else { return }
        uv_read_stop(stream)
        isReading = false
    }

    // MARK: Writing

    /// Bytes queued in libuv and not yet written (`uv_stream_get_write_queue_size`).
    final var writeQueueSize: Int { isClosing ? 0 : Int(clamping: uv_stream_get_write_queue_size(stream)) }

    /// The most bytes one `uv_buf_t` carries: larger blocks (a write of 4 GiB or more, whose length
    /// `uv_buf_init` cannot take) are split into pieces of this size, written in order.
    static let maxBufLength = 1 << 30

    /// `uv_try_write` of one contiguous block, with its `uv_buf_t` on the stack: the bytes the kernel took
    /// at once (0 when it would block, or while earlier writes wait in libuv's queue), or a negative
    /// libuv error. A block over `maxBufLength` is tried as pieces of that size.
    @inline(__always)
    final func tryWrite(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !isClosing else { return Int(UV_EBADF.rawValue) }
        guard bytes.count > 0 else { return 0 }
        guard bytes.count <= Self.maxBufLength else { return tryWrite(Self.bufs(bytes, skipping: 0)) }
        var buf = uv_buf_init(UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: CChar.self)),
                              UInt32(truncatingIfNeeded: bytes.count))
        let tried = uv_try_write(stream, &buf, 1)
        if tried == UV_EAGAIN.rawValue || tried == UV_ENOSYS.rawValue { return 0 }
        return Int(tried)
    }

    /// `uv_try_write` of several chunks as one `writev`; as ``tryWrite(_:)-(UnsafeRawBufferPointer)``.
    final func tryWrite(_ chunks: [Buffer]) -> Int {
        guard !isClosing else { return Int(UV_EBADF.rawValue) }
        return tryWrite(Self.bufs(chunks, skipping: 0))
    }

    private final func tryWrite(_ bufs: [uv_buf_t]) -> Int {
        var bufs = bufs
        guard !bufs.isEmpty else { return 0 }
        // Trying fewer buffers than given is still a correct try (it reports the bytes taken).
        let tried = bufs.withUnsafeMutableBufferPointer { uv_try_write(stream, $0.baseAddress, UInt32(clamping: $0.count)) }
        if tried == UV_EAGAIN.rawValue || tried == UV_ENOSYS.rawValue { return 0 }
        return Int(tried)
    }

    /// Queues `chunks`, from byte `offset` of their concatenation on, with one `uv_write`. Nothing is
    /// copied: the request holds the chunks (so their storage stays alive and, being shared, unmodified)
    /// and libuv writes from their memory; `completion` runs from libuv's callback. Returns libuv's
    /// synchronous refusal (no callback follows then) or 0.
    final func queueWrite(_ chunks: [Buffer], skipping offset: Int, completion: @escaping (Int32) -> Void) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return queueWrite(Self.bufs(chunks, skipping: offset), keeping: chunks, completion: completion)
    }

    /// Queues `bytes` with one `uv_write`, without copying them: `owner` is what keeps their memory alive
    /// and unchanged (a string whose UTF-8 storage they are) until `completion`. As the other `queueWrite`.
    final func queueWrite(_ bytes: UnsafeRawBufferPointer, keeping owner: AnyObject, completion: @escaping (Int32) -> Void) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return queueWrite(Self.bufs(bytes, skipping: 0), keeping: owner, completion: completion)
    }

    private final func queueWrite(_ bufs: [uv_buf_t], keeping owner: Any, completion: @escaping (Int32) -> Void) -> Int32 {
        var bufs = bufs
        guard !bufs.isEmpty else {
            loop.nextTick { completion(0) }
            return 0
        }
        // Each buffer is at least one byte of memory that exists, so this many never do.
        precondition(bufs.count <= Int(UInt32.max), "StreamHandle: \(bufs.count) buffers in one write")
        let request = Request<uv_write_t, WriteContext>.make(WriteContext(keeping: owner, handle: self, completion: completion))
        // libuv copies the uv_buf_t array into the request; only the bytes must outlive this call.
        return request.submit { req in
            bufs.withUnsafeMutableBufferPointer { bufs in
                uv_write(req, stream, bufs.baseAddress, UInt32(truncatingIfNeeded: bufs.count)) { req, status in
                    let request = Request<uv_write_t, WriteContext>.complete(req!)
                    let context = request.context
                    context.handle.loop.dispatch { context.completion(status) }
                }
            }
        }
    }

    /// `uv_buf_t`s over the chunks' storage from byte `offset` on, empty chunks left out, each at most
    /// `maxBufLength` bytes (a larger chunk gives several, in order).
    ///
    /// The pointers outlive `withUnsafeBytes`: a `Buffer` is a native `[UInt8]`, whose elements live in
    /// one heap object that neither moves nor changes while a copy of the array is held and nobody holds
    /// it uniquely. Callers keep the chunks (the request does, for a queued write) until libuv is done.
    private static func bufs(_ chunks: [Buffer], skipping offset: Int) -> [uv_buf_t] {
        var bufs: [uv_buf_t] = []
        bufs.reserveCapacity(chunks.count)
        var skip = offset
        for chunk in chunks {
            let count = chunk.count
            if skip >= count { skip -= count; continue }
            let base = chunk.withUnsafeBytes { $0.baseAddress! }.advanced(by: skip)
            let length = count - skip
            if length <= maxBufLength {
                bufs.append(uv_buf_init(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CChar.self)),
                                        UInt32(truncatingIfNeeded: length)))
            } else {
                append(UnsafeRawBufferPointer(start: base, count: length), to: &bufs)
            }
            skip = 0
        }
        return bufs
    }

    /// `uv_buf_t`s over `bytes` from byte `offset` on, each at most `maxBufLength` bytes.
    private static func bufs(_ bytes: UnsafeRawBufferPointer, skipping offset: Int) -> [uv_buf_t] {
        var bufs: [uv_buf_t] = []
        if offset < bytes.count { append(UnsafeRawBufferPointer(rebasing: bytes[offset...]), to: &bufs) }
        return bufs
    }

    private static func append(_ bytes: UnsafeRawBufferPointer, to bufs: inout [uv_buf_t]) {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let piece = min(left, maxBufLength)
            bufs.append(uv_buf_init(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CChar.self)),
                                    UInt32(truncatingIfNeeded: piece)))
            base += piece
            left -= piece
        }
    }

    /// What a queued write owns until its callback: what keeps the memory libuv writes from alive, the
    /// handle, the completion.
    struct WriteContext {
        /// What keeps the bytes alive: the chunks, or the owner of borrowed bytes.
        let kept: Any
        let handle: StreamHandle
        let completion: (Int32) -> Void
        init(keeping kept: Any, handle: StreamHandle, completion: @escaping (Int32) -> Void) {
            self.kept = kept
            self.handle = handle
            self.completion = completion
        }
    }

    /// `uv_shutdown`: sends FIN after queued writes; `completion` runs from libuv's callback.
    final func shutdown(completion: @escaping (Int32) -> Void) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return Request<uv_shutdown_t, Completion>.make(Completion(handle: self, completion)).submit { req in
            uv_shutdown(req, stream) { req, status in
                let context = Request<uv_shutdown_t, Completion>.complete(req!).context
                context.handle.loop.dispatch { context.call(status) }
            }
        }
    }

    /// A completion that keeps its handle alive until it runs.
    struct Completion {
        let handle: Handle
        let call: (Int32) -> Void
        init(handle: Handle, _ call: @escaping (Int32) -> Void) {
            self.handle = handle
            self.call = call
        }
    }

    // MARK: Listening

    /// `uv_listen`; each incoming connection reports to the owner's `handleConnection`.
    final func listen(backlog: Int32) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return uv_listen(stream, backlog) { server, status in
            // The handle and its loop borrowed, as in the read callbacks.
            StreamHandle.borrowing(server!) { stream in
                stream.withLoop { $0.dispatch { stream.owner?.handleConnection(status) } }
            }
        }
    }

    /// `uv_accept` into a freshly initialised handle of the same kind.
    final func accept(_ client: StreamHandle) -> Int32 {
        guard !isClosing, !client.isClosing else { return UV_EBADF.rawValue }
        return uv_accept(stream, client.stream)
    }

    /// The file descriptor (`uv_fileno`), or nil before one exists.
    final var fileDescriptor: Int32? {
        guard !isClosing else { return nil }
        var fd = uv_os_fd_t()
        return withUnsafeMutablePointer(to: &fd) { uv_fileno(handle, $0) } == 0 ? fd : nil
    }
}

/// What a stream handle reports to: the socket it carries, or the server listening on it (or a test).
protocol StreamHandleOwner: AnyObject {
    /// A read callback's result; `.data` bytes are valid only during the call. `stream` is the handle that
    /// read, open for the whole call (its `loop` is safe to use, with no reference counting).
    func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle)
    /// The handle has closed (libuv's close callback ran), if its `closeNotice` asked for this.
    func handleDidClose(hadError: Bool)
    /// The handle closed without a `closeNotice`: the loop shut down with it open.
    func handleClosedUnannounced(_ handle: StreamHandle)
    /// An incoming connection's status, on a listening handle.
    func handleConnection(_ status: Int32)
    /// Where reads go while the handle's `readsIntoOwnerBuffer` is set (nil: the loop's slab).
    var readBuffer: UnsafeMutableRawBufferPointer? { get }
}

extension StreamHandleOwner {
    /// Owners that never listen hear of no connection.
    func handleConnection(_ status: Int32) {}
    /// Owners without an `onread` buffer read into the loop's slab.
    var readBuffer: UnsafeMutableRawBufferPointer? { nil }
}

extension StreamHandle {
    /// Whether a handle's owner hears of its close.
    enum CloseNotice: UInt8 {
        /// Not closed by the owner: only `handleClosedUnannounced` is called (a loop shutting down closes
        /// every handle still open).
        case none
        /// Closed by the owner's destroy; its 'close' has `hadError` false.
        case closed
        /// Closed by a destroy with an error; `hadError` true.
        case closedWithError
    }
}

extension EventLoop {
    /// The largest read that refills the spare chunk (see `chunk(of:)`).
    static let spareChunkLimit = 1024
    /// The size of a read: libuv's suggestion and Node's, 64 KiB.
    static let readSize = 65_536
    /// The size of a read on a stream whose last read filled `readSize` (see `StreamHandle.readsLarge`).
    static let largeReadSize = 262_144

    /// A chunk of the `bytes` a read delivered: a read that filled at least half of its block takes the
    /// block itself (no copy; the next read gets a new one), anything else is copied out. Bytes that are
    /// not in one of the loop's blocks (an `onread` buffer) are copied.
    func chunk(of bytes: UnsafeRawBufferPointer) -> Buffer {
        let count = bytes.count
        if count >= Self.readSize / 2 {
            if let kept = readSlab.take(bytes) ?? largeReadSlab.take(bytes) { return kept }
            return Buffer([UInt8](bytes))
        }
        // `Array(_: UnsafeRawBufferPointer)` runs code specialized for bytes; `init(unsafeUninitializedCapacity:)`
        // goes through the standard library's generic path, which looks up the array storage's metadata on
        // every call: 850 against 450 instructions for a 64-byte chunk, malloc and free included.
        guard count <= Self.spareChunkLimit else { return Buffer([UInt8](bytes)) }
        // The last small chunk is kept here and refilled by the next read of the same size once whoever
        // it went to has let it go: a reader done with each chunk in its 'data' listener (most are) costs
        // no allocation per read. Copy-on-write keeps this sound: while the chunk is still held elsewhere,
        // `withUnsafeMutableBytes` first gives this copy storage of its own, and the holder's bytes stay
        // as they were. That copy is wasted (the bytes are overwritten), and a holder that changes its
        // chunk copies it too, so only reads of up to `spareChunkLimit` bytes go this way.
        if spareChunk.count == count {
            spareChunk.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
        } else {
            spareChunk = [UInt8](bytes)
        }
        return Buffer(spareChunk)
    }
}

/// A block reads land in: an array held only by the loop until a read large enough to fill half of it
/// takes it as its chunk (the next read then makes a new one).
struct ReadSlab {
    /// The block's size in bytes.
    let size: Int
    private var array: [UInt8] = []
    /// The array's storage, valid while the array is held here and not replaced.
    private var base: UnsafeMutableRawPointer?

    init(size: Int) { self.size = size }

    /// The block the next read lands in (made on first use, and again after a read kept the last).
    @inline(__always)
    mutating func memory() -> UnsafeMutableRawBufferPointer {
        if let base { return UnsafeMutableRawBufferPointer(start: base, count: size) }
        return makeBlock()
    }

    @inline(never)
    private mutating func makeBlock() -> UnsafeMutableRawBufferPointer {
        // Bytes are never read before the kernel has written them, so the new array is not zeroed.
        array = [UInt8](unsafeUninitializedCapacity: size) { [size] _, count in count = size }
        // The storage of an array held only here neither moves nor changes until the array is replaced.
        let base = array.withUnsafeMutableBytes { $0.baseAddress! }
        self.base = base
        return UnsafeMutableRawBufferPointer(start: base, count: size)
    }

    /// The block as the chunk of `bytes`, when they are at its start and fill at least half of it.
    mutating func take(_ bytes: UnsafeRawBufferPointer) -> Buffer? {
        guard let base, UnsafeRawPointer(base) == bytes.baseAddress, bytes.count >= size / 2 else { return nil }
        var array = self.array
        self.array = []
        self.base = nil
        array.removeLast(size - bytes.count)   // shrinks the count, keeps the storage: no copy
        return Buffer(array)
    }
}

extension StreamHandle {
    /// Why a descriptor could not become a stream handle.
    enum OpenFailure: Error {
        /// `uv_guess_handle` says it is neither a TCP socket nor a pipe/Unix socket: Node's type name
        /// (`"TTY"`, `"FILE"`, `"UDP"`, `"UNKNOWN"`).
        case unsupportedType(String)
        /// `uv_tcp_open`/`uv_pipe_open` failed with this libuv error.
        case failed(Int32)

        /// The libuv error, for failures that have one.
        var status: Int32? {
            if case .failed(let status) = self { return status }
            return nil
        }
    }

    /// Node's `createHandle(fd)` + `handle.open(fd)`: a `TCPHandle` for a TCP socket, a `PipeHandle` for a
    /// pipe or Unix domain socket (as `uv_guess_handle` tells them apart), adopting the descriptor.
    static func open(fd: Int32, loop: EventLoop) -> Result<StreamHandle, OpenFailure> {
        let type = uv_guess_handle(fd)
        do {
            switch type {
            case UV_TCP:
                let tcp = try TCPHandle(loop: loop)
                let status = tcp.open(fd)
                if status < 0 { tcp.close(); return .failure(.failed(status)) }
                return .success(tcp)
            case UV_NAMED_PIPE:
                let pipe = try PipeHandle(loop: loop)
                let status = pipe.open(fd)
                if status < 0 { pipe.close(); return .failure(.failed(status)) }
                return .success(pipe)
            case UV_TTY: return .failure(.unsupportedType("TTY"))
            case UV_UDP: return .failure(.unsupportedType("UDP"))
            case UV_FILE: return .failure(.unsupportedType("FILE"))
            default: return .failure(.unsupportedType("UNKNOWN"))
            }
        } catch {
            return .failure(.failed(error.errno ?? UV_EINVAL.rawValue))
        }
    }
}
