import Foundation
@testable import Net
import NetTestSupport
import Testing

/// The option gaps of issue 21 against Node v20: `highWaterMark` on servers and connect options, the
/// constructor options of `Socket.Options`, what `connect(options)` hands to the socket, the state a
/// synchronous argument error leaves, and `path: ""`.
@Suite struct ConnectOptionGapsTests {
    typealias D = SocketDifferentialTests

    @Test func syncArgumentErrorLeavesTheSocketConnectingWithItsListener() throws {
        try D.compare("""
            const a = new net.Socket();
            try { a.connect({ port: -1 }, () => {}); } catch (e) {
              log(`C: ${e.code} ${a.connecting} ${a.readyState} ${a.listenerCount('connect')}`);
            }
            a.destroy();
            const b = new net.Socket();
            try { b.connect({ port: 1, localAddress: 'x' }, () => {}); } catch (e) {
              log(`C: ${e.code} ${b.connecting} ${b.readyState} ${b.listenerCount('connect')}`);
            }
            b.on('close', () => log(`C: close ${b.connecting}`));
            b.destroy();
            const c = new net.Socket();
            try { c.connect({}, () => {}); } catch (e) {
              log(`C: ${e.code} ${c.connecting} ${c.listenerCount('connect')}`);
            }
            """) { log in
            let a = Socket()
            do { try a.connect(ConnectOptions(port: -1)) {} } catch { let error = error as! NetError;
                log("C: \(error.code) \(a.connecting) \(a.readyState.rawValue) \(a.listenerCount(.connect))")
            }
            a.destroy()
            let b = Socket()
            do { try b.connect(ConnectOptions(port: 1, localAddress: "x")) {} } catch { let error = error as! NetError;
                log("C: \(error.code) \(b.connecting) \(b.readyState.rawValue) \(b.listenerCount(.connect))")
            }
            b.on(.close) { _ in log("C: close \(b.connecting)") }
            b.destroy()
            let c = Socket()
            do { try c.connect(ConnectOptions()) {} } catch { let error = error as! NetError;
                log("C: \(error.code) \(c.connecting) \(c.listenerCount(.connect))")
            }
        }
    }

    @Test func emptyPathIsNoPath() throws {
        try D.compare("""
            const server = net.createServer((s) => { log('S: connection'); s.end(); server.close(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.createConnection({ path: '', port: server.address().port, host: '127.0.0.1' },
                () => log('C: connect ' + c.remoteAddress));
              c.resume();
              const d = net.createConnection({ path: '', host: '127.0.0.1' });
              d.on('error', (e) => log('D: ' + show(e)));
            });
            """) { log in
            let server = Net.createServer { s in log("S: connection"); s.end() }
            server.on(.connection) { _ in server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var options = ConnectOptions(port: server.address()!.port!, host: "127.0.0.1")
                options.path = ""
                var c: Socket!
                c = try! Net.createConnection(options) { log("C: connect \(c.remoteAddress ?? "nil")") }
                c.resume()
                var noPort = ConnectOptions(host: "127.0.0.1")
                noPort.path = ""
                let d = try! Net.createConnection(noPort)
                d.on(.error) { e in log("D: \(e.code) \(e.message)") }
            }
        }
    }

