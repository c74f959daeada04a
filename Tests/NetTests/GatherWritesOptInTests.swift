#if canImport(Glibc)
import Glibc
#endif
@testable import Net
import NetTestSupport
import Testing

/// The differences from Node that `Socket.gatherWrites` documents occur only with the option on: with the
/// defaults every write reaches the kernel when Node's would.
@Suite struct GatherWritesOptInTests {
    /// Ten small writes and then a blocking call (here: the test reads the peer synchronously inside the
    /// callback, as a second's wait would see it). By default, as in Node, the peer has all ten at once;
    /// with gathering only the first four, the rest once the callback ends.
    @Test(arguments: [false, true])
    func tenWritesThenABlockingCall(gatherWrites: Bool) {
        let server = WriteGatheringTests.RawServer()
        defer { server.close() }
        let ours = LoopThread.run { _, trace in
            var c: Socket!
            c = try! Net.connect(ConnectOptions(path: server.path, gatherWrites: gatherWrites)) {
                for digit in 0...9 { c.write("\(digit)") }
                let peer = server.accept()
                usleep(100_000)   // the blocking call
                trace.log("during the callback: \(WriteGatheringTests.RawServer.available(peer))")
                setImmediate {
                    trace.log("after it: \(WriteGatheringTests.RawServer.available(peer))")
                    Glibc.close(peer)
                    c.destroy()
                }
            }
        }
        #expect(ours.finished)
        if gatherWrites {
            #expect(ours.trace == ["during the callback: 0123", "after it: 456789"])
        } else {
            #expect(ours.trace == ["during the callback: 0123456789", "after it: "])
        }
    }

    /// Off unless asked for, and each way of asking turns it on: `Socket.Options`, `ConnectOptions`, and
    /// `Server.Options` for every accepted socket.
    @Test func offByDefaultAndOnWhereAskedFor() {
        let ours = LoopThread.run { _, trace in
            trace.log("Socket() \(Socket().gatherWrites), Options \(try! Socket(Socket.Options(gatherWrites: true)).gatherWrites)")
            for gather in [false, true] {
                var server: Server!
                server = Net.createServer(Server.Options(gatherWrites: gather)) { accepted in
                    trace.log("server option \(gather): accepted \(accepted.gatherWrites)")
                    accepted.destroy()
                    server.close()
                }
                try! server.listen(port: 0, host: "127.0.0.1") {
                    var options = ConnectOptions(port: server.address()!.port!, host: "127.0.0.1")
                    options.gatherWrites = gather
                    let c = try! Net.connect(options)
                    trace.log("connect option \(gather): \(c.gatherWrites)")
                    c.on(.error) { _ in }
                    c.on(.close) { _ in }
                    c.resume()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace.first == "Socket() false, Options true")
        #expect(Set(ours.trace.dropFirst()) == [
            "connect option false: false", "connect option true: true",
            "server option false: accepted false", "server option true: accepted true",
        ])
    }

