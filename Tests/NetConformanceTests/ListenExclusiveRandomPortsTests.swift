// Node: test/parallel/test-net-listen-exclusive-random-ports.js
import Net
import NetTestSupport
import Testing

/// Two workers listening on port 0 with `exclusive: true` get a port each (an integer), and the two
/// ports differ.
///
/// Mapping: the workers are two loops of an `EventLoopGroup`; an exclusive server is a plain `Server`
/// on each loop (a server's handle is always its own); `process.send(port)` is the port handed back to
/// the test's thread (an error's code otherwise, as the worker sends it). The second worker starts
/// after the first reported, as in Node. For contrast, the shared (non-exclusive) form, a `GroupServer`
/// on port 0, gives both loops one port.
@Suite struct ListenExclusiveRandomPortsTests {
    static func listenOnPortZero(on loop: EventLoop) -> String? {
        let answer = Awaited<String>()
        loop.execute {
            let server = Net.createServer { _ in }
            server.on(.error) { error in answer.set(error.code) }
            try! server.listen(Server.ListenOptions(port: 0, exclusive: true)) {
                answer.set("\(server.address()!.port!)")
            }
        }
        return answer.wait()
    }

    @Test func exclusiveServersGetDifferentPorts() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let port1 = try #require(Self.listenOnPortZero(on: group.loops[0]).flatMap { Int($0) }, "first worker could not listen")
        let port2 = try #require(Self.listenOnPortZero(on: group.loops[1]).flatMap { Int($0) }, "second worker could not listen")
        #expect(port1 != port2, "ports should not be equal")
    }

    @Test func sharedServerGivesOnePort() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let server = GroupServer(group: group, strategy: .reusePort) { socket in
            socket.end("\(group.loops.firstIndex { $0.inEventLoop }!)")
        }
        let listened = Awaited<Bool>()
        server.listen(port: 0, host: "127.0.0.1") { error in listened.set(error == nil) }
        #expect(listened.wait() == true)
        let port = try #require(server.address()?.port)
        var served: Set<String> = []
        for _ in 0..<64 { served.insert(try BlockingClient(port: port).readToEnd()) }
        #expect(served == ["0", "1"])
    }
}
