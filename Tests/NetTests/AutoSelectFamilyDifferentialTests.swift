import Foundation
import Net
import NetTestSupport
import Testing

/// Happy eyeballs against node v20: a custom lookup answering `::1` then `127.0.0.1` (on the next tick,
/// as a resolver does), a server on IPv4 only, and the trace of 'lookup', 'connectionAttempt',
/// 'connectionAttemptFailed', 'connect' and the error, with ports hidden.
@Suite struct AutoSelectFamilyDifferentialTests {
    typealias D = SocketDifferentialTests

    static let js = """
        const answers = globalThis.answers ?? [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }];
        const lookup = (host, o, cb) => {
          log(`C: lookup called all=${o.all === true} family=${o.family ?? 0}`);
          process.nextTick(() => o.all ? cb(null, answers) : cb(null, answers[0].address, answers[0].family));
        };
        const hide = (s) => String(s).replace(/\\d{3,5}/g, 'N');
        function watch(c, tag) {
          c.on('lookup', (e, a, f, h) => log(`${tag}: lookup ${e ? e.code : null} ${a} ${f} ${h}`));
          c.on('connectionAttempt', (a, p, f) => log(`${tag}: attempt ${a} ${hide(p)} ${f}`));
          c.on('connectionAttemptFailed', (a, p, f, e) => log(`${tag}: failed ${a} ${hide(p)} ${f} ${e.code} ${hide(e.message)}`));
          c.on('connectionAttemptTimeout', (a, p, f) => log(`${tag}: timeout ${a} ${hide(p)} ${f}`));
          c.on('connect', () => log(`${tag}: connect ${c.remoteAddress} ${hide(c.autoSelectFamilyAttemptedAddresses)}`));
          c.on('error', (e) => log(`${tag}: error ${e.name} ${e.code} '${hide(e.message)}' ${(e.errors || []).map((x) => hide(x.message)).join(' | ')}`));
          c.on('close', () => log(`${tag}: close ${hide(c.autoSelectFamilyAttemptedAddresses)}`));
        }

        """

    static func options(_ port: Int, autoSelect: Bool?) -> ConnectOptions {
        var options = ConnectOptions(port: port, host: "example.org")
        options.autoSelectFamily = autoSelect
        options.autoSelectFamilyAttemptTimeout = 250
        return options
    }

    /// The Swift side of `js`'s lookup and `watch`.
    static func lookup(_ log: @escaping (String) -> Void) -> LookupAllFunction {
        { _, o, cb in
            log("C: lookup called all=\(o.all) family=\(o.family)")
            nextTick {
                cb(nil, [LookupAddress(address: "::1", family: 6), LookupAddress(address: "127.0.0.1", family: 4)])
            }
        }
    }

    static func hide(_ s: String) -> String { D.hideNumbers(s) }

    static func watch(_ c: Socket, _ tag: String, _ log: @escaping (String) -> Void) {
        func attempted() -> String {
            c.autoSelectFamilyAttemptedAddresses.map { hide($0.joined(separator: ",")) } ?? "undefined"
        }
        c.on(.lookup) { r in
            log("\(tag): lookup \(r.error?.code ?? "null") \(r.address ?? "undefined") \(r.family.map(String.init) ?? "undefined") \(r.host)")
        }
        c.on(.connectionAttempt) { a in log("\(tag): attempt \(a.address) \(hide("\(a.port ?? 0)")) \(a.family ?? 0)") }
        c.on(.connectionAttemptFailed) { f in
            log("\(tag): failed \(f.address) \(hide("\(f.port ?? 0)")) \(f.family ?? 0) \(f.error.code) \(hide(f.error.message))")
        }
        c.on(.connectionAttemptTimeout) { a in log("\(tag): timeout \(a.address) \(hide("\(a.port ?? 0)")) \(a.family ?? 0)") }
        c.on(.connect) { log("\(tag): connect \(c.remoteAddress ?? "undefined") \(attempted())") }
        c.on(.error) { e in
            let errors = (e.errors ?? []).map { hide($0.message) }.joined(separator: " | ")
            log("\(tag): error \(e.name) \(e.code) '\(hide(e.message))' \(errors)")
        }
        c.on(.close) { _ in log("\(tag): close \(attempted())") }
    }

