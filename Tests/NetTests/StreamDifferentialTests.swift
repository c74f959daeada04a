import Foundation
@testable import Net
import NetTestSupport
import Testing

/// Node's stream machinery (which net.Socket inherits) against Node itself: each scenario is written
/// twice, with `stream.Readable`/`Writable`/`Duplex` in JavaScript and with Net's protocols in Swift, and
/// the event traces must match line by line.
@Suite struct StreamDifferentialTests {
    // The test streams (MemoryWritable, MemoryReadable, MemoryDuplex) are in NetTestSupport.

    static let prelude = """
        const { Readable, Writable, Duplex } = require('stream');
        const log = (s) => console.log(s);
        const errName = (e) => e ? e.code : 'null';
        const mkWritable = (hwm, asyncWrites = true, writev = false) => new Writable({
          highWaterMark: hwm,
          write(chunk, enc, cb) { log('_write ' + chunk); if (asyncWrites) setImmediate(cb); else cb(); },
          writev: writev ? function(chunks, cb) { log('_writev ' + chunks.map(c => String(c.chunk)).join(',')); setImmediate(cb); } : undefined,
          final(cb) { log('_final'); setImmediate(cb); },
        });
        const mkReadable = (source, hwm) => new Readable({
          highWaterMark: hwm,
          read() { if (!source.length) return; const next = source.shift(); setImmediate(() => this.push(next === null ? null : Buffer.from(next))); },
        });
        const mkDuplex = (allowHalfOpen, source) => new Duplex({
          allowHalfOpen,
          read() { if (!source.length) return; const next = source.shift(); setImmediate(() => this.push(next === null ? null : Buffer.from(next))); },
          write(chunk, enc, cb) { log('_write ' + chunk); setImmediate(cb); },
          final(cb) { log('_final'); setImmediate(cb); },
        });

        """

    static func compare(_ js: String, _ swift: @escaping @Sendable (@escaping (String) -> Void) -> Void) throws {
        let node = try Node.run(prelude + js)
        #expect(node.status == 0, "\(node.stderr)")
        let expected = node.stdout.split(separator: "\n").map(String.init)
        let ours = LoopThread.run { _, trace in swift { trace.log($0) } }
        #expect(ours.finished)
        #expect(ours.trace == expected)
        #expect(!expected.isEmpty)
    }

    // MARK: Writable

    @Test func writableBackpressureDrainFinishClose() throws {
        try Self.compare("""
            const w = mkWritable(16);
            ['drain', 'finish', 'prefinish', 'close'].forEach(e => w.on(e, () => log(e)));
            log('write1 ' + w.write('0123456789', (e) => log('cb1 ' + errName(e))));
            log('write2 ' + w.write('abcdefghij', (e) => log('cb2 ' + errName(e))));
            log('length ' + w.writableLength + ' needDrain ' + w.writableNeedDrain);
            w.once('drain', () => {
              log('write3 ' + w.write('xyz', (e) => log('cb3 ' + errName(e))));
              w.end('!', (e) => log('end cb ' + errName(e)));
              log('ended ' + w.writableEnded + ' finished ' + w.writableFinished);
            });
            """) { log in
            let w = MemoryWritable(highWaterMark: 16, log: log)
            w.on(.drain) { log("drain") }
            w.on(.finish) { log("finish") }
            w.on(.prefinish) { log("prefinish") }
            w.on(.close) { _ in log("close") }
            log("write1 \(w.write("0123456789") { log("cb1 \($0?.code ?? "null")") })")
            log("write2 \(w.write("abcdefghij") { log("cb2 \($0?.code ?? "null")") })")
            log("length \(w.writableLength) needDrain \(w.writableNeedDrain)")
            w.once(.drain) {
                log("write3 \(w.write("xyz") { log("cb3 \($0?.code ?? "null")") })")
                w.end("!") { log("end cb \($0?.code ?? "null")") }
                log("ended \(w.writableEnded) finished \(w.writableFinished)")
            }
        }
    }

    /// A write the resource takes at once does not count against the high-water mark (Node v20 measures
    /// after `_write`): `write` returns true even for a chunk larger than the mark.
    @Test func synchronousWritesDoNotCountAgainstTheMark() throws {
        try Self.compare("""
            const w = mkWritable(16, false);
            log('big ' + w.write('0123456789abcdefghij', (e) => log('cb big ' + errName(e))) + ' length ' + w.writableLength);
            log('needDrain ' + w.writableNeedDrain);
            w.on('drain', () => log('drain'));
            w.end(() => log('ended'));
            """) { log in
            let w = MemoryWritable(highWaterMark: 16, asyncWrites: false, log: log)
            log("big \(w.write("0123456789abcdefghij") { log("cb big \($0?.code ?? "null")") }) length \(w.writableLength)")
            log("needDrain \(w.writableNeedDrain)")
            w.on(.drain) { log("drain") }
            w.end { _ in log("ended") }
        }
    }

