// Hand-written scanners over the UTF-8 bytes of an address: no regex, no Foundation, no allocation.
//
// Two grammars are implemented here, because Node uses two:
//
// - `isIPv4`/`isIPv6`/`isIP` are regular expressions in lib/internal/net.js. They match the whole
//   JavaScript string: dotted decimal without leading zeros, every RFC 4291 text form of IPv6 (with an
//   embedded dotted quad), and an optional zone id `%[0-9A-Za-z.:-]+`.
// - `SocketAddress` (and so `BlockList`) hands the string to libuv's `uv_ip4_addr`/`uv_ip6_addr` as a C
//   string. That reads up to the first NUL byte, and for IPv6 drops everything from the first `%` (any zone
//   text at all, even an empty one), keeping at most 39 bytes before it. The address grammar itself is the
//   same as the regular expressions'.

/// The 128 bits of an IPv6 address, most significant word first, so that tuples compare as addresses do.
struct IPv6Bits: Hashable, Comparable, Sendable {
    /// Bits 127…64 (the first four groups).
    var hi: UInt64
    /// Bits 63…0 (the last four groups).
    var lo: UInt64

    @inline(__always) init(hi: UInt64, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    static let zero = IPv6Bits(hi: 0, lo: 0)
    static let max = IPv6Bits(hi: .max, lo: .max)
    /// `::ffff:0.0.0.0`, the first IPv4-mapped address.
    static let mappedFirst = IPv6Bits(hi: 0, lo: 0x0000_FFFF_0000_0000)
    /// `::ffff:255.255.255.255`, the last IPv4-mapped address.
    static let mappedLast = IPv6Bits(hi: 0, lo: 0x0000_FFFF_FFFF_FFFF)

    /// `::ffff:a.b.c.d` for an IPv4 address.
    @inline(__always) static func mapped(_ v4: UInt32) -> IPv6Bits {
        IPv6Bits(hi: 0, lo: 0x0000_FFFF_0000_0000 | UInt64(v4))
    }

    /// Whether this is in `::ffff:0:0/96`.
    @inline(__always) var isV4Mapped: Bool { hi == 0 && lo >> 32 == 0xFFFF }

    /// The low 32 bits (the IPv4 address of a mapped address).
    @inline(__always) var low32: UInt32 { UInt32(truncatingIfNeeded: lo) }

    @inline(__always) static func < (a: IPv6Bits, b: IPv6Bits) -> Bool {
        a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo)
    }

    /// Group `i` (0…7), as printed.
    @inline(__always) func group(_ i: Int) -> UInt16 {
        let word = i < 4 ? hi : lo
        return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (i & 3)))
    }

    /// The first `prefix` bits kept, the rest cleared.
    func masked(prefix: Int) -> IPv6Bits {
        IPv6Bits(hi: hi & Self.mask(prefix), lo: lo & Self.mask(prefix - 64))
    }

    /// The first `prefix` bits kept, the rest set.
    func filled(prefix: Int) -> IPv6Bits {
        IPv6Bits(hi: hi | ~Self.mask(prefix), lo: lo | ~Self.mask(prefix - 64))
    }

    /// The next address, or nil after `ffff:…:ffff`.
    var successor: IPv6Bits? {
        if lo != .max { return IPv6Bits(hi: hi, lo: lo + 1) }
        if hi != .max { return IPv6Bits(hi: hi + 1, lo: 0) }
        return nil
    }

    /// A 64-bit mask of `bits` leading ones (clamped to 0…64).
    @inline(__always) private static func mask(_ bits: Int) -> UInt64 {
        if bits <= 0 { return 0 }
        if bits >= 64 { return .max }
        return ~(UInt64.max >> UInt64(bits))
    }
}

/// The byte scanners. All take a base pointer and a length; none reads outside `p[0..<count]`.
@usableFromInline
enum IPScan {
    // MARK: Entry points of the public isIP functions (not inlinable: one call each)

    /// Node's `isIPv4` over `p[0..<count]`.
    @usableFromInline
    static func isIPv4(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        parseIPv4(p, count) != nil
    }

    /// Node's `isIPv4` over the UTF-8 storage of `input`: where `isIPv4` goes with a string that is not small
    /// (and with every string on a platform other than 64-bit little-endian). Never inlined, so that `isIPv4`
    /// needs no stack frame for a small string.
    @inline(never)
    static func isIPv4(storageOf input: String) -> Bool {
        input._withUTF8Bytes { p, n in isIPv4(p, n) }
    }

    /// Node's `isIPv6` over `p[0..<count]`.
    @usableFromInline
    static func isIPv6(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        isIPv6Inline(p, count)
    }

    /// Node's `isIP` over `p[0..<count]`: 4, 6 or 0.
    @usableFromInline
    static func isIP(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        if parseIPv4(p, count) != nil { return 4 }
        return isIPv6Inline(p, count) ? 6 : 0
    }

    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let percent: UInt8 = 0x25

    // MARK: IPv4

