@testable import Net
import NetTestSupport
import Testing

/// Small callback-less writes gathered within one callback (`Socket.gather(_:on:)`): each completes at
/// once, as a write the kernel takes does in Node, and the bytes reach the kernel together at the end of
/// the callback. The scenarios that Node can run are compared with Node's trace.
@Suite struct WriteGatheringTests {
    /// 1000 writes of 64 bytes in one callback, one write with a callback among them, then `end()`: every
    /// write returns true with `writableLength` back to 0, callbacks and ticks keep Node's order, and the
    /// peer gets every byte in order. In Swift the writes after the first of the callback were gathered.
    @Test func smallWritesInOneCallbackKeepNodesContract() throws {
        let gatheredAfterSecondWrite = Flag()
        try SocketDifferentialTests.compare("""
            const server = net.createServer((c) => {
              const got = [];
              c.on('data', (d) => got.push(d));
              c.on('end', () => {
                const all = Buffer.concat(got);
                let inOrder = all.length === 1003 * 64;
                for (let i = 0; i < all.length && inOrder; i++) if (all[i] !== ((i >> 6) + (i & 63)) % 256) inOrder = false;
                log('S: got ' + all.length + ' in order ' + inOrder);
                server.close();
              });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                const chunk = (n) => Buffer.from(Array.from({ length: 64 }, (_, i) => (n + i) % 256));
                let trues = 0, nonZero = 0;
                for (let n = 0; n < 1000; n++) {
                  if (c.write(chunk(n))) trues++;
                  if (c.writableLength !== 0) nonZero++;
                }
                log('C: true ' + trues + ' length not 0 ' + nonZero + ' written ' + c.bytesWritten);
                c.write(chunk(1000), (e) => log('C: cb ' + show(e) + ' length ' + c.writableLength));
                process.nextTick(() => log('C: tick'));
                c.write(chunk(1001));
                c.write(chunk(1002));
                c.end(() => log('C: end cb'));
                log('C: after end length ' + c.writableLength);
              });
              c.on('finish', () => log('C: finish'));
              c.on('close', (hadError) => log('C: close ' + hadError));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                var got: [UInt8] = []
                c.on(.data) { got += $0.buffer.bytes }
                c.on(.end) {
                    let inOrder = got.count == 1003 * 64
                        && got.indices.allSatisfy { got[$0] == UInt8(truncatingIfNeeded: ($0 >> 6) + ($0 & 63)) }
                    log("S: got \(got.count) in order \(inOrder)")
                    server.close()
                }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    func chunk(_ n: Int) -> Buffer { Buffer((0..<64).map { UInt8(truncatingIfNeeded: n + $0) }) }
                    var trues = 0, nonZero = 0
                    for n in 0..<1000 {
                        if c.write(chunk(n)) { trues += 1 }
                        if c.writableLength != 0 { nonZero += 1 }
                        if n == 1, c.isGathering { gatheredAfterSecondWrite.set() }
                    }
                    log("C: true \(trues) length not 0 \(nonZero) written \(c.bytesWritten)")
                    c.write(chunk(1000)) { e in log("C: cb \(e.map { "\($0.code) \($0.message)" } ?? "null") length \(c.writableLength)") }
                    nextTick { log("C: tick") }
                    c.write(chunk(1001))
                    c.write(chunk(1002))
                    c.end { _ in log("C: end cb") }
                    log("C: after end length \(c.writableLength)")
                }
                c.on(.finish) { log("C: finish") }
                c.on(.close) { hadError in log("C: close \(hadError)") }
            }
        }
        #expect(gatheredAfterSecondWrite.isSet, "the second small write of a callback was not gathered")
    }

    /// `destroy()` right after gathered writes: the peer still gets them, as in Node, where the kernel
    /// had taken them and sends them before the FIN.
    @Test func destroyAfterGatheredWritesSendsThem() throws {
        try SocketDifferentialTests.compare("""
            const server = net.createServer((c) => {
              let got = '';
              c.setEncoding('latin1');
              c.on('data', (d) => got += d);
              c.on('end', () => { log('S: got ' + got); server.close(); });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                for (const s of ['one ', 'two ', 'three ', 'four']) c.write(s);
                c.destroy();
                log('C: destroyed, length ' + c.writableLength);
              });
              c.on('close', (hadError) => log('C: close ' + hadError));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                var got = ""
                c.setEncoding(.latin1)
                c.on(.data) { got += $0.string ?? "" }
                c.on(.end) { log("S: got \(got)"); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    for s in ["one ", "two ", "three ", "four"] { c.write(s) }
                    c.destroy()
                    log("C: destroyed, length \(c.writableLength)")
                }
                c.on(.close) { hadError in log("C: close \(hadError)") }
            }
        }
    }

    /// Writes to a peer that has closed (it answers with a reset): the gathered bytes failing make the
    /// 'error' (EPIPE, syscall write) and 'close' Node makes, after the callback's ticks as in Node. Where
    /// Node differs: on loopback the reset is back before its second `write`, which then fails at once;
    /// here that write returned true, and the failure comes at the end of the callback, as it does in
    /// Node when the reset arrives later (over a real network).
    @Test func aGatheredWriteThatFailsIsAnErrorEvent() throws {
        let js = """
            const server = net.createServer((c) => { c.destroy(); server.close(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
              c.on('end', () => {
                for (let i = 0; i < 3; i++) {
                  const r = c.write('abc');
                  console.log('write ' + i + ' ' + r + ' errored ' + (c.errored ? c.errored.code : 'null'));
                }
                process.nextTick(() => console.log('tick'));
              });
              c.on('error', (e) => console.log('error ' + e.code + ' ' + e.syscall + ' ' + e.message));
              c.on('close', (hadError) => console.log('close ' + hadError));
            });
            """
        let node = try Node.run(js)
        #expect(node.status == 0, "\(node.stderr)")
        let ours = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in c.destroy(); server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "127.0.0.1", allowHalfOpen: true))
                c.on(.end) {
                    for i in 0..<3 {
                        let r = c.write("abc")
                        trace.log("write \(i) \(r) errored \(c.errored?.code ?? "null")")
                    }
                    nextTick { trace.log("tick") }
                }
                c.on(.error) { e in trace.log("error \(e.code) \(e.syscall ?? "") \(e.message)") }
                c.on(.close) { hadError in trace.log("close \(hadError)") }
            }
        }
        #expect(ours.finished)
        let events = { (lines: [String]) in lines.filter { !$0.hasPrefix("write ") } }
        #expect(events(ours.trace) == events(node.stdout.split(separator: "\n").map(String.init)))
        #expect(events(ours.trace) == ["tick", "error EPIPE write write EPIPE", "close true"])
        #expect(ours.trace.filter { $0.hasPrefix("write ") } == (0..<3).map { "write \($0) true errored null" })
    }

    /// 20,000 messages of 64 bytes through an echo, both ends writing as the stream allows, every 100th
    /// write with a callback (so gathered and immediate writes alternate): every byte comes back once
    /// and in order, every callback runs in order, 'drain' follows each `write` that returned false.
    @Test func manySmallWritesThroughAnEchoArriveWholeAndInOrder() {
        let messages = 20_000
        let ours = LoopThread.run { loop, trace in
            var server: Server!
            server = Net.createServer { peer in _ = peer.pipe(peer) }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                var echoed: [UInt8] = []
                var sent: [UInt8] = []
                var callbacks = 0, outOfOrder = 0, falses = 0, drains = 0, gathering = 0
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    var next = 0
                    func pump() {
                        while next < messages {
                            let message = Buffer((0..<64).map { UInt8(truncatingIfNeeded: next &+ $0) })
                            sent += message.bytes
                            let more: Bool
                            if next % 100 == 99 {
                                let expected = next / 100
                                more = c.write(message) { e in
                                    if e != nil || callbacks != expected { outOfOrder += 1 }
                                    callbacks += 1
                                }
                            } else {
                                more = c.write(message)
                            }
                            if c.isGathering { gathering += 1 }
                            next += 1
                            if !more {
                                falses += 1
                                c.once(.drain) { drains += 1; loop.nextTick(pump) }
                                return
                            }
                        }
                        c.end()
                    }
                    pump()
                }
                c.on(.data) { echoed += $0.buffer.bytes }
                c.on(.end) {
                    trace.log("echoed \(echoed.count) equal \(echoed == sent)")
                    trace.log("callbacks \(callbacks) out of order \(outOfOrder)")
                    trace.log("drains \(drains == falses), gathered \(gathering > 0)")
                    server.close()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == [
            "echoed \(messages * 64) equal true",
            "callbacks \(messages / 100) out of order 0",
            "drains true, gathered true",
        ])
    }

    /// `exit()` inside the callback that gathered writes: the bytes still reach the peer, as the bytes a
    /// Node process's kernel took do when it exits (the `exit-after-writes` fixture). The fixture runs
    /// while this loop waits for it: the kernel accepts its connection and keeps what it sent.
    @Test func exitInTheCallbackStillSendsTheGatheredWrites() {
        let ours = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in
                var got = ""
                c.setEncoding(.latin1)
                c.on(.data) { got += $0.string ?? "" }
                c.on(.end) { trace.log("got \(got)"); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let fixture = try? Fixture.run("exit-after-writes", [String(server.address()!.port!)])
                trace.log("fixture status \(fixture?.status ?? -1) \(fixture?.stdout ?? "")")
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["fixture status 0 ", "got one two three four"])
    }
}

/// A flag set on a loop's thread and read by the test after the loop has finished.
private final class Flag: @unchecked Sendable {
    // @unchecked: written on the loop's thread, read after LoopThread.run has joined it.
    private(set) var isSet = false
    func set() { isSet = true }
}
