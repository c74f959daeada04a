// Node: test/parallel/test-net-connect-options-port.js
import Net
import NetTestSupport
import Testing

/// Port validation and every way of calling connect with a port: out-of-range ports throw
/// ERR_SOCKET_BAD_PORT, bad `hints` throw ERR_INVALID_ARG_VALUE, each valid call form connects to a
/// `localhost` server, and once it has closed, connecting to port 0 fails with `Error: connect E…`.
/// Dropped (JavaScript types that Swift's `Int` port rules out): ports of type boolean, array, object,
/// null (ERR_INVALID_ARG_TYPE), the string ports `''`, `' '`, `'0x'`, `'-0x1'`, NaN and Infinity, and
/// the valid decimal- and hex-string ports; so 24 of Node's 72 connections (one numeric port × 4
/// argument forms × 6 call styles) and 18 port-0 failures.
@Suite struct ConnectOptionsPortTests {
    enum Args {
        case port(Int)                  // connect(port)
        case portHost(Int, String)      // connect(port, host)
        case options(ConnectOptions)    // connect({port}) / connect({port, host})
    }

    enum Style: CaseIterable {
        case createConnectionWithCb, createConnectionWithoutCb, connectWithCb, connectWithoutCb
        case socketConnectWithCb, socketConnectWithoutCb
    }

    /// Node's `doConnect(args, getCb)`: one call in each of the six styles; `.resume()` on each socket.
    static func doConnect(_ args: Args, _ style: Style, _ cb: @escaping () -> Void) throws(NetError) -> Socket {
        let withCb: Bool
        switch style {
        case .createConnectionWithCb, .connectWithCb, .socketConnectWithCb: withCb = true
        default: withCb = false
        }
        let listener: (() -> Void)? = withCb ? cb : nil
        let socket: Socket
        switch (style, args) {
        case (.createConnectionWithCb, .port(let p)), (.createConnectionWithoutCb, .port(let p)):
            socket = try Net.createConnection(port: p, listener)
        case (.createConnectionWithCb, .portHost(let p, let h)), (.createConnectionWithoutCb, .portHost(let p, let h)):
            socket = try Net.createConnection(port: p, host: h, listener)
        case (.createConnectionWithCb, .options(let o)), (.createConnectionWithoutCb, .options(let o)):
            socket = try Net.createConnection(o, listener)
        case (.connectWithCb, .port(let p)), (.connectWithoutCb, .port(let p)):
            socket = try Net.connect(port: p, listener)
        case (.connectWithCb, .portHost(let p, let h)), (.connectWithoutCb, .portHost(let p, let h)):
            socket = try Net.connect(port: p, host: h, listener)
        case (.connectWithCb, .options(let o)), (.connectWithoutCb, .options(let o)):
            socket = try Net.connect(o, listener)
        case (.socketConnectWithCb, .port(let p)), (.socketConnectWithoutCb, .port(let p)):
            socket = try Socket().connect(port: p, listener)
        case (.socketConnectWithCb, .portHost(let p, let h)), (.socketConnectWithoutCb, .portHost(let p, let h)):
            socket = try Socket().connect(port: p, host: h, listener)
        case (.socketConnectWithCb, .options(let o)), (.socketConnectWithoutCb, .options(let o)):
            socket = try Socket().connect(o, listener)
        }
        if !withCb { socket.on(.connect, cb) }
        return socket.resume()
    }

    @Test func outOfRangePortsThrowBadPort() {
        let result = LoopThread.run { _, trace in
            for port in [-1, 65536] {
                let forms: [Args] = [
                    .port(port), .portHost(port, "localhost"),
                    .options(ConnectOptions(port: port)), .options(ConnectOptions(port: port, host: "localhost")),
                ]
                for args in forms {
                    for style in Style.allCases {
                        do throws(NetError) {
                            _ = try Self.doConnect(args, style) { trace.log("FAIL connect") }
                            trace.log("FAIL \(style)(\(args)) did not throw")
                        } catch {
                            trace.log("\(error.name) \(error.code) \(error.message)")
                        }
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.count == 48)
        #expect(result.trace.filter { $0 == "RangeError ERR_SOCKET_BAD_PORT Port should be >= 0 and < 65536. Received type number (-1)." }.count == 24)
        #expect(result.trace.filter { $0 == "RangeError ERR_SOCKET_BAD_PORT Port should be >= 0 and < 65536. Received type number (65536)." }.count == 24)
    }

    @Test func invalidHintsThrow() {
        let result = LoopThread.run { _, trace in
            // (dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL) + 42
            let hints: Int32 = (32 | 8 | 16) + 42
            for style in Style.allCases {
                do throws(NetError) {
                    _ = try Self.doConnect(.options(ConnectOptions(port: 42, hints: hints)), style) { trace.log("FAIL connect") }
                    trace.log("FAIL \(style) did not throw")
                } catch {
                    let matches = error.message.wholeMatch(of: /The argument 'hints' is invalid\. Received \d+/) != nil
                    trace.log("\(error.name) \(error.code) \(matches)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == Array(repeating: "TypeError ERR_INVALID_ARG_VALUE true", count: 6))
    }

    @Test func everyValidFormConnectsThenPortZeroFails() {
        let result = LoopThread.run { _, trace in
            let expectedConnections = 24
            var serverConnected = 0
            var server: Server!
            server = Net.createServer { socket in
                socket.end("ok")
                serverConnected += 1
                if serverConnected == expectedConnections { server.close() }
            }
            try! server.listen(port: 0, host: "localhost") {
                let port = server.address()!.port!
                // canConnect(port)
                let forms: [Args] = [
                    .port(port), .portHost(port, "localhost"),
                    .options(ConnectOptions(port: port)), .options(ConnectOptions(port: port, host: "localhost")),
                ]
                for args in forms {
                    for style in Style.allCases {
                        do { _ = try Self.doConnect(args, style) { trace.log("connect") } } catch {
                            trace.log("FAIL \(style)(\(args)) threw \(error)")
                        }
                    }
                }
            }
            // Try connecting to port 0 once the server is closed: asyncFailToConnect(0).
            server.on(.close) {
                trace.log("server close")
                let forms: [Args] = [.port(0), .options(ConnectOptions(port: 0)), .options(ConnectOptions(port: 0, host: "localhost"))]
                for args in forms {
                    for style in Style.allCases {
                        do {
                            let socket = try Self.doConnect(args, style) { trace.log("FAIL connect to port 0") }
                            socket.on(.error) { err in
                                let matches = err.description.wholeMatch(of: /Error: connect E\w+.+/) != nil
                                trace.log(matches ? "error" : "FAIL error \(err)")
                            }
                        } catch {
                            trace.log("FAIL \(style)(\(args)) threw \(error)")
                        }
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("FAIL") } == [])
        #expect(result.trace.filter { $0 == "connect" }.count == 24)
        #expect(result.trace.filter { $0 == "server close" }.count == 1)
        #expect(result.trace.filter { $0 == "error" }.count == 18)
    }
}
