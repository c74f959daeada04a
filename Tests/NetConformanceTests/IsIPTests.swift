// Node: test/parallel/test-net-isip.js
import Net
import Testing

/// Node v20's test-net-isip.js. Its calls with non-strings (`undefined`, `null`, `123`, `true`, `{}` and
/// objects with `toString`) test JavaScript's String() coercion: Swift's `isIP(_: String)` cannot receive
/// them, so they are not ported.
@Suite struct IsIPTests {
    @Test func isIP() {
        #expect(Net.isIP("127.0.0.1") == 4)
        #expect(Net.isIP("x127.0.0.1") == 0)
        #expect(Net.isIP("example.com") == 0)
        #expect(Net.isIP("0000:0000:0000:0000:0000:0000:0000:0000") == 6)
        #expect(Net.isIP("0000:0000:0000:0000:0000:0000:0000:0000::0000") == 0)
        #expect(Net.isIP("1050:0:0:0:5:600:300c:326b") == 6)
        #expect(Net.isIP("2001:252:0:1::2008:6") == 6)
        #expect(Net.isIP("2001:dead:beef:1::2008:6") == 6)
        #expect(Net.isIP("2001::") == 6)
        #expect(Net.isIP("2001:dead::") == 6)
        #expect(Net.isIP("2001:dead:beef::") == 6)
        #expect(Net.isIP("2001:dead:beef:1::") == 6)
        #expect(Net.isIP("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == 6)
        #expect(Net.isIP(":2001:252:0:1::2008:6:") == 0)
        #expect(Net.isIP(":2001:252:0:1::2008:6") == 0)
        #expect(Net.isIP("2001:252:0:1::2008:6:") == 0)
        #expect(Net.isIP("2001:252::1::2008:6") == 0)
        #expect(Net.isIP("::2001:252:1:2008:6") == 6)
        #expect(Net.isIP("::2001:252:1:1.1.1.1") == 6)
        #expect(Net.isIP("::2001:252:1:255.255.255.255") == 6)
        #expect(Net.isIP("::2001:252:1:255.255.255.255.76") == 0)
        #expect(Net.isIP("fe80::2008%eth0") == 6)
        #expect(Net.isIP("fe80::2008%eth0.0") == 6)
        #expect(Net.isIP("fe80::2008%eth0@1") == 0)
        #expect(Net.isIP("::anything") == 0)
        #expect(Net.isIP("::1") == 6)
        #expect(Net.isIP("::") == 6)
        #expect(Net.isIP("0000:0000:0000:0000:0000:0000:12345:0000") == 0)
        #expect(Net.isIP("0") == 0)
        #expect(Net.isIP("") == 0)
    }

    @Test func isIPv4() {
        #expect(Net.isIPv4("127.0.0.1") == true)
        #expect(Net.isIPv4("example.com") == false)
        #expect(Net.isIPv4("2001:252:0:1::2008:6") == false)
        #expect(Net.isIPv4("") == false)
    }

    @Test func isIPv6() {
        #expect(Net.isIPv6("127.0.0.1") == false)
        #expect(Net.isIPv6("example.com") == false)
        #expect(Net.isIPv6("2001:252:0:1::2008:6") == true)
        #expect(Net.isIPv6("") == false)
    }
}