    /// Turning `gatherWrites` off hands what was kept to the kernel at once: the peer has every byte
    /// during the callback.
    @Test func turningGatheringOffHandsTheKeptBytesOnAtOnce() {
        let server = WriteGatheringTests.RawServer()
        defer { server.close() }
        let ours = LoopThread.run { _, trace in
            var c: Socket!
            c = try! Net.connect(ConnectOptions(path: server.path, gatherWrites: true)) {
                for digit in 0...7 { c.write("\(digit)") }
                let peer = server.accept()
                trace.log("kept: \(WriteGatheringTests.RawServer.available(peer)) gathering \(c.isGathering)")
                c.gatherWrites = false
                trace.log("off: \(WriteGatheringTests.RawServer.available(peer)) gathering \(c.isGathering)")
                Glibc.close(peer)
                c.destroy()
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["kept: 0123 gathering true", "off: 4567 gathering false"])
    }

    static let resetMidCallbackJS = """
        let peer = null, ready = false, c;
        const server = net.createServer((s) => { peer = s; server.close(); go(); });
        server.listen(0, '127.0.0.1', () => {
          c = net.connect(server.address().port, '127.0.0.1', () => { ready = true; go(); });
          c.on('error', (e) => log('error ' + e.code + ' ' + e.syscall));
          c.on('close', (hadError) => log('close ' + hadError));
        });
        function go() {
          if (!peer || !ready) return;
          const results = [];
          for (let i = 0; i < 4; i++) results.push(c.write('x'));
          peer.resetAndDestroy();
          for (let i = 4; i < 10; i++) results.push(c.write('x'));
          log('writes ' + results.join(' ') + ' destroyed ' + c.destroyed + ' errored ' + (c.errored ? c.errored.code : 'null'));
          process.nextTick(() => log('tick destroyed ' + c.destroyed));
          setImmediate(() => {
            const r = c.write('y', (e) => log('later cb ' + (e ? e.code : 'null')));
            log('later write ' + r + ' destroyed ' + c.destroyed);
          });
        }
        """

    static func resetMidCallback(gatherWrites: Bool) -> LoopThread.Result {
        LoopThread.run { _, trace in
            var peer: Socket?, ready = false
            var c: Socket!
            func go() {
                guard let peer, ready else { return }
                var results: [Bool] = []
                for _ in 0..<4 { results.append(c.write("x")) }
                _ = try? peer.resetAndDestroy()
                for _ in 4..<10 { results.append(c.write("x")) }
                trace.log("writes \(results.map(String.init).joined(separator: " ")) destroyed \(c.destroyed) errored \(c.errored?.code ?? "null")")
                nextTick { trace.log("tick destroyed \(c.destroyed)") }
                setImmediate {
                    let r = c.write("y") { e in trace.log("later cb \(e?.code ?? "null")") }
                    trace.log("later write \(r) destroyed \(c.destroyed)")
                }
            }
            var server: Server!
            server = Net.createServer { s in peer = s; server.close(); go() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var options = ConnectOptions(port: server.address()!.port!, host: "127.0.0.1")
                options.gatherWrites = gatherWrites
                c = try! Net.connect(options) { ready = true; go() }
                c.on(.error) { e in trace.log("error \(e.code) \(e.syscall ?? "")") }
                c.on(.close) { hadError in trace.log("close \(hadError)") }
            }
        }
    }

    /// The peer resets in the middle of a callback that writes. By default Net's trace is Node's: the
    /// first write after the reset fails at once (false, `errored` set), the socket is destroyed by the
    /// next tick, and a later write fails with ERR_STREAM_DESTROYED.
    @Test func aResetMidCallbackFailsTheNextWriteAsInNode() throws {
        let node = try Node.run(SocketDifferentialTests.prelude + Self.resetMidCallbackJS)
        #expect(node.status == 0, "\(node.stderr)")
        let expected = node.stdout.split(separator: "\n").map(String.init)
        let ours = Self.resetMidCallback(gatherWrites: false)
        #expect(ours.finished)
        #expect(ours.trace == expected)
        #expect(expected.first?.hasPrefix("writes true true true true false false false false false false destroyed false errored E") == true,
                "\(expected)")
        #expect(expected.contains("tick destroyed true"), "\(expected)")
        #expect(expected.contains("later cb ERR_STREAM_DESTROYED"), "\(expected)")
    }

    /// The same with `gatherWrites`: the writes after the reset return true and the socket is not
    /// destroyed during the callback nor its ticks; the failure comes afterwards as one 'error'.
    @Test func aResetMidCallbackWithGatheringFailsLater() {
        let ours = Self.resetMidCallback(gatherWrites: true)
        #expect(ours.finished)
        #expect(ours.trace.first == "writes true true true true true true true true true true destroyed false errored null")
        #expect(ours.trace.dropFirst().first == "tick destroyed false")
        #expect(ours.trace.dropFirst(2).first?.hasPrefix("error E") == true, "\(ours.trace)")
        #expect(ours.trace.contains("later cb ERR_STREAM_DESTROYED"), "\(ours.trace)")
    }
}
