#if canImport(Glibc)
import Glibc
#endif
@testable import Net
import NetTestSupport
import Testing

/// Small callback-less writes gathered within one callback (`Socket.gatherWrites`, an explicit opt-in that
/// every test here sets): each completes at once, as a write the kernel takes does in Node, and the bytes
/// reach the kernel together at the end of the callback. The scenarios that Node can run are compared
/// with Node's trace.
@Suite struct WriteGatheringTests {
    /// 1000 writes of 64 bytes in one callback, one write with a callback among them, then `end()`: every
    /// write returns true with `writableLength` back to 0, callbacks and ticks keep Node's order, and the
    /// peer gets every byte in order. In Swift the writes after the fourth of the callback were gathered.
    @Test func smallWritesInOneCallbackKeepNodesContract() throws {
        let gatheringAfter = Record()
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
                    c.gatherWrites = true   // the opt-in these tests are about
                    func chunk(_ n: Int) -> Buffer { Buffer((0..<64).map { UInt8(truncatingIfNeeded: n + $0) }) }
                    var trues = 0, nonZero = 0
                    for n in 0..<1000 {
                        if c.write(chunk(n)) { trues += 1 }
                        if c.writableLength != 0 { nonZero += 1 }
                        if n == 3 || n == 4 { gatheringAfter.append(c.isGathering) }
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
        // The first four writes of the callback went out at once; the fifth was gathered.
        #expect(gatheringAfter.values == [false, true])
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
                for (const s of ['one ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven ', 'eight']) c.write(s);
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
                    c.gatherWrites = true   // the opt-in these tests are about
                    for s in ["one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight"] { c.write(s) }
                    #expect(c.isGathering)
                    c.destroy()
                    log("C: destroyed, length \(c.writableLength)")
                }
                c.on(.close) { hadError in log("C: close \(hadError)") }
            }
        }
    }

    /// Three writes to a peer that has closed (it answers the first with a reset): as in Node, since
    /// the first writes of a callback go out at once: the second fails at once, 'error' and 'close' follow
    /// the callback's ticks.
    @Test func theFirstWritesToAResetPeerFailAsInNode() throws {
        let js = """
            const server = net.createServer((c) => { c.destroy(); server.close(); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
              c.on('end', () => {
                for (let i = 0; i < 3; i++) {
                  const r = c.write('abc');
                  log('write ' + i + ' ' + r + ' errored ' + (c.errored ? c.errored.code : 'null'));
                }
                process.nextTick(() => log('tick'));
              });
              c.on('error', (e) => log('error ' + e.code + ' ' + e.syscall + ' ' + e.message));
              c.on('close', (hadError) => log('close ' + hadError));
            });
            """
        let node = try Node.run(SocketDifferentialTests.prelude + js)
        #expect(node.status == 0, "\(node.stderr)")
        let ours = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in c.destroy(); server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "127.0.0.1", allowHalfOpen: true))
                c.gatherWrites = true
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
        #expect(ours.trace == node.stdout.split(separator: "\n").map(String.init))
        #expect(ours.trace.last == "close true")
    }

    /// Gathered bytes that the kernel refuses (here the socket's sending side was shut down under it)
    /// make an 'error' (EPIPE, syscall write) and a 'close' with an error after the callback, as a
    /// callback-less write's failure does in Node; the writes themselves returned true.
    @Test func gatheredBytesThatFailMakeAnError() {
        let ours = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in c.resume(); c.on(.end) { server.close() } }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    c.gatherWrites = true   // the opt-in these tests are about
                    let results = (0..<6).map { _ in c.write("abc") }
                    trace.log("writes \(results) gathering \(c.isGathering)")
                    _ = shutdown(c.handle!.fileDescriptor!, Int32(SHUT_WR))
                    nextTick { trace.log("tick") }
                }
                c.on(.error) { e in trace.log("error \(e.code) \(e.syscall ?? "")") }
                c.on(.close) { hadError in trace.log("close \(hadError)") }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == [
            "writes [true, true, true, true, true, true] gathering true",
            "tick",
            "error EPIPE write",
            "close true",
        ])
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
                    c.gatherWrites = true   // the opt-in these tests are about
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
        #expect(ours.trace == ["fixture status 0 ", "got one two three four five six seven eight"])
    }

    // MARK: What bounds the gathering

    /// A listening Unix socket made with the system calls, whose connections the test accepts and reads
    /// itself, synchronously, from inside a callback of the loop.
    struct RawServer {
        let path = Pipes.path("gather")
        let fd: Int32
        init() {
            fd = BoundSocket.unix(path)
            precondition(fd >= 0 && listen(fd, 8) == 0)
        }
        func accept() -> Int32 { Glibc.accept(fd, nil, nil) }
        /// What has arrived on `fd` so far, without waiting.
        static func available(_ fd: Int32) -> String {
            var all: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n <= 0 { break }
                all += buffer[0..<n]
            }
            return String(decoding: all, as: UTF8.self)
        }
        func close() { Glibc.close(fd); Pipes.remove(path) }
    }

    /// Eight small writes in one callback: the first four are in the kernel before the callback ends (a
    /// callback that writes a few times and then blocks leaves nothing waiting), the other four right
    /// after it.
    @Test func theFirstFourWritesOfACallbackReachTheKernelAtOnce() {
        let server = RawServer()
        defer { server.close() }
        let ours = LoopThread.run { _, trace in
            var c: Socket!
            c = Net.connect(path: server.path) {
                c.gatherWrites = true   // the opt-in these tests are about
                for digit in 1...8 { c.write("\(digit)") }
                let peer = server.accept()
                trace.log("during the callback: \(RawServer.available(peer))")
                setImmediate {
                    trace.log("after it: \(RawServer.available(peer))")
                    Glibc.close(peer)
                    c.destroy()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["during the callback: 1234", "after it: 5678"])
    }

    /// One socket gathers at a time: another socket's write sends the gathered bytes first, so a peer
    /// that gets the second socket's bytes finds all of the first's (as the kernel had them in Node).
    @Test func anotherSocketsWriteSendsTheGatheredBytesFirst() {
        let server = RawServer()
        defer { server.close() }
        let ours = LoopThread.run { _, trace in
            var first: Socket!, second: Socket!
            first = Net.connect(path: server.path) {
                first.gatherWrites = true   // the opt-in these tests are about
                second = Net.connect(path: server.path) {
                    let a = server.accept(), b = server.accept()
                    for n in 1...6 { first.write("a\(n) ") }
                    trace.log("first gathering \(first.isGathering)")
                    second.write("b")
                    trace.log("first gathering \(first.isGathering)")
                    trace.log("second has \(RawServer.available(b)), first has \(RawServer.available(a))")
                    Glibc.close(a)
                    Glibc.close(b)
                    first.destroy()
                    second.destroy()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == [
            "first gathering true",
            "first gathering false",
            "second has b, first has a1 a2 a3 a4 a5 a6 ",
        ])
    }

    /// A socket around a descriptor never gathers: other code may write to the same descriptor (stdout),
    /// and its bytes must land after the socket's, as in Node.
    @Test func aSocketAroundADescriptorNeverGathers() {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let (mine, peer) = (fds[0], fds[1])
        defer { Glibc.close(peer) }
        let ours = LoopThread.run { _, trace in
            let s = try! Socket(Socket.Options(fd: mine, readable: false, gatherWrites: true))
            setImmediate {
                for letter in ["a", "b", "c", "d", "e", "f"] { s.write(letter) }
                trace.log("gathering \(s.isGathering)")
                _ = "g".withCString { Glibc.write(mine, $0, 1) }
                setImmediate {
                    trace.log("peer got \(RawServer.available(peer))")
                    s.destroy()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["gathering false", "peer got abcdefg"])
    }

    /// Gathered bytes the kernel does not take (a 2 KiB send buffer, a peer that does not read yet) count
    /// in `writableLength` until written, as a write the kernel took in part does in Node: `write`
    /// returns false at the high-water mark, 'drain' follows once the peer reads, every byte arrives.
    @Test func bytesTheKernelRefusedCountInWritableLength() {
        let chunks = 400
        let ours = LoopThread.run { _, trace in
            let path = Pipes.path("gather-full")
            var server: Server!
            var peer: Socket?
            var received: [UInt8] = []
            server = Net.createServer(Server.Options(pauseOnConnect: true)) { c in
                peer = c
                c.on(.data) { received += $0.buffer.bytes }
                c.on(.end) {
                    let expected = (0..<chunks).flatMap { n in (0..<64).map { UInt8(truncatingIfNeeded: n &+ $0) } }
                    trace.log("peer got \(received.count) in order \(received == expected)")
                    server.close()
                }
            }
            try! server.listen(path: path) {
                var c: Socket!
                c = Net.connect(path: path) {
                    c.gatherWrites = true   // the opt-in these tests are about
                    var size: Int32 = 2048
                    _ = setsockopt(c.handle!.fileDescriptor!, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                    setImmediate {
                        var falses = 0
                        for n in 0..<chunks where !c.write(Buffer((0..<64).map { UInt8(truncatingIfNeeded: n &+ $0) })) {
                            falses += 1
                        }
                        trace.log("write returned false \(falses > 0)")
                        c.once(.drain) { trace.log("drain, length \(c.writableLength)"); c.end() }
                        setImmediate {
                            let length = c.writableLength
                            trace.log("next callback: length over the high-water mark \(length >= 16384), bufferSize the same \(c.bufferSize == length), all counted \(c.bytesWritten == chunks * 64)")
                            peer!.resume()
                        }
                    }
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == [
            "write returned false true",
            "next callback: length over the high-water mark true, bufferSize the same true, all counted true",
            "drain, length 0",
            "peer got \(chunks * 64) in order true",
        ])
    }

    // MARK: Refused bytes and the end of the stream

    /// Four writes at once and 250 gathered (16,000 bytes, under the 16 KiB flush).
    static func writeGathered(_ c: Socket) {
        for _ in 0..<254 { c.write(Buffer([UInt8](repeating: 7, count: 64))) }
    }

    static func shrinkSendBuffer(_ c: Socket) {
        var size: Int32 = 2048
        _ = setsockopt(c.handle!.fileDescriptor!, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A client on a Unix socket with a 2 KiB send buffer to a server that does not read: what it gathers
    /// is mostly refused at the flush. `body` runs in a callback once connected; the server's side is
    /// destroyed when the client closes.
    static func refusingPeer(_ tag: String, _ trace: Trace, _ body: @escaping (Socket, Socket?) -> Void) {
        let path = Pipes.path(tag)
        var server: Server!
        var peer: Socket?
        server = Net.createServer(Server.Options(pauseOnConnect: true)) { c in peer = c; server.close() }
        try! server.listen(path: path) {
            var c: Socket!
            c = Net.connect(path: path) {
                c.gatherWrites = true   // the opt-in these tests are about
                shrinkSendBuffer(c)
                setImmediate { body(c, peer) }
            }
            c.on(.error) { e in trace.log("error \(e.code)") }
            c.on(.close) { hadError in trace.log("close \(hadError) length \(c.writableLength)"); peer?.destroy() }
        }
    }

    /// `end()` while refused bytes wait, then `destroy()`: the end callback fails with
    /// ERR_STREAM_DESTROYED and nothing is left counted, as Node does with a write in flight.
    @Test func destroyWhileRefusedBytesWaitFailsTheEndCallback() {
        let ours = LoopThread.run { _, trace in
            Self.refusingPeer("gather-destroy", trace) { c, _ in
                Self.writeGathered(c)
                setImmediate {
                    trace.log("refused bytes pending \(c.writableLength > 0)")
                    c.end { e in trace.log("end cb \(e?.code ?? "null") length \(c.writableLength)") }
                    setImmediate { c.destroy() }
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["refused bytes pending true", "end cb ERR_STREAM_DESTROYED length 0", "close false length 0"])
    }

    /// The same with `end()` in the gathering callback itself: the flush comes first, so the end waits
    /// for the refused bytes (and `_final` does not run meanwhile).
    @Test func endInTheGatheringCallbackWaitsForTheRefusedBytes() {
        let ours = LoopThread.run { _, trace in
            Self.refusingPeer("gather-end-destroy", trace) { c, _ in
                Self.writeGathered(c)
                c.end { e in trace.log("end cb \(e?.code ?? "null") length \(c.writableLength)") }
                trace.log("after end: pending \(c.writableLength > 0)")
                setImmediate { c.destroy() }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["after end: pending true", "end cb ERR_STREAM_DESTROYED length 0", "close false length 0"])
    }

    /// Refused bytes that then fail (the peer goes away): an 'error', the end callback gets the error,
    /// nothing is left counted.
    @Test func refusedBytesThatFailFailTheEndCallback() {
        let ours = LoopThread.run { _, trace in
            Self.refusingPeer("gather-fail", trace) { c, peer in
                Self.writeGathered(c)
                setImmediate {
                    c.end { e in trace.log("end cb \(e?.code ?? "null") length \(c.writableLength)") }
                    peer!.destroy()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace.count == 3, "\(ours.trace)")
        #expect(ours.trace.first?.hasPrefix("error E") == true, "\(ours.trace)")
        #expect(ours.trace.dropFirst().first?.hasPrefix("end cb E") == true, "\(ours.trace)")
        #expect(ours.trace.last == "close true length 0")
    }

    /// `end()` and then `resetAndDestroy()` while refused bytes wait: an RST, no shutdown in the way
    /// (libuv refuses to reset a stream that is shutting down), as in Node.
    @Test func resetAndDestroyAfterEndWhileRefusedBytesWait() {
        let ours = LoopThread.run { _, trace in
            var server: Server!
            var peer: Socket?
            server = Net.createServer(Server.Options(pauseOnConnect: true)) { c in peer = c; server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var small: Int32 = 2048
                _ = setsockopt(server.handle!.fileDescriptor!, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    c.gatherWrites = true   // the opt-in these tests are about
                    Self.shrinkSendBuffer(c)
                    setImmediate {
                        Self.writeGathered(c)
                        c.end { e in trace.log("end cb \(e?.code ?? "null")") }
                        setImmediate {
                            trace.log("refused bytes pending \(c.writableLength > 0)")
                            _ = try? c.resetAndDestroy()
                        }
                    }
                }
                c.on(.error) { e in trace.log("error \(e.code) \(e.syscall ?? "")") }
                c.on(.close) { hadError in trace.log("close \(hadError)"); peer?.destroy() }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == ["refused bytes pending true", "end cb ERR_STREAM_DESTROYED", "close false"])
    }
}

/// Values recorded on a loop's thread and read by the test after the loop has finished.
private final class Record: @unchecked Sendable {
    // @unchecked: written on the loop's thread, read after LoopThread.run has joined it.
    private(set) var values: [Bool] = []
    func append(_ value: Bool) { values.append(value) }
}
