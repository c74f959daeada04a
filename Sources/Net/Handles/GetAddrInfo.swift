import CLibUV

/// `uv_getaddrinfo` on the loop's thread pool: Node's `dns.lookup`, which `net` uses for host names.
enum GetAddrInfo {
    /// One resolved address.
    struct Entry: Equatable {
        /// The address text, as Node prints it.
        var address: String
        /// 4 or 6.
        var family: Int
        /// The address ready for `uv_tcp_connect`/`uv_tcp_bind` (port 0).
        var storage: SocketAddressStorage

        static func == (a: Entry, b: Entry) -> Bool { a.address == b.address && a.family == b.family }
    }

    /// What the request owns until libuv's callback: the host name's C string and the completion.
    struct Context {
        let loop: EventLoop
        let completion: (Int32, [Entry]) -> Void
        init(loop: EventLoop, completion: @escaping (Int32, [Entry]) -> Void) {
            self.loop = loop
            self.completion = completion
        }
    }

    /// Resolves `host` for a stream socket. `family` is 0 (any), 4 or 6; `hints` are `getaddrinfo` flags
    /// (`AI_ADDRCONFIG`, `AI_V4MAPPED`, …). Results keep the resolver's order (Node's `verbatim`).
    /// Returns a libuv error when the request could not be started (then `completion` never runs).
    static func lookup(
        loop: EventLoop, host: String, family: Int, hints: Int32,
        completion: @escaping (Int32, [Entry]) -> Void
    ) -> Int32 {
        var info = addrinfo()
        info.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC
        info.ai_socktype = Int32(SOCK_STREAM.rawValue)
        info.ai_flags = hints
        let request = Request<uv_getaddrinfo_t, Context>.make(Context(loop: loop, completion: completion))
        return request.submit { req in uv_getaddrinfo(loop.uv, req, { req, status, result in
            let request = Request<uv_getaddrinfo_t, Context>.complete(req!)
            var entries: [Entry] = []
            var next = result
            while let node = next {
                if let address = node.pointee.ai_addr,
                   node.pointee.ai_family == AF_INET || node.pointee.ai_family == AF_INET6 {
                    let storage = SocketAddressStorage(copying: address, length: Int(node.pointee.ai_addrlen))
                    entries.append(Entry(address: storage.ip, family: storage.family == AF_INET6 ? 6 : 4, storage: storage))
                }
                next = node.pointee.ai_next
            }
            uv_freeaddrinfo(result)
            let context = request.context
            context.loop.dispatch { context.completion(status, entries) }
        }, host, nil, &info) }
    }
}
