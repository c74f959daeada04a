@testable import Net
import CLibUV
import NetTestSupport
import Testing

/// `SocketAddressStorage(ip:port:)` parses IPv4 in Swift; these compare it byte for byte with
/// `uv_ip4_addr`, which it replaced, over every string of the shared IP vectors and some C-string edge cases.
@Suite struct SocketAddressStorageTests {
    static func libuv(_ ip: String, _ port: Int32) -> [UInt8]? {
        var storage = sockaddr_storage()
        let status = withUnsafeMutableBytes(of: &storage) { raw -> Int32 in
            if ip.utf8.contains(UInt8(ascii: ":")) {
                return uv_ip6_addr(ip, port, raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
            }
            return uv_ip4_addr(ip, port, raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
        }
        guard status == 0 else { return nil }
        return withUnsafeBytes(of: storage) { Array($0) }
    }

    static func swift(_ ip: String, _ port: Int) -> [UInt8]? {
        guard let address = SocketAddressStorage(ip: ip, port: port) else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func strings() throws -> [String] {
        var all = ["127.0.0.1", "0.0.0.0", "255.255.255.255", "1.2.3.4\0junk", "1.2.3\04", "01.2.3.4",
                   "1.2.3.256", "1.2.3.4 ", "", "::1", "fe80::1%lo", "::ffff:1.2.3.4", "1.2.3.4:80"]
        for (_, value) in try AddressVectorTests.load("ip-vectors.json") {
            if let list = value as? [String] { all += list }
        }
        return all
    }

    @Test func parsesExactlyAsLibuv() throws {
        let strings = try Self.strings()
        #expect(strings.count > 100)
        for ip in strings {
            for port in [0, 80, 8124, 65535, 65536 + 7] {
                #expect(Self.swift(ip, port) == Self.libuv(ip, Int32(port)), "\(ip.debugDescription) port \(port)")
            }
        }
    }
}