    /// A `_write` that writes to its own stream (buffered behind it) and then calls back at once: the
    /// outer write's callback still runs, after the nested callback-less one has gone out.
    final class NestingWritable: Writable {
        let eventListeners = EventListeners()
        let streamState = StreamState(writable: .init())
        let log: (String) -> Void
        var nested = false

        init(log: @escaping (String) -> Void) { self.log = log }

        func _write(_ chunk: Buffer, _ callback: @escaping (NetError?) -> Void) {
            log("_write \(chunk.toString())")
            if !nested {
                nested = true
                write("n")
            }
            callback(nil)
        }
    }

    @Test func aWriteFromInsideWriteKeepsTheOuterCallback() throws {
        try Self.compare("""
            let nested = false;
            const w = new Writable({
              write(chunk, enc, cb) {
                log('_write ' + chunk);
                if (!nested) { nested = true; w.write('n'); }
                cb();
              },
            });
            w.write('a', (e) => log('a done ' + errName(e)));
            w.end(() => log('ended'));
            """) { log in
            let w = NestingWritable(log: log)
            w.write("a") { log("a done \($0?.code ?? "null")") }
            w.end { _ in log("ended") }
        }
    }

    @Test func corkedWritesReachWritevTogether() throws {
        try Self.compare("""
            const w = mkWritable(1024, true, true);
            w.on('finish', () => log('finish'));
            w.write('a', () => log('cb a'));
            w.cork();
            w.write('b', () => log('cb b'));
            w.write('c', () => log('cb c'));
            log('corked ' + w.writableCorked);
            process.nextTick(() => { w.uncork(); log('uncorked'); w.end(); });
            """) { log in
            let w = MemoryWritable(highWaterMark: 1024, writev: true, log: log)
            w.on(.finish) { log("finish") }
            w.write("a") { _ in log("cb a") }
            w.cork()
            w.write("b") { _ in log("cb b") }
            w.write("c") { _ in log("cb c") }
            log("corked \(w.writableCorked)")
            nextTick { w.uncork(); log("uncorked"); w.end() }
        }
    }

    @Test func writeAfterEndErrorsThenCloses() throws {
        try Self.compare("""
            const w = mkWritable(16, false);
            w.on('error', (e) => log('error ' + e.code + ' ' + e.message));
            w.on('close', () => log('close'));
            w.on('finish', () => log('finish'));
            w.end('x');
            log('write ' + w.write('y', (e) => log('cb ' + errName(e))));
            log('destroyed ' + w.destroyed);
            """) { log in
            let w = MemoryWritable(highWaterMark: 16, asyncWrites: false, log: log)
            w.on(.error) { log("error \($0.code) \($0.message)") }
            w.on(.close) { _ in log("close") }
            w.on(.finish) { log("finish") }
            w.end("x")
            log("write \(w.write("y") { log("cb \($0?.code ?? "null")") })")
            log("destroyed \(w.destroyed)")
        }
    }

    @Test func destroyWithErrorThenWrites() throws {
        try Self.compare("""
            const w = mkWritable(16);
            w.on('error', (e) => log('error ' + e.message));
            w.on('close', () => log('close'));
            w.write('a', (e) => log('cb a ' + errName(e)));
            w.destroy(new Error('boom'));
            log('write ' + w.write('b', (e) => log('cb b ' + errName(e))));
            w.destroy(new Error('second'));
            """) { log in
            let w = MemoryWritable(highWaterMark: 16, log: log)
            w.on(.error) { log("error \($0.message)") }
            w.on(.close) { _ in log("close") }
            w.write("a") { log("cb a \($0?.code ?? "null")") }
            w.destroy(NetError("boom"))
            log("write \(w.write("b") { log("cb b \($0?.code ?? "null")") })")
            w.destroy(NetError("second"))
        }
    }

    // MARK: Readable

    @Test func flowingDataEndClose() throws {
        try Self.compare("""
            const r = mkReadable(['one', 'two', 'three', null], 1024);
            r.on('data', (c) => log('data ' + c));
            r.on('end', () => log('end'));
            r.on('close', () => log('close'));
            r.on('resume', () => log('resume'));
            log('flowing ' + r.readableFlowing);
            """) { log in
            let r = MemoryReadable(["one", "two", "three", nil], highWaterMark: 1024, log: log)
            r.on(.data) { log("data \($0.toString())") }
            r.on(.end) { log("end") }
            r.on(.close) { _ in log("close") }
            r.on(.resume) { log("resume") }
            log("flowing \(r.readableFlowing.map(String.init) ?? "null")")
        }
    }

