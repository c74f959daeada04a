// `reusePort` on `listen` (Node v22.12+), issue 21.

import CLibUV

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TCPHandle {
    /// A handle whose socket exists already and has SO_REUSEPORT set, ready to bind: libuv 1.44 has no
    /// `UV_TCP_REUSEPORT`, so the socket is made now (`uv_tcp_init_ex` with the address family), its
    /// descriptor taken with `uv_fileno`, and the option set with `setsockopt` before `uv_tcp_bind`.
    /// Linux only, as libuv's own flag (which load-balances there): elsewhere `UV_ENOTSUP`, which Node
    /// reports as `listen ENOTSUP`.
    static func reusingPort(loop: EventLoop, family: Int32) -> (handle: TCPHandle?, status: Int32) {
        #if os(Linux)
        let tcp: TCPHandle
        do { tcp = try TCPHandle(loop: loop, family: family) } catch { return (nil, error.errno ?? UV_EINVAL.rawValue) }
        guard let fd = tcp.fileDescriptor else {
            tcp.close()
            return (nil, UV_EBADF.rawValue)
        }
        var on: Int32 = 1
        if setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            let status = -Glibc.errno
            tcp.close()
            return (nil, status)
        }
        return (tcp, 0)
        #else
        return (nil, UV_ENOTSUP.rawValue)
        #endif
    }
}
