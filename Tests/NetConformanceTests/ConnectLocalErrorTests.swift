// Node: test/sequential/test-net-connect-local-error.js
import Net
import NetTestSupport
import Testing

/// A refused connection made from a bound local address and port reports them: `err.localAddress`,
/// `err.localPort`, and the message `connect CODE addr:port - Local (la:lp)`, over IPv4 (host from a
/// `localhost` lookup with family 4) and IPv6 (`::1`). Node's fixed `common.PORT + n` ports become
/// ports the OS just handed out and released.
@Suite struct ConnectLocalErrorTests {
    static let expectedErrorCodes = ["ECONNREFUSED", "EADDRINUSE"]

    @Test func connectErrorCarriesTheLocalBinding() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            func onError(_ err: NetError, _ options: ConnectOptions, _ name: String) {
                trace.log("\(name) error")
                check(Self.expectedErrorCodes.contains(err.code), "\(name) code \(err.code)")
                check(err.syscall == "connect", "\(name) syscall \(String(describing: err.syscall))")
                check(err.localPort == options.localPort, "\(name) localPort \(String(describing: err.localPort))")
                check(err.localAddress == options.localAddress, "\(name) localAddress \(String(describing: err.localAddress))")
                let expected = "connect \(err.code) \(err.address ?? "nil"):\(err.port.map(String.init) ?? "nil") "
                    + "- Local (\(err.localAddress ?? "nil"):\(err.localPort.map(String.init) ?? "nil"))"
                check(err.message == expected, "\(name) message \(err.message)")
            }
            // Four ports nobody listens on: bound, read, released.
            func freePorts(_ host: String, _ count: Int, _ done: @escaping ([Int]) -> Void) {
                var ports: [Int] = []
                func next() {
                    if ports.count == count { return done(ports) }
                    let s = Net.createServer()
                    try! s.listen(port: 0, host: host) {
                        ports.append(s.address()!.port!)
                        s.close { _ in next() }
                    }
                }
                next()
            }
            freePorts("127.0.0.1", 2) { v4 in
                freePorts("::1", 2) { v6 in
                    let optionsIPv4 = ConnectOptions(port: v4[0], localAddress: "127.0.0.1", localPort: v4[1], family: 4)
                    let optionsIPv6 = ConnectOptions(port: v6[0], host: "::1", localAddress: "::1", localPort: v6[1], family: 6)
                    try! Net.connect(optionsIPv4).on(.error) { onError($0, optionsIPv4, "IPv4") }
                    try! Net.connect(optionsIPv6).on(.error) { onError($0, optionsIPv6, "IPv6") }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == ["IPv4 error", "IPv6 error"])
    }

    /// Beyond Node's test, the other local bindings as node v20.20.2 reports them here: a `localPort`
    /// alone is bound on `0.0.0.0` and reported so; `localPort: 0` or a `localAddress` alone add no
    /// ` - Local (…)` and no fields (Node: `if (req.localAddress && req.localPort)`).
    @Test func otherLocalBindings() {
        let result = LoopThread.run { _, trace in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                let probe2 = Net.createServer()
                try! probe2.listen(port: 0, host: "127.0.0.1") {
                    let localPort = probe2.address()!.port!
                    probe.close()
                    probe2.close { _ in
                        let cases: [(String, ConnectOptions)] = [
                            ("port only", ConnectOptions(port: port, host: "127.0.0.1", localPort: localPort)),
                            ("port 0", ConnectOptions(port: port, host: "127.0.0.1", localAddress: "127.0.0.1", localPort: 0)),
                            ("address only", ConnectOptions(port: port, host: "127.0.0.1", localAddress: "127.0.0.1")),
                        ]
                        for (name, options) in cases {
                            try! Net.connect(options).on(.error) { e in
                                let message = e.message
                                    .replacingOccurrences(of: ":\(port)", with: ":P")
                                    .replacingOccurrences(of: ":\(localPort)", with: ":LP")
                                let fields = "\(e.localAddress ?? "nil") \(e.localPort.map { $0 == localPort ? "LP" : "\($0)" } ?? "nil")"
                                trace.log("\(name): \(message) | \(fields)")
                            }
                        }
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == [
            "address only: connect ECONNREFUSED 127.0.0.1:P | nil nil",
            "port 0: connect ECONNREFUSED 127.0.0.1:P | nil nil",
            "port only: connect ECONNREFUSED 127.0.0.1:P - Local (0.0.0.0:LP) | 0.0.0.0 LP",
        ])
    }
}
