@testable import Net
import CLibUV
import Foundation
import NetTestSupport
import Testing

/// The libuv stream layer under Socket and Server, on real loopback sockets: accept, reads through the
/// slab, try-write then queue, shutdown to EOF, getaddrinfo, pipes. (The Node-facing semantics are tested
/// through Socket and Server.)
@Suite struct StreamHandleTests {
    /// Moves `size` bytes client → server in 64 KiB writes, then FIN; checks bytes and a checksum.
    @Test func tcpTransferThenShutdownReachesEOF() throws {
        let size = 8 << 20
        let result = LoopThread.run { loop, trace in
            guard let server = try? TCPHandle(loop: loop),
                  let address = SocketAddressStorage(ip: "127.0.0.1", port: 0) else { return trace.log("setup failed") }
            #expect(server.bind(address) == 0)
            #expect(server.listen(backlog: 511) == 0)
            let port = server.localAddress()!.port
            #expect(port > 0)
            var received = 0
            var sum: UInt64 = 0
            server.owner = ConnectionSink { status in
                #expect(status == 0)
                guard let peer = try? TCPHandle(loop: loop) else { return }
                #expect(server.accept(peer) == 0)
                #expect(peer.remoteAddress()?.ip == "127.0.0.1")
                peer.owner = ReadSink { event in
                    switch event {
                    case .data(let bytes):
                        received += bytes.count
                        for b in bytes { sum &+= UInt64(b) }
                    case .eof:
                        trace.log("eof after \(received) sum \(sum)")
                        peer.close()
                        server.close()
                    case .error(let e):
                        trace.log("read error \(NetError.uvErrorName(e))")
                    }
                }
                #expect(peer.readStart() == 0)
            }
            guard let client = try? TCPHandle(loop: loop) else { return }
            let status = client.connect(SocketAddressStorage(ip: "127.0.0.1", port: port)!) { status in
                #expect(status == 0)
                let chunk = [UInt8]((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7) })
                let buffer = Buffer(chunk)
                var queued = 0
                var completions = 0
                for _ in 0..<(size / chunk.count) {
                    // What Socket does: try at once, queue the rest (held, not copied) when the kernel is full.
                    let written = buffer.withUnsafeBytes { client.tryWrite($0) }
                    #expect(written >= 0)
                    if written < buffer.count {
                        queued += 1
                        let status = client.queueWrite([buffer], skipping: written) { status in
                            #expect(status == 0)
                            completions += 1
                        }
                        #expect(status == 0)
                    }
                }
                trace.log(queued > 0 ? "some writes queued" : "all written at once")
                let shutdown = client.shutdown { status in
                    #expect(status == 0)
                    #expect(completions == queued, "every queued write completed before the FIN")
                    client.close()
                }
                #expect(shutdown == 0)
            }
            #expect(status == 0)
        }
        var expectedSum: UInt64 = 0
        for i in 0..<65_536 { expectedSum &+= UInt64(UInt8(truncatingIfNeeded: i &* 7)) }
        expectedSum &*= UInt64(size / 65_536)
        #expect(result.finished)
        #expect(result.trace.last == "eof after \(size) sum \(expectedSum)")
    }

    @Test func connectionRefusedReportsECONNREFUSED() {
        let result = LoopThread.run { loop, trace in
            guard let client = try? TCPHandle(loop: loop) else { return }
            _ = client.connect(SocketAddressStorage(ip: "127.0.0.1", port: 1)!) { status in
                trace.log(NetError.withHostPort(status, syscall: "connect", address: "127.0.0.1", port: 1).message)
                client.close()
            }
        }
        #expect(result.trace == ["connect ECONNREFUSED 127.0.0.1:1"])
    }

    @Test func addressesPrintAsNode() {
        #expect(SocketAddressStorage(ip: "::1", port: 80)?.ip == "::1")
        #expect(SocketAddressStorage(ip: "0:0:0:0:0:0:0:1", port: 80)?.ip == "::1")
        #expect(SocketAddressStorage(ip: "127.0.0.1", port: 8124)?.port == 8124)
        #expect(SocketAddressStorage(ip: "::FFFF:1.2.3.4", port: 1)?.ip == "::ffff:1.2.3.4")
        #expect(SocketAddressStorage(ip: "not an ip", port: 1) == nil)
        #expect(SocketAddressStorage(ip: "1.2.3.4", port: 1)?.familyName == "IPv4")
    }

    @Test func getaddrinfoResolvesLocalhostAndReportsENOTFOUND() {
        let result = LoopThread.run { loop, trace in
            _ = GetAddrInfo.lookup(loop: loop, host: "localhost", family: 4, hints: 0) { status, entries in
                trace.log("localhost \(status) \(entries.map(\.address))")
            }
            _ = GetAddrInfo.lookup(loop: loop, host: "no-such-host.invalid", family: 0, hints: 0) { status, entries in
                trace.log(NetError.dns(status, syscall: "getaddrinfo", hostname: "no-such-host.invalid").message)
            }
        }
        #expect(result.trace.sorted() == ["getaddrinfo ENOTFOUND no-such-host.invalid", "localhost 0 [\"127.0.0.1\"]"])
    }

    @Test func pipeEchoOverUnixSocket() {
        let path = "/tmp/net-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let result = LoopThread.run { loop, trace in
            guard let server = try? PipeHandle(loop: loop) else { return }
            #expect(server.bind(path) == 0)
            #expect(server.listen(backlog: 511) == 0)
            #expect(server.name(peer: false) == path)
            server.owner = ConnectionSink { _ in
                guard let peer = try? PipeHandle(loop: loop) else { return }
                _ = server.accept(peer)
                peer.owner = ReadSink { event in
                    if case .data(let bytes) = event {
                        let echo = Buffer(bytes)
                        let written = echo.withUnsafeBytes { peer.tryWrite($0) }
                        if written < echo.count { _ = peer.queueWrite([echo], skipping: max(written, 0)) { _ in } }
                    } else {
                        peer.close()
                        server.close()
                    }
                }
                peer.readStart()
            }
            guard let client = try? PipeHandle(loop: loop) else { return }
            _ = client.connect(path) { status in
                #expect(status == 0)
                client.owner = ReadSink { event in
                    if case .data(let bytes) = event { trace.log("echo: \(String(decoding: bytes, as: UTF8.self))") }
                    client.close()
                }
                client.readStart()
                Array("ping".utf8).withUnsafeBytes { _ = client.tryWrite($0) }
            }
        }
        #expect(result.trace == ["echo: ping"])
    }
}

/// Hands a stream handle's reads to a closure, as a socket takes them.
private final class ReadSink: StreamHandleOwner {
    let body: (StreamHandle.ReadEvent) -> Void
    init(_ body: @escaping (StreamHandle.ReadEvent) -> Void) { self.body = body }
    func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) { body(event) }
    func handleDidClose(hadError: Bool) {}
    func handleClosedUnannounced(_ handle: StreamHandle) {}
}

/// Hands a listening handle's incoming connections to a closure, as a server takes them.
private final class ConnectionSink: StreamHandleOwner {
    let body: (Int32) -> Void
    init(_ body: @escaping (Int32) -> Void) { self.body = body }
    func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) {}
    func handleDidClose(hadError: Bool) {}
    func handleClosedUnannounced(_ handle: StreamHandle) {}
    func handleConnection(_ status: Int32) { body(status) }
}
