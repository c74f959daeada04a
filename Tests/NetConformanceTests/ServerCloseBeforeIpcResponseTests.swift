// Node: test/parallel/test-net-server-close-before-ipc-response.js
import Net
import NetTestSupport
import Testing

/// A worker that calls `listen()` and then `close()` at once, before the primary has answered the
/// listen request, still exits: nothing is left listening, nothing keeps it alive.
///
/// Mapping: the worker's cluster-shared server is a `GroupServer` (both strategies); the listen request
/// in flight is the listen queued to the group's loops; "the process exits" is
/// `EventLoopGroup.waitUntilIdle` returning (every loop ran out of ref'd work) well within the bound.
/// Also checked: the listen never reports 'listening', and the close callback runs.
@Suite struct ServerCloseBeforeIpcResponseTests {
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func closeRightAfterListenLetsTheWorkerExit(_ strategy: GroupServer.Strategy) {
        let group = EventLoopGroup(numberOfThreads: 2)
        let server = GroupServer(group: group, strategy: strategy) { _ in }
        let log = SharedLog()
        server.listen(port: 0, host: "localhost") { error in log.add("listen: \(error?.code ?? "listening")") }
        server.close { error in log.add("close: \(error?.code ?? "closed")") }
        #expect(group.waitUntilIdle(timeout: 10))
        #expect(log.lines == ["close: closed"])
    }
}
