import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// `uv_pipe_t`: Unix domain sockets and pipes.
///
/// Names follow Node's rules on Linux: a filesystem path (bound with `uv_pipe_bind`, so libuv unlinks the
/// socket file when the handle closes), or an abstract name starting with a NUL byte, which libuv 1.44's
/// C-string API cannot carry: those are bound and connected on a descriptor made here and then adopted
/// with `uv_pipe_open`. A name that does not fit in `sun_path` is refused with `UV_EINVAL` (Node 21+'s
/// `UV_PIPE_NO_TRUNCATE`) instead of being truncated into another name.
final class PipeHandle: StreamHandle {
    /// `uv_pipe_init`; `ipc` enables handle passing.
    init(loop: EventLoop, ipc: Bool = false) throws(NetError) {
        try super.init(loop: loop, type: UV_NAMED_PIPE) {
            uv_pipe_init(loop.uv, $0.assumingMemoryBound(to: uv_pipe_t.self), ipc ? 1 : 0)
        }
    }

    private var pipe: UnsafeMutablePointer<uv_pipe_t> { raw.assumingMemoryBound(to: uv_pipe_t.self) }

    /// Whether `name` is a Linux abstract socket name (a leading NUL byte).
    static func isAbstract(_ name: String) -> Bool { name.utf8.first == 0 }

    /// Binds to `name`. Filesystem paths go through `uv_pipe_bind` (which reports a missing directory as
    /// EACCES, as Node shows it, and unlinks the file at close); abstract names are bound by hand.
    func bind(_ name: String) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        guard let address = UnixAddress(name) else { return UV_EINVAL.rawValue }
        guard Self.isAbstract(name) else { return uv_pipe_bind(pipe, name) }
        let fd = Self.unixSocket(nonBlocking: false)
        guard fd >= 0 else { return -errno }
        if address.withSockaddr({ Glibc.bind(fd, $0, $1) }) != 0 {
            let status = -errno
            Glibc.close(fd)
            return status
        }
        let status = uv_pipe_open(pipe, fd)
        if status < 0 { Glibc.close(fd) }
        return status
    }

    /// Connects to `name`. Returns a synchronous failure (`UV_EINVAL` for a name too long for `sun_path`,
    /// `UV_EBADF` on a closing handle); otherwise `completion` runs later with the outcome, as libuv's
    /// connect callback does (`UV_ECANCELED` if the handle closed first).
    func connect(_ name: String, completion: @escaping (Int32) -> Void) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        guard let address = UnixAddress(name) else { return UV_EINVAL.rawValue }
        guard Self.isAbstract(name) else {
            return Request<uv_connect_t, Completion>.make(Completion(handle: self, completion)).submit { req in
                uv_pipe_connect(req, pipe, name) { req, status in
                    let context = Request<uv_connect_t, Completion>.complete(req!).context
                    context.handle.loop.dispatch { context.call(status) }
                }
                return 0
            }
        }
        // An abstract name: a Unix socket connect completes (or fails) at once, even non-blocking; the
        // outcome is reported from the loop's check phase, as libuv reports its own pipe connects from
        // the loop rather than from inside the call.
        var status: Int32 = 0
        let fd = Self.unixSocket(nonBlocking: true)
        if fd < 0 {
            status = -errno
        } else if address.withSockaddr({ Glibc.connect(fd, $0, $1) }) != 0 {
            status = -errno
            Glibc.close(fd)
        } else {
            status = uv_pipe_open(pipe, fd)
            if status < 0 { Glibc.close(fd) }
        }
        let outcome = status
        loop.setImmediate { [self] in completion(isClosing ? UV_ECANCELED.rawValue : outcome) }
        return 0
    }

    /// A close-on-exec `AF_UNIX` stream socket for an abstract name (`uv_pipe_open` makes it non-blocking
    /// anyway; a connect wants it so from the start).
    private static func unixSocket(nonBlocking: Bool) -> Int32 {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        return socket(AF_UNIX, type, 0)
    }

    /// `uv_pipe_open`: adopts an existing descriptor.
    func open(_ fd: Int32) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return uv_pipe_open(pipe, uv_file(fd))
    }

    /// `uv_pipe_chmod` with `UV_READABLE`/`UV_WRITABLE`.
    func chmod(readable: Bool, writable: Bool) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        var flags: Int32 = 0
        if readable { flags |= Int32(UV_READABLE.rawValue) }
        if writable { flags |= Int32(UV_WRITABLE.rawValue) }
        return uv_pipe_chmod(pipe, flags)
    }

    /// `uv_pipe_getsockname` / `uv_pipe_getpeername` as a string (an abstract name keeps its leading
    /// NUL); nil when unknown or unnamed.
    func name(peer: Bool) -> String? {
        guard !isClosing else { return nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        var size = buffer.count
        let status = buffer.withUnsafeMutableBufferPointer { b in
            peer ? uv_pipe_getpeername(pipe, b.baseAddress, &size) : uv_pipe_getsockname(pipe, b.baseAddress, &size)
        }
        guard status == 0, size > 0 else { return nil }
        return String(decoding: buffer[..<size].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A `sockaddr_un` for a Unix socket name, with the exact length to pass to bind/connect.
struct UnixAddress {
    private var address = sockaddr_un()
    private let length: socklen_t

    /// The capacity of `sun_path` (108 bytes on Linux).
    static let pathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// nil when `name` is empty or does not fit: a filesystem path needs room for its terminating NUL
    /// (libuv 1.44 copies it as a C string), an abstract name may fill `sun_path` exactly.
    init?(_ name: String) {
        let bytes = Array(name.utf8)
        let abstract = bytes.first == 0
        guard !bytes.isEmpty, bytes.count <= Self.pathCapacity - (abstract ? 0 : 1) else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let base = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        // Abstract names are exactly their bytes long (no terminator); paths include their NUL.
        length = socklen_t(base + bytes.count + (abstract ? 0 : 1))
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