    /// Node's Readable makes `addListener` its `on` and `removeListener` its `off`, and hands reading back
    /// after `removeAllListeners('readable')` or `removeAllListeners()`: the same listeners added and
    /// removed under Node's other names behave as through `on`/`off`.
    @Test func addListenerAndRemoveAllListenersAreReadableAware() throws {
        try Self.compare("""
            const r = mkReadable(['hi', null], 1024);
            r.addListener('data', (c) => log('data ' + c));
            r.addListener('end', () => log('end'));
            log('flowing ' + r.readableFlowing);
            const r2 = mkReadable(['a', 'b', null], 1024);
            r2.on('data', (c) => log('data2 ' + c));
            r2.on('end', () => log('end2'));
            r2.addListener('readable', () => log('readable2'));
            log('flowing2 ' + r2.readableFlowing);
            r2.removeAllListeners('readable');
            log('flowing2 after removal ' + r2.readableFlowing);
            process.nextTick(() => log('flowing2 next tick ' + r2.readableFlowing));
            const r3 = mkReadable(['x', null], 1024);
            r3.on('readable', () => log('readable3'));
            r3.removeAllListeners();
            r3.on('end', () => log('end3'));
            process.nextTick(() => { log('flowing3 ' + r3.readableFlowing); r3.on('data', (c) => log('data3 ' + c)); });
            """) { log in
            let r = MemoryReadable(["hi", nil], highWaterMark: 1024, log: log)
            r.addListener(.data) { log("data \($0.toString())") }
            r.addListener(.end) { log("end") }
            log("flowing \(r.readableFlowing.map(String.init) ?? "null")")
            let r2 = MemoryReadable(["a", "b", nil], highWaterMark: 1024, log: log)
            r2.on(.data) { log("data2 \($0.toString())") }
            r2.on(.end) { log("end2") }
            r2.addListener(.readable) { log("readable2") }
            log("flowing2 \(r2.readableFlowing.map(String.init) ?? "null")")
            r2.removeAllListeners(.readable)
            log("flowing2 after removal \(r2.readableFlowing.map(String.init) ?? "null")")
            nextTick { log("flowing2 next tick \(r2.readableFlowing.map(String.init) ?? "null")") }
            let r3 = MemoryReadable(["x", nil], highWaterMark: 1024, log: log)
            r3.on(.readable) { log("readable3") }
            r3.removeAllListeners()
            r3.on(.end) { log("end3") }
            nextTick {
                log("flowing3 \(r3.readableFlowing.map(String.init) ?? "null")")
                r3.on(.data) { log("data3 \($0.toString())") }
            }
        }
    }

    @Test func pauseResumeAndReadableEvents() throws {
        try Self.compare("""
            const r = mkReadable(['ab', 'cd', 'ef', null], 1024);
            let n = 0;
            r.on('data', (c) => {
              log('data ' + c + ' paused ' + r.isPaused());
              if (++n === 1) { r.pause(); log('paused ' + r.isPaused()); setTimeout(() => { log('resuming'); r.resume(); }, 20); }
            });
            r.on('pause', () => log('pause'));
            r.on('end', () => log('end'));
            const r2 = mkReadable(['xy', 'z', null], 1024);
            r2.on('readable', () => { let c; while ((c = r2.read()) !== null) log('read ' + c); log('readable done'); });
            r2.on('end', () => log('r2 end'));
            """) { log in
            let r = MemoryReadable(["ab", "cd", "ef", nil], highWaterMark: 1024, log: log)
            var n = 0
            r.on(.data) { c in
                log("data \(c.toString()) paused \(r.isPaused())")
                n += 1
                if n == 1 {
                    r.pause()
                    log("paused \(r.isPaused())")
                    setTimeout(20) { log("resuming"); r.resume() }
                }
            }
            r.on(.pause) { log("pause") }
            r.on(.end) { log("end") }
            let r2 = MemoryReadable(["xy", "z", nil], highWaterMark: 1024, log: log)
            r2.on(.readable) {
                while let c = r2.read() { log("read \(c.toString())") }
                log("readable done")
            }
            r2.on(.end) { log("r2 end") }
        }
    }

