
/// Node's `net.BlockList`: rules that block IP addresses, subnets and ranges, for checking an address.
///
/// Matching follows Node v20 across families: an IPv4 rule also matches the IPv4-mapped IPv6 address
/// (`::ffff:1.2.3.4`), an IPv6 rule matches an IPv4 address whose mapped form it covers (`::/0` and
/// `::ffff:0:0/96` match every IPv4 address), and a range with an endpoint of each family compares them only
/// through the mapped block, as Node's `SocketAddress::compare` does.
///
/// Node checks every rule in turn; here the rules are kept as intervals, sorted and merged, one set for IPv4
/// checks and one for IPv6 checks, so ``check(_:type:)`` is a binary search: O(log n) in the number of rules.
/// New rules are merged in at the next check. The rules' text is kept for ``rules``.
///
/// A `BlockList` is a reference, as in Node, and may be shared between threads: Node's `postMessage` of a
/// `BlockList` shares its rules the same way. Every method takes a lock.
public final class BlockList: Sendable, CustomStringConvertible {
    /// Behind a pthread mutex (`Locked`): ThreadSanitizer understands it, unlike `Synchronization.Mutex`.
    private let state = Locked(State())

    /// An empty block list.
    public init() {}

    // MARK: Adding rules

    /// Node's `blockList.addAddress(address, type)`: blocks one address.
    /// - Parameters:
    ///   - address: An address of the family `type`, parsed as ``SocketAddress`` parses it.
    ///   - type: `"ipv4"` (the default) or `"ipv6"`, in any case.
    /// - Throws: `ERR_INVALID_ARG_VALUE` for another `type`, `ERR_INVALID_ADDRESS` for an address that does
    ///   not parse.
    public func addAddress(_ address: String, type: String = "ipv4") throws(NetError) {
        addAddress(try SocketAddress(address: address, family: type))
    }

    /// Node's `blockList.addAddress(socketAddress)`: blocks the address (its port is ignored).
    public func addAddress(_ address: SocketAddress) {
        state.withLock { $0.add(.address(address.ip)) }
    }

    /// Node's `blockList.addRange(start, end, type)`: blocks every address from `start` to `end`, inclusive.
    /// - Parameters:
    ///   - start: The first address, of the family `type`.
    ///   - end: The last address, of the family `type`.
    ///   - type: `"ipv4"` (the default) or `"ipv6"`, in any case.
    /// - Throws: `ERR_INVALID_ARG_VALUE` for another `type` or when `start` comes after `end`,
    ///   `ERR_INVALID_ADDRESS` for an address that does not parse.
    public func addRange(_ start: String, _ end: String, type: String = "ipv4") throws(NetError) {
        let first = try SocketAddress(address: start, family: type)
        let last = try SocketAddress(address: end, family: type)
        try addRange(first, last)
    }

    /// Node's `blockList.addRange(start, end)` with `SocketAddress` endpoints, which may differ in family, as
    /// Node accepts: such a range matches IPv6 addresses only inside the IPv4-mapped block, and IPv4
    /// addresses only when its IPv6 endpoint is IPv4-mapped.
    /// - Throws: `ERR_INVALID_ARG_VALUE` when `start` comes after `end`.
    public func addRange(_ start: SocketAddress, _ end: SocketAddress) throws(NetError) {
        if let order = IPAddress.nodeCompare(start.ip, end.ip), order > 0 {
            throw .rangeStartAfterEnd(start)
        }
        state.withLock { $0.add(.range(start.ip, end.ip)) }
    }

    /// Node's `blockList.addSubnet(network, prefix, type)`: blocks the addresses whose first `prefix` bits
    /// are those of `network`.
    /// - Parameters:
    ///   - network: An address of the family `type`; its bits after the prefix are ignored (and kept in
    ///     ``rules``' text, as Node keeps them).
    ///   - prefix: 0…32 for IPv4, 0…128 for IPv6.
    ///   - type: `"ipv4"` (the default) or `"ipv6"`, in any case.
    /// - Throws: `ERR_INVALID_ARG_VALUE` for another `type`, `ERR_INVALID_ADDRESS` for a network that does
    ///   not parse, then `ERR_OUT_OF_RANGE` for the prefix.
    public func addSubnet(_ network: String, prefix: Int, type: String = "ipv4") throws(NetError) {
        try addSubnet(try SocketAddress(address: network, family: type), prefix: prefix)
    }

