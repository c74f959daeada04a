import CLibUV

/// `uv_stream_t`: the one stream layer under TCP and pipe sockets and servers (`TCPHandle`, `PipeHandle`).
///
/// Reads land in the loop's reusable 64 KiB slab (or in a buffer the owner supplies, for `onread`) and are
/// handed to `onRead` as a borrowed view, valid only during the call: the owner copies once, or not at all.
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

    /// Receives every read; set by the owner before `readStart()`. Dropped at close.
    final var onRead: ((ReadEvent) -> Void)?
    /// Receives each incoming connection's status on a listening handle. Dropped at close.
    final var onConnection: ((Int32) -> Void)?
    /// A buffer the owner wants reads to go into (Node's `onread.buffer`); nil uses the loop's slab.
    final var readBuffer: UnsafeMutableRawBufferPointer?
    /// Whether `readStart()` is in effect.
    final private(set) var isReading = false
    /// Runs once libuv has closed the handle (where a socket emits 'close'). Dropped after it runs.
    final var onClose: (() -> Void)?

    final var stream: UnsafeMutablePointer<uv_stream_t> { raw.assumingMemoryBound(to: uv_stream_t.self) }

    override func didClose() {
        let closed = onClose
        onClose = nil
        closed?()
        onRead = nil
        onConnection = nil
        readBuffer = nil
        isReading = false
    }

    // MARK: Reading

    /// `uv_read_start`; idempotent.
    @discardableResult
    final func readStart() -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        guard !isReading else { return 0 }
        let status = uv_read_start(stream, { handle, suggested, buf in
            let stream = StreamHandle.from(handle!)
            if let user = stream.readBuffer {
                buf!.pointee = uv_buf_init(user.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(user.count))
            } else {
                let slab = stream.loop.readSlab
                buf!.pointee = uv_buf_init(slab.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(slab.count))
            }
        }, { handle, nread, buf in
            let stream = StreamHandle.from(handle!)
            guard nread != 0 else { return }   // EAGAIN: nothing to report
            let event: ReadEvent
            if nread > 0 {
                event = .data(UnsafeRawBufferPointer(start: buf!.pointee.base, count: nread))
            } else if nread == Int(UV_EOF.rawValue) {
                event = .eof
            } else {
                event = .error(Int32(nread))
            }
            stream.loop.dispatch { stream.onRead?(event) }
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

    /// The outcome of submitting a write.
    enum WriteOutcome: Equatable {
        /// The kernel took every byte at once; no callback follows.
        case written
        /// Some bytes wait in libuv's queue; `completion` runs when they are written (or fail).
        case queued
        /// libuv refused the write (negative code); no callback follows.
        case failed(Int32)
    }

    /// Bytes queued in libuv and not yet written (`uv_stream_get_write_queue_size`).
    final var writeQueueSize: Int { isClosing ? 0 : Int(uv_stream_get_write_queue_size(stream)) }

    /// Writes `chunks` in order as one operation (one `uv_write` of several buffers when it must queue).
    /// Whatever the kernel takes at once is not copied; the rest is copied into memory the request owns.
    final func write(_ chunks: [UnsafeRawBufferPointer], completion: @escaping (Int32) -> Void) -> WriteOutcome {
        guard !isClosing else { return .failed(UV_EBADF.rawValue) }
        var total = 0
        for chunk in chunks { total += chunk.count }
        if total == 0 { return .written }
        // 1. As much as the kernel takes now (libuv refuses with EAGAIN while earlier writes are queued).
        var written = 0
        var bufs = chunks.map { uv_buf_init(UnsafeMutablePointer(mutating: $0.baseAddress?.assumingMemoryBound(to: CChar.self)), UInt32($0.count)) }
        let tried = bufs.withUnsafeMutableBufferPointer { uv_try_write(stream, $0.baseAddress, UInt32($0.count)) }
        if tried > 0 {
            written = Int(tried)
        } else if tried != UV_EAGAIN.rawValue && tried != UV_ENOSYS.rawValue {
            return .failed(tried)
        }
        if written == total { return .written }
        // 2. Copy what is left into one block the request owns, then queue it.
        let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: total - written, alignment: 16)
        var skip = written, offset = 0
        for chunk in chunks {
            if skip >= chunk.count { skip -= chunk.count; continue }
            let part = UnsafeRawBufferPointer(rebasing: chunk[skip...])
            rest.baseAddress!.advanced(by: offset).copyMemory(from: part.baseAddress!, byteCount: part.count)
            offset += part.count
            skip = 0
        }
        let request = Request<uv_write_t, WriteContext>(WriteContext(memory: rest, handle: self, completion: completion))
        var buf = uv_buf_init(rest.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(rest.count))
        let status = uv_write(request.req, stream, &buf, 1) { req, status in
            let request = Request<uv_write_t, WriteContext>.complete(req!)
            let context = request.context
            context.handle.loop.dispatch { context.completion(status) }
        }
        if status < 0 {
            request.abandon()
            return .failed(status)
        }
        return .queued
    }

    /// What a queued write owns until its callback: the copied bytes, the handle, the completion.
    final class WriteContext {
        let memory: UnsafeMutableRawBufferPointer
        let handle: StreamHandle
        let completion: (Int32) -> Void
        init(memory: UnsafeMutableRawBufferPointer, handle: StreamHandle, completion: @escaping (Int32) -> Void) {
            self.memory = memory
            self.handle = handle
            self.completion = completion
        }
        deinit { memory.deallocate() }
    }

    /// `uv_shutdown`: sends FIN after queued writes; `completion` runs from libuv's callback.
    final func shutdown(completion: @escaping (Int32) -> Void) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        let request = Request<uv_shutdown_t, Completion>(Completion(handle: self, completion))
        let status = uv_shutdown(request.req, stream) { req, status in
            let request = Request<uv_shutdown_t, Completion>.complete(req!)
            let context = request.context
            context.handle.loop.dispatch { context.call(status) }
        }
        if status < 0 { request.abandon() }
        return status
    }

    /// A completion that keeps its handle alive until it runs.
    final class Completion {
        let handle: Handle
        let call: (Int32) -> Void
        init(handle: Handle, _ call: @escaping (Int32) -> Void) {
            self.handle = handle
            self.call = call
        }
    }

    // MARK: Listening

    /// `uv_listen`; each incoming connection reports through `onConnection`.
    final func listen(backlog: Int32) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return uv_listen(stream, backlog) { server, status in
            let stream = StreamHandle.from(server!)
            stream.loop.dispatch { stream.onConnection?(status) }
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

extension EventLoop {
    /// One 64 KiB read buffer per loop: every read lands here and is copied once into the user's chunk.
    var readSlab: UnsafeMutableRawBufferPointer { slab }
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
