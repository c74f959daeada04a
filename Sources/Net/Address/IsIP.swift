// The public functions are @inlinable so that a caller pays one direct call into the scanner, not a call
// through String's storage closure as well; the scanners themselves stay opaque, module-internal code.
// isIPv4 is the exception: it is itself that one call, and looks at the string's own two words before
// asking String for its storage (see IPv4Shapes.swift).

/// Node's `net.isIPv4(input)`: whether `input` is, in full, an IPv4 address in dotted decimal: four
/// numbers 0…255 without leading zeros (`"127.0.0.1"`, not `"127.000.0.1"`, `"127.1"` or `" 127.0.0.1"`).
///
/// Nothing is trimmed. Scans the UTF-8 bytes without allocating.
public func isIPv4(_ input: String) -> Bool {
    #if _pointerBitWidth(_64) && _endian(little)
    // Every dotted quad is a small string, which holds its bytes in its own two words: checked there. (That
    // layout is the standard library's ABI on Apple platforms and the same elsewhere on 64-bit: bit 61 of the
    // second word marks a small string.)
    let (word0, word1) = unsafeBitCast(input, to: (UInt64, UInt64).self)
    if word1 & (1 << 61) != 0 { return IPScan.isIPv4(smallStringWords: word0, word1) }
    #endif
    return IPScan.isIPv4(storageOf: input)
}

/// Node's `net.isIPv6(input)`: whether `input` is, in full, an IPv6 address in any RFC 4291 text form
/// (`"::1"`, `"2001:db8::8:800:200c:417a"`, `"::ffff:192.0.2.1"`), optionally followed by a zone id: `%` and
/// one or more of `0-9 A-Z a-z . : -` (`"fe80::1%eth0"`).
///
/// Nothing is trimmed; hex digits may be upper or lower case, each group has 1–4 of them. Scans the UTF-8
/// bytes without allocating.
@inlinable @inline(__always)
public func isIPv6(_ input: String) -> Bool {
    input._withUTF8Bytes { p, n in IPScan.isIPv6(p, n) }
}

/// Node's `net.isIP(input)`: `4` when ``isIPv4(_:)`` holds, `6` when ``isIPv6(_:)`` holds, otherwise `0`.
@inlinable @inline(__always)
public func isIP(_ input: String) -> Int {
    input._withUTF8Bytes { p, n in IPScan.isIP(p, n) }
}
