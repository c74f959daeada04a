// `SocketAddress.parse`, as newer Node has it (v23): the host of the WHATWG URL `http://<input>` must be an IP
// address, and the port is the one written after it. The URL host rules that can yield an IP address are
// implemented here: tab/newline removal, trimming, userinfo, bracketed IPv6, percent-decoding, ASCII
// lower-casing, and the IPv4 number forms (`0x7f.1`, `0177.0.0.1`, `2130706433`, `192.168.257`).

extension SocketAddress {
    /// Node's `SocketAddress.parse(input)`: `"1.2.3.4:80"`, `"[::1]:443"`, `"user@1.2.3.4"`,
    /// `"0x7f.1"` (as a browser reads the host of `http://<input>`); nil when that is not an IP address with
    /// an optional port 0…65535.
    ///
    /// The port is the one written, so `":80"` gives 80 (Node 23.x's release read the URL's `port`, which
    /// drops http's default 80; its tests and later releases expect 80). Hosts that would need IDNA mapping
    /// of non-ASCII text (full-width digits, say) give nil here.
    public static func parse(_ input: String) -> SocketAddress? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.utf8.count)
        // The URL parser drops ASCII tab and newline everywhere, then trims C0 controls and spaces (only the
        // trailing end matters: "http://" leads).
        for b in input.utf8 where b != 0x09 && b != 0x0A && b != 0x0D { bytes.append(b) }
        while let last = bytes.last, last <= 0x20 { bytes.removeLast() }

        // Special authority: extra slashes are skipped, then the authority runs to '/', '\', '?' or '#'.
        var i = 0
        while i < bytes.count && (bytes[i] == 0x2F || bytes[i] == 0x5C) { i += 1 }
        var end = i
        while end < bytes.count {
            let c = bytes[end]
            if c == 0x2F || c == 0x5C || c == 0x3F || c == 0x23 { break }
            end += 1
        }
        // The host starts after the last '@' (userinfo before it is dropped); it must not be empty.
        var hostStart = i
        for j in i..<end where bytes[j] == 0x40 { hostStart = j + 1 }
        if hostStart > i && hostStart == end { return nil }

        // Host, up to a ':' outside brackets; then the port, digits only.
        var insideBrackets = false
        var hostEnd = hostStart
        while hostEnd < end {
            let c = bytes[hostEnd]
            if c == 0x3A && !insideBrackets { break }
            if c == 0x5B { insideBrackets = true } else if c == 0x5D { insideBrackets = false }
            hostEnd += 1
        }
        guard hostEnd > hostStart else { return nil }
        var port = 0
        if hostEnd < end {
            for j in (hostEnd + 1)..<end {
                let d = bytes[j] &- 0x30
                guard d < 10 else { return nil }
                port = port * 10 + Int(d)
                guard port <= 0xFFFF else { return nil }
            }
        }

        let ip: IPAddress? = bytes.withUnsafeBufferPointer { buf -> IPAddress? in
            let host = UnsafeBufferPointer(rebasing: buf[hostStart..<hostEnd])
            if host[0] == 0x5B {
                guard host.count >= 2, host[host.count - 1] == 0x5D,
                      let bits = IPScan.parseIPv6(host.baseAddress! + 1, host.count - 2)
                else { return nil }
                return .v6(bits)
            }
            guard let v4 = URLHost.ipv4(host) else { return nil }
            return .v4(v4)
        }
        guard let ip else { return nil }
        return SocketAddress(ip: ip, port: port)
    }
}

/// The WHATWG URL host rules for a non-bracketed host, as far as they can produce an IPv4 address.
enum URLHost {
    /// Percent-decodes and lower-cases `host`, rejects forbidden domain code points, and parses it with the
    /// URL IPv4 parser when it "ends in a number"; nil for anything else (a domain, or a failure).
    static func ipv4(_ host: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var domain: [UInt8] = []
        domain.reserveCapacity(host.count)
        var i = 0
        while i < host.count {
            var c = host[i]
            if c == 0x25, i + 2 < host.count, IPScan.hexValue(host[i + 1]) != 0xFF, IPScan.hexValue(host[i + 2]) != 0xFF {
                c = IPScan.hexValue(host[i + 1]) << 4 | IPScan.hexValue(host[i + 2])
                i += 2
            }
            i += 1
            guard c < 0x80 else { return nil }  // would need IDNA (UTS #46) mapping
            if c &- 0x41 < 26 { c |= 0x20 }
            guard !isForbiddenDomainByte(c) else { return nil }
            domain.append(c)
        }
        guard !domain.isEmpty else { return nil }
        var parts = domain.split(separator: IPScan.dot, omittingEmptySubsequences: false)
        // "Ends in a number": the last non-empty label is decimal digits or 0x-hex.
        if parts.last!.isEmpty {
            if parts.count == 1 { return nil }
            parts.removeLast()
        }
        let last = parts.last!
        let endsInNumber = (!last.isEmpty && last.allSatisfy { $0 &- 0x30 < 10 }) || number(last) != nil
        guard endsInNumber else { return nil }  // a domain name: not an IP address
        guard parts.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let n = number(part) else { return nil }
            numbers.append(n)
        }
        for n in numbers.dropLast() where n > 255 { return nil }
        let limit: UInt64 = 1 << (8 * UInt64(5 - numbers.count))
        guard numbers.last! < limit else { return nil }
        var v4 = numbers.last!
        for (k, n) in numbers.dropLast().enumerated() { v4 += n << (8 * UInt64(3 - k)) }
        return UInt32(truncatingIfNeeded: v4)
    }

    /// The URL "IPv4 number parser": decimal, `0x` hex or `0` octal; `"0x"` alone is 0. Values saturate
    /// above 2³³, which every caller rejects anyway.
    static func number(_ text: ArraySlice<UInt8>) -> UInt64? {
        guard !text.isEmpty else { return nil }
        var digits = text[...]
        var radix: UInt64 = 10
        if digits.count >= 2 && digits.first == 0x30 && digits[digits.startIndex + 1] == 0x78 {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2 && digits.first == 0x30 {
            digits = digits.dropFirst()
            radix = 8
        }
        var value: UInt64 = 0
        for c in digits {
            let d = UInt64(IPScan.hexValue(c))
            guard d < radix else { return nil }
            value = min(value * radix + d, 1 << 33)
        }
        return value
    }

    /// Forbidden domain code points (ASCII): C0 controls, space, `# % / : < > ? @ [ \ ] ^ |` and DEL.
    @inline(__always)
    static func isForbiddenDomainByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x00...0x20, 0x23, 0x25, 0x2F, 0x3A, 0x3C, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x7C, 0x7F:
            return true
        default:
            return false
        }
    }
}
