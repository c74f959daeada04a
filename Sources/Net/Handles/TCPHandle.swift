import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// A connect request whose outcome goes to an object rather than a closure.
typealias ConnectRequest = Request<uv_connect_t, ConnectAttempt>

/// What a connect request was made for: who asked, and the addresses its outcome's error names.
struct ConnectAttempt {
    /// Who asked; kept alive until the request's callback has run.
    let requester: any ConnectRequester
    /// The address connected to (an IP address, or a pipe's path).
    var address: String
    /// The port; nil for a pipe.
    var port: Int?
    /// 4 or 6; 0 for a pipe.
    var family: Int
    /// The local address bound before connecting, if any.
    var localAddress: String?
    /// The local port bound before connecting, if any.
    var localPort: Int?
}

/// Receives a ``ConnectRequest``'s outcome (a socket).
protocol ConnectRequester: AnyObject {
    /// libuv's connect callback ran with `status` (0, a libuv error, or `UV_ECANCELED` when the handle
    /// closed first).
    func connectDidFinish(_ status: Int32, _ request: ConnectRequest)
}

/// `uv_tcp_t`.
final class TCPHandle: StreamHandle {
    /// `uv_tcp_init_ex` with `family` (`AF_UNSPEC`, `AF_INET` or `AF_INET6`: the latter create the socket now).
    init(loop: EventLoop, family: Int32 = AF_UNSPEC) throws(NetError) {
        try super.init(loop: loop, type: UV_TCP) {
            uv_tcp_init_ex(loop.uv, $0.assumingMemoryBound(to: uv_tcp_t.self), UInt32(family))
        }
    }

    private var tcp: UnsafeMutablePointer<uv_tcp_t> { raw.assumingMemoryBound(to: uv_tcp_t.self) }

    /// `uv_tcp_bind`; `ipv6Only` sets `UV_TCP_IPV6ONLY`.
    func bind(_ address: SocketAddressStorage, ipv6Only: Bool = false) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        let flags: UInt32 = ipv6Only ? UV_TCP_IPV6ONLY.rawValue : 0
        return address.withSockaddr { uv_tcp_bind(tcp, $0, flags) }
    }

    /// `uv_tcp_connect`; `completion` runs from libuv's callback with the status.
    func connect(_ address: SocketAddressStorage, completion: @escaping (Int32) -> Void) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return Request<uv_connect_t, Completion>.make(Completion(handle: self, completion)).submit { req in
            address.withSockaddr { sockaddr in
                uv_tcp_connect(req, tcp, sockaddr) { req, status in
                    let context = Request<uv_connect_t, Completion>.complete(req!).context
                    context.handle.loop.dispatch { context.call(status) }
                }
            }
        }
    }

    /// `uv_tcp_connect` with a request made beforehand: its outcome goes to the attempt's requester,
    /// with no closure (one allocation per connect, the request itself).
    func connect(_ address: SocketAddressStorage, _ request: ConnectRequest) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return request.submit { req in
            address.withSockaddr { sockaddr in
                uv_tcp_connect(req, tcp, sockaddr) { req, status in
                    let request = ConnectRequest.complete(req!)
                    // The handle is alive: its close callback, which releases it, runs after this one.
                    Handle.borrowing(req!.pointee.handle) { handle in
                        // The requester read in place: `context` would copy the whole attempt (its strings too).
                        handle.withLoop { $0.dispatch { request.contextPointer.pointee.requester.connectDidFinish(status, request) } }
                    }
                }
            }
        }
    }

    /// `uv_tcp_getsockname`: the local address, or nil.
    func localAddress() -> SocketAddressStorage? {
        guard !isClosing else { return nil }
        return SocketAddressStorage { sockaddr, length in uv_tcp_getsockname(tcp, sockaddr, length) }
    }

    /// `uv_tcp_getsockname` with its status: `(0, address)`, or libuv's error and nil. The error can be
    /// one libuv deferred: after a bind that failed with EADDRINUSE, getsockname reports EADDRINUSE.
    func sockname() -> (status: Int32, address: SocketAddressStorage?) {
        guard !isClosing else { return (UV_EBADF.rawValue, nil) }
        var status: Int32 = 0
        let address = SocketAddressStorage { sockaddr, length in
            status = uv_tcp_getsockname(tcp, sockaddr, length)
            return status
        }
        return (status, address)
    }

    /// `uv_tcp_getpeername`: the peer's address, or nil.
    func remoteAddress() -> SocketAddressStorage? {
        guard !isClosing else { return nil }
        return SocketAddressStorage { sockaddr, length in uv_tcp_getpeername(tcp, sockaddr, length) }
    }

    /// `uv_tcp_nodelay`.
    func setNoDelay(_ enable: Bool) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return uv_tcp_nodelay(tcp, enable ? 1 : 0)
    }

    /// SO_KEEPALIVE, and when enabling, Node's documented probe settings: TCP_KEEPIDLE = `delaySeconds`
    /// (left unchanged when 0, as Node's docs say), TCP_KEEPINTVL = 1 and TCP_KEEPCNT = 10. libuv 1.44's
    /// `uv_tcp_keepalive` does not set all of these, so they are set on the descriptor directly.
    func setKeepAlive(_ enable: Bool, delaySeconds: Int) -> Int32 {
        guard !isClosing, let fd = fileDescriptor else { return UV_EBADF.rawValue }
        func set(_ level: Int32, _ name: Int32, _ value: Int32) -> Int32 {
            var v = value
            return setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 ? 0 : -errno
        }
        var status = set(SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0)
        guard status == 0, enable else { return status }
        if delaySeconds > 0 { status = set(Int32(IPPROTO_TCP), TCP_KEEPIDLE, Int32(clamping: delaySeconds)) }
        if status == 0 { status = set(Int32(IPPROTO_TCP), TCP_KEEPINTVL, 1) }
        if status == 0 { status = set(Int32(IPPROTO_TCP), TCP_KEEPCNT, 10) }
        return status
    }

    /// `uv_tcp_close_reset`: closes the handle with an RST instead of a FIN.
    func closeReset() -> Int32 {
        close { handle, callback in
            uv_tcp_close_reset(handle.withMemoryRebound(to: uv_tcp_t.self, capacity: 1) { $0 }, callback)
        }
    }

    /// `uv_tcp_open`: adopts an existing socket descriptor.
    func open(_ fd: Int32) -> Int32 {
        guard !isClosing else { return UV_EBADF.rawValue }
        return uv_tcp_open(tcp, uv_os_sock_t(fd))
    }
}
