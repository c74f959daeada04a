import Net
import Testing

/// BlockList's rules as Node's strings and back (Node v22.13+'s `toJSON`, `fromJSON`, `isBlockList`).
@Suite struct BlockListJSONTests {
    static func sample() throws -> BlockList {
        let list = BlockList()
        try list.addAddress("1.1.1.1")
        try list.addRange("10.0.0.1", "10.0.0.10")
        try list.addSubnet("8592:757c:efae:4e45::", prefix: 64, type: "ipv6")
        try list.addAddress("::ffff:7b7b:7b7b", type: "ipv6")
        return list
    }

    @Test func toJSONIsTheRules() throws {
        let list = try Self.sample()
        #expect(list.toJSON() == [
            "Address: IPv6 ::ffff:123.123.123.123",
            "Subnet: IPv6 8592:757c:efae:4e45::/64",
            "Range: IPv4 10.0.0.1-10.0.0.10",
            "Address: IPv4 1.1.1.1",
        ])
    }

    @Test func fromJSONRoundTripsRulesAndChecks() throws {
        let list = try Self.sample()
        let copy = BlockList()
        try copy.fromJSON(list.toJSON())
        #expect(copy.rules == list.rules)
        for (address, type) in [("1.1.1.1", "ipv4"), ("10.0.0.5", "ipv4"), ("10.0.0.11", "ipv4"),
                                ("8592:757c:efae:4e45::9", "ipv6"), ("123.123.123.123", "ipv4"), ("2.2.2.2", "ipv4")] {
            #expect(copy.check(address, type: type) == list.check(address, type: type), "\(address)")
        }
        #expect(copy.check("10.0.0.5"))
        #expect(!copy.check("10.0.0.11"))
    }

    @Test func fromJSONString() throws {
        let copy = BlockList()
        try copy.fromJSON(#"[ "Address: IPv4 1.2.3.4", "Subnet: IPv4 192.168.0.0/16", "not a rule" ]"#)
        // Read oldest last, as toJSON writes: the rules come back in the order given.
        #expect(copy.rules == ["Address: IPv4 1.2.3.4", "Subnet: IPv4 192.168.0.0/16"])
        #expect(copy.check("192.168.7.7"))
        #expect(copy.check("1.2.3.4"))
        do {
            try copy.fromJSON("{ not json")
            Issue.record("no error")
        } catch {
            #expect(error.name == "SyntaxError")
        }
        do {
            try copy.fromJSON(["Address: IPv4 999.1.1.1"])
            Issue.record("no error")
        } catch {
            #expect(error.code == "ERR_INVALID_ADDRESS")
        }
    }

    @Test func isBlockList() {
        #expect(BlockList.isBlockList(BlockList()))
        #expect(!BlockList.isBlockList("BlockList"))
        #expect(!BlockList.isBlockList(nil))
    }
}
