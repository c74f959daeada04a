// libFuzzer target for the address code of Net (Sources/Net/Address), built by Fuzz/run.sh together with
// those sources, so that it reaches their internals. Each input is used twice:
//
// 1. As text: isIP/isIPv4/isIPv6 agree with each other and with the parser; whatever parses prints as text
//    that parses back to the same address and prints the same (a fixed point); SocketAddress.parse and the
//    family check never crash.
// 2. As bytes driving a BlockList: rules and checks decoded from the input, the interval lookup compared
//    with a plain rule-by-rule evaluation of Node's semantics (node_sockaddr.cc), written separately below.
//
// A broken invariant traps, which libFuzzer reports with the input that did it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    checkText(String(decoding: bytes, as: UTF8.self))
    checkBlockList(bytes)
    return 0
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: " + message()) }
}

// MARK: - Text

func checkText(_ s: String) {
    let family = isIP(s)
    let v4 = isIPv4(s), v6 = isIPv6(s)
    require(family == (v4 ? 4 : v6 ? 6 : 0) && !(v4 && v6), "isIP(\(s.debugDescription)) = \(family), v4 \(v4), v6 \(v6)")

    // The strict (isIP) grammar implies libuv's, with the same value.
    if v4 { require(IPAddress.parse(s, v6: false) != nil, "isIPv4 but no parse: \(s.debugDescription)") }
    if v6 { require(IPAddress.parse(s, v6: true) != nil, "isIPv6 but no parse: \(s.debugDescription)") }
    // Without a NUL or a '%', libuv's grammar is exactly the regular expressions' grammar.
    if !s.utf8.contains(0) && !s.utf8.contains(0x25) {
        require((IPAddress.parse(s, v6: false) != nil) == v4, "libuv IPv4 vs isIPv4: \(s.debugDescription)")
        require((IPAddress.parse(s, v6: true) != nil) == v6, "libuv IPv6 vs isIPv6: \(s.debugDescription)")
    }

    for wantV6 in [false, true] {
        guard let ip = IPAddress.parse(s, v6: wantV6) else { continue }
        require(ip.isV4 == !wantV6, "family of \(s.debugDescription)")
        let text = ip.text
        // The canonical text is in the strict grammar, parses back to the same address, and is a fixed point.
        require(isIP(text) == (wantV6 ? 6 : 4), "canonical \(text) of \(s.debugDescription) is not an IP")
        let again = IPAddress.parse(text, v6: wantV6)
        require(again == ip, "\(s.debugDescription) -> \(text) -> \(String(describing: again))")
        require(again?.text == text, "\(text) is not a fixed point")
        // SocketAddress agrees.
        if let sa = try? SocketAddress(address: s, family: wantV6 ? "ipv6" : "ipv4") {
            require(sa.address == text, "SocketAddress(\(s.debugDescription)).address \(sa.address) != \(text)")
        } else {
            require(false, "SocketAddress rejects \(s.debugDescription), which parses")
        }
    }

    if let sa = SocketAddress.parse(s) {
        require(sa.port >= 0 && sa.port <= 65535, "port \(sa.port)")
        require(IPAddress.parse(sa.address, v6: sa.family == "ipv6") == sa.ip, "parse(\(s.debugDescription)) round trip")
    }
    _ = SocketAddress.familyCode(s)
}

// MARK: - BlockList against a plain evaluation

/// Reads the input as: one byte of rule count, then per rule a kind byte, two address specs and a prefix
/// byte; the rest are checks (an address spec each).
struct ByteReader {
    var bytes: UnsafeBufferPointer<UInt8>
    var at = 0
    mutating func next() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }
    mutating func word() -> UInt32? {
        guard let a = next(), let b = next() else { return nil }
        return UInt32(a) << 8 | UInt32(b)
    }

    /// An address near a few bases, so that rules and checks meet: IPv4 10.0.x.y, its mapped IPv6, IPv6
    /// 2001:db8::x, ::x, or all-ones neighbours.
    mutating func address() -> IPAddress? {
        guard let kind = next(), let w = word() else { return nil }
        switch kind % 6 {
        case 0: return .v4(0x0A00_0000 | w)
        case 1: return .v6(.mapped(0x0A00_0000 | w))
        case 2: return .v6(IPv6Bits(hi: 0x2001_0DB8_0000_0000, lo: UInt64(w)))
        case 3: return .v6(IPv6Bits(hi: 0, lo: UInt64(w)))
        case 4: return .v4(UInt32.max &- w)
        default: return .v6(IPv6Bits(hi: .max, lo: .max &- UInt64(w)))
        }
    }
}

