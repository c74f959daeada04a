// Node: test/parallel/test-net-server-drop-connections-in-cluster.js
import Net
import NetTestSupport
import Testing

/// In a cluster worker, a server at its `maxConnections` closes a connection itself and emits 'drop'
/// (the primary does not keep handing it to the worker).
///
/// Mapping: the worker's server is a `GroupServer` over two loops (round robin: the connection is
/// handed to a loop, and that loop drops it; `reusePort` too); the HTTP server and `http.get` are a TCP
/// server and a TCP connect (the 'drop' is `net.Server`'s); `maxConnections = 0` with Node 22's
/// `dropMaxConnection` is `maxConnections = -1`, which drops every connection in Node v20's `net`
/// (where 0 means no limit). 'drop' must come (`common.mustCall`; the worker exits there, here two
/// connections are dropped, one per loop with round robin); each client sees its connection closed.
@Suite struct ServerDropConnectionsInClusterTests {
    @Test(arguments: [GroupServer.Strategy.roundRobin, .reusePort])
    func dropIsEmittedInTheWorker(_ strategy: GroupServer.Strategy) throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let server = GroupServer(group: group, strategy: strategy) { _ in Issue.record("connection not dropped") }
        server.maxConnections = -1
        let dropped = SharedLog()
        server.onDrop { info in dropped.add("drop from \(info?.remoteAddress ?? "?")") }
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        let port = try #require(server.address()?.port)
        // Two connections: with round robin, the second is handed to the other loop, which drops it.
        for _ in 0..<2 { #expect(try BlockingClient(port: port).readToEnd() == "") }
        #expect(dropped.wait { $0.count == 2 })
        #expect(dropped.lines == ["drop from 127.0.0.1", "drop from 127.0.0.1"])
    }
}
