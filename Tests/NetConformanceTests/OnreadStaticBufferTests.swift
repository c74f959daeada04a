// Node: test/parallel/test-net-onread-static-buffer.js
import Net
import NetTestSupport
import Testing

/// A client connects with `onread`; its server ends the connection with `hello world` (and closes). The
/// bytes arrive only through `onread`'s callback, never as 'data'; 'end' still comes, once, after all 11
/// bytes:
/// - a static 8-byte buffer: the callback always gets that buffer;
/// - a buffer function cycling through three 2-byte buffers: the callback gets the one it last returned,
///   and the function is called 7 times (once before the first read, once after each of the 6 reads);
/// - `pause()` in the callback stops reading until `resume()` 100 ms later (no callback meanwhile);
/// - the callback returning `false` does the same.
///
/// Dropped: the `Uint8Array` variants (JavaScript typed arrays; Swift has one kind of raw memory, so they are
/// the Buffer variants again). `mustCall` counts on the callback: node v20.20.2 calls it twice for the
/// 8-byte buffer (8 + 3 bytes), so the port asserts at least one call as the v20 test does.
@Suite struct OnreadStaticBufferTests {
    enum Variant: String, CaseIterable, CustomTestStringConvertible {
        case staticBuffer, bufferFunction, explicitPause, implicitPause
        var testDescription: String { rawValue }
    }

    static let message = Array("hello world".utf8)

    @Test(arguments: Variant.allCases)
    func readsGoThroughOnreadOnly(variant: Variant) {
        let r = LoopThread.run { loop, trace in
            let server = Net.createServer()
            server.on(.connection) { socket in
                server.close()
                socket.end(Buffer(Self.message))
            }
            do {
                try server.listen(port: 0) {
                    let sockBuf = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 1)
                    let bufPool = (0..<3).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1) }
                    var bufPoolIdx = -1
                    var bufPoolUsage = 0
                    var received = 0
                    var buffers: [UInt8] = []
                    var calls = 0
                    var paused = false
                    var client: Socket?

                    let memory: OnRead.Memory
                    if variant == .bufferFunction {
                        memory = .provider {
                            bufPoolUsage += 1
                            bufPoolIdx = (bufPoolIdx + 1) % bufPool.count
                            return bufPool[bufPoolIdx]
                        }
                    } else {
                        memory = .buffer(sockBuf)
                    }
                    let onread = OnRead(buffer: memory) { nread, buf in
                        calls += 1
                        if paused { trace.log("FAIL callback while paused") }
                        let expected = variant == .bufferFunction ? bufPool[bufPoolIdx] : sockBuf
                        if buf.baseAddress != expected.baseAddress { trace.log("FAIL not the expected buffer") }
                        received += nread
                        buffers += buf.prefix(nread)
                        switch variant {
                        case .staticBuffer, .bufferFunction:
                            return true
                        case .explicitPause:
                            paused = true
                            client?.pause()
                            loop.setTimeout(100) {
                                paused = false
                                client?.resume()
                            }
                            return true
                        case .implicitPause:
                            paused = true
                            loop.setTimeout(100) {
                                paused = false
                                client?.resume()
                            }
                            return false
                        }
                    }
                    do {
                        let c = try Net.connect(ConnectOptions(port: server.address()?.port ?? 0, onread: onread))
                        client = c
                        c.on(.data) { _ in trace.log("FAIL data") }
                        c.on(.end) {
                            trace.log("end received=\(received) same=\(buffers == Self.message) callbacks>=1 \(calls >= 1)")
                            if variant == .bufferFunction { trace.log("bufPoolUsage \(bufPoolUsage)") }
                        }
                        c.on(.error) { e in trace.log("FAIL error \(e)") }
                        c.on(.close) { _ in
                            client = nil
                            sockBuf.deallocate()
                            bufPool.forEach { $0.deallocate() }
                        }
                    } catch { trace.log("FAIL connect threw \(error)") }
                }
            } catch { trace.log("FAIL listen threw \(error)") }
        }
        #expect(r.finished)
        var expected = ["end received=11 same=true callbacks>=1 true"]
        if variant == .bufferFunction { expected.append("bufPoolUsage 7") }
        #expect(r.trace == expected)
    }
}