    @Test func ipv6FirstThenIpv4ServerOnIpv4Only() throws {
        try D.compare(Self.js + """
            const server = net.createServer((s) => { s.end(); server.close(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: 'example.org', lookup, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 250 });
              watch(c, 'C');
              c.resume();
            });
            """) { log in
            let server = Net.createServer { s in s.end() }
            server.on(.connection) { _ in server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var options = Self.options(server.address()!.port!, autoSelect: true)
                options.lookupAll = Self.lookup(log)
                let c = try! Net.connect(options)
                Self.watch(c, "C", log)
                c.resume()
            }
        }
    }

    @Test func autoSelectFamilyFalseTriesTheFirstAddressOnly() throws {
        try D.compare(Self.js + """
            const server = net.createServer((s) => { s.end(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: 'example.org', lookup, autoSelectFamily: false });
              watch(c, 'C');
              c.on('close', () => server.close());
            });
            """) { log in
            let server = Net.createServer { s in s.end() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var options = Self.options(server.address()!.port!, autoSelect: false)
                options.lookupAll = Self.lookup(log)
                let c = try! Net.connect(options)
                Self.watch(c, "C", log)
                c.on(.close) { _ in server.close() }
            }
        }
    }

    @Test func everyAttemptRefusedGivesTheAggregateError() throws {
        try D.compare(Self.js + """
            const probe = net.createServer();
            probe.listen(0, '127.0.0.1', () => {
              const port = probe.address().port;
              probe.close(() => {
                const c = net.connect({ port, host: 'example.org', lookup, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 250 });
                watch(c, 'C');
              });
            });
            """) { log in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    var options = Self.options(port, autoSelect: true)
                    options.lookupAll = Self.lookup(log)
                    let c = try! Net.connect(options)
                    Self.watch(c, "C", log)
                }
            }
        }
    }

    /// `localPort` with happy eyeballs: each attempt binds the port on its family's unspecified address,
    /// and a refused attempt's error carries the local details.
    @Test func localPortBindsEachAttempt() throws {
        try D.compare(Self.js + """
            const probe = net.createServer().listen(0, '127.0.0.1', () => {
              const lp = probe.address().port;
              probe.close(() => {
                const server = net.createServer((s) => { log(`S: ${s.remotePort === lp}`); s.end(); server.close(); });
                server.listen(0, '127.0.0.1', () => {
                  const c = net.connect({ port: server.address().port, host: 'example.org', lookup, autoSelectFamily: true, localPort: lp });
                  c.on('connectionAttemptFailed', (a, p, f, e) => log(`C: local ${e.localAddress} ${e.localPort === lp}`));
                  c.on('connect', () => log(`C: connected ${c.localPort === lp} ${c.localAddress}`));
                  watch(c, 'C');
                  c.resume();
                });
              });
            });
            """) { log in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let lp = probe.address()!.port!
                probe.close { _ in
                    let server = Net.createServer { s in log("S: \(s.remotePort == lp)"); s.end() }
                    server.on(.connection) { _ in server.close() }
                    try! server.listen(port: 0, host: "127.0.0.1") {
                        var options = Self.options(server.address()!.port!, autoSelect: true)
                        options.autoSelectFamilyAttemptTimeout = nil
                        options.localPort = lp
                        options.lookupAll = Self.lookup(log)
                        let c = try! Net.connect(options)
                        c.on(.connectionAttemptFailed) { f in log("C: local \(f.error.localAddress ?? "undefined") \(f.error.localPort == lp)") }
                        c.on(.connect) { log("C: connected \(c.localPort == lp) \(c.localAddress ?? "undefined")") }
                        Self.watch(c, "C", log)
                        c.resume()
                    }
                }
            }
        }
    }

    /// An attempt abandoned after the attempt timeout: 127.0.0.2, a ``BlackHole`` (a loopback port that
    /// never answers, standing in for Node's internet address), then `::1` on the same port, where
    /// nothing listens.
    @Test func attemptTimeoutThenRefused() throws {
        let hole = try #require(BlackHole(host: "127.0.0.2"))
        defer { hole.close() }
        let port = hole.port
        try D.compare("globalThis.answers = [{ address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 }];\n" + Self.js + """
            const c = net.connect({ port: \(port), host: 'example.org', lookup, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 20 });
            watch(c, 'C');
            """) { log in
            var options = Self.options(port, autoSelect: true)
            options.autoSelectFamilyAttemptTimeout = 20
            options.lookupAll = { _, o, cb in
                log("C: lookup called all=\(o.all) family=\(o.family)")
                nextTick { cb(nil, [LookupAddress(address: "127.0.0.2", family: 4), LookupAddress(address: "::1", family: 6)]) }
            }
            let c = try! Net.connect(options)
            Self.watch(c, "C", log)
        }
    }

    /// The default lookup with `all: true` (`getaddrinfo`) answers what node's `dns.lookup` answers for
    /// `localhost`, one 'lookup' per address.
    @Test func localhostThroughGetaddrinfo() throws {
        try D.compare(Self.js + """
            const server = net.createServer((s) => { s.end(); server.close(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: 'localhost', autoSelectFamily: true });
              watch(c, 'C');
              c.resume();
            });
            """) { log in
            let server = Net.createServer { s in s.end() }
            server.on(.connection) { _ in server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var options = ConnectOptions(port: server.address()!.port!, host: "localhost")
                options.autoSelectFamily = true
                let c = try! Net.connect(options)
                Self.watch(c, "C", log)
                c.resume()
            }
        }
    }

    /// The process-wide defaults and their validation, as node v20 reports them.
    @Test func defaultsAndTheirValidation() throws {
        try Lookups.autoSelectDefaults.withLock { _ in
            try D.compare("""
                log(`D: ${net.getDefaultAutoSelectFamily()} ${net.getDefaultAutoSelectFamilyAttemptTimeout()}`);
                for (const v of [0, -1, 2 ** 31]) {
                  try { net.setDefaultAutoSelectFamilyAttemptTimeout(v); } catch (e) { log(`D: ${e.name} ${e.code} ${e.message}`); }
                  try { net.connect({ port: 1, autoSelectFamilyAttemptTimeout: v }); } catch (e) { log(`D: ${e.name} ${e.code} ${e.message}`); }
                }
                net.setDefaultAutoSelectFamilyAttemptTimeout(5);
                log(`D: ${net.getDefaultAutoSelectFamilyAttemptTimeout()}`);
                net.setDefaultAutoSelectFamilyAttemptTimeout(250);
                net.setDefaultAutoSelectFamily(false);
                log(`D: ${net.getDefaultAutoSelectFamily()}`);
                net.setDefaultAutoSelectFamily(true);
                """) { log in
                log("D: \(getDefaultAutoSelectFamily()) \(getDefaultAutoSelectFamilyAttemptTimeout())")
                for v in [0, -1, 1 << 31] {
                    do { try setDefaultAutoSelectFamilyAttemptTimeout(v) } catch { let error = error as! NetError; log("D: \(error.name) \(error.code) \(error.message)") }
                    var options = ConnectOptions(port: 1)
                    options.autoSelectFamilyAttemptTimeout = v
                    do { _ = try Net.connect(options) } catch { let error = error as! NetError; log("D: \(error.name) \(error.code) \(error.message)") }
                }
                try! setDefaultAutoSelectFamilyAttemptTimeout(5)
                log("D: \(getDefaultAutoSelectFamilyAttemptTimeout())")
                try! setDefaultAutoSelectFamilyAttemptTimeout(250)
                setDefaultAutoSelectFamily(false)
                log("D: \(getDefaultAutoSelectFamily())")
                setDefaultAutoSelectFamily(true)
            }
        }
    }
}
