import Foundation
import Net
import NetTestSupport
import Testing

/// Listeners live as long as Node's: the reconnect, retry and restart patterns of Node's documentation,
/// each run in `node` and in Swift over loopback, with equal traces per endpoint (see
/// `docs/design/listener-lifetime.md`). Before the retention list, each of these lost listeners after
/// the first 'close' (events that vanished, handled errors that ended the process, servers that
/// accepted and never served).
@Suite struct ListenerLifetimeDifferentialTests {
    let compare = SocketDifferentialTests.compare

    /// `client.on('close', () => setTimeout(() => client.connect(...)))`: every round reaches the same
    /// listeners.
    @Test func reconnectFromATimerSetInClose() throws {
        try compare("""
            let n = 0;
            const server = net.createServer((c) => c.end('hi ' + (++n)));
            server.listen(0, '127.0.0.1', () => {
              const port = server.address().port;
              const client = new net.Socket();
              let round = 0;
              client.on('connect', () => log('C: connect ' + client.readyState));
              client.on('data', (d) => log('C: data ' + d));
              client.on('end', () => log('C: end'));
              client.on('close', (hadError) => {
                round++;
                log('C: close ' + hadError + ' round ' + round + ' close=' + client.listenerCount('close')
                  + ' data=' + client.listenerCount('data') + ' end=' + client.listenerCount('end'));
                if (round < 3) setTimeout(() => client.connect(port, '127.0.0.1'), 20);
                else server.close(() => log('C: server closed'));
              });
              client.connect(port, '127.0.0.1');
            });
            """) { log in
            var n = 0
            let server = Net.createServer { c in n += 1; c.end("hi \(n)") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let client = Socket()
                var round = 0
                client.on(.connect) { log("C: connect \(client.readyState.rawValue)") }
                client.on(.data) { d in log("C: data \(d.toString())") }
                client.on(.end) { log("C: end") }
                client.on(.close) { hadError in
                    round += 1
                    log("C: close \(hadError) round \(round) close=\(client.listenerCount(.close))"
                        + " data=\(client.listenerCount(.data)) end=\(client.listenerCount(.end))")
                    if round < 3 {
                        setTimeout(20) { try! client.connect(port: port, host: "127.0.0.1") }
                    } else {
                        server.close { _ in log("C: server closed") }
                    }
                }
                try! client.connect(port: port, host: "127.0.0.1")
            }
        }
    }

