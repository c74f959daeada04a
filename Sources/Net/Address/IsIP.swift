// The public functions are @inlinable so that a caller pays one direct call into the scanner, not a call
// through String's storage closure as well; the scanners themselves stay opaque, module-internal code.

/// Node's `net.isIPv4(input)`: whether `input` is, in full, an IPv4 address in dotted decimal: four
/// numbers 0…255 without leading zeros (`"127.0.0.1"`, not `"127.000.0.1"`, `"127.1"` or `" 127.0.0.1"`).
///
/// Nothing is trimmed. Scans the UTF-8 bytes without allocating.
@inlinable @inline(__always)
public func isIPv4(_ input: String) -> Bool {
    input._withUTF8Bytes { p, n in IPScan.isIPv4(p, n) }
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
