import Foundation
import Net
import NetTestSupport
import Testing

/// net.Server and net.Socket against Node: each scenario runs in `node` and in Swift over real loopback
/// sockets, and the server-side ("S") and client-side ("C") event traces must match line by line.
/// (Interleaving between the two ends is left out: it depends on how the kernel schedules both ends.)
@Suite struct SocketDifferentialTests {
    static let prelude = """
        const net = require('net');
        const log = (s) => console.log(s);
        const show = (e) => e ? `${e.code} ${e.message}` : 'null';

        """

    static func split(_ lines: [String]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for line in lines {
            let tag = String(line.prefix(while: { $0 != ":" }))
            out[tag, default: []].append(line)
        }
        return out
    }

    static func compare(_ js: String, _ swift: @escaping @Sendable (@escaping (String) -> Void) -> Void) throws {
        let node = try Node.run(prelude + js)
        #expect(node.status == 0, "\(node.stderr)")
        let expected = node.stdout.split(separator: "\n").map(String.init)
        let ours = LoopThread.run { _, trace in swift { trace.log($0) } }
        #expect(ours.finished, "the Swift loop did not finish")
        #expect(!expected.isEmpty)
        let e = split(expected), o = split(ours.trace)
        #expect(Set(e.keys) == Set(o.keys))
        for tag in e.keys.sorted() { #expect(o[tag] == e[tag], "endpoint \(tag)") }
    }

    static func hideNumbers(_ s: String) -> String {
        s.replacingOccurrences(of: #"\d{3,5}"#, with: "N", options: .regularExpression)
    }

    // MARK: Scenarios

    @Test func echoRoundTripAndCloseOrder() throws {
        try Self.compare("""
            const server = net.createServer((c) => {
              log('S: connection ' + c.remoteAddress + ' ' + c.readyState);
              c.on('data', (d) => { log('S: data ' + d); c.write(d); });
              c.on('end', () => log('S: end ' + c.readyState));
              c.on('finish', () => log('S: finish'));
              c.on('close', (hadError) => { log('S: close ' + hadError + ' ' + c.readyState); server.close(() => log('S: server closed')); });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => log('C: connect cb'));
              log('C: connecting ' + c.connecting + ' pending ' + c.pending + ' ' + c.readyState);
              c.on('connect', () => log('C: connect ' + c.readyState + ' pending ' + c.pending));
              c.on('ready', () => log('C: ready'));
              c.on('data', (d) => { log('C: data ' + d); c.end(); });
              c.on('end', () => log('C: end'));
              c.on('finish', () => log('C: finish'));
              c.on('close', (hadError) => log('C: close ' + hadError + ' read ' + c.bytesRead + ' written ' + c.bytesWritten));
              log('C: write ' + c.write('hello'));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                log("S: connection \(c.remoteAddress ?? "nil") \(c.readyState.rawValue)")
                c.on(.data) { d in log("S: data \(d.toString())"); c.write(d) }
                c.on(.end) { log("S: end \(c.readyState.rawValue)") }
                c.on(.finish) { log("S: finish") }
                c.on(.close) { hadError in
                    log("S: close \(hadError) \(c.readyState.rawValue)")
                    server.close { _ in log("S: server closed") }
                }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") { log("C: connect cb") }
                log("C: connecting \(c.connecting) pending \(c.pending) \(c.readyState.rawValue)")
                c.on(.connect) { log("C: connect \(c.readyState.rawValue) pending \(c.pending)") }
                c.on(.ready) { log("C: ready") }
                c.on(.data) { d in log("C: data \(d.toString())"); c.end() }
                c.on(.end) { log("C: end") }
                c.on(.finish) { log("C: finish") }
                c.on(.close) { hadError in log("C: close \(hadError) read \(c.bytesRead) written \(c.bytesWritten)") }
                log("C: write \(c.write("hello"))")
            }
        }
    }

    @Test func connectionRefused() throws {
        try Self.compare("""
            const s = net.createServer().listen(0, '127.0.0.1', () => {
              const port = s.address().port;
              s.close(() => {
                const c = net.connect(port, '127.0.0.1');
                c.on('error', (e) => log('C: error ' + e.code + ' ' + e.syscall + ' ' + e.address + ' ' + (e.port === port) + ' ' + (e.message === 'connect ECONNREFUSED 127.0.0.1:' + port)));
                c.on('close', (hadError) => log('C: close ' + hadError + ' destroyed ' + c.destroyed + ' ' + c.readyState));
                c.write('lost', (e) => log('C: write cb ' + (e && e.code)));
              });
            });
            """) { log in
            let s = Net.createServer()
            try! s.listen(port: 0, host: "127.0.0.1") {
                let port = s.address()!.port!
                s.close { _ in
                    let c = try! Net.connect(port: port, host: "127.0.0.1")
                    c.on(.error) { e in
                        log("C: error \(e.code) \(e.syscall ?? "") \(e.address ?? "") \(e.port == port) \(e.message == "connect ECONNREFUSED 127.0.0.1:\(port)")")
                    }
                    c.on(.close) { hadError in log("C: close \(hadError) destroyed \(c.destroyed) \(c.readyState.rawValue)") }
                    c.write("lost") { e in log("C: write cb \(e?.code ?? "null")") }
                }
            }
        }
    }

    @Test func halfOpenServerWritesAfterEnd() throws {
        try Self.compare("""
            const server = net.createServer({ allowHalfOpen: true }, (c) => {
              c.on('data', (d) => log('S: data ' + d));
              c.on('end', () => {
                log('S: end writable ' + c.writable + ' ' + c.readyState);
                c.end('bye after end', () => log('S: end cb'));
              });
              c.on('finish', () => log('S: finish'));
              c.on('close', () => { log('S: close'); server.close(); });
            });
            server.listen(0, () => {
              const c = net.connect({ port: server.address().port, allowHalfOpen: true });
              c.on('connect', () => { c.end('request'); log('C: ended ' + c.readyState); });
              c.setEncoding('utf8');
              c.on('data', (d) => log('C: data ' + d + ' ' + typeof d));
              c.on('end', () => log('C: end ' + c.readyState));
              c.on('close', (e) => log('C: close ' + e));
            });
            """) { log in
            var server: Server!
            server = Net.createServer(.init(allowHalfOpen: true)) { c in
                c.on(.data) { d in log("S: data \(d.toString())") }
                c.on(.end) {
                    log("S: end writable \(c.writable) \(c.readyState.rawValue)")
                    c.end("bye after end") { _ in log("S: end cb") }
                }
                c.on(.finish) { log("S: finish") }
                c.on(.close) { _ in log("S: close"); server.close() }
            }
            try! server.listen(port: 0) {
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, allowHalfOpen: true))
                c.on(.connect) { c.end("request"); log("C: ended \(c.readyState.rawValue)") }
                c.setEncoding(.utf8)
                c.on(.data) { d in log("C: data \(d.toString()) \(d.string != nil ? "string" : "object")") }
                c.on(.end) { log("C: end \(c.readyState.rawValue)") }
                c.on(.close) { e in log("C: close \(e)") }
            }
        }
    }

    /// Destroyed and connected again in the same tick, with a write waiting for the new connection and
    /// an `end()`: the first 'close' fails the waiting write, which destroys the socket again; its 'error'
    /// and second 'close' still reach the listeners (Net releases them only after the last 'close').
    @Test func destroyThenConnectAgainInTheSameTick() throws {
        try Self.compare("""
            const server = net.createServer((c) => {
              let got = '';
              c.on('data', (d) => got += d);
              c.on('end', () => { log('S: got ' + got); c.end(); });
            });
            server.listen(0, '127.0.0.1', () => {
              const port = server.address().port;
              const s = net.connect(port, '127.0.0.1', () => {
                s.on('finish', () => log('C: finish'));
                s.on('close', () => { log('C: close'); server.close(); });
                s.on('error', (e) => log('C: error ' + show(e)));
                s.write('x', (e) => log('C: cb x ' + show(e)));
                s.destroy();
                s.connect(port, '127.0.0.1', () => log('C: reconnected'));
                s.write('b', (e) => log('C: cb b ' + show(e)));
                s.end(() => log('C: end cb'));
              });
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                var got = ""
                c.on(.data) { got += $0.toString() }
                c.on(.end) { log("S: got \(got)"); c.end() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                var s: Socket!
                s = try! Net.connect(port: port, host: "127.0.0.1") {
                    s.on(.finish) { log("C: finish") }
                    s.on(.close) { _ in log("C: close"); server.close() }
                    s.on(.error) { e in log("C: error \(e.code) \(e.message)") }
                    s.write("x") { e in log("C: cb x \(e.map { "\($0.code) \($0.message)" } ?? "null")") }
                    s.destroy()
                    try! s.connect(port: port, host: "127.0.0.1") { log("C: reconnected") }
                    s.write("b") { e in log("C: cb b \(e.map { "\($0.code) \($0.message)" } ?? "null")") }
                    s.end { _ in log("C: end cb") }
                }
            }
        }
    }

    @Test func writeAfterPeerFINGetsEPIPE() throws {
        try Self.compare("""
            const server = net.createServer((c) => {
              c.on('end', () => {
                log('S: end');
                setTimeout(() => {
                  log('S: write ' + c.write('late', (e) => log('S: write cb ' + show(e))));
                }, 20);
              });
              c.on('error', (e) => log('S: error ' + show(e)));
              c.on('close', (h) => { log('S: close ' + h); server.close(); });
            });
            server.listen(0, () => {
              const c = net.connect(server.address().port, () => c.end());
              c.resume();
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                c.on(.end) {
                    log("S: end")
                    setTimeout(20) {
                        log("S: write \(c.write("late") { e in log("S: write cb \(e.map { "\($0.code) \($0.message)" } ?? "null")") })")
                    }
                }
                c.on(.error) { e in log("S: error \(e.code) \(e.message)") }
                c.on(.close) { h in log("S: close \(h)"); server.close() }
            }
            try! server.listen(port: 0) {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!) { c.end() }
                c.resume()
            }
        }
    }

    @Test func destroyWithErrorAndWritesAfter() throws {
        try Self.compare("""
            const server = net.createServer((c) => { c.resume(); c.on('close', () => server.close()); });
            server.listen(0, () => {
              const c = net.connect(server.address().port, () => {
                c.destroy(new Error('gone'));
                log('C: destroyed ' + c.destroyed + ' ' + c.readyState);
                log('C: write ' + c.write('x', (e) => log('C: write cb ' + show(e))));
              });
              c.on('error', (e) => log('C: error ' + show(e)));
              c.on('close', (h) => log('C: close ' + h));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in c.resume(); c.on(.close) { _ in server.close() } }
            try! server.listen(port: 0) {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!) {
                    c.destroy(NetError("gone"))
                    log("C: destroyed \(c.destroyed) \(c.readyState.rawValue)")
                    log("C: write \(c.write("x") { e in log("C: write cb \(e.map { "\($0.code) \($0.message)" } ?? "null")") })")
                }
                c.on(.error) { e in log("C: error \(e.code.isEmpty ? "undefined" : e.code) \(e.message)") }
                c.on(.close) { h in log("C: close \(h)") }
            }
        }
    }

    /// A write the kernel has not taken when the socket is destroyed: libuv cancels it, and Node's
    /// `onWriteComplete` calls its callback with null (the socket is destroyed), not with ECANCELED.
    /// Neither side emits 'error'. The peer paused and the write is 64 MB, so it is still queued.
    @Test func writeQueuedAtDestroyCallsBackWithoutError() throws {
        try Self.compare("""
            let peer;
            const server = net.createServer((s) => { peer = s; s.pause(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                const ok = c.write(Buffer.alloc(64 * 1024 * 1024, 35), (e) => log('C: write cb ' + show(e)));
                log('C: write ' + ok + ' queued ' + (c.writableLength > 0));
                c.destroy();
                log('C: destroyed ' + c.destroyed);
              });
              c.on('error', (e) => log('C: error ' + show(e)));
              c.on('close', (h) => { log('C: close ' + h); peer.destroy(); server.close(); });
            });
            """) { log in
            var server: Server!
            var peer: Socket?
            server = Net.createServer { s in peer = s; s.pause() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    let ok = c.write(Buffer.alloc(64 * 1024 * 1024, fill: 35)) { e in
                        log("C: write cb \(e.map { "\($0.code) \($0.message)" } ?? "null")")
                    }
                    log("C: write \(ok) queued \(c.writableLength > 0)")
                    c.destroy()
                    log("C: destroyed \(c.destroyed)")
                }
                c.on(.error) { e in log("C: error \(e.code) \(e.message)") }
                c.on(.close) { h in
                    log("C: close \(h)")
                    peer?.destroy()
                    server.close()
                }
            }
        }
    }

    @Test func writeAfterEndIsAnError() throws {
        try Self.compare("""
            const server = net.createServer((c) => { c.resume(); c.on('close', () => server.close()); });
            server.listen(0, () => {
              const c = net.connect(server.address().port);
              c.end('last');
              log('C: write ' + c.write('more', (e) => log('C: write cb ' + show(e))));
              c.on('error', (e) => log('C: error ' + show(e)));
              c.on('close', (h) => { log('C: close ' + h); server.close(); });
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in c.resume(); c.on(.close) { _ in server.close() } }
            try! server.listen(port: 0) {
                let c = try! Net.connect(port: server.address()!.port!)
                c.on(.close) { _ in server.close() }
                c.end("last")
                log("C: write \(c.write("more") { e in log("C: write cb \(e.map { "\($0.code) \($0.message)" } ?? "null")") })")
                c.on(.error) { e in log("C: error \(e.code) \(e.message)") }
                c.on(.close) { h in log("C: close \(h)") }
            }
        }
    }

    @Test func serverCloseWaitsForConnectionsAndNotRunning() throws {
        try Self.compare("""
            const server = net.createServer((c) => {
              server.close((e) => log('S: close cb ' + show(e) + ' listening ' + server.listening));
              server.getConnections((e, n) => log('S: connections ' + n));
              log('S: closing, listening ' + server.listening);
              setTimeout(() => c.end(), 30);
            });
            server.once('close', () => {
              log('S: close event');
              server.close((e) => log('S: second close cb ' + show(e)));
            });
            server.listen(0, () => {
              try { server.listen(0); } catch (e) { log('S: listen again ' + show(e)); }
              const c = net.connect(server.address().port);
              c.resume();
              c.on('end', () => log('C: end'));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                server.close { e in log("S: close cb \(e.map { "\($0.code) \($0.message)" } ?? "null") listening \(server.listening)") }
                server.getConnections { _, n in log("S: connections \(n)") }
                log("S: closing, listening \(server.listening)")
                setTimeout(30) { c.end() }
            }
            server.once(.close) {
                log("S: close event")
                server.close { e in log("S: second close cb \(e.map { "\($0.code) \($0.message)" } ?? "null")") }
            }
            try! server.listen(port: 0) {
                do { try server.listen(port: 0) } catch let error as NetError { log("S: listen again \(error.code) \(error.message)") } catch {}
                let c = try! Net.connect(port: server.address()!.port!)
                c.resume()
                c.on(.end) { log("C: end") }
            }
        }
    }

    @Test func addressInUseAndBadPort() throws {
        try Self.compare("""
            const a = net.createServer().listen(0, () => {
              const port = a.address().port;
              log('S: family ' + a.address().family + ' address ' + a.address().address);
              const b = net.createServer();
              b.on('error', (e) => {
                log('S: error ' + e.code + ' ' + e.syscall + ' ' + e.address + ' ' + (e.port === port) + ' ' + (e.message === 'listen EADDRINUSE: address already in use :::' + port));
                log('S: b listening ' + b.listening + ' address ' + b.address());
                b.close((e) => log('S: b close ' + show(e)));
                a.close();
              });
              b.listen(port);
              for (const p of [-1, 65536]) {
                try { net.createServer().listen(p); } catch (e) { log('S: ' + e.name + ' ' + show(e)); }
              }
            });
            """) { log in
            let a = Net.createServer()
            try! a.listen(port: 0) {
                let port = a.address()!.port!
                if case .inet(let info) = a.address()! { log("S: family \(info.family) address \(info.address)") }
                let b = Net.createServer()
                b.on(.error) { e in
                    log("S: error \(e.code) \(e.syscall ?? "") \(e.address ?? "") \(e.port == port) \(e.message == "listen EADDRINUSE: address already in use :::\(port)")")
                    log("S: b listening \(b.listening) address \(b.address().map { "\($0)" } ?? "null")")
                    b.close { e in log("S: b close \(e.map { "\($0.code) \($0.message)" } ?? "null")") }
                    a.close()
                }
                try! b.listen(port: port)
                for p in [-1, 65536] {
                    do { try Net.createServer().listen(port: p) } catch let error as NetError { log("S: \(error.name) \(error.code) \(error.message)") } catch {}
                }
            }
        }
    }

    /// `connect(port, host)` to an IP literal (Net's path that builds no options) against Node: a bad port
    /// throws after the listener is added and the socket is connecting; a good one connects with the
    /// same events and state as `connect({port, host})` to the same literal.
    @Test func connectToAnIPLiteralWithAndWithoutOptions() throws {
        try Self.compare("""
            for (const h of ['127.0.0.1', '::1', '']) for (const p of [65536, -1]) {
              const s = new net.Socket();
              try { s.connect(p, h, () => log('C: FAIL connected')); log('C: FAIL no throw'); }
              catch (e) { log('C: ' + JSON.stringify(h) + ' ' + show(e) + ' ' + s.listenerCount('connect') + ' ' + s.connecting + ' ' + s.readyState + ' ' + s.pending); }
              s.destroy();
            }
            // One after the other: two connections arriving together are accepted in one loop iteration
            // by Debian's libuv 1.44, in two by Node's (libuv >= 1.45), which changes the order of events.
            const server = net.createServer((c) => c.end()).listen(0, '127.0.0.1', () => {
              const port = server.address().port;
              const run = (form, next) => {
                const c = form === 'args' ? net.connect(port, '127.0.0.1', () => log('C: ' + form + ' connect cb'))
                                          : net.connect({ port, host: '127.0.0.1' }, () => log('C: ' + form + ' connect cb'));
                log('C: ' + form + ' ' + c.connecting + ' ' + c.readyState + ' ' + c.listenerCount('connect') + ' ' + c.listenerCount('end'));
                c.on('ready', () => log('C: ' + form + ' ready ' + c.remoteAddress + ' ' + (c.remotePort === port) + ' ' + c.readyState));
                c.on('end', () => log('C: ' + form + ' end'));
                c.on('close', (hadError) => { log('C: ' + form + ' close ' + hadError); next(); });
              };
              run('args', () => run('options', () => server.close()));
            });
            """) { log in
            for h in ["127.0.0.1", "::1", ""] {
                for p in [65536, -1] {
                    let s = Socket()
                    do throws(NetError) {
                        try s.connect(port: p, host: h) { log("C: FAIL connected") }
                        log("C: FAIL no throw")
                    } catch {
                        log("C: \"\(h)\" \(error.code) \(error.message) \(s.listenerCount(.connect)) \(s.connecting) \(s.readyState.rawValue) \(s.pending)")
                    }
                    s.destroy()
                }
            }
            var server: Server!
            server = Net.createServer { c in c.end() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                func run(_ form: String, _ next: @escaping () -> Void) {
                    let c = form == "args"
                        ? try! Net.connect(port: port, host: "127.0.0.1") { log("C: \(form) connect cb") }
                        : try! Net.connect(ConnectOptions(port: port, host: "127.0.0.1")) { log("C: \(form) connect cb") }
                    log("C: \(form) \(c.connecting) \(c.readyState.rawValue) \(c.listenerCount(.connect)) \(c.listenerCount(.end))")
                    c.on(.ready) { log("C: \(form) ready \(c.remoteAddress ?? "nil") \(c.remotePort == port) \(c.readyState.rawValue)") }
                    c.on(.end) { log("C: \(form) end") }
                    c.on(.close) { hadError in
                        log("C: \(form) close \(hadError)")
                        next()
                    }
                }
                run("args") { run("options") { server.close() } }
            }
        }
    }

    @Test func lookupEventForHostNames() throws {
        try Self.compare("""
            const server = net.createServer((c) => { c.end(); server.close(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: 'localhost', family: 4 });
              c.on('lookup', (err, address, family, host) => log('C1: lookup ' + err + ' ' + address + ' ' + family + ' ' + host));
              c.on('connect', () => log('C1: connect ' + c.remoteAddress + ' ' + c.remoteFamily));
              c.resume();
              const d = net.connect(1, '127.0.0.1');
              d.on('lookup', () => log('C2: literal lookup (never)'));
              d.on('error', (e) => log('C2: literal ' + e.code));
              const bad = net.connect({ port: 80, host: 'no-such-host.invalid' });
              bad.on('lookup', (err, address, family, host) => log('C3: lookup bad ' + err.code + ' ' + address + ' ' + family + ' ' + host));
              bad.on('error', (e) => log('C3: error ' + show(e) + ' ' + e.hostname));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in c.end(); server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "localhost", family: 4))
                c.on(.lookup) { r in
                    log("C1: lookup \(r.error.map { "\($0)" } ?? "null") \(r.address ?? "undefined") \(r.family.map(String.init) ?? "undefined") \(r.host)")
                }
                c.on(.connect) { log("C1: connect \(c.remoteAddress ?? "") \(c.remoteFamily ?? "")") }
                c.resume()
                let d = try! Net.connect(port: 1, host: "127.0.0.1")
                d.on(.lookup) { _ in log("C2: literal lookup (never)") }
                d.on(.error) { e in log("C2: literal \(e.code)") }
                let bad = try! Net.connect(ConnectOptions(port: 80, host: "no-such-host.invalid"))
                bad.on(.lookup) { r in
                    log("C3: lookup bad \(r.error!.code) \(r.address ?? "undefined") \(r.family.map(String.init) ?? "undefined") \(r.host)")
                }
                bad.on(.error) { e in log("C3: error \(e.code) \(e.message) \(e.hostname ?? "")") }
            }
        }
    }

    @Test func backpressurePauseResumeAndCounters() throws {
        try Self.compare("""
            const total = 4 * 1024 * 1024;
            const server = net.createServer((c) => {
              let got = 0, pauses = 0;
              c.on('data', (d) => {
                got += d.length;
                if (got >= total / 2 && pauses === 0) { pauses++; c.pause(); log('S: paused ' + c.isPaused()); setTimeout(() => { log('S: resume'); c.resume(); }, 30); }
              });
              c.on('end', () => { log('S: end got ' + got + ' bytesRead ' + (c.bytesRead === total)); c.end(); server.close(); });
            });
            server.listen(0, () => {
              const c = net.connect(server.address().port);
              const chunk = Buffer.alloc(64 * 1024, 97);
              let written = 0, falses = 0;
              function pump() {
                while (written < total) {
                  written += chunk.length;
                  if (!c.write(chunk)) { falses++; c.once('drain', pump); return; }
                }
                c.end();
              }
              pump();
              c.on('finish', () => log('C: finish backpressure ' + (falses > 0) + ' written ' + c.bytesWritten));
              c.resume();
            });
            """) { log in
            let total = 4 * 1024 * 1024
            var server: Server!
            server = Net.createServer { c in
                var got = 0, pauses = 0
                c.on(.data) { d in
                    got += d.count
                    if got >= total / 2 && pauses == 0 {
                        pauses += 1
                        c.pause()
                        log("S: paused \(c.isPaused())")
                        setTimeout(30) { log("S: resume"); c.resume() }
                    }
                }
                c.on(.end) { log("S: end got \(got) bytesRead \(c.bytesRead == total)"); c.end(); server.close() }
            }
            try! server.listen(port: 0) {
                let c = try! Net.connect(port: server.address()!.port!)
                let chunk = Buffer(count: 64 * 1024).map { _ in UInt8(97) }
                var written = 0, falses = 0
                func pump() {
                    while written < total {
                        written += chunk.count
                        if !c.write(Buffer(chunk)) { falses += 1; c.once(.drain) { pump() }; return }
                    }
                    c.end()
                }
                pump()
                c.on(.finish) { log("C: finish backpressure \(falses > 0) written \(c.bytesWritten)") }
                c.resume()
            }
        }
    }
}