    /// The same loop against a port nobody listens on: every ECONNREFUSED reaches the 'error' listener
    /// (before, the second one found none and ended the process as uncaught).
    @Test func reconnectLoopAgainstARefusedPort() throws {
        try compare("""
            const probe = net.createServer().listen(0, '127.0.0.1', () => {
              const port = probe.address().port;
              probe.close(() => {
                const client = new net.Socket();
                let round = 0;
                client.on('error', (e) => log('C: error ' + e.code + ' ' + e.syscall + ' round ' + round));
                client.on('close', (hadError) => {
                  round++;
                  log('C: close ' + hadError + ' error=' + client.listenerCount('error'));
                  if (round < 4) setTimeout(() => client.connect(port, '127.0.0.1'), 10);
                  else log('C: gave up');
                });
                client.connect(port, '127.0.0.1');
              });
            });
            """) { log in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    let client = Socket()
                    var round = 0
                    client.on(.error) { e in log("C: error \(e.code) \(e.syscall ?? "") round \(round)") }
                    client.on(.close) { hadError in
                        round += 1
                        log("C: close \(hadError) error=\(client.listenerCount(.error))")
                        if round < 4 {
                            setTimeout(10) { try! client.connect(port: port, host: "127.0.0.1") }
                        } else {
                            log("C: gave up")
                        }
                    }
                    try! client.connect(port: port, host: "127.0.0.1")
                }
            }
        }
    }

    /// The EADDRINUSE retry of Node's `server.listen()` documentation: `close()` then `listen()` again
    /// from a timer set in 'error'. The retried server keeps its 'connection', 'listening' and 'error'
    /// listeners and serves once the port is free.
    @Test func eaddrinuseRetryFromTheListenDocs() throws {
        try compare("""
            const blocker = net.createServer().listen(0, '127.0.0.1', () => {
              const port = blocker.address().port;
              const server = net.createServer((c) => { log('S: connection'); c.end('served'); });
              let tries = 0;
              server.on('close', () => log('S: close event'));
              server.on('listening', () => {
                log('S: listening ' + (server.address().port === port) + ' connection=' + server.listenerCount('connection'));
                const c = net.connect(port, '127.0.0.1');
                c.on('data', (d) => log('C: data ' + d));
                c.on('close', () => server.close(() => log('S: closed')));
              });
              server.on('error', (e) => {
                tries++;
                log('S: error ' + e.code + ' try ' + tries + ' error=' + server.listenerCount('error')
                  + ' listening=' + server.listenerCount('listening'));
                if (tries === 2) blocker.close();
                setTimeout(() => { server.close(); server.listen(port, '127.0.0.1'); }, 20);
              });
              server.listen(port, '127.0.0.1');
            });
            """) { log in
            let blocker = Net.createServer()
            try! blocker.listen(port: 0, host: "127.0.0.1") {
                let port = blocker.address()!.port!
                let server = Net.createServer { c in log("S: connection"); c.end("served") }
                var tries = 0
                server.on(.close) { log("S: close event") }
                server.on(.listening) {
                    log("S: listening \(server.address()?.port == port) connection=\(server.listenerCount(.connection))")
                    let c = try! Net.connect(port: port, host: "127.0.0.1")
                    c.on(.data) { d in log("C: data \(d.toString())") }
                    c.on(.close) { _ in server.close { _ in log("S: closed") } }
                }
                server.on(.error) { e in
                    tries += 1
                    log("S: error \(e.code) try \(tries) error=\(server.listenerCount(.error))"
                        + " listening=\(server.listenerCount(.listening))")
                    if tries == 2 { blocker.close() }
                    setTimeout(20) {
                        server.close()
                        try! server.listen(port: port, host: "127.0.0.1")
                    }
                }
                try! server.listen(port: port, host: "127.0.0.1")
            }
        }
    }

    /// `server.close(() => server.listen(...))`, three rounds, each serving a client: 'listening' reaches
    /// the listener registered before the first listen, and the program ends (before, it hung).
    @Test func restartFromTheCloseCallback() throws {
        try compare("""
            let round = 0;
            const server = net.createServer((c) => c.end('round ' + round));
            server.on('listening', () => {
              round++;
              log('S: listening round ' + round + ' listening=' + server.listenerCount('listening'));
              const c = net.connect(server.address().port, '127.0.0.1');
              c.on('data', (d) => log('C: data ' + d));
              c.on('close', () => {
                server.close(() => {
                  log('S: closed round ' + round);
                  if (round < 3) server.listen(0, '127.0.0.1', () => log('S: listen cb round ' + round));
                });
              });
            });
            server.listen(0, '127.0.0.1');
            """) { log in
            var round = 0
            let server = Net.createServer { c in c.end("round \(round)") }
            server.on(.listening) {
                round += 1
                log("S: listening round \(round) listening=\(server.listenerCount(.listening))")
                let c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1")
                c.on(.data) { d in log("C: data \(d.toString())") }
                c.on(.close) { _ in
                    server.close { _ in
                        log("S: closed round \(round)")
                        if round < 3 { try! server.listen(port: 0, host: "127.0.0.1") { log("S: listen cb round \(round)") } }
                    }
                }
            }
            try! server.listen(port: 0, host: "127.0.0.1")
        }
    }

    /// A closed socket connected again from another socket's 'data' listener, with nothing scheduled
    /// by its own listeners in between: its listeners are all there.
    @Test func reconnectFromAnotherSocketsEvent() throws {
        try compare("""
            let aRounds = 0;
            const serverA = net.createServer((c) => c.end('from A'));
            const serverB = net.createServer((c) => c.write('reconnect A'));
            serverA.listen(0, '127.0.0.1', () => serverB.listen(0, '127.0.0.1', () => {
              const a = new net.Socket();
              let b;
              a.on('data', (d) => log('A: data ' + d));
              a.on('close', () => {
                aRounds++;
                log('A: close round ' + aRounds + ' data=' + a.listenerCount('data'));
                if (aRounds === 1) {
                  b = net.connect(serverB.address().port, '127.0.0.1');
                  b.on('data', (d) => { log('B: data ' + d); a.connect(serverA.address().port, '127.0.0.1'); });
                  b.on('close', () => { log('B: close'); serverA.close(); serverB.close(); });
                } else {
                  b.end();
                }
              });
              a.connect(serverA.address().port, '127.0.0.1');
            }));
            """) { log in
            var aRounds = 0
            let serverA = Net.createServer { c in c.end("from A") }
            let serverB = Net.createServer { c in c.write("reconnect A") }
            try! serverA.listen(port: 0, host: "127.0.0.1") {
                try! serverB.listen(port: 0, host: "127.0.0.1") {
                    let a = Socket()
                    var b: Socket?
                    a.on(.data) { d in log("A: data \(d.toString())") }
                    a.on(.close) { _ in
                        aRounds += 1
                        log("A: close round \(aRounds) data=\(a.listenerCount(.data))")
                        if aRounds == 1 {
                            let made = try! Net.connect(port: serverB.address()!.port!, host: "127.0.0.1")
                            b = made
                            made.on(.data) { d in
                                log("B: data \(d.toString())")
                                try! a.connect(port: serverA.address()!.port!, host: "127.0.0.1")
                            }
                            made.on(.close) { _ in log("B: close"); serverA.close(); serverB.close() }
                        } else {
                            b?.end()
                        }
                    }
                    try! a.connect(port: serverA.address()!.port!, host: "127.0.0.1")
                }
            }
        }
    }

    /// A server shut down on request (as on SIGTERM: stop accepting, end the connections), then a new
    /// server on the same port that serves; each server's 'close' reaches its listener.
    @Test func shutdownThenANewServerOnTheSamePort() throws {
        try compare("""
            let port;
            const s1 = net.createServer((c) => {
              c.on('data', (d) => {
                if (String(d) !== 'shutdown') return;
                log('S1: shutdown');
                s1.close(() => { log('S1: closed'); start2(); });
                c.end('bye');
              });
            });
            s1.on('close', () => log('S1: close event'));
            s1.listen(0, '127.0.0.1', () => {
              port = s1.address().port;
              const c = net.connect(port, '127.0.0.1', () => c.write('shutdown'));
              c.on('data', (d) => log('C1: data ' + d));
              c.on('close', () => log('C1: close'));
            });
            function start2() {
              const s2 = net.createServer((c) => c.end('from s2'));
              s2.on('close', () => log('S2: close event'));
              s2.listen(port, '127.0.0.1', () => {
                log('S2: listening on the same port ' + (s2.address().port === port));
                const c = net.connect(port, '127.0.0.1');
                c.on('data', (d) => log('C2: data ' + d));
                c.on('close', () => s2.close());
              });
            }
            """) { log in
            var port = 0
            var s1: Server!
            func start2() {
                let s2 = Net.createServer { c in c.end("from s2") }
                s2.on(.close) { log("S2: close event") }
                try! s2.listen(port: port, host: "127.0.0.1") {
                    log("S2: listening on the same port \(s2.address()?.port == port)")
                    let c = try! Net.connect(port: port, host: "127.0.0.1")
                    c.on(.data) { d in log("C2: data \(d.toString())") }
                    c.on(.close) { _ in s2.close() }
                }
            }
            s1 = Net.createServer { c in
                c.on(.data) { d in
                    guard d.toString() == "shutdown" else { return }
                    log("S1: shutdown")
                    s1.close { _ in log("S1: closed"); start2() }
                    c.end("bye")
                }
            }
            s1.on(.close) { log("S1: close event") }
            try! s1.listen(port: 0, host: "127.0.0.1") {
                port = s1.address()!.port!
                let c = try! Net.connect(port: port, host: "127.0.0.1") {}
                c.on(.connect) { c.write("shutdown") }
                c.on(.data) { d in log("C1: data \(d.toString())") }
                c.on(.close) { _ in log("C1: close") }
            }
        }
    }

    /// `once` listeners across a reconnect: one that fired is gone, one that did not fire stays, one
    /// added in 'close' fires in the next round.
    @Test func onceListenersAcrossAReconnect() throws {
        try compare("""
            const server = net.createServer((c) => c.end('x'));
            server.listen(0, '127.0.0.1', () => {
              const port = server.address().port;
              const client = new net.Socket();
              let round = 0;
              client.on('data', () => {});
              client.once('connect', () => log('C: once connect (first round only)'));
              client.once('timeout', () => log('C: once timeout never fires'));
              client.on('connect', () => log('C: connect round ' + (round + 1)));
              client.on('close', () => {
                round++;
                log('C: close round ' + round + ' connect=' + client.listenerCount('connect')
                  + ' timeout=' + client.listenerCount('timeout'));
                if (round < 3) {
                  client.once('connect', () => log('C: once connect added in close, round ' + (round + 1)));
                  setImmediate(() => client.connect(port, '127.0.0.1'));
                } else {
                  server.close();
                }
              });
              client.connect(port, '127.0.0.1');
            });
            """) { log in
            let server = Net.createServer { c in c.end("x") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let client = Socket()
                var round = 0
                client.on(.data) { _ in }
                client.once(.connect) { log("C: once connect (first round only)") }
                client.once(.timeout) { log("C: once timeout never fires") }
                client.on(.connect) { log("C: connect round \(round + 1)") }
                client.on(.close) { _ in
                    round += 1
                    log("C: close round \(round) connect=\(client.listenerCount(.connect))"
                        + " timeout=\(client.listenerCount(.timeout))")
                    if round < 3 {
                        client.once(.connect) { log("C: once connect added in close, round \(round + 1)") }
                        setImmediate { try! client.connect(port: port, host: "127.0.0.1") }
                    } else {
                        server.close()
                    }
                }
                try! client.connect(port: port, host: "127.0.0.1")
            }
        }
    }

    /// `removeAllListeners()` in 'close', then a reconnect: no listener of before fires (as in Node), the
    /// socket's own 'end' listener is not put back, and listeners added after the reconnect fire.
    @Test func removeAllListenersThenReconnect() throws {
        try compare("""
            const server = net.createServer((c) => c.end('payload'));
            server.listen(0, '127.0.0.1', () => {
              const port = server.address().port;
              const client = new net.Socket();
              client.on('data', (d) => log('C: data round 1 ' + d));
              client.on('close', () => {
                log('C: close round 1');
                client.removeAllListeners();
                log('C: after removeAll close=' + client.listenerCount('close') + ' data=' + client.listenerCount('data')
                  + ' end=' + client.listenerCount('end'));
                setTimeout(() => {
                  client.connect(port, '127.0.0.1');
                  log('C: reconnecting end=' + client.listenerCount('end') + ' data=' + client.listenerCount('data'));
                  client.on('close', () => { log('C: close round 2'); server.close(); });
                }, 10);
              });
              client.connect(port, '127.0.0.1');
            });
            """) { log in
            let server = Net.createServer { c in c.end("payload") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let client = Socket()
                client.on(.data) { d in log("C: data round 1 \(d.toString())") }
                client.on(.close) { _ in
                    log("C: close round 1")
                    client.removeAllListeners()
                    log("C: after removeAll close=\(client.listenerCount(.close)) data=\(client.listenerCount(.data))"
                        + " end=\(client.listenerCount(.end))")
                    setTimeout(10) {
                        try! client.connect(port: port, host: "127.0.0.1")
                        log("C: reconnecting end=\(client.listenerCount(.end)) data=\(client.listenerCount(.data))")
                        client.on(.close) { _ in log("C: close round 2"); server.close() }
                    }
                }
                try! client.connect(port: port, host: "127.0.0.1")
            }
        }
    }
    /// Node's `kDataListening`, which the scenario above depends on: `removeAllListeners()` drops 'data'
    /// listeners without `removeListener` (unless a 'removeListener' listener is there), so a readable
    /// whose 'readable' listeners go afterwards resumes flowing; `off('data')` clears it.
    @Test func dataListeningSurvivesRemoveAllListeners() throws {
        let node = try Node.run("""
            const {Readable} = require('stream');
            function t(name, f) { const r = new Readable({read(){}}); f(r); setImmediate(() => console.log(name + ' ' + r.readableFlowing)); }
            t('removeAll()', r => { r.on('data',()=>{}); r.pause(); r.removeAllListeners(); });
            t('removeAll(data) then readable', r => { r.on('data',()=>{}); r.removeAllListeners('data'); r.on('readable',()=>{}); r.removeAllListeners('readable'); });
            t('off(data) then readable', r => { const f=()=>{}; r.on('data',f); r.off('data', f); r.on('readable',()=>{}); r.removeAllListeners('readable'); });
            t('removeAll(data) told', r => { r.on('removeListener',()=>{}); r.on('data',()=>{}); r.removeAllListeners('data'); r.on('readable',()=>{}); r.removeAllListeners('readable'); });
            t('once(data) fired', r => { r.once('data',()=>{}); r.push('x'); r.on('readable',()=>{}); r.removeAllListeners('readable'); });
            """)
        #expect(node.status == 0, "\(node.stderr)")
        final class Source: Readable {
            let eventListeners = EventListeners()
            let streamState = StreamState(readable: .init())
            func _read(_ size: Int) {}
        }
        let ours = LoopThread.run { _, trace in
            func t(_ name: String, _ f: (Source) -> Void) {
                let r = Source()
                f(r)
                setImmediate { trace.log("\(name) \(r.readableFlowing.map { "\($0)" } ?? "null")") }
            }
            t("removeAll()") { r in r.on(.data) { _ in }; r.pause(); r.removeAllListeners() }
            t("removeAll(data) then readable") { r in
                r.on(.data) { _ in }; r.removeAllListeners(.data); r.on(.readable) {}; r.removeAllListeners(.readable)
            }
            t("off(data) then readable") { r in
                let token = r.on(.data) { _ in }; r.off(.data, token); r.on(.readable) {}; r.removeAllListeners(.readable)
            }
            t("removeAll(data) told") { r in
                r.on(.removeListener) { _ in }; r.on(.data) { _ in }; r.removeAllListeners(.data)
                r.on(.readable) {}; r.removeAllListeners(.readable)
            }
            t("once(data) fired") { r in
                r.once(.data) { _ in }; r.push(Buffer("x")); r.on(.readable) {}; r.removeAllListeners(.readable)
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == node.stdout.split(separator: "\n").map(String.init))
    }
}
