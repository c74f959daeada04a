// Node: test/parallel/test-net-autoselectfamily.js
import Net
import NetTestSupport
import Testing

/// Happy eyeballs over loopback. Node's test answers from a dgram DNS server through `dns.Resolver`; here
/// a custom lookup answers the same addresses (`lookupAll`, Node's `lookup` with `all: true`). Where Node
/// uses internet addresses that must not answer, other loopback addresses stand in (`::ffff:127.0.0.x`
/// for the IPv6 group, 127.0.0.x for IPv4, where nothing listens): each fails at once, the next is
/// tried, and the attempted list is what the test checks. The traffic stays on loopback.
@Suite struct AutoselectfamilyTests {
    static func options(_ port: Int, _ lookup: @escaping LookupAllFunction, autoSelect: Bool? = true) -> ConnectOptions {
        var options = ConnectOptions(port: port, host: "example.org")
        options.lookupAll = lookup
        options.autoSelectFamily = autoSelect
        options.autoSelectFamilyAttemptTimeout = 250
        return options
    }

    /// Connects, writes "request", and logs the attempted list on 'ready' and the response on 'end'.
    static func request(_ options: ConnectOptions, _ trace: Trace, done: @escaping () -> Void) {
        let connection = try! Net.createConnection(options)
        var response = ""
        connection.setEncoding(.utf8)
        connection.on(.ready) { trace.log("ready \(connection.autoSelectFamilyAttemptedAddresses ?? [])") }
        connection.on(.data) { response += $0.toString() }
        connection.on(.end) { trace.log("response \(response)"); done() }
        connection.write("request")
    }

    static func server(_ reply: String, _ trace: Trace) -> Server {
        Net.createServer { socket in
            socket.on(.data) { _ in
                trace.log("\(reply) server data")
                socket.write(reply)
                socket.end()
            }
        }
    }

    @Test func ipv4IsReachedIfIpv6IsNot() {
        let result = LoopThread.run { _, trace in
            let ipv4 = Self.server("response-ipv4", trace)
            try! ipv4.listen(port: 0, host: "127.0.0.1") {
                let port = ipv4.address()!.port!
                trace.log("port \(port)")
                Self.request(Self.options(port, Lookups.mocked("::1", "127.0.0.1")), trace) { ipv4.close() }
            }
        }
        #expect(result.finished)
        let port = result.trace.first.flatMap { Int($0.dropFirst(5)) } ?? 0
        #expect(result.trace.dropFirst() == [
            "ready [\"::1:\(port)\", \"127.0.0.1:\(port)\"]", "response-ipv4 server data", "response response-ipv4",
        ])
    }

    @Test func onlyTheLastSuccessfulConnectionIsEstablished() {
        let result = LoopThread.run(timeout: 30) { _, trace in
            let ipv4 = Self.server("response-ipv4", trace)
            try! ipv4.listen(port: 0, host: "127.0.0.1") {
                let port = ipv4.address()!.port!
                trace.log("port \(port)")
                let lookup = Lookups.mocked("::ffff:127.0.0.2", "::ffff:127.0.0.3", "::1",
                                            "127.0.0.4", "127.0.0.5", "127.0.0.1")
                Self.request(Self.options(port, lookup), trace) { ipv4.close() }
            }
        }
        #expect(result.finished)
        let port = result.trace.first.flatMap { Int($0.dropFirst(5)) } ?? 0
        let attempted = ["::ffff:127.0.0.2", "127.0.0.4", "::ffff:127.0.0.3", "127.0.0.5", "::1", "127.0.0.1"]
            .map { "\"\($0):\(port)\"" }.joined(separator: ", ")
        #expect(result.trace.dropFirst() == ["ready [\(attempted)]", "response-ipv4 server data", "response response-ipv4"])
    }

    @Test func ipv4IsNotReachedIfIpv6Is() {
        let result = LoopThread.run { _, trace in
            let ipv4 = Self.server("response-ipv4", trace)
            let ipv6 = Self.server("response-ipv6", trace)
            try! ipv4.listen(port: 0, host: "127.0.0.1") {
                let port = ipv4.address()!.port!
                trace.log("port \(port)")
                try! ipv6.listen(port: port, host: "::1") {
                    Self.request(Self.options(port, Lookups.mocked("::1", "127.0.0.1")), trace) {
                        ipv4.close()
                        ipv6.close()
                    }
                }
            }
        }
        #expect(result.finished)
        let port = result.trace.first.flatMap { Int($0.dropFirst(5)) } ?? 0
        #expect(result.trace.dropFirst() == ["ready [\"::1:\(port)\"]", "response-ipv6 server data", "response response-ipv6"])
    }

    @Test func everyErrorIsReturnedWhenNoConnectionSucceeds() {
        let result = LoopThread.run { _, trace in
            // A port nothing listens on: a server's, closed (Node's test uses port 10).
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    trace.log("port \(port)")
                    let connection = try! Net.createConnection(Self.options(port, Lookups.mocked("::1", "127.0.0.1")))
                    connection.on(.ready) { trace.log("FAIL ready") }
                    connection.on(.error) { error in
                        trace.log("attempted \(connection.autoSelectFamilyAttemptedAddresses ?? [])")
                        trace.log("\(error.name) \(error.code) \(error.errors?.count ?? 0)")
                        for e in error.errors ?? [] { trace.log(e.message) }
                    }
                }
            }
        }
        #expect(result.finished)
        let port = result.trace.first.flatMap { Int($0.dropFirst(5)) } ?? 0
        #expect(result.trace.dropFirst() == [
            "attempted [\"::1:\(port)\", \"127.0.0.1:\(port)\"]",
            "AggregateError ECONNREFUSED 2",
            "connect ECONNREFUSED ::1:\(port)",
            "connect ECONNREFUSED 127.0.0.1:\(port)",
        ])
    }

    @Test func theOptionCanBeDisabled() {
        let result = LoopThread.run { _, trace in
            let ipv4 = Self.server("response-ipv4", trace)
            try! ipv4.listen(port: 0, host: "127.0.0.1") {
                let port = ipv4.address()!.port!
                trace.log("port \(port)")
                let connection = try! Net.createConnection(Self.options(port, Lookups.mocked("::1", "127.0.0.1"), autoSelect: false))
                connection.on(.ready) { trace.log("FAIL ready") }
                connection.on(.error) { error in
                    trace.log("attempted \(connection.autoSelectFamilyAttemptedAddresses.map { "\($0)" } ?? "undefined")")
                    trace.log("\(error.code) \(error.message)")
                    ipv4.close()
                }
            }
        }
        #expect(result.finished)
        let port = result.trace.first.flatMap { Int($0.dropFirst(5)) } ?? 0
        #expect(result.trace.dropFirst() == ["attempted undefined", "ECONNREFUSED connect ECONNREFUSED ::1:\(port)"])
    }
}