    /// Node's `blockList.addSubnet(socketAddress, prefix)`.
    /// - Throws: `ERR_OUT_OF_RANGE` when `prefix` is not 0…32 (IPv4) or 0…128 (IPv6).
    public func addSubnet(_ network: SocketAddress, prefix: Int) throws(NetError) {
        let bits = network.ip.isV4 ? 32 : 128
        guard prefix >= 0 && prefix <= bits else { throw .outOfRange("prefix", ">= 0 && <= \(bits)", .int(prefix)) }
        state.withLock { $0.add(.subnet(network.ip, prefix)) }
    }

    // MARK: Checking

    /// Node's `blockList.check(address, type)`: whether a rule blocks `address`.
    ///
    /// `false` when `type` is not `"ipv4"`/`"ipv6"` (in any case) or the address does not parse in that
    /// family, as in Node. O(log n) in the number of rules.
    public func check(_ address: String, type: String = "ipv4") -> Bool {
        switch SocketAddress.familyCode(type) {
        case 4:
            guard let x = address._withUTF8Bytes({ p, n in IPScan.libuvIPv4(p, n) }) else { return false }
            return state.withLock { $0.checkV4(x) }
        case 6:
            guard let y = address._withUTF8Bytes({ p, n in IPScan.libuvIPv6(p, n) }) else { return false }
            return state.withLock { $0.checkV6(y) }
        default:
            return false
        }
    }

    /// Node's `blockList.check(socketAddress)`: whether a rule blocks the address (its port is ignored).
    public func check(_ address: SocketAddress) -> Bool {
        switch address.ip {
        case .v4(let x): return state.withLock { $0.checkV4(x) }
        case .v6(let y): return state.withLock { $0.checkV6(y) }
        }
    }

    // MARK: Rules

    /// Node's `blockList.rules`: one line per rule, newest first, addresses printed as Node prints them:
    /// `"Address: IPv4 1.1.1.1"`, `"Range: IPv4 10.0.0.1-10.0.0.10"` (the family is the start's),
    /// `"Subnet: IPv6 8592:757c:efae:4e45::/64"`. Duplicates stay, as in Node v20.
    public var rules: [String] {
        state.withLock { state in state.rules.reversed().map(\.text) }
    }

    /// Node's `util.inspect(blockList)` in its one-line form, `BlockList { rules: [] }` or
    /// `BlockList { rules: [ 'Address: IPv4 1.1.1.1' ] }` (Node breaks longer lists over lines).
    public var description: String {
        let list = rules
        if list.isEmpty { return "BlockList { rules: [] }" }
        return "BlockList { rules: [ " + list.map { JSValue.string($0).inspected }.joined(separator: ", ") + " ] }"
    }
}

// MARK: - Storage

extension BlockList {
    /// A rule as added; its text is made when ``BlockList/rules`` is read.
    enum Rule: Sendable {
        case address(IPAddress)
        case range(IPAddress, IPAddress)
        case subnet(IPAddress, Int)

        /// Node's `ToString()` of the rule.
        var text: String {
            switch self {
            case .address(let ip): return "Address: \(Self.family(ip)) \(ip.text)"
            case .range(let s, let e): return "Range: \(Self.family(s)) \(s.text)-\(e.text)"
            case .subnet(let ip, let prefix): return "Subnet: \(Self.family(ip)) \(ip.text)/\(prefix)"
            }
        }

        private static func family(_ ip: IPAddress) -> String { ip.isV4 ? "IPv4" : "IPv6" }
    }

    struct State: Sendable {
        var rules: [Rule] = []
        /// What IPv4 checks match.
        var v4 = IntervalSet<UInt32>()
        /// What IPv6 checks match, IPv4 rules included through their mapped addresses.
        var v6 = IntervalSet<IPv6Bits>()

        mutating func add(_ rule: Rule) {
            rules.append(rule)
            switch rule {
            case .address(let ip):
                switch ip {
                case .v4(let x):
                    v4.insert(x, x)
                    v6.insert(.mapped(x), .mapped(x))
                case .v6(let y):
                    v6.insert(y, y)
                    if y.isV4Mapped { v4.insert(y.low32, y.low32) }
                }
            case .subnet(let ip, let prefix):
                switch ip {
                case .v4(let x):
                    let mask: UInt32 = prefix == 0 ? 0 : ~0 << UInt32(32 - prefix)
                    let lo = x & mask, hi = lo | ~mask
                    v4.insert(lo, hi)
                    v6.insert(.mapped(lo), .mapped(hi))
                case .v6(let y):
                    insertV6(y.masked(prefix: prefix), y.filled(prefix: prefix), mappedOnly: false, alsoV4: true)
                }
            case .range(let s, let e):
                // IPv6 checks: an IPv4 endpoint compares only with IPv4-mapped addresses.
                insertV6(s.key, e.key, mappedOnly: s.isV4 || e.isV4, alsoV4: false)
                // IPv4 checks compare with an IPv6 endpoint only when it is IPv4-mapped.
                let ks = s.key, ke = e.key
                if ks.isV4Mapped && ke.isV4Mapped && !(ke < ks) { v4.insert(ks.low32, ke.low32) }
            }
        }

