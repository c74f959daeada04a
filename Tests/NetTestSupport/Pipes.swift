import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Unix domain socket names for tests, Node's `common.PIPE`: unique per process and call, so suites
/// running in parallel never share a socket file.
public enum Pipes {
    /// A fresh path in the temporary directory, `<tmp>net-<tag>-<pid>-<random>.sock`; nothing is created.
    /// Short enough for `sun_path` (107 bytes) with room for a suffix.
    public static func path(_ tag: String) -> String {
        "\(NSTemporaryDirectory())net-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    /// A fresh Linux abstract socket name (a leading NUL byte): nothing on disk to clean up.
    public static func abstractName(_ tag: String) -> String {
        "\0net-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Removes `paths` that exist (a test's cleanup; errors are ignored).
    public static func remove(_ paths: String...) {
        for path in paths { unlink(path) }
    }
}

/// Bound but unconnected sockets made with the system calls, standing in for what Node's tests make
/// with the internal `Pipe` and `TCP` bindings (`new Pipe(SOCKET).bind(path)`, `new TCP(SOCKET).bind(…)`).
/// The caller owns the descriptor (or hands it to Net, which then owns it).
public enum BoundSocket {
    /// A Unix stream socket bound to `path` (the socket file is created; unlink it when done); -1 on
    /// failure, with `errno` set.
    public static func unix(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); errno = ENAMETOOLONG; return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else { let saved = errno; close(fd); errno = saved; return -1 }
        return fd
    }

    /// A TCP socket bound to 0.0.0.0 on a port the kernel picks; -1 on failure, with `errno` set.
    public static func tcp() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = INADDR_ANY
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { let saved = errno; close(fd); errno = saved; return -1 }
        return fd
    }
}
