// Node: test/parallel/test-net-listen-handle-in-cluster-2.js
import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A worker listens with a handle it made itself (a TCP handle bound to `0.0.0.0:0`): `listen(handle)`
/// takes the plain path (`_listen2`), not the cluster's, and 'listening' comes once.
///
/// Mapping: the worker is a loop of an `EventLoopGroup` (not the test's thread); the internal
/// `new TCP(SOCKET)` + `bind('0.0.0.0', 0)` is a socket made and bound with POSIX calls (the bind
/// returns 0, as Node asserts `errno === 0`), wrapped as a `Socket(Options(fd:))`, and
/// `createServer().listen(handle)` is `Server.listen(handle:)`.
@Suite struct ListenHandleInCluster2Tests {
    @Test func workerListensOnAHandleItBound() {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let log = SharedLog()
        group.loops[1].execute {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = INADDR_ANY
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            log.add("bind \(status)")
            let handle = try! Socket(Socket.Options(fd: fd))
            let server = Net.createServer()
            do {
                try server.listen(handle: handle) {
                    log.add("listening \(server.listening) on a loop of the group: \(group.inGroup)")
                    server.close()
                    handle.destroy()
                }
            } catch {
                log.add("threw \(error)")
            }
        }
        #expect(log.wait { $0.count == 2 })
        usleep(100_000)
        #expect(log.lines == ["bind 0", "listening true on a loop of the group: true"])
    }
}