        /// Adds [lo, hi] for IPv6 checks, clipped to the IPv4-mapped block when `mappedOnly`; with `alsoV4`,
        /// adds its IPv4-mapped part for IPv4 checks too.
        private mutating func insertV6(_ lo: IPv6Bits, _ hi: IPv6Bits, mappedOnly: Bool, alsoV4: Bool) {
            let mlo = Swift.max(lo, .mappedFirst), mhi = Swift.min(hi, .mappedLast)
            if mappedOnly {
                if !(mhi < mlo) { v6.insert(mlo, mhi) }
            } else if !(hi < lo) {
                v6.insert(lo, hi)
            }
            if alsoV4 && !(mhi < mlo) { v4.insert(mlo.low32, mhi.low32) }
        }

        @inline(__always) mutating func checkV4(_ x: UInt32) -> Bool {
            v4.flush()
            return v4.contains(x)
        }

        @inline(__always) mutating func checkV6(_ y: IPv6Bits) -> Bool {
            v6.flush()
            return v6.contains(y)
        }
    }
}

/// A key of an ``IntervalSet``: ordered, with a successor for merging adjacent intervals.
protocol IntervalKey: Comparable, Sendable {
    /// The next key, or nil at the maximum.
    var successor: Self? { get }
}

extension UInt32: IntervalKey {
    var successor: UInt32? { self == .max ? nil : self + 1 }
}

extension IPv6Bits: IntervalKey {}

/// Disjoint closed intervals, sorted and merged (adjacent ones too), for O(log n) membership. Insertions
/// wait in `pending` until ``flush()`` merges them in: O(n + k log k) for k new intervals.
struct IntervalSet<Key: IntervalKey>: Sendable {
    private(set) var lows: [Key] = []
    private(set) var highs: [Key] = []
    private var pending: [(Key, Key)] = []

    /// The number of merged intervals (pending ones not counted).
    var count: Int { lows.count }

    mutating func insert(_ lo: Key, _ hi: Key) {
        pending.append((lo, hi))
    }

    @inline(__always) mutating func flush() {
        if !pending.isEmpty { mergePending() }
    }

    private mutating func mergePending() {
        pending.sort { $0.0 < $1.0 }
        var newLows: [Key] = [], newHighs: [Key] = []
        newLows.reserveCapacity(lows.count + pending.count)
        newHighs.reserveCapacity(lows.count + pending.count)
        var i = 0, j = 0
        while i < lows.count || j < pending.count {
            let lo: Key, hi: Key
            if j == pending.count || (i < lows.count && lows[i] < pending[j].0) {
                lo = lows[i]; hi = highs[i]; i += 1
            } else {
                lo = pending[j].0; hi = pending[j].1; j += 1
            }
            if let last = newHighs.last, last.successor.map({ lo <= $0 }) ?? true {
                if last < hi { newHighs[newHighs.count - 1] = hi }
            } else {
                newLows.append(lo)
                newHighs.append(hi)
            }
        }
        lows = newLows
        highs = newHighs
        pending.removeAll(keepingCapacity: false)
    }

    /// Whether `x` is in an interval. Call ``flush()`` first. A branch-free binary search (each step adds
    /// `half × (comparison as 0 or 1)`), so that mispredictions do not dominate.
    @inline(__always) func contains(_ x: Key) -> Bool {
        lows.withUnsafeBufferPointer { lo in
            var n = lo.count
            guard n > 0 else { return false }
            var base = 0
            while n > 1 {
                let half = n >> 1
                base &+= half &* (lo[base &+ half] <= x ? 1 : 0)
                n -= half
            }
            // `base` is the last interval starting at or before x, if any starts there.
            guard lo[base] <= x else { return false }
            return highs.withUnsafeBufferPointer { x <= $0[base] }
        }
    }
}
