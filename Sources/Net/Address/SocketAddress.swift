/// Node's `net.SocketAddress`: an IP address with a port and, for IPv6, a flow label.
///
/// The address is stored parsed and printed normalised as Node prints it: `"::1"` for `"0:0:0:0:0:0:0:1"`,
/// lower case, any `%zone` dropped. Two values are equal when address, family, port and flow label are.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The parsed address.
    let ip: IPAddress

    /// The port, 0…65535.
    public let port: Int

    /// The IPv6 flow label (0…1048575); always 0 for IPv4, as in Node.
    public let flowlabel: Int

    /// Node's `new SocketAddress({ address, port, family, flowlabel })`.
    ///
    /// - Parameters:
    ///   - address: The IP address text. `nil` is Node's default: `"127.0.0.1"` when `family` is exactly
    ///     `"ipv4"`, otherwise `"::"` (so, as in Node, `family: "IPv4"` without an address fails with
    ///     `ERR_INVALID_ADDRESS`). Parsed as Node's libuv does: the text up to a NUL character, and for IPv6
    ///     anything from the first `%` on (a zone id) is dropped.
    ///   - port: 0…65535, else `ERR_SOCKET_BAD_PORT`.
    ///   - family: `"ipv4"` or `"ipv6"`, in any case; anything else is `ERR_INVALID_ARG_VALUE`.
    ///   - flowlabel: 0…4294967295 (`ERR_OUT_OF_RANGE` otherwise); kept for IPv6 only, where it must also fit
    ///     20 bits. Node v20 aborts the process on a larger IPv6 flow label; this throws `ERR_OUT_OF_RANGE`.
    /// - Throws: `ERR_INVALID_ARG_VALUE`, `ERR_SOCKET_BAD_PORT`, `ERR_OUT_OF_RANGE`, or `ERR_INVALID_ADDRESS`
    ///   when the address does not parse in the family, checked in that order as Node does.
    public init(address: String? = nil, port: Int = 0, family: String = "ipv4", flowlabel: Int = 0) throws(NetError) {
        let v6 = try SocketAddress.isIPv6Family(family)
        guard port >= 0 && port <= 0xFFFF else { throw .socketBadPort("options.port", .int(port)) }
        guard flowlabel >= 0 && flowlabel <= 0xFFFF_FFFF else {
            throw .outOfRange("options.flowlabel", ">= 0 && <= 4294967295", .int(flowlabel))
        }
        let text = address ?? (family == "ipv4" ? "127.0.0.1" : "::")
        guard let ip = IPAddress.parse(text, v6: v6) else { throw .invalidAddress }
        if v6 && flowlabel > 0xF_FFFF {
            throw .outOfRange("options.flowlabel", ">= 0 && <= 1048575", .int(flowlabel))
        }
        self.init(ip: ip, port: port, flowlabel: v6 ? flowlabel : 0)
    }

    /// An address already parsed and validated.
    init(ip: IPAddress, port: Int = 0, flowlabel: Int = 0) {
        self.ip = ip
        self.port = port
        self.flowlabel = flowlabel
    }

    /// The address as Node prints it: dotted decimal, or compressed lower-case IPv6 (`"fe80::1"`,
    /// `"::ffff:1.2.3.4"`), without zone.
    public var address: String { ip.text }

    /// `"ipv4"` or `"ipv6"`.
    public var family: String { ip.isV4 ? "ipv4" : "ipv6" }

    /// Node's `util.inspect(socketAddress)`:
    /// `SocketAddress { address: '127.0.0.1', port: 0, family: 'ipv4', flowlabel: 0 }`.
    public var description: String {
        "SocketAddress { address: \(JSValue.string(address).inspected), port: \(port), "
            + "family: '\(family)', flowlabel: \(flowlabel) }"
    }

    /// Whether `family` names IPv6 (true) or IPv4 (false), case-insensitively as Node lower-cases it.
    /// - Throws: `ERR_INVALID_ARG_VALUE` for `options.family`, showing the value as given.
    static func isIPv6Family(_ family: String) throws(NetError) -> Bool {
        switch familyCode(family) {
        case 4: return false
        case 6: return true
        default: throw .invalidArgValue("options.family", .string(family))
        }
    }

    /// 4 or 6 when `family` lower-cases to `"ipv4"` or `"ipv6"`, else 0. Allocation-free. (No non-ASCII
    /// text lower-cases to either in JavaScript, so comparing ASCII case-insensitively is exact.)
    @inline(__always)
    static func familyCode(_ family: String) -> Int {
        family._withUTF8Bytes { p, n in
            guard n == 4, p[0] | 0x20 == 0x69, p[1] | 0x20 == 0x70, p[2] | 0x20 == 0x76 else { return 0 }
            switch p[3] {
            case 0x34: return 4
            case 0x36: return 6
            default: return 0
            }
        }
    }
}