enum PlainRule {
    case address(IPAddress)
    case range(IPAddress, IPAddress)
    case subnet(IPAddress, Int)

    /// Node's SocketAddressBlockList rule `Apply`, one rule at a time.
    func matches(_ x: IPAddress) -> Bool {
        switch self {
        case .address(let a):
            switch (a, x) {
            case (.v4(let p), .v4(let q)): return p == q
            case (.v6(let p), .v6(let q)): return p == q
            case (.v4(let p), .v6(let q)), (.v6(let q), .v4(let p)): return q.isV4Mapped && q.low32 == p
            }
        case .range(let s, let e):
            guard let lower = compare(x, s), let upper = compare(x, e) else { return false }
            return lower >= 0 && upper <= 0
        case .subnet(let net, let prefix):
            switch (x, net) {
            case (.v4(let q), .v4(let n)): return prefix == 0 || q >> UInt32(32 - prefix) == n >> UInt32(32 - prefix)
            case (.v6(let q), .v6(let n)): return sameTopBits(q, n, prefix)
            case (.v4(let q), .v6(let n)): return sameTopBits(.mapped(q), n, prefix)
            case (.v6(let q), .v4(let n)):
                return q.isV4Mapped && (prefix == 0 || q.low32 >> UInt32(32 - prefix) == n >> UInt32(32 - prefix))
            }
        }
    }

    /// `SocketAddress::compare`: families compare through the mapped block only.
    func compare(_ a: IPAddress, _ b: IPAddress) -> Int? {
        func bits(_ ip: IPAddress) -> [UInt8] {
            let k = ip.key
            return (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? k.hi : k.lo) >> UInt64(56 - 8 * (i % 8))) }
        }
        if a.isV4 != b.isV4 {
            let v6 = a.isV4 ? b : a
            if case .v6(let y) = v6, !y.isV4Mapped { return nil }
        }
        let x = bits(a), y = bits(b)
        for i in 0..<16 where x[i] != y[i] { return x[i] < y[i] ? -1 : 1 }
        return 0
    }

    func sameTopBits(_ a: IPv6Bits, _ b: IPv6Bits, _ prefix: Int) -> Bool {
        for bit in 0..<prefix {
            let word = bit < 64 ? (a.hi, b.hi) : (a.lo, b.lo)
            let shift = UInt64(63 - bit % 64)
            if (word.0 >> shift) & 1 != (word.1 >> shift) & 1 { return false }
        }
        return true
    }
}

func checkBlockList(_ bytes: UnsafeBufferPointer<UInt8>) {
    var reader = ByteReader(bytes: bytes)
    guard let n = reader.next() else { return }
    let list = BlockList()
    var plain: [PlainRule] = []
    for _ in 0..<Int(n % 24) {
        guard let kind = reader.next(), let a = reader.address(), let b = reader.address(), let p = reader.next() else { break }
        switch kind % 3 {
        case 0:
            list.addAddress(SocketAddress(ip: a))
            plain.append(.address(a))
        case 1:
            do {
                try list.addRange(SocketAddress(ip: a), SocketAddress(ip: b))
                plain.append(.range(a, b))
            } catch {
                require(PlainRule.range(a, b).compare(a, b) == 1, "addRange(\(a.text), \(b.text)) threw \(error)")
            }
        default:
            let bits = a.isV4 ? 32 : 128
            let prefix = Int(p) % (bits + 2) - 1  // -1 … bits: one out of range
            do {
                try list.addSubnet(SocketAddress(ip: a), prefix: prefix)
                plain.append(.subnet(a, prefix))
            } catch {
                require(prefix < 0 || prefix > bits, "addSubnet(\(a.text), \(prefix)) threw \(error)")
            }
        }
        // Check after some adds too, so that merging new rules into a built lookup is exercised.
        if kind & 0x80 != 0, let x = reader.address() {
            let expected = plain.contains { $0.matches(x) }
            require(list.check(SocketAddress(ip: x)) == expected, "check(\(x.text)) mid-way, rules \(list.rules)")
        }
    }
    require(list.rules.count == plain.count, "rule count")
    while let x = reader.address() {
        let expected = plain.contains { $0.matches(x) }
        require(list.check(SocketAddress(ip: x)) == expected, "check(\(x.text)) = \(!expected), rules \(list.rules)")
        require(list.check(x.text, type: x.isV4 ? "ipv4" : "ipv6") == expected, "check(\(x.text)) as text")
    }
}