    @Test func highWaterMarkOnServerAndConnect() throws {
        try D.compare("""
            for (const v of [-1]) {
              try { new net.Socket({ highWaterMark: v }); } catch (e) { log('C: ' + show(e)); }
              try { net.connect({ port: 1, highWaterMark: v }); } catch (e) { log('C: ' + show(e)); }
            }
            const server = net.createServer({ highWaterMark: 1024 }, (s) => {
              log(`S: ${s.readableHighWaterMark} ${s.writableHighWaterMark}`);
              s.destroy(); server.close();
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: '127.0.0.1', highWaterMark: 2048 });
              log(`C: ${c.readableHighWaterMark} ${c.writableHighWaterMark}`);
              c.on('error', () => {}); c.resume();
              const n = net.createServer({ highWaterMark: -5 }, (s) => {
                log(`N: ${s.readableHighWaterMark} ${s.writableHighWaterMark}`); s.destroy(); n.close();
              }).listen(0, '127.0.0.1', () => net.connect(n.address().port, '127.0.0.1').on('error', () => {}).resume());
            });
            """) { log in
            do { _ = try Socket(.init(highWaterMark: -1)) } catch { let error = error as! NetError; log("C: \(error.code) \(error.message)") }
            var bad = ConnectOptions(port: 1)
            bad.highWaterMark = -1
            do { _ = try Net.connect(bad) } catch { let error = error as! NetError; log("C: \(error.code) \(error.message)") }
            let server = Net.createServer(.init(highWaterMark: 1024)) { s in
                log("S: \(s.readableHighWaterMark) \(s.writableHighWaterMark)")
                s.destroy()
            }
            server.on(.connection) { _ in server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var options = ConnectOptions(port: server.address()!.port!, host: "127.0.0.1")
                options.highWaterMark = 2048
                let c = try! Net.connect(options)
                log("C: \(c.readableHighWaterMark) \(c.writableHighWaterMark)")
                c.on(.error) { _ in }
                c.resume()
                let n = Net.createServer(.init(highWaterMark: -5)) { s in
                    log("N: \(s.readableHighWaterMark) \(s.writableHighWaterMark)")
                    s.destroy()
                }
                n.on(.connection) { _ in n.close() }
                try! n.listen(port: 0, host: "127.0.0.1") {
                    let k = try! Net.connect(port: n.address()!.port!, host: "127.0.0.1")
                    k.on(.error) { _ in }
                    k.resume()
                }
            }
        }
    }

    /// `Socket.Options` takes Node's constructor options: a socket made with `noDelay` and `keepAlive`
    /// applies them on connect (read back from the kernel), and `onread` receives the bytes.
    @Test func socketOptionsNoDelayKeepAliveOnread() {
        let result = LoopThread.run { _, trace in
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
            let server = Net.createServer { s in s.end("hello") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var received = ""
                let onread = OnRead(buffer: .buffer(memory)) { count, buffer in
                    received += String(decoding: buffer[..<count], as: UTF8.self)
                    return true
                }
                let s = try! Socket(.init(noDelay: true, keepAlive: true, keepAliveInitialDelay: 3000, onread: onread))
                try! s.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    trace.log("nodelay \(SocketControlsNodeRulesTests.sockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY) != 0)")
                    trace.log("keepalive \(SocketControlsNodeRulesTests.sockopt(s, Int32(SOL_SOCKET), SO_KEEPALIVE) != 0)")
                    trace.log("idle \(SocketControlsNodeRulesTests.sockopt(s, Int32(IPPROTO_TCP), TCP_KEEPIDLE))")
                }
                s.on(.data) { _ in trace.log("FAIL data event with onread") }
                s.on(.end) { trace.log("onread \(received)"); server.close() }
            }
            server.on(.close) { memory.deallocate() }
        }
        #expect(result.finished)
        #expect(result.trace == ["nodelay true", "keepalive true", "idle 3", "onread hello"])
    }

    /// `connect(options)` hands `fd`, `readable` and `writable` to the socket it makes.
    @Test func connectOptionsReachTheSocket() {
        let result = LoopThread.run { _, trace in
            var fds: [Int32] = [0, 0]
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
            var options = ConnectOptions(path: "/nonexistent-net-test.sock")
            options.fd = fds[0]
            options.readable = true
            options.writable = false
            // As Node: the socket wraps the descriptor, then connects it again, which fails.
            let s = try! Net.connect(options)
            trace.log("writable \(s.writable)")
            s.on(.error) { e in trace.log("error \(e.syscall ?? "")") }
            s.on(.close) { _ in close(fds[1]); trace.log("closed") }
            var bad = ConnectOptions(port: 1)
            bad.fd = -2
            do { _ = try Net.connect(bad) } catch { let error = error as! NetError; trace.log("\(error.code)") }
        }
        #expect(result.finished)
        #expect(result.trace.first == "writable false")
        #expect(result.trace.contains("ERR_OUT_OF_RANGE"))
        #expect(result.trace.last == "closed")
    }

    /// The documented spelling compiles and is the same type.
    @Test func socketConnectOptionsSpelling() {
        let options: Socket.ConnectOptions = ConnectOptions(port: 80)
        let back: ConnectOptions = options
        #expect(back.port == 80)
    }
}
