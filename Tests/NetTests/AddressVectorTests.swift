import Foundation
import Net
import NetTestSupport
import Testing

/// Every vector of Tests/Vectors/ip-vectors.json and Tests/Vectors/blocklist-vectors.json (taken from Node's
/// tests and checked against Node v20).
@Suite struct AddressVectorTests {
    static func load(_ name: String) throws -> [String: Any] {
        let data = try Repo.read("Tests/Vectors/\(name)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    // MARK: ip-vectors.json

    @Test func isIPv4Lists() throws {
        let v = try Self.load("ip-vectors.json")
        let yes = try #require(v["isIPv4_true"] as? [String])
        let no = try #require(v["isIPv4_false"] as? [String])
        #expect(yes.count == 16 && no.count == 12)
        for s in yes {
            #expect(isIPv4(s), "isIPv4(\(s.debugDescription))")
            #expect(isIP(s) == 4, "isIP(\(s.debugDescription))")
        }
        for s in no { #expect(!isIPv4(s), "isIPv4(\(s.debugDescription))") }
    }

    @Test func isIPv6Lists() throws {
        let v = try Self.load("ip-vectors.json")
        let yes = try #require(v["isIPv6_true"] as? [String])
        let no = try #require(v["isIPv6_false"] as? [String])
        #expect(yes.count == 128 && no.count == 98)
        for s in yes {
            #expect(isIPv6(s), "isIPv6(\(s.debugDescription))")
            #expect(isIP(s) == 6, "isIP(\(s.debugDescription))")
        }
        for s in no {
            #expect(!isIPv6(s), "isIPv6(\(s.debugDescription))")
            #expect(isIP(s) != 6, "isIP(\(s.debugDescription))")
        }
    }

    @Test(arguments: ["isIP", "node_v20_edge_cases"])
    func isIPPairs(_ key: String) throws {
        let v = try Self.load("ip-vectors.json")
        let pairs = try #require(v[key] as? [[Any]])
        #expect(!pairs.isEmpty)
        for pair in pairs {
            let s = try #require(pair[0] as? String)
            let n = try #require(pair[1] as? Int)
            #expect(isIP(s) == n, "isIP(\(s.debugDescription))")
            #expect(isIPv4(s) == (n == 4), "isIPv4(\(s.debugDescription))")
            #expect(isIPv6(s) == (n == 6), "isIPv6(\(s.debugDescription))")
        }
    }

    /// node_v20_edge_notes, written out: the notes describe inputs too long to list.
    @Test func edgeNotes() throws {
        let v = try Self.load("ip-vectors.json")
        let notes = try #require(v["node_v20_edge_notes"] as? [String])
        #expect(notes.count == 4)
        // Note 0: a very long dotted string.
        let long = String(notes[0].prefix(while: { $0 != " " }))
        #expect(long.count > 20_000 - 10 && notes[0].hasSuffix(" -> 0"))
        #expect(isIP(long) == 0)
        #expect(isIP(String(repeating: "1.", count: 10_000) + "1") == 0)
        // Note 1: zone ids have no length limit.
        #expect(isIP("fe80::1%" + String(repeating: "a", count: 100_000)) == 6)
        // Note 2: leading zeros before a dotted quad.
        #expect(isIP(String(repeating: "0", count: 1000) + "1.2.3.4") == 0)
        // Note 3 (String() coercion of non-strings) has no Swift counterpart: the argument is a String.
    }

    // MARK: blocklist-vectors.json

    @Test func blockListCases() throws {
        let v = try Self.load("blocklist-vectors.json")
        let cases = try #require(v["cases"] as? [[String: Any]])
        #expect(cases.count == 13)
        var checked = 0
        for (index, c) in cases.enumerated() {
            let list = BlockList()
            for rule in try #require(c["rules"] as? [[Any]]) {
                let method = try #require(rule[0] as? String)
                switch method {
                case "addAddress":
                    try list.addAddress(try #require(rule[1] as? String), type: rule.count > 2 ? try #require(rule[2] as? String) : "ipv4")
                case "addRange":
                    try list.addRange(
                        try #require(rule[1] as? String), try #require(rule[2] as? String),
                        type: rule.count > 3 ? try #require(rule[3] as? String) : "ipv4")
                case "addSubnet":
                    try list.addSubnet(
                        try #require(rule[1] as? String), prefix: try #require(rule[2] as? Int),
                        type: rule.count > 3 ? try #require(rule[3] as? String) : "ipv4")
                default:
                    Issue.record("case \(index): unknown rule \(method)")
                }
            }
            if let expected = c["expectRules"] as? [String] {
                #expect(list.rules == expected, "case \(index)")
            }
            for check in c["checks"] as? [[Any]] ?? [] {
                let address = try #require(check[0] as? String)
                let type = check[1] as? String ?? "ipv4"
                let expected = try #require(check[2] as? Bool)
                #expect(list.check(address, type: type) == expected, "case \(index): check(\(address.debugDescription), \(type))")
                // The same check through a SocketAddress, when the address parses.
                if let sa = try? SocketAddress(address: address, family: type) {
                    #expect(list.check(sa) == expected, "case \(index): check(\(sa))")
                }
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    /// The "throws" list: the Swift-reachable rows (the ERR_INVALID_ARG_TYPE rows are JavaScript type
    /// checks that Swift's types rule out).
    @Test func blockListThrows() throws {
        let v = try Self.load("blocklist-vectors.json")
        let rows = try #require(v["throws"] as? [[String]])
        #expect(rows.count == 18)
        let list = BlockList()
        func code(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch let error as NetError { return error.code } catch { return "\(error)" }
        }
        #expect(code { try list.addAddress("1.1.1.1", type: "foo") } == "ERR_INVALID_ARG_VALUE")
        #expect(code { try list.addRange("1.1.1.1", "1.1.1.2", type: "foo") } == "ERR_INVALID_ARG_VALUE")
        #expect(code { try list.addRange("1.1.1.2", "1.1.1.1") } == "ERR_INVALID_ARG_VALUE")
        #expect(code { try list.addSubnet("", prefix: 1, type: "") } == "ERR_INVALID_ARG_VALUE")
        for prefix in [-1, 33] {
            #expect(code { try list.addSubnet("1.1.1.1", prefix: prefix, type: "ipv4") } == "ERR_OUT_OF_RANGE")
        }
        for prefix in [-1, 129] {
            #expect(code { try list.addSubnet("::", prefix: prefix, type: "ipv6") } == "ERR_OUT_OF_RANGE")
        }
        for bad in ["1.1.1.256", "foo", "::1", "01.1.1.1", " 1.1.1.1"] {
            #expect(code { try list.addAddress(bad) } == "ERR_INVALID_ADDRESS", "\(bad)")
        }
        #expect(list.rules.isEmpty)
    }

    @Test func blockListInspect() throws {
        let v = try Self.load("blocklist-vectors.json")
        #expect((v["inspect"] as? [String])?.count == 2)
        #expect(BlockList().description.contains("rules: []"))
    }

    @Test func socketAddressVectors() throws {
        let v = try Self.load("blocklist-vectors.json")
        let sa = try #require(v["socketaddress"] as? [String: Any])
        #expect((sa["defaults"] as? [Any])?.count == 4)

        var a = try SocketAddress()
        #expect((a.address, a.port, a.family, a.flowlabel) == ("127.0.0.1", 0, "ipv4", 0))
        a = try SocketAddress(family: "ipv6")
        #expect((a.address, a.port, a.family, a.flowlabel) == ("::", 0, "ipv6", 0))
        a = try SocketAddress(family: "ipv6", flowlabel: 1)
        #expect((a.address, a.flowlabel) == ("::", 1))
        a = try SocketAddress(address: "123.123.123.123", port: 80)
        #expect((a.address, a.port, a.family) == ("123.123.123.123", 80, "ipv4"))

        func code(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch let error as NetError { return error.code } catch { return "\(error)" }
        }
        #expect(code { _ = try SocketAddress(family: "test") } == "ERR_INVALID_ARG_VALUE")
        #expect(code { _ = try SocketAddress(port: -1) } == "ERR_SOCKET_BAD_PORT")
        #expect(code { _ = try SocketAddress(flowlabel: -1) } == "ERR_OUT_OF_RANGE")
        #expect(code { _ = try SocketAddress(port: 65536) } == "ERR_SOCKET_BAD_PORT")
        #expect(code { _ = try SocketAddress(address: "::1") } == "ERR_INVALID_ADDRESS")

        #expect(try SocketAddress(address: "0:0:0:0:0:0:0:1", family: "ipv6").address == "::1")
        #expect(try SocketAddress(address: "::FFFF:1.2.3.4", family: "ipv6").address == "::ffff:1.2.3.4")
        #expect(try SocketAddress(address: "fe80::1%eth0", family: "ipv6").address == "fe80::1")
        #expect(try SocketAddress(family: "IPV6").family == "ipv6")
    }
}

/// isIPv4's fast path reads a small string's inline bytes (the standard library's small-string layout);
/// the same text as a heap string takes the portable path. Both must agree on every input, so a layout
/// change in a future toolchain fails here instead of answering wrongly.
@Suite struct SmallStringLayoutTests {
    static func heap(_ s: String) -> String {
        // Padding past 15 bytes forces a heap string; dropping it again keeps the native, non-small form.
        var padded = s + String(repeating: "#", count: 32)
        padded.removeLast(32)
        return padded
    }

    @Test func smallAndHeapStringsAgree() {
        var inputs = ["0.0.0.0", "255.255.255.255", "0.0.0.0.0", "1.2.3.4", "01.2.3.4", "256.1.1.1", "1.2.3",
                      "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.4.", "199.199.199.199", "255.255.255.256", "",
                      "1.2.3.4\u{0}", "a.b.c.d", "9.99.199.249", "249.250.251.252", "1.2.3.04", "100.100.100.1"]
        var seed: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<20_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let parts = (0..<4).map { i in String((seed >> (UInt64(i) * 9)) % 300) }
            var text = parts.joined(separator: ".")
            if seed % 7 == 0 { text.insert("0", at: text.startIndex) }
            if seed % 11 == 0 { text += "." }
            inputs.append(text)
        }
        for input in inputs {
            let heapCopy = Self.heap(input)
            #expect(isIPv4(input) == isIPv4(heapCopy), "\(input.debugDescription)")
            #expect(isIPv4(input) == (isIP(heapCopy) == 4), "\(input.debugDescription)")
        }
    }
}