    @Test func setEncodingJoinsSplitCharacters() throws {
        try Self.compare("""
            const bytes = Buffer.from('h€llo 😀!');
            const parts = [bytes.subarray(0, 2), bytes.subarray(2, 3), bytes.subarray(3, 9), bytes.subarray(9)];
            const r = new Readable({ read() { if (!parts.length) return; const p = parts.shift(); setImmediate(() => { this.push(p); if (!parts.length) this.push(null); }); } });
            r.setEncoding('utf8');
            r.on('data', (c) => log('data ' + JSON.stringify(c) + ' ' + typeof c));
            r.on('end', () => log('end'));
            """) { log in
            final class Parts: Readable {
                let eventListeners = EventListeners()
                let streamState = StreamState(readable: .init())
                var parts: [Buffer]
                init(_ parts: [Buffer]) { self.parts = parts }
                func _read(_ size: Int) {
                    guard !parts.isEmpty else { return }
                    let p = parts.removeFirst()
                    setImmediate { [self] in push(p); if parts.isEmpty { push(nil) } }
                }
            }
            let bytes = Buffer("h€llo 😀!")
            let r = Parts([bytes.subarray(start: 0, end: 2), bytes.subarray(start: 2, end: 3),
                           bytes.subarray(start: 3, end: 9), bytes.subarray(start: 9)])
            r.setEncoding(.utf8)
            r.on(.data) { c in
                let json = String(data: try! JSONEncoder().encode(c.string!), encoding: .utf8)!
                log("data \(json) \(c.string != nil ? "string" : "object")")
            }
            r.on(.end) { log("end") }
        }
    }

    // MARK: pipe and Duplex

    @Test func pipeWithBackpressureEndsDestination() throws {
        try Self.compare("""
            const chunks = []; for (let i = 0; i < 12; i++) chunks.push('chunk' + i); chunks.push(null);
            const r = mkReadable(chunks, 8);
            const w = mkWritable(8);
            let pauses = 0;
            r.on('pause', () => pauses++);
            w.on('pipe', () => log('pipe'));
            w.on('unpipe', () => log('unpipe'));
            w.on('finish', () => log('finish pauses>0 ' + (pauses > 0)));
            r.on('end', () => log('end'));
            r.pipe(w);
            """) { log in
            var chunks: [String?] = (0..<12).map { "chunk\($0)" }
            chunks.append(nil)
            let r = MemoryReadable(chunks, highWaterMark: 8, log: log)
            let w = MemoryWritable(highWaterMark: 8, log: log)
            var pauses = 0
            r.on(.pause) { pauses += 1 }
            w.on(.pipe) { _ in log("pipe") }
            w.on(.unpipe) { _ in log("unpipe") }
            w.on(.finish) { log("finish pauses>0 \(pauses > 0)") }
            r.on(.end) { log("end") }
            r.pipe(w)
        }
    }

    @Test func duplexHalfOpenRules() throws {
        try Self.compare("""
            for (const allowHalfOpen of [false, true]) {
              const d = mkDuplex(allowHalfOpen, ['in', null]);
              const tag = 'half=' + allowHalfOpen + ' ';
              d.on('data', (c) => log(tag + 'data ' + c));
              d.on('end', () => log(tag + 'end writable ' + d.writable));
              d.on('finish', () => log(tag + 'finish'));
              d.on('close', () => log(tag + 'close'));
              d.write('out');
              if (allowHalfOpen) setTimeout(() => { log(tag + 'ending'); d.end(); }, 30);
            }
            """) { log in
            for allowHalfOpen in [false, true] {
                let d = MemoryDuplex(allowHalfOpen: allowHalfOpen, source: ["in", nil], log: log)
                let tag = "half=\(allowHalfOpen) "
                d.on(.data) { log(tag + "data \($0.toString())") }
                d.on(.end) { log(tag + "end writable \(d.writable)") }
                d.on(.finish) { log(tag + "finish") }
                d.on(.close) { _ in log(tag + "close") }
                d.write("out")
                if allowHalfOpen { setTimeout(30) { log(tag + "ending"); d.end() } }
            }
        }
    }
}

/// Listeners are dropped after 'close', so the cycles Node-style code creates do not leak.
@Suite struct StreamLifetimeTests {
    final class Box: @unchecked Sendable { weak var stream: MemoryWritable? }

    @Test func selfCapturingListenersAreReleasedAfterClose() {
        let box = Box()
        let result = LoopThread.run { _, trace in
            let w = MemoryWritable(highWaterMark: 16) { _ in }
            box.stream = w
            w.on(.finish) { trace.log("finish, writable \(w.writable)") }   // captures w: a cycle
            w.on(.close) { _ in trace.log("close, listeners \(w.listenerCount(.finish))") }
            w.end("bye")
        }
        #expect(result.trace == ["finish, writable false", "close, listeners 1"])
        #expect(box.stream == nil, "the stream was freed once it had closed")
    }

    @Test func streamsThatNeverCloseKeepTheirListeners() {
        let result = LoopThread.run { _, trace in
            let w = MemoryWritable(highWaterMark: 16) { _ in }
            w.streamState.autoDestroy = false
            w.on(.finish) { trace.log("finish") }
            w.end("bye") { _ in trace.log("listeners \(w.listenerCount(.finish))") }
        }
        #expect(result.trace == ["listeners 1", "finish"])
    }
}
