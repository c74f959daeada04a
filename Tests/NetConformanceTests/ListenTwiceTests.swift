// Node: test/parallel/test-net-listen-twice.js
import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `listen()` twice on a server shared by the cluster: 'listening' comes exactly once (the test allows
/// the second call to throw instead, "if we can not call `listen` twice in the future"), and the server
/// then closes and the worker exits with code 0.
///
/// Mapping: the cluster's shared server is a `GroupServer` (both strategies); its second `listen()`
/// while the first is under way reports ERR_SERVER_ALREADY_LISTEN to its own callback (the throwing
/// branch Node's test accepts, as a plain Node server throws it); the first call's callback, the one
/// 'listening', runs exactly once. The close callback and the loops' ending stand for the worker's
/// exit with code 0.
@Suite struct ListenTwiceTests {
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func listeningComesOnce(_ strategy: GroupServer.Strategy) {
        let group = EventLoopGroup(numberOfThreads: 2)
        let server = GroupServer(group: group, strategy: strategy) { _ in }
        let log = SharedLog()
        server.listen { error in log.add("first: \(error?.code ?? "listening")") }
        server.listen { error in log.add("second: \(error?.code ?? "listening")") }
        #expect(log.wait { $0.count == 2 })
        usleep(200_000)
        #expect(log.lines.sorted() == ["first: listening", "second: ERR_SERVER_ALREADY_LISTEN"])
        let closed = Awaited<String>()
        server.close { error in closed.set(error?.code ?? "closed") }
        #expect(closed.wait() == "closed")
        #expect(group.waitUntilIdle(timeout: 10))
    }
}
