@testable import Net
import NetTestSupport
import Testing

/// `Socket.writeCoalescing` (not in Node, off by default): a write completes on a later loop iteration,
/// so the writes made meanwhile wait in the writable buffer and leave together. Off, a write the kernel
/// takes completes at once, as in Node.
@Suite struct WriteCoalescingTests {
    /// A server whose peer collects what arrives and, at its end, logs `report` of it and closes the
    /// server; `connect` gets the port once the server listens.
    static func collectingServer(_ trace: Trace, report: @escaping ([UInt8]) -> String,
                                 connect: @escaping (Int) -> Void) {
        var server: Server!
        server = Net.createServer { peer in
            var received: [UInt8] = []
            peer.on(.data) { received += $0.buffer.bytes }
            peer.on(.end) {
                trace.log(report(received))
                server.close()
            }
        }
        try! server.listen(port: 0, host: "127.0.0.1") { connect(server.address()!.port!) }
    }

    /// What `write` leaves in `writableLength`, for two writes in one tick, and what the peer receives.
    static func twoWrites(coalescing: Bool) -> LoopThread.Result {
        LoopThread.run { _, trace in
            let expected = Array(0..<128).map(UInt8.init)
            collectingServer(trace, report: { "peer got \($0.count) bytes, in order \($0 == expected)" }) { port in
                var c: Socket!
                c = try! Net.connect(port: port, host: "127.0.0.1") {
                    c.writeCoalescing = coalescing
                    c.write(Buffer((0..<64).map(UInt8.init))) { e in trace.log("cb 1 \(e == nil) length \(c.writableLength)") }
                    trace.log("after write 1: length \(c.writableLength) bufferSize \(c.bufferSize)")
                    c.write(Buffer((64..<128).map(UInt8.init))) { e in trace.log("cb 2 \(e == nil) length \(c.writableLength)") }
                    trace.log("after write 2: length \(c.writableLength)")
                    c.end()
                }
            }
        }
    }

    @Test func offIsNodesBehaviourAWriteTheKernelTakesCompletesAtOnce() throws {
        let js = """
            const net = require('net');
            const expected = Buffer.from(Array.from({ length: 128 }, (_, i) => i));
            const server = net.createServer((peer) => {
              const got = [];
              peer.on('data', (d) => got.push(d));
              peer.on('end', () => {
                const all = Buffer.concat(got);
                console.log('peer got ' + all.length + ' bytes, in order ' + all.equals(expected));
                server.close();
              });
            });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => {
                c.write(expected.subarray(0, 64), (e) => console.log('cb 1 ' + (e == null) + ' length ' + c.writableLength));
                console.log('after write 1: length ' + c.writableLength + ' bufferSize ' + c.bufferSize);
                c.write(expected.subarray(64), (e) => console.log('cb 2 ' + (e == null) + ' length ' + c.writableLength));
                console.log('after write 2: length ' + c.writableLength);
                c.end();
              });
            });
            """
        let node = try Node.run(js)
        #expect(node.status == 0, "\(node.stderr)")
        let ours = Self.twoWrites(coalescing: false)
        #expect(ours.finished)
        #expect(ours.trace == node.stdout.split(separator: "\n").map(String.init))
        #expect(ours.trace == [
            "after write 1: length 0 bufferSize 0",
            "after write 2: length 0",
            "cb 1 true length 0",
            "cb 2 true length 0",
            "peer got 128 bytes, in order true",
        ])
    }

    @Test func onAWriteCountsUntilItCompletesAndLaterWritesWaitForIt() {
        let ours = Self.twoWrites(coalescing: true)
        #expect(ours.finished)
        #expect(ours.trace == [
            "after write 1: length 64 bufferSize 64",
            "after write 2: length 128",
            // The first write completes on the next iteration; the second then goes out and follows.
            "cb 1 true length 64",
            "cb 2 true length 0",
            "peer got 128 bytes, in order true",
        ])
    }

    /// What the documentation warns about: `destroy()` right after two writes sends the first (handed to
    /// libuv) and drops the second, still waiting in the buffer.
    @Test func destroyDropsTheWritesStillWaiting() {
        let ours = LoopThread.run { _, trace in
            Self.collectingServer(trace, report: { "peer got \(String(decoding: $0, as: UTF8.self))" }) { port in
                var c: Socket!
                c = try! Net.connect(port: port, host: "127.0.0.1") {
                    c.writeCoalescing = true
                    c.write("first") { e in trace.log("first \(e?.code ?? "ok")") }
                    c.write("second") { e in trace.log("second \(e?.code ?? "ok")") }
                    c.destroy()
                }
                c.on(.close) { _ in trace.log("close") }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace.contains("peer got first"))
        #expect(ours.trace.contains("second ERR_STREAM_DESTROYED"))
        #expect(ours.trace.contains("first ok"))
    }

    /// Many small writes per tick, on both ends of an echo: every byte arrives once and in order, 'drain'
    /// follows each `write` that returned false, and every callback runs, in order.
    @Test func manySmallWritesArriveWholeWithBackpressureAndCallbacksInOrder() {
        let messages = 20_000
        let ours = LoopThread.run { loop, trace in
            var server: Server!
            server = Net.createServer { peer in
                peer.writeCoalescing = true
                _ = peer.pipe(peer)
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                var echoed: [UInt8] = []
                var sent: [UInt8] = []
                var callbacks = 0
                var outOfOrder = 0
                var falses = 0
                var drains = 0
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    c.writeCoalescing = true
                    var next = 0
                    func pump() {
                        while next < messages {
                            let message = Buffer((0..<64).map { UInt8(truncatingIfNeeded: next &+ $0) })
                            sent += message.bytes
                            let index = next
                            next += 1
                            let more = c.write(message) { e in
                                if e != nil || callbacks != index { outOfOrder += 1 }
                                callbacks += 1
                            }
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
                    trace.log("write returned false \(falses > 0), drains \(drains == falses)")
                    server.close()
                }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == [
            "echoed \(messages * 64) equal true",
            "callbacks \(messages) out of order 0",
            "write returned false true, drains true",
        ])
    }
}
