import Foundation
import Net
import NetTestSupport
import Testing

/// A socket's small buffered writes (corked, or made while a write is in flight) share one chunk
/// (`Writable._coalescesBufferedWrites`): what a program can see must stay Node's. Each scenario runs in
/// Node and in Swift and the traces must match: write return values, `writableLength`, `writableCorked`,
/// callback order, 'drain', 'finish', `bytesWritten`, and the bytes the peer receives (their count and
/// a checksum).
@Suite struct CoalescedWritesTests {
    /// Cork, a mix of small writes (buffers and strings, some with callbacks), a large one, more small
    /// ones, uncork: the peer gets every byte in order, callbacks run in order after the batch.
    @Test func corkedMixedWritesMatchNode() throws {
        try SocketDifferentialTests.compare("""
            const sum = (b) => { let s = 0; for (const x of b) s = (s * 31 + x) % 1000000007; return s; };
            const server = net.createServer((c) => {
              const parts = [];
              c.on('data', (d) => parts.push(d));
              c.on('end', () => { const all = Buffer.concat(parts); log('S: got ' + all.length + ' ' + sum(all)); server.close(); });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                c.cork();
                for (let i = 0; i < 300; i++) {
                  const n = 1 + (i * 37) % 100;
                  const ret = (i % 3 === 0) ? c.write('s'.repeat(n)) : c.write(Buffer.alloc(n, 97 + i % 26),
                    i % 7 === 0 ? (e) => log('C: cb ' + i + ' ' + show(e)) : undefined);
                  if (i % 50 === 0) log('C: write ' + i + ' ' + ret + ' ' + c.writableLength + ' ' + c.writableCorked);
                  if (i === 150) log('C: big ' + c.write(Buffer.alloc(5000, 122)) + ' ' + c.writableLength);
                }
                log('C: before uncork ' + c.writableLength + ' ' + c.bytesWritten);
                c.uncork();
                log('C: after uncork ' + c.writableLength);
                c.on('drain', () => log('C: drain ' + c.writableLength));
                c.end(() => log('C: end cb ' + c.bytesWritten));
              });
              c.on('finish', () => log('C: finish'));
            });
            """) { log in
            func sum(_ bytes: [UInt8]) -> Int { bytes.reduce(0) { ($0 * 31 + Int($1)) % 1_000_000_007 } }
            var server: Server!
            server = Net.createServer { c in
                var all: [UInt8] = []
                c.on(.data) { d in all += d.buffer.bytes }
                c.on(.end) { log("S: got \(all.count) \(sum(all))"); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    c.cork()
                    for i in 0..<300 {
                        let n = 1 + (i * 37) % 100
                        let ret: Bool
                        if i % 3 == 0 {
                            ret = c.write(String(repeating: "s", count: n))
                        } else if i % 7 == 0 {
                            ret = c.write(Buffer.alloc(n, fill: UInt8(97 + i % 26))) { e in
                                log("C: cb \(i) \(e.map { "\($0.code) \($0.message)" } ?? "null")")
                            }
                        } else {
                            ret = c.write(Buffer.alloc(n, fill: UInt8(97 + i % 26)))
                        }
                        if i % 50 == 0 { log("C: write \(i) \(ret) \(c.writableLength) \(c.writableCorked)") }
                        if i == 150 { log("C: big \(c.write(Buffer.alloc(5000, fill: 122))) \(c.writableLength)") }
                    }
                    log("C: before uncork \(c.writableLength) \(c.bytesWritten)")
                    c.uncork()
                    log("C: after uncork \(c.writableLength)")
                    c.on(.drain) { log("C: drain \(c.writableLength)") }
                    c.end { _ in log("C: end cb \(c.bytesWritten)") }
                }
                c.on(.finish) { log("C: finish") }
            }
        }
    }

    /// Small writes made while a large write waits for the kernel (the buffered path without a cork):
    /// return values and 'drain' as in Node, every byte delivered.
    @Test func smallWritesBehindALargeOneMatchNode() throws {
        try SocketDifferentialTests.compare("""
            const sum = (b) => { let s = 0; for (const x of b) s = (s * 31 + x) % 1000000007; return s; };
            const server = net.createServer({ pauseOnConnect: true }, (c) => {
              const parts = [];
              setTimeout(() => c.resume(), 100);
              c.on('data', (d) => parts.push(d));
              c.on('end', () => { const all = Buffer.concat(parts); log('S: got ' + all.length + ' ' + sum(all)); server.close(); });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                log('C: large ' + c.write(Buffer.alloc(8 << 20, 1)));
                let falses = 0;
                for (let i = 0; i < 2000; i++) if (!c.write(Buffer.alloc(1 + i % 64, i % 251))) falses++;
                log('C: small falses ' + falses + ' length ' + c.writableLength);
                c.once('drain', () => { log('C: drain ' + c.writableLength); c.end(); });
              });
              c.on('finish', () => log('C: finish ' + c.bytesWritten));
            });
            """) { log in
            func sum(_ bytes: [UInt8]) -> Int { bytes.reduce(0) { ($0 * 31 + Int($1)) % 1_000_000_007 } }
            var server: Server!
            server = Net.createServer(.init(pauseOnConnect: true)) { c in
                var all: [UInt8] = []
                _ = setTimeout(100) { c.resume() }
                c.on(.data) { d in all += d.buffer.bytes }
                c.on(.end) { log("S: got \(all.count) \(sum(all))"); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    log("C: large \(c.write(Buffer.alloc(8 << 20, fill: 1)))")
                    var falses = 0
                    for i in 0..<2000 where !c.write(Buffer.alloc(1 + i % 64, fill: UInt8(i % 251))) { falses += 1 }
                    log("C: small falses \(falses) length \(c.writableLength)")
                    c.once(.drain) { log("C: drain \(c.writableLength)"); c.end() }
                }
                c.on(.finish) { log("C: finish \(c.bytesWritten)") }
            }
        }
    }

