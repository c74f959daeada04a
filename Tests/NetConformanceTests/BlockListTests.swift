// Node: test/parallel/test-blocklist.js
import Net
import Testing

/// Node v20's test-blocklist.js. Not ported: the `ERR_INVALID_ARG_TYPE` checks (numbers, arrays, objects,
/// null, BigInt or undefined where a string belongs: Swift's types rule them out) and
/// `util.inspect(blockList, { depth: -1 })` (JavaScript's inspect depth). Newer Node's `removeAddress`,
/// `removeSubnet` and duplicate-rule folding are not in v20.
@Suite struct BlockListTests {
    /// The `code` of the NetError that `body` throws, nil when it throws none.
    func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as NetError { return error.code } catch { return "\(error)" }
    }

    @Test func invalidFamilies() {
        let blockList = BlockList()
        #expect(code { try blockList.addAddress("1.1.1.1", type: "foo") } == "ERR_INVALID_ARG_VALUE")
        #expect(code { try blockList.addRange("1.1.1.1", "1.1.1.2", type: "foo") } == "ERR_INVALID_ARG_VALUE")
    }

    @Test func addresses() throws {
        let blockList = BlockList()
        try blockList.addAddress("1.1.1.1")
        try blockList.addAddress("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", type: "ipv6")
        try blockList.addAddress("::ffff:1.1.1.2", type: "ipv6")

        #expect(blockList.check("1.1.1.1"))
        #expect(!blockList.check("1.1.1.1", type: "ipv6"))
        #expect(!blockList.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17"))
        #expect(blockList.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", type: "ipv6"))

        #expect(blockList.check("::ffff:1.1.1.1", type: "ipv6"))
        #expect(blockList.check("::ffff:1.1.1.1", type: "IPV6"))

        #expect(blockList.check("1.1.1.2"))

        #expect(!blockList.check("1.2.3.4"))
        #expect(!blockList.check("::1", type: "ipv6"))
    }

    @Test func socketAddresses() throws {
        let blockList = BlockList()
        let sa1 = try SocketAddress(address: "1.1.1.1")
        let sa2 = try SocketAddress(address: "8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", family: "ipv6")
        let sa3 = try SocketAddress(address: "1.1.1.2")

        blockList.addAddress(sa1)
        blockList.addAddress(sa2)
        try blockList.addAddress("::ffff:1.1.1.2", type: "ipv6")

        #expect(blockList.check("1.1.1.1"))
        #expect(blockList.check(sa1))
        #expect(!blockList.check("1.1.1.1", type: "ipv6"))
        #expect(!blockList.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17"))
        #expect(blockList.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", type: "ipv6"))
        #expect(blockList.check(sa2))

        #expect(blockList.check("::ffff:1.1.1.1", type: "ipv6"))
        #expect(blockList.check("::ffff:1.1.1.1", type: "IPV6"))

        #expect(blockList.check("1.1.1.2"))
        #expect(blockList.check(sa3))

        #expect(!blockList.check("1.2.3.4"))
        #expect(!blockList.check("::1", type: "ipv6"))
    }

    func expectRangesOneToTen(_ blockList: BlockList) {
        #expect(!blockList.check("1.1.1.0"))
        for n in 1...10 { #expect(blockList.check("1.1.1.\(n)")) }
        #expect(!blockList.check("1.1.1.11"))

        #expect(!blockList.check("::0", type: "ipv6"))
        for n in 0x1...0xf {
            #expect(blockList.check("::\(String(n, radix: 16))", type: "ipv6"), "::\(String(n, radix: 16)) check failed")
        }
        #expect(!blockList.check("::10", type: "ipv6"))
    }

    @Test func ranges() throws {
        let blockList = BlockList()
        try blockList.addRange("1.1.1.1", "1.1.1.10")
        try blockList.addRange("::1", "::f", type: "ipv6")
        expectRangesOneToTen(blockList)
    }

    @Test func socketAddressRanges() throws {
        let blockList = BlockList()
        let sa1 = try SocketAddress(address: "1.1.1.1")
        let sa2 = try SocketAddress(address: "1.1.1.10")
        let sa3 = try SocketAddress(address: "::1", family: "ipv6")
        let sa4 = try SocketAddress(address: "::f", family: "ipv6")
        try blockList.addRange(sa1, sa2)
        try blockList.addRange(sa3, sa4)
        expectRangesOneToTen(blockList)
    }

    @Test func subnets() throws {
        let blockList = BlockList()
        try blockList.addSubnet("1.1.1.0", prefix: 16)
        try blockList.addSubnet("8592:757c:efae:4e45::", prefix: 64, type: "ipv6")

        #expect(blockList.check("1.1.0.1"))
        #expect(blockList.check("1.1.1.1"))
        #expect(!blockList.check("1.2.0.1"))
        #expect(blockList.check("::ffff:1.1.0.1", type: "ipv6"))

        #expect(blockList.check("8592:757c:efae:4e45:f::", type: "ipv6"))
        #expect(blockList.check("8592:757c:efae:4e45::f", type: "ipv6"))
        #expect(!blockList.check("8592:757c:efae:4f45::f", type: "ipv6"))
    }

    @Test func socketAddressSubnets() throws {
        let blockList = BlockList()
        let sa1 = try SocketAddress(address: "1.1.1.0")
        let sa2 = try SocketAddress(address: "1.1.1.1")
        try blockList.addSubnet(sa1, prefix: 16)
        try blockList.addSubnet("8592:757c:efae:4e45::", prefix: 64, type: "ipv6")

        #expect(blockList.check("1.1.0.1"))
        #expect(blockList.check(sa2))
        #expect(!blockList.check("1.2.0.1"))
        #expect(blockList.check("::ffff:1.1.0.1", type: "ipv6"))

        #expect(blockList.check("8592:757c:efae:4e45:f::", type: "ipv6"))
        #expect(blockList.check("8592:757c:efae:4e45::f", type: "ipv6"))
        #expect(!blockList.check("8592:757c:efae:4f45::f", type: "ipv6"))
    }

    @Test func rules() throws {
        let blockList = BlockList()
        try blockList.addAddress("1.1.1.1")
        try blockList.addRange("10.0.0.1", "10.0.0.10")
        try blockList.addSubnet("8592:757c:efae:4e45::", prefix: 64, type: "IpV6")  // Case insensitive

        let rulesCheck = [
            "Subnet: IPv6 8592:757c:efae:4e45::/64",
            "Range: IPv4 10.0.0.1-10.0.0.10",
            "Address: IPv4 1.1.1.1",
        ]
        #expect(blockList.rules == rulesCheck)

        #expect(blockList.check("1.1.1.1"))
        #expect(blockList.check("10.0.0.5"))
        #expect(blockList.check("::ffff:10.0.0.5", type: "ipv6"))
        #expect(blockList.check("8592:757c:efae:4e45::f", type: "ipv6"))

        #expect(!blockList.check("123.123.123.123"))
        #expect(!blockList.check("8592:757c:efaf:4e45:fb5d:d62a:0d00:8e17", type: "ipv6"))
        #expect(!blockList.check("::ffff:123.123.123.123", type: "ipv6"))
    }

    /// Boundaries of non-aligned CIDR bit prefixes.
    @Test func nonAlignedPrefixes() throws {
        let blockList = BlockList()
        try blockList.addSubnet("10.0.0.0", prefix: 27)
        try blockList.addSubnet("8592:757c:efaf::", prefix: 51, type: "ipv6")

        for n in 0...31 { #expect(blockList.check("10.0.0.\(n)")) }
        #expect(!blockList.check("10.0.0.32"))

        #expect(blockList.check("8592:757c:efaf:0:0:0:0:0", type: "ipv6"))
        #expect(blockList.check("8592:757c:efaf:1fff:ffff:ffff:ffff:ffff", type: "ipv6"))
        #expect(!blockList.check("8592:757c:efaf:2fff:ffff:ffff:ffff:ffff", type: "ipv6"))
    }

    /// Regression test for https://github.com/nodejs/node/issues/39074
    @Test func ipv4RangeByteOrder() throws {
        let blockList = BlockList()
        try blockList.addRange("10.0.0.2", "10.0.0.10")

        // IPv4 checks against IPv4 range.
        #expect(blockList.check("10.0.0.2"))
        #expect(blockList.check("10.0.0.10"))
        #expect(!blockList.check("192.168.0.3"))
        #expect(!blockList.check("2.2.2.2"))
        #expect(!blockList.check("255.255.255.255"))

        // IPv6 checks against IPv4 range.
        #expect(blockList.check("::ffff:0a00:0002", type: "ipv6"))
        #expect(blockList.check("::ffff:0a00:000a", type: "ipv6"))
        #expect(!blockList.check("::ffff:c0a8:0003", type: "ipv6"))
        #expect(!blockList.check("::ffff:0202:0202", type: "ipv6"))
        #expect(!blockList.check("::ffff:ffff:ffff", type: "ipv6"))
    }

    @Test func startAfterEnd() {
        let blockList = BlockList()
        #expect(code { try blockList.addRange("1.1.1.2", "1.1.1.1") } == "ERR_INVALID_ARG_VALUE")
    }

    @Test func subnetArguments() {
        let blockList = BlockList()
        // addSubnet(1), addSubnet('1.1.1.1', ''), addSubnet('', 1, 1): ERR_INVALID_ARG_TYPE, not expressible.
        // addSubnet('1.1.1.1', NaN): ERR_OUT_OF_RANGE for a non-integer, not expressible with an Int prefix.
        #expect(code { try blockList.addSubnet("", prefix: 1, type: "") } == "ERR_INVALID_ARG_VALUE")

        #expect(code { try blockList.addSubnet("1.1.1.1", prefix: -1, type: "ipv4") } == "ERR_OUT_OF_RANGE")
        #expect(code { try blockList.addSubnet("1.1.1.1", prefix: 33, type: "ipv4") } == "ERR_OUT_OF_RANGE")

        #expect(code { try blockList.addSubnet("::", prefix: -1, type: "ipv6") } == "ERR_OUT_OF_RANGE")
        #expect(code { try blockList.addSubnet("::", prefix: 129, type: "ipv6") } == "ERR_OUT_OF_RANGE")
    }

    @Test func inspect() {
        let blockList = BlockList()
        #expect(blockList.description.contains("rules: []"))
    }

    // Beyond test-blocklist.js: what test-blocklist-clone.js shows with postMessage (a received BlockList
    // shares its rules with the sender), a Swift BlockList does by being a Sendable reference.
    @Test func sharedBetweenThreads() async throws {
        let blockList = BlockList()
        try blockList.addAddress("123.123.123.123")
        await withTaskGroup(of: Void.self) { group in
            for k in 0..<4 {
                group.addTask {
                    #expect(blockList.check("123.123.123.123"))
                    try? blockList.addAddress("123.123.123.\(200 + k)")
                    #expect(blockList.check("123.123.123.\(200 + k)"))
                }
            }
        }
        for k in 0..<4 { #expect(blockList.check("123.123.123.\(200 + k)")) }
        #expect(!blockList.check("123.123.123.124"))
        #expect(blockList.rules.count == 5)
    }
}
