// Node: test/parallel/test-net-connect-options-fd.js
@testable import Net
import Foundation
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A socket made around an existing descriptor (`{ fd, readable: true, writable: true }`) of a bound,
/// unconnected Unix socket connects to a server's path through that same descriptor: six ways
/// (`net.connect(options[, cb])`, `net.createConnection(options[, cb])`, `new Socket(options)
/// .connect(options[, cb])`, the listener passed in or added with `.on('connect')`). In each connect
/// listener the socket's handle has the descriptor it was given; it writes that number; the server gets
/// it, ends, and counts one 'end' per client; after the sixth the server closes 10 ms later. No 'error'.
///
/// Mapping: Node's internal `Pipe` handle bound to `<prefix>-client-<n>` is a socket(2)+bind(2) made
/// here. `ConnectOptions` has no `fd` (Node's `net.connect(options)` is `new Socket(options)` then
/// `connect(options)`), so the six variants are `Socket(Options(fd:…))` then `connect(path:)` or
/// `connect(ConnectOptions(path:))`, each with the listener passed in or added, plus two with
/// `connect(path:)` to keep six. Node closes its handles to unlink the client files; here they are
/// unlinked (the sockets own and close the descriptors).
@Suite struct ConnectOptionsFdTests {
    static let clientVariants = 6

    @Test func wrappedDescriptorConnectsToThePipeServer() throws {
        let prefix = Pipes.path("connect-options-fd")
        let serverPath = "\(prefix)-server"
        let clientPaths = (0..<Self.clientVariants).map { "\(prefix)-client-\($0)" }
        defer { Pipes.remove(serverPath); for path in clientPaths { Pipes.remove(path) } }
        var bound: [Int32] = []
        for path in clientPaths {
            let fd = BoundSocket.unix(path)
            try #require(fd >= 0, "unable to bind \(path): \(String(cString: strerror(errno)))")
            bound.append(fd)
        }
        let handleMap = bound
        let result = LoopThread.run { loop, trace in
            var counter = 0
            var connections = 0
            var received: [String] = []
            let server = Net.createServer()
            server.on(.connection) { socket in
                connections += 1
                var clientFd = ""
                socket.on(.data) { data in
                    clientFd = data.toString()
                    received.append(clientFd)
                    socket.end()
                }
                socket.on(.end) {
                    counter += 1
                    if counter == Self.clientVariants {
                        loop.setTimeout(10) {
                            trace.log("connections \(connections) received \(received.sorted())")
                            server.close()
                        }
                    }
                }
            }
            server.on(.error) { err in trace.log("server error \(err)") }
            do {
                try server.listen(.init(path: serverPath)) {
                    var sockets: [Int: Socket] = [:]
                    func getSocketOpt(_ index: Int) -> Socket.Options {
                        Socket.Options(fd: handleMap[index], readable: true, writable: true)
                    }
                    func getConnectCb(_ index: Int) -> () -> Void {
                        {
                            guard let client = sockets[index] else { return }
                            let oldFd = handleMap[index]
                            // The socket is wrapping the descriptor it was given.
                            if client.handle?.fileDescriptor != oldFd {
                                trace.log("client \(index) fd \(String(describing: client.handle?.fileDescriptor)), want \(oldFd)")
                            }
                            client.write(String(oldFd))
                            client.on(.error) { err in trace.log("client \(index) error \(err)") }
                        }
                    }
                    var options = ConnectOptions()
                    options.path = serverPath
                    do {
                        sockets[0] = try Socket(getSocketOpt(0)).connect(options, getConnectCb(0))
                        sockets[1] = try Socket(getSocketOpt(1)).connect(options)
                        sockets[1]!.on(.connect, getConnectCb(1))
                        sockets[2] = try Socket(getSocketOpt(2)).connect(path: serverPath, getConnectCb(2))
                        sockets[3] = try Socket(getSocketOpt(3)).connect(path: serverPath)
                        sockets[3]!.on(.connect, getConnectCb(3))
                        sockets[4] = try Socket(getSocketOpt(4)).connect(options, getConnectCb(4))
                        sockets[5] = try Socket(getSocketOpt(5)).connect(path: serverPath)
                        sockets[5]!.on(.connect, getConnectCb(5))
                    } catch { trace.log("threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["connections \(Self.clientVariants) received \(handleMap.map(String.init).sorted())"])
    }
}
