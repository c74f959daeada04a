// Node: test/parallel/test-net-pingpong.js
@testable import Net
import NetTestSupport
import Testing

/// 1000 PING/PONG round trips, then a final PING with the client's `end()`, against an `allowHalfOpen`
/// server: `bufferSize` stays within one message, both sides are readable and writable during the
/// exchange, the server is still writable (not readable) at 'end', neither at 'close'; the client is
/// readable but no longer writable after its `end()`; every PONG's write callback runs. Run on the
/// default address, `localhost` and `::1`, and on a Unix domain socket (`common.PIPE`).
///
/// n/a: `socket.timeout = 0` (a plain JavaScript property write). Net clears `socket.server` when the socket is destroyed, so the server's
/// 'close' listener closes the server it captured rather than `socket.server`.
@Suite struct PingPongTests {
    static let n = 1000

    /// Where the server listens and how the client reaches it.
    enum Endpoint: Sendable {
        case tcp(host: String?)
        case pipe(String)
    }

    @Test(arguments: [nil, "localhost", "::1"] as [String?])
    func pingPong(host: String?) {
        Self.pingPongTest(.tcp(host: host))
    }

    @Test func pingPongPipe() {
        let pipe = Pipes.path("pingpong")
        defer { Pipes.remove(pipe) }
        Self.pingPongTest(.pipe(pipe))
    }

    static func pingPongTest(_ endpoint: Endpoint) {
        let n = Self.n
        let result = LoopThread.run { _, trace in
            var count = 0
            var sentPongs = 0
            var sentFinalPing = false
            var serverData = 0
            var clientData = 0
            var server: Server!
            server = Net.createServer(.init(allowHalfOpen: true)) { socket in
                trace.log("S connection, socket.server is the server: \(socket.server === server)")
                server.getConnections { err, connections in
                    trace.log("S getConnections \(err == nil) \(connections)")
                }
                socket.setNoDelay()
                socket.setEncoding(.utf8)
                socket.on(.data) { data in
                    serverData += 1
                    // We never queue data (we always wait for the PING before sending a PONG), so the
                    // write queue holds less than one message.
                    if !(0...4).contains(socket.bufferSize) { trace.log("S bufferSize \(socket.bufferSize)") }
                    if !socket.writable || !socket.readable { trace.log("S data: writable \(socket.writable) readable \(socket.readable)") }
                    if count > n { trace.log("S count \(count)") }
                    if data.string != "PING" { trace.log("S data \(data)") }
                    socket.write("PONG") { _ in sentPongs += 1 }
                }
                socket.on(.end) {
                    trace.log("S end: allowHalfOpen \(socket.allowHalfOpen) writable \(socket.writable) readable \(socket.readable)")
                    socket.end()
                }
                socket.on(.error) { e in trace.log("S error \(e)") }
                socket.on(.close) { _ in
                    trace.log("S close: writable \(socket.writable) readable \(socket.readable) data events \(serverData)")
                    server.close()
                }
            }
            let onListening = {
                let client: Socket
                switch endpoint {
                case .tcp(let host):
                    let port = server.address()!.port!
                    client = host.map { try! Net.createConnection(port: port, host: $0) }
                        ?? (try! Net.createConnection(port: port))
                case .pipe(let path):
                    client = Net.createConnection(path: path)
                }
                client.setEncoding(.ascii)
                client.on(.connect) {
                    trace.log("C connect: readable \(client.readable) writable \(client.writable)")
                    client.write("PING")
                }
                client.on(.data) { data in
                    clientData += 1
                    if data.string != "PONG" { trace.log("C data \(data)") }
                    count += 1
                    if sentFinalPing {
                        if client.writable || !client.readable { trace.log("C after final ping: writable \(client.writable) readable \(client.readable)") }
                        return
                    }
                    if !client.writable || !client.readable { trace.log("C data: writable \(client.writable) readable \(client.readable)") }
                    if count < n {
                        client.write("PING")
                    } else {
                        sentFinalPing = true
                        client.write("PING")
                        client.end()
                    }
                }
                client.on(.close) { _ in
                    trace.log("C close: count \(count) sentPongs \(sentPongs) sentFinalPing \(sentFinalPing) data events \(clientData)")
                }
                client.on(.error) { e in trace.log("C error \(e)") }
            }
            switch endpoint {
            case .tcp(let host): try! server.listen(port: 0, host: host, onListening)
            case .pipe(let path): try! server.listen(path: path, onListening)
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == [
            "S connection, socket.server is the server: true",
            "S getConnections true 1",
            "S end: allowHalfOpen true writable true readable false",
            "S close: writable false readable false data events \(n + 1)",
        ])
        #expect(result.trace.filter { $0.hasPrefix("C ") } == [
            "C connect: readable true writable true",
            "C close: count \(n + 1) sentPongs \(n + 1) sentFinalPing true data events \(n + 1)",
        ])
    }
}
