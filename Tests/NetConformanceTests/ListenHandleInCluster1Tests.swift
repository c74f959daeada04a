// Node: test/parallel/test-net-listen-handle-in-cluster-1.js
@testable import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A worker can listen with a handle it was sent: the primary's listening server goes to the worker,
/// which gets a `net.Server` for it.
///
/// Mapping (loops on threads for processes): the primary is loop 0 of an `EventLoopGroup`, the worker
/// loop 1; `worker.send(null, server)` (the listening socket's descriptor over IPC) is a duplicate of
/// the descriptor handed over with `execute`; the worker's `got` (`listen(handle)`) is
/// `Server.listen(fd:)`. Checked as Node checks it: the worker ends up with a listening `Server`, here
/// also serving a connection on the primary's port. The primary closes its server afterwards, as at
/// the worker's 'exit'.
@Suite struct ListenHandleInCluster1Tests {
    @Test func workerListensOnTheHandleItWasSent() throws {
        let group = EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully() }
        let primary = group.loops[0], worker = group.loops[1]
        let workerResult = Awaited<String>()
        let primaryPort = Awaited<Int>()
        let primaryServer = Awaited<LoopBound<Server>>()
        primary.execute {
            let server = Net.createServer()
            try! server.listen(port: 0) {
                primaryPort.set(server.address()!.port!)
                primaryServer.set(LoopBound(server))
                // worker.send(null, server): the descriptor, duplicated, crosses to the worker's loop.
                let copy = fcntl(server.handle!.fileDescriptor!, F_DUPFD_CLOEXEC, 0)
                worker.execute {
                    let received = Net.createServer { socket in socket.end("worker") }
                    do {
                        try received.listen(fd: copy) {
                            workerResult.set("listening on \(received.address()?.port ?? -1)")
                        }
                    } catch {
                        workerResult.set("threw \(error)")
                    }
                }
            }
        }
        let port = try #require(primaryPort.wait())
        #expect(workerResult.wait() == "listening on \(port)")
        // The worker's server accepts on the primary's socket (the primary does not accept here: its loop
        // would compete for the connection, so it stops first, as the primary's server is closed in Node).
        let bound = try #require(primaryServer.wait())
        let closed = Awaited<Bool>()
        bound.loop.execute { bound.value.close { _ in closed.set(true) } }
        #expect(closed.wait() == true)
        #expect(try BlockingClient(port: port).readToEnd() == "worker")
    }
}