    /// Destroyed while corked: the callbacks of buffered writes get Node's error, the coalesced writes
    /// count as done (no write stays pending), and 'close' follows as in Node.
    @Test func destroyWhileCorkedMatchesNode() throws {
        try SocketDifferentialTests.compare("""
            const server = net.createServer((c) => { c.resume(); c.on('close', () => server.close()); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                c.cork();
                for (let i = 0; i < 20; i++) c.write('x'.repeat(10));
                c.write('y', (e) => log('C: cb ' + show(e) + ' ' + c.writableLength));
                for (let i = 0; i < 20; i++) c.write('z');
                log('C: length ' + c.writableLength);
                c.destroy();
                log('C: destroyed ' + c.writableLength + ' ' + c.destroyed);
              });
              c.on('close', (hadError) => log('C: close ' + hadError + ' ' + c.writableLength));
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                c.resume()
                c.on(.close) { _ in server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    c.cork()
                    for _ in 0..<20 { c.write(String(repeating: "x", count: 10)) }
                    c.write("y") { e in log("C: cb \(e.map { "\($0.code) \($0.message)" } ?? "null") \(c.writableLength)") }
                    for _ in 0..<20 { c.write("z") }
                    log("C: length \(c.writableLength)")
                    c.destroy()
                    log("C: destroyed \(c.writableLength) \(c.destroyed)")
                }
                c.on(.close) { hadError in log("C: close \(hadError) \(c.writableLength)") }
            }
        }
    }

    /// Corked 64-byte writes, buffers and strings, until one returns false (the one that reaches the
    /// high-water mark), then past it: every return value, `writableLength` and `writableNeedDrain` as in
    /// Node, twice over (a second batch after 'drain'), then a write after `end()` fails with Node's error.
    /// The writes that go into the tail of what is buffered take a shorter path (`writeIntoTail`): this
    /// pins that it answers exactly as `writeChunk` does.
    @Test func corkedSmallWritesUntilFalseMatchNode() throws {
        try SocketDifferentialTests.compare("""
            const server = net.createServer((c) => {
              let n = 0;
              c.on('data', (d) => { n += d.length; });
              c.on('end', () => { log('S: got ' + n); server.close(); });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                let batch = 0;
                const send = () => {
                  c.cork();
                  const rets = [];
                  for (let i = 0; i < 300; i++) {
                    const ret = i % 2 ? c.write('s'.repeat(64)) : c.write(Buffer.alloc(64, 97 + i % 26));
                    if (i === 0 || ret !== rets[rets.length - 1]?.[1]) rets.push([i, ret, c.writableLength, c.writableNeedDrain]);
                  }
                  log('C: batch ' + batch + ' ' + JSON.stringify(rets) + ' ' + c.writableLength + ' ' + c.bytesWritten);
                  c.uncork();
                  log('C: uncorked ' + c.writableLength);
                };
                c.on('drain', () => {
                  log('C: drain ' + c.writableLength);
                  if (++batch < 2) return send();
                  c.end();
                  log('C: after end ' + c.write(Buffer.alloc(64, 1)) + ' ' + c.writableLength);
                });
                c.on('error', (e) => log('C: error ' + show(e)));
                send();
              });
            });
            """) { log in
            var server: Server!
            server = Net.createServer { c in
                var n = 0
                c.on(.data) { d in n += d.buffer.count }
                c.on(.end) { log("S: got \(n)"); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    var batch = 0
                    func send() {
                        c.cork()
                        var rets: [String] = []
                        var last: Bool?
                        for i in 0..<300 {
                            let ret = i % 2 == 1
                                ? c.write(String(repeating: "s", count: 64))
                                : c.write(Buffer.alloc(64, fill: UInt8(97 + i % 26)))
                            if last != ret { rets.append("[\(i),\(ret),\(c.writableLength),\(c.writableNeedDrain)]") }
                            last = ret
                        }
                        log("C: batch \(batch) [\(rets.joined(separator: ","))] \(c.writableLength) \(c.bytesWritten)")
                        c.uncork()
                        log("C: uncorked \(c.writableLength)")
                    }
                    c.on(.drain) {
                        log("C: drain \(c.writableLength)")
                        batch += 1
                        if batch < 2 { return send() }
                        c.end()
                        log("C: after end \(c.write(Buffer.alloc(64, fill: 1))) \(c.writableLength)")
                    }
                    c.on(.error) { e in log("C: error \(e.code) \(e.message)") }
                    send()
                }
            }
        }
    }

    /// A stream other than a socket keeps one chunk per write, as Node's: its `_writev` sees them all.
    @Test func otherStreamsStillGetOneChunkPerWrite() {
        let result = LoopThread.run { _, trace in
            let stream = MemoryWritable(highWaterMark: 1024, writev: true) { trace.log($0) }
            stream.cork()
            stream.write("a")
            stream.write("bb")
            stream.write(Buffer("ccc"))
            stream.uncork()
        }
        #expect(result.finished)
        #expect(result.trace == ["_writev a,bb,ccc"])
    }
}
