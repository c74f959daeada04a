/// A parsed IP address: the form `SocketAddress` stores and `BlockList` compares.
enum IPAddress: Hashable, Sendable {
    /// An IPv4 address, `a.b.c.d` as `a << 24 | b << 16 | c << 8 | d`.
    case v4(UInt32)
    /// An IPv6 address (no zone: Node drops it).
    case v6(IPv6Bits)

    /// The address as a point of the IPv6 space, IPv4 addresses mapped to `::ffff:a.b.c.d`: the order in
    /// which `BlockList` ranges compare addresses of either family.
    @inline(__always) var key: IPv6Bits {
        switch self {
        case .v4(let x): return .mapped(x)
        case .v6(let y): return y
        }
    }

    var isV4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// Parses `text` as `SocketAddress` does (libuv's `uv_ip4_addr`/`uv_ip6_addr`): up to a NUL byte, and for
    /// IPv6 with any `%zone` dropped.
    static func parse(_ text: String, v6: Bool) -> IPAddress? {
        text._withUTF8Bytes { p, n in
            if v6 {
                guard let bits = IPScan.libuvIPv6(p, n) else { return nil }
                return .v6(bits)
            }
            guard let x = IPScan.libuvIPv4(p, n) else { return nil }
            return .v4(x)
        }
    }

    /// Node compares addresses of different families only when the IPv6 one is IPv4-mapped; nil when they
    /// do not compare (`NOT_COMPARABLE` in node_sockaddr.cc), else -1, 0 or 1.
    static func nodeCompare(_ a: IPAddress, _ b: IPAddress) -> Int? {
        switch (a, b) {
        case (.v4, .v6(let y)) where !y.isV4Mapped: return nil
        case (.v6(let y), .v4) where !y.isV4Mapped: return nil
        default:
            let ka = a.key, kb = b.key
            return ka < kb ? -1 : (ka == kb ? 0 : 1)
        }
    }

    /// The text Node prints (libuv's `inet_ntop`): dotted decimal; for IPv6, lower-case hex without leading
    /// zeros, the first longest run of two or more zero groups as `::`, and the last 32 bits as dotted
    /// decimal for `::ffff:a.b.c.d` and for `::a.b.c.d` when the seventh group is not zero.
    var text: String {
        switch self {
        case .v4(let x): return Self.format(v4: x)
        case .v6(let y): return Self.format(v6: y)
        }
    }

    static func format(v4 x: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { buf in
            var n = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                if shift != 24 { buf[n] = IPScan.dot; n += 1 }
                n += writeDecimal(UInt8(truncatingIfNeeded: x >> UInt32(shift)), into: buf, at: n)
            }
            return n
        }
    }

    static func format(v6 y: IPv6Bits) -> String {
        // The first longest run of zero groups, if at least two long.
        var bestBase = -1, bestLen = 0
        var curBase = -1, curLen = 0
        for i in 0..<8 {
            if y.group(i) == 0 {
                if curBase < 0 { curBase = i; curLen = 1 } else { curLen += 1 }
            } else if curBase >= 0 {
                if curLen > bestLen { bestBase = curBase; bestLen = curLen }
                curBase = -1
            }
        }
        if curBase >= 0 && curLen > bestLen { bestBase = curBase; bestLen = curLen }
        if bestLen < 2 { bestBase = -1 }

        return String(unsafeUninitializedCapacity: 45) { buf in
            var n = 0
            var i = 0
            while i < 8 {
                if bestBase >= 0 && i >= bestBase && i < bestBase + bestLen {
                    if i == bestBase { buf[n] = IPScan.colon; n += 1 }
                    i += 1
                    continue
                }
                if i != 0 { buf[n] = IPScan.colon; n += 1 }
                if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && y.group(5) == 0xFFFF)) {
                    let x = y.low32
                    for shift in stride(from: 24, through: 0, by: -8) {
                        if shift != 24 { buf[n] = IPScan.dot; n += 1 }
                        n += writeDecimal(UInt8(truncatingIfNeeded: x >> UInt32(shift)), into: buf, at: n)
                    }
                    return n
                }
                n += writeHex(y.group(i), into: buf, at: n)
                i += 1
            }
            if bestBase >= 0 && bestBase + bestLen == 8 { buf[n] = IPScan.colon; n += 1 }
            return n
        }
    }

    @inline(__always)
    private static func writeDecimal(_ v: UInt8, into buf: UnsafeMutableBufferPointer<UInt8>, at n: Int) -> Int {
        if v >= 100 {
            buf[n] = 0x30 + v / 100
            buf[n + 1] = 0x30 + v / 10 % 10
            buf[n + 2] = 0x30 + v % 10
            return 3
        }
        if v >= 10 {
            buf[n] = 0x30 + v / 10
            buf[n + 1] = 0x30 + v % 10
            return 2
        }
        buf[n] = 0x30 + v
        return 1
    }

    @inline(__always)
    private static func writeHex(_ v: UInt16, into buf: UnsafeMutableBufferPointer<UInt8>, at n: Int) -> Int {
        var digits = 1
        while digits < 4 && v >> UInt16(4 * digits) != 0 { digits += 1 }
        for k in 0..<digits {
            let nibble = UInt8(truncatingIfNeeded: v >> UInt16(4 * (digits - 1 - k))) & 0xF
            buf[n + k] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
        }
        return digits
    }
}
