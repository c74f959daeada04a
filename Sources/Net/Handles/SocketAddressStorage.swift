import CLibUV

/// A `sockaddr_storage` holding an IPv4 or IPv6 address and port: what libuv's tcp calls take and give.
struct SocketAddressStorage {
    private var storage = sockaddr_storage()

    /// Parses an IP literal (`uv_ip4_addr`/`uv_ip6_addr`, which also take a `%zone` on IPv6); nil when it is
    /// not one.
    init?(ip: String, port: Int) {
        let p = Int32(truncatingIfNeeded: port)
        // IPv4 without libuv: `IPScan.libuvIPv4` accepts exactly what `uv_ip4_addr` does, and needs neither
        // a C-string copy of `ip` (an allocation) nor `inet_pton` (callgrind: 1400 of the 30,000
        // instructions of a connection made and closed went to this initializer).
        let v4 = ip._withUTF8Bytes { bytes, count -> UInt32?? in
            var i = 0
            while i < count {
                if bytes[i] == IPScan.colon { return .none }   // an IPv6 literal: libuv's parser, below
                i += 1
            }
            return .some(IPScan.libuvIPv4(bytes, count))
        }
        if let v4 {
            guard let address = v4 else { return nil }
            withUnsafeMutableBytes(of: &storage) { raw in
                let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                sin.pointee.sin_family = sa_family_t(AF_INET)
                sin.pointee.sin_port = UInt16(truncatingIfNeeded: p).bigEndian
                sin.pointee.sin_addr.s_addr = address.bigEndian
            }
            return
        }
        let ok = withUnsafeMutableBytes(of: &storage) { raw -> Bool in
            uv_ip6_addr(ip, p, raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)) == 0
        }
        if !ok { return nil }
    }

    /// Fills the storage with `fill(sockaddr, &length)` (getsockname-style); nil when it fails.
    init?(_ fill: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<Int32>) -> Int32) {
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutableBytes(of: &storage) { raw in
            fill(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        if status != 0 { return nil }
    }

    /// From a `sockaddr` libuv handed back (getaddrinfo results).
    init(copying address: UnsafePointer<sockaddr>, length: Int) {
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.baseAddress!.copyMemory(from: address, byteCount: min(length, raw.count))
        }
    }

    /// `AF_INET` or `AF_INET6`.
    var family: Int32 { Int32(storage.ss_family) }

    /// Node's family string: `"IPv4"` or `"IPv6"`.
    var familyName: String { family == AF_INET6 ? "IPv6" : "IPv4" }

    /// The address as Node prints it (`uv_ip4_name`/`uv_ip6_name`: dotted quad, or compressed lower-case IPv6).
    var ip: String {
        var buffer = [CChar](repeating: 0, count: 64)
        withUnsafeBytes(of: storage) { raw in
            _ = buffer.withUnsafeMutableBufferPointer { b in
                family == AF_INET6
                    ? uv_ip6_name(raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self), b.baseAddress, b.count)
                    : uv_ip4_name(raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self), b.baseAddress, b.count)
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The port, in host byte order.
    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
                : Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    /// Calls `body` with the address as a `sockaddr` pointer.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }
}
