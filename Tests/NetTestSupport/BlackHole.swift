import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback address and port that never answers a connect: a listener with backlog 0 that never
/// accepts, its single accept-queue slot filled by a connection of our own, so Linux drops every further
/// SYN and the connect stays in SYN_SENT. It stands in for the internet "black holes" of Node's tests
/// (TEST-NET addresses): the tests' traffic stays on loopback, as this machine's rules require.
///
/// Any 127.x.y.z address works (all of 127/8 is loopback on Linux), so several holes, or a hole and a
/// server, can share one port number on different addresses.
public struct BlackHole: Sendable {
    private let listener: Int32
    private let filler: Int32
    /// The address the hole listens on.
    public let host: String
    /// The port of the hole.
    public let port: Int

    /// A hole on `host` (an IPv4 loopback address) at `port` (0 picks one); nil when it cannot be made.
    public init?(host: String = "127.0.0.2", port: Int = 0) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size = length
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(listener, sa, length) == 0 && listen(listener, 0) == 0
                    && getsockname(listener, sa, &size) == 0 && connect(filler, sa, length) == 0
            }
        }
        guard ok else {
            Glibc.close(listener)
            Glibc.close(filler)
            return nil
        }
        self.listener = listener
        self.filler = filler
        self.host = host
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the hole.
    public func close() {
        Glibc.close(filler)
        Glibc.close(listener)
    }
}
