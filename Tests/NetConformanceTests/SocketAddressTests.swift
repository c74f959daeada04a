// Node: test/parallel/test-socketaddress.js
import Net
import Testing

/// Node's test-socketaddress.js. Not ported: cloning through `MessageChannel.postMessage` (a Swift
/// `SocketAddress` is a `Sendable` value: copies are the clone), the `ERR_INVALID_ARG_TYPE` checks
/// (non-object options, non-string addresses: Swift's types rule them out), non-number ports (`false`,
/// `{}`, `[]`), and `InternalSocketAddress` (Node internals). `SocketAddress.parse` is from Node 23's
/// version of this test.
@Suite struct SocketAddressTests {
    /// The `code` of the NetError that `body` throws, nil when it throws none.
    func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as NetError { return error.code } catch { return "\(error)" }
    }

    /// The defaults half of "is cloneable".
    @Test func isCloneable() throws {
        let sa = try SocketAddress()
        #expect(sa.address == "127.0.0.1")
        #expect(sa.port == 0)
        #expect(sa.family == "ipv4")
        #expect(sa.flowlabel == 0)
    }

    @Test func hasReasonableDefaults() throws {
        let sa = try SocketAddress()
        #expect(sa.address == "127.0.0.1")
        #expect(sa.port == 0)
        #expect(sa.family == "ipv4")
        #expect(sa.flowlabel == 0)
    }

    @Test func interpretsSimpleIPv4Correctly() throws {
        let sa = try SocketAddress(address: "123.123.123.123")
        #expect(sa.address == "123.123.123.123")
        #expect(sa.port == 0)
        #expect(sa.family == "ipv4")
        #expect(sa.flowlabel == 0)
    }

    @Test func setsThePortCorrectly() throws {
        let sa = try SocketAddress(address: "123.123.123.123", port: 80)
        #expect(sa.address == "123.123.123.123")
        #expect(sa.port == 80)
        #expect(sa.family == "ipv4")
        #expect(sa.flowlabel == 0)
    }

    @Test func interpretsSimpleIPv6Correctly() throws {
        let sa = try SocketAddress(family: "ipv6")
        #expect(sa.address == "::")
        #expect(sa.port == 0)
        #expect(sa.family == "ipv6")
        #expect(sa.flowlabel == 0)
    }

    @Test func usesTheFlowlabelCorrectly() throws {
        let sa = try SocketAddress(family: "ipv6", flowlabel: 1)
        #expect(sa.address == "::")
        #expect(sa.port == 0)
        #expect(sa.family == "ipv6")
        #expect(sa.flowlabel == 1)
    }

    @Test func validatesInputCorrectly() {
        // Families 1, false, {} and [] are ERR_INVALID_ARG_VALUE in Node too, but are not Strings.
        #expect(code { _ = try SocketAddress(family: "test") } == "ERR_INVALID_ARG_VALUE")
        // Ports false, {} and [] are not Ints.
        #expect(code { _ = try SocketAddress(port: -1) } == "ERR_SOCKET_BAD_PORT")
        #expect(code { _ = try SocketAddress(flowlabel: -1) } == "ERR_OUT_OF_RANGE")
    }

    @Test func parseWorksAsExpected() throws {
        let good: [(input: String, address: String, port: Int, family: String)] = [
            ("1.2.3.4", "1.2.3.4", 0, "ipv4"),
            ("192.168.257:1", "192.168.1.1", 1, "ipv4"),
            ("256", "0.0.1.0", 0, "ipv4"),
            ("999999999:12", "59.154.201.255", 12, "ipv4"),
            ("0xffffffff", "255.255.255.255", 0, "ipv4"),
            ("0x.0x.0", "0.0.0.0", 0, "ipv4"),
            ("[1:0::]", "1::", 0, "ipv6"),
            ("[1::8]:123", "1::8", 123, "ipv6"),
            ("127.0.0.1:80", "127.0.0.1", 80, "ipv4"),
            ("127.0.0.1:443", "127.0.0.1", 443, "ipv4"),
            ("[::1]:80", "::1", 80, "ipv6"),
            ("[::1]:443", "::1", 443, "ipv6"),
            ("user:80@1.2.3.4", "1.2.3.4", 0, "ipv4"),
            ("user:80@1.2.3.4:80", "1.2.3.4", 80, "ipv4"),
            ("user:80@1.2.3.4:123", "1.2.3.4", 123, "ipv4"),
            ("user:80@[::1]", "::1", 0, "ipv6"),
            ("user:80@[::1]:80", "::1", 80, "ipv6"),
            ("user:80@[::1]:123", "::1", 123, "ipv6"),
        ]
        for i in good {
            let addr = try #require(SocketAddress.parse(i.input), "\(i.input)")
            #expect(addr.address == i.address, "\(i.input)")
            #expect(addr.port == i.port, "\(i.input)")
            #expect(addr.family == i.family, "\(i.input)")
        }

        let bad = [
            "not an ip",
            "abc.123",
            "259.1.1.1",
            "12:12:12",
        ]
        for i in bad {
            #expect(SocketAddress.parse(i) == nil, "\(i)")
        }
    }
}
