// Node: test/parallel/test-net-connect-options-path.js
import Net
import NetTestSupport
import Testing

/// The twelve ways to connect to a Unix socket path all connect: `net.connect(path[, cb])`,
/// `net.createConnection(path[, cb])`, `new Socket().connect(path[, cb])` and the same three with
/// `{ path }` options, each with the connect listener passed in or added with `.on('connect')`. The
/// server sees twelve connections (each answered with `end('ok')`); each client ends from its connect
/// listener and closes (each client is resumed, as in v20's test, so the server's 'ok' and FIN are
/// read); after the twelfth 'close' the server closes.
@Suite struct ConnectOptionsPathTests {
    static let clientVariants = 12

    @Test func everyConnectFormReachesThePipeServer() {
        let serverPath = Pipes.path("connect-options-path") + "-server"
        defer { Pipes.remove(serverPath) }
        let result = LoopThread.run { _, trace in
            var counter = 0
            var connections = 0
            let server = Net.createServer()
            server.on(.connection) { socket in
                connections += 1
                socket.end("ok")
            }
            server.on(.close) { trace.log("server close") }
            do {
                try server.listen(path: serverPath) {
                    var connects: [Int] = []
                    func connectCb(_ index: Int, _ client: @escaping () -> Socket?) -> () -> Void {
                        {
                            connects.append(index)
                            guard let client = client() else { return }
                            client.end()
                            client.on(.close) { _ in
                                counter += 1
                                if counter == Self.clientVariants {
                                    trace.log("connect listeners \(connects.sorted()) connections \(connections)")
                                    server.close()
                                }
                            }
                        }
                    }
                    var sockets: [Int: Socket] = [:]
                    func cb(_ index: Int) -> () -> Void { connectCb(index) { sockets[index] } }
                    var options = ConnectOptions()
                    options.path = serverPath
                    do {
                        sockets[0] = Net.connect(path: serverPath, cb(0))
                        sockets[1] = Net.connect(path: serverPath)
                        sockets[1]!.on(.connect, cb(1))
                        sockets[2] = Net.createConnection(path: serverPath, cb(2))
                        sockets[3] = Net.createConnection(path: serverPath)
                        sockets[3]!.on(.connect, cb(3))
                        sockets[4] = Socket().connect(path: serverPath, cb(4))
                        sockets[5] = Socket().connect(path: serverPath)
                        sockets[5]!.on(.connect, cb(5))
                        sockets[6] = try Net.connect(options, cb(6))
                        sockets[7] = try Net.connect(options)
                        sockets[7]!.on(.connect, cb(7))
                        sockets[8] = try Net.createConnection(options, cb(8))
                        sockets[9] = try Net.createConnection(options)
                        sockets[9]!.on(.connect, cb(9))
                        sockets[10] = try Socket().connect(options, cb(10))
                        sockets[11] = try Socket().connect(options)
                        sockets[11]!.on(.connect, cb(11))
                    } catch { trace.log("connect threw \(error)") }
                    for socket in sockets.values {
                        socket.resume()
                        socket.on(.error) { e in trace.log("client error \(e)") }
                    }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["connect listeners \(Array(0..<Self.clientVariants)) connections \(Self.clientVariants)", "server close"])
    }
}