    /// Parses exactly `p[0..<count]` as dotted decimal: four numbers 0…255 without leading zeros.
    @inline(__always)
    static func parseIPv4(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32? {
        guard count >= 7 && count <= 15 else { return nil }
        return parseIPv4Unchecked(p, count)
    }

    /// `parseIPv4` without the length pre-check (used for the dotted tail of an IPv6 address).
    @inline(__always)
    static func parseIPv4Unchecked(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32? {
        var i = 0
        var result: UInt32 = 0
        var parts = 0
        while true {
            guard i < count else { return nil }
            var d = p[i] &- 0x30
            guard d < 10 else { return nil }
            i += 1
            var octet = UInt32(d)
            if octet != 0, i < count {  // a leading 0 stands alone
                d = p[i] &- 0x30
                if d < 10 {
                    octet = octet &* 10 &+ UInt32(d)
                    i += 1
                    if i < count {
                        d = p[i] &- 0x30
                        if d < 10 {
                            octet = octet &* 10 &+ UInt32(d)
                            i += 1
                            guard octet <= 255 else { return nil }
                        }
                    }
                }
            }
            result = result << 8 | octet
            parts += 1
            if parts == 4 { return i == count ? result : nil }
            guard i < count, p[i] == dot else { return nil }
            i += 1
        }
    }

    // MARK: IPv6

    /// For each byte, its value as a hex digit, or 16: a constant table (a string literal of control
    /// characters, so that it needs no initialisation at run time).
    static let hexTable: StaticString = "\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{9}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{A}\u{B}\u{C}\u{D}\u{E}\u{F}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{A}\u{B}\u{C}\u{D}\u{E}\u{F}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}\u{10}"

    /// The value of byte `c` as a hex digit (0…15), or 16 when it is not one.
    @inline(__always)
    static func hexDigit(_ c: UInt8) -> UInt8 {
        hexTable.utf8Start[Int(c)]
    }

    /// The value of an ASCII hex digit, or 0xFF.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8 {
        let h = hexDigit(c)
        return h < 16 ? h : 0xFF
    }

    /// Parses exactly `p[0..<count]` as an IPv6 address without zone: 1–4 hex digits per group, eight
    /// groups, or fewer with one `::` standing for at least one zero group; the last two groups may be
    /// written as dotted decimal.
    @inline(__always)
    static func parseIPv6(_ p: UnsafePointer<UInt8>, _ count: Int) -> IPv6Bits? {
        scanIPv6(p, count, computeValue: true)
    }

    /// The IPv6 scanner; with `computeValue: false` (a constant, after inlining) it only validates and
    /// returns `.zero` for a valid address.
    @inline(__always)
    static func scanIPv6(_ p: UnsafePointer<UInt8>, _ count: Int, computeValue: Bool) -> IPv6Bits? {
        guard count >= 2 && count <= 45 else { return nil }
        // Groups before `::` go to (headHi, headLo), groups after it to (tailHi, tailLo), each shifted in
        // from the right; `groups` counts both, `gap` is the head's group count once `::` was seen.
        var headHi: UInt64 = 0, headLo: UInt64 = 0
        var tailHi: UInt64 = 0, tailLo: UInt64 = 0
        var groups = 0
        var gap = -1
        var i = 0
        if p[0] == colon {
            guard p[1] == colon else { return nil }
            gap = 0
            i = 2
            if i == count { return .zero }
        }
        while true {
            let start = i
            var value: UInt64
            if i &+ 4 <= count {
                // Four digits at once when they are there (full-form groups), else one at a time.
                let h0 = hexDigit(p[i]), h1 = hexDigit(p[i + 1]), h2 = hexDigit(p[i + 2]), h3 = hexDigit(p[i + 3])
                if h0 | h1 | h2 | h3 < 16 {
                    value = UInt64(h0) << 12 | UInt64(h1) << 8 | UInt64(h2) << 4 | UInt64(h3)
                    i += 4
                    guard i == count || hexDigit(p[i]) == 16 else { return nil }  // a fifth digit
                } else {
                    guard h0 < 16 else { return nil }
                    value = UInt64(h0)
                    i += 1
                    if h1 < 16 {
                        value = value << 4 | UInt64(h1)
                        i += 1
                        if h2 < 16 {
                            value = value << 4 | UInt64(h2)
                            i += 1
                        }
                    }
                }
            } else {
                guard i < count, case let h = hexDigit(p[i]), h < 16 else { return nil }
                value = UInt64(h)
                i += 1
                var digits = 1
                while i < count, case let h = hexDigit(p[i]), h < 16 {
                    digits += 1
                    guard digits <= 4 else { return nil }
                    value = value << 4 | UInt64(h)
                    i += 1
                }
            }
            if i == count {
                groups += 1
                if computeValue { append16(value, gap < 0, &headHi, &headLo, &tailHi, &tailLo) }
                break
            }
            let c = p[i]
            if c == colon {
                groups += 1
                guard groups < 8 else { return nil }  // a ninth group would follow
                if computeValue { append16(value, gap < 0, &headHi, &headLo, &tailHi, &tailLo) }
                i += 1
                guard i < count else { return nil }  // a single trailing ':'
                if p[i] == colon {
                    guard gap < 0 else { return nil }  // a second '::'
                    gap = groups
                    i += 1
                    if i == count { break }
                }
                continue
            }
            // The last 32 bits as a dotted quad, which must end the address.
            guard c == dot, groups <= 6, let v4 = parseIPv4Unchecked(p + start, count - start) else { return nil }
            if computeValue {
                if gap < 0 {
                    headHi = headHi << 32 | headLo >> 32
                    headLo = headLo << 32 | UInt64(v4)
                } else {
                    tailHi = tailHi << 32 | tailLo >> 32
                    tailLo = tailLo << 32 | UInt64(v4)
                }
            }
            groups += 2
            break
        }
        if gap < 0 {
            guard groups == 8 else { return nil }
            return IPv6Bits(hi: headHi, lo: headLo)
        }
        guard groups <= 7 else { return nil }
        if !computeValue { return .zero }
        // Move the head groups to the top: shift left by 16 × (8 − head groups) bits.
        let shift = 16 * (8 - gap)
        var hi: UInt64 = 0, lo: UInt64 = 0
        if gap == 0 {
            // No head.
        } else if shift >= 64 {
            hi = headLo << UInt64(shift - 64)
        } else {
            hi = headHi << UInt64(shift) | headLo >> UInt64(64 - shift)
            lo = headLo << UInt64(shift)
        }
        return IPv6Bits(hi: hi | tailHi, lo: lo | tailLo)
    }

    /// Shifts a 16-bit group into the head or the tail.
    @inline(__always)
    private static func append16(
        _ value: UInt64, _ toHead: Bool,
        _ headHi: inout UInt64, _ headLo: inout UInt64, _ tailHi: inout UInt64, _ tailLo: inout UInt64
    ) {
        if toHead {
            headHi = headHi << 16 | headLo >> 48
            headLo = headLo << 16 | value
        } else {
            tailHi = tailHi << 16 | tailLo >> 48
            tailLo = tailLo << 16 | value
        }
    }

    /// Whether `c` may appear in a zone id as Node's regular expression allows: `[0-9A-Za-z.:-]`.
    @inline(__always)
    static func isZoneByte(_ c: UInt8) -> Bool {
        if c &- 0x30 < 10 { return true }
        if (c | 0x20) &- 0x61 < 26 { return true }
        return c == dot || c == colon || c == 0x2D
    }

    /// Node's `isIPv6` over exactly `p[0..<count]`: an address, optionally followed by `%` and a zone id of
    /// one or more `[0-9A-Za-z.:-]`.
    @inline(__always)
    static func isIPv6Inline(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count <= 45 {
            // The common case: no zone. Find '%' only when the plain parse fails.
            if scanIPv6(p, count, computeValue: false) != nil { return true }
        }
        var pct = 0
        while pct < count && p[pct] != percent { pct += 1 }
        guard pct < count - 1 else { return false }  // no '%', or nothing after it
        var j = pct + 1
        while j < count {
            guard isZoneByte(p[j]) else { return false }
            j += 1
        }
        return scanIPv6(p, pct, computeValue: false) != nil
    }

    // MARK: libuv (SocketAddress, BlockList)

    /// The length of the C string libuv sees: up to the first NUL byte.
    @inline(__always)
    static func cStringLength(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var n = 0
        while n < count && p[n] != 0 { n += 1 }
        return n
    }

    /// What `uv_ip4_addr` accepts: the C string (up to a NUL) as dotted decimal.
    @inline(__always)
    static func libuvIPv4(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32? {
        // A string that parses whole has no NUL; only a failure needs the C-string cut.
        if let x = parseIPv4(p, count) { return x }
        let n = cStringLength(p, count)
        return n < count ? parseIPv4(p, n) : nil
    }

    /// What `uv_ip6_addr` accepts: the C string (up to a NUL); from the first `%` on, the rest is a zone
    /// that is dropped whatever it holds, and the part before it is cut to 39 bytes.
    @inline(__always)
    static func libuvIPv6(_ p: UnsafePointer<UInt8>, _ count: Int) -> IPv6Bits? {
        // A string that parses whole has neither NUL nor '%': libuv reads it whole too.
        if let bits = parseIPv6(p, count) { return bits }
        let n = cStringLength(p, count)
        var end = 0
        while end < n && p[end] != percent { end += 1 }
        if end == count { return nil }  // no NUL, no zone: the whole string, which failed
        if end < n && end > 39 { end = 39 }
        return parseIPv6(p, end)
    }
}

extension String {
    /// Runs `body` over the string's UTF-8 bytes without copying them when the string is native (always on
    /// Linux); otherwise over a contiguous copy. (Inlinable for the public isIP functions.)
    @inlinable @inline(__always)
    func _withUTF8Bytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        if let r = utf8.withContiguousStorageIfAvailable({ buf -> R in
            guard let base = buf.baseAddress else { return withUnsafePointer(to: 0 as UInt8) { body($0, 0) } }
            return body(base, buf.count)
        }) {
            return r
        }
        var copy = self
        return copy.withUTF8 { buf in
            guard let base = buf.baseAddress else { return withUnsafePointer(to: 0 as UInt8) { body($0, 0) } }
            return body(base, buf.count)
        }
    }
}
