// Node: test/sequential/test-net-listen-shared-ports.js
import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Shared and exclusive listens across workers: each worker listens `server1` on `localhost:PORT`
/// shared (`exclusive: false`) and then `server2` on `PORT + 1` exclusively. The first worker succeeds
/// at both; in the second, `server1` joins the shared port without error and `server2` fails with
/// EADDRINUSE (the first worker holds that port for itself). Neither server gets a connection.
///
/// Mapping: workers are two loops of an `EventLoopGroup`; the shared `server1` is a `GroupServer` over
/// the group (round robin, Node cluster's default: the second worker's share is its loop serving the
/// port); the exclusive `server2` is a plain `Server` on each loop. `process.send` is a line logged for
/// the test's thread. `common.PORT` is a port that was free a moment ago.
@Suite struct ListenSharedPortsTests {
    @Test func secondExclusiveListenFailsSharedOneDoesNot() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let log = SharedLog()
        let freePort = Awaited<Int>()
        group.loops[0].execute { freePort.set(Ports.recentlyFree()) }
        let port = try #require(freePort.wait())
        let server1 = GroupServer(group: group) { _ in log.add("server1: connection") }
        server1.onError { error in log.add("server1:\(error.code)") }
        let listened = Awaited<String>()
        server1.listen(port: port, host: "localhost") { error in listened.set(error?.code ?? "ok") }
        #expect(listened.wait() == "ok")
        // Worker 1: its exclusive server2 on PORT + 1.
        let worker1 = Awaited<String>()
        group.loops[0].execute {
            let server2 = Net.createServer { _ in log.add("server2: connection") }
            server2.on(.error) { error in worker1.set("server2:\(error.code)") }
            try! server2.listen(Server.ListenOptions(port: port + 1, exclusive: true)) { worker1.set("success") }
        }
        #expect(worker1.wait() == "success")
        // Worker 2: the same exclusive listen fails.
        let worker2 = Awaited<String>()
        group.loops[1].execute {
            let server2 = Net.createServer { _ in log.add("server2: connection") }
            server2.on(.error) { error in worker2.set("server2:\(error.code)") }
            try! server2.listen(Server.ListenOptions(port: port + 1, exclusive: true)) { worker2.set("listening") }
        }
        #expect(worker2.wait() == "server2:EADDRINUSE")
        usleep(100_000)
        #expect(log.lines.isEmpty)
    }
}
