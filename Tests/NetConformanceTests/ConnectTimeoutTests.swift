// Node: test/internet/test-net-connect-timeout.js
import Glibc
import Net
import NetTestSupport
import Testing

/// A connection attempt that never completes times out: `setTimeout(100)` right after `createConnection`
/// emits 'timeout' while still connecting, within 100 + 500 ms, and 'connect' never comes.
///
/// Node connects to 192.0.2.1 (TEST-NET-1, a black hole on the internet). Here the black hole is on
/// loopback: a listening socket nobody accepts from, created with backlog 0 and whose one accept-queue
/// slot is already taken, so Linux drops the SYN and the connect stays in SYN_SENT (node v20.20.2 times
/// out against it the same way: 'timeout' after ~100 ms with `connecting` true, then 'close' false).
@Suite struct ConnectTimeoutTests {
    static let t = 100

    @Test func timeoutFiresBeforeTheConnectionIsEstablished() throws {
        let hole = try #require(BlackHole(host: "127.0.0.1"))
        defer { hole.close() }
        let port = hole.port
        let result = LoopThread.run(timeout: 10) { loop, trace in
            let start = ContinuousClock.now
            let socket = try! Net.createConnection(port: port, host: "127.0.0.1")
            try! socket.setTimeout(Self.t)
            socket.on(.timeout) {
                let elapsed = start.duration(to: .now)
                trace.log("timeout: connecting \(socket.connecting), within T + 500 ms \(elapsed < .milliseconds(Self.t + 500))")
                socket.destroy()
            }
            socket.on(.connect) { trace.log("connect (must not happen)") }
            // Not in Node's test (where an error would crash the process): fail on one instead.
            socket.on(.error) { e in trace.log("error (must not happen): \(e)") }
            // Not in Node's test: without 'timeout' the connect would wait for the kernel's SYN retries
            // (minutes); end it after 3 s so the test fails instead of leaving it to the watchdog.
            loop.setTimeout(3000) { socket.destroy() }.unref()
        }
        #expect(result.finished)
        #expect(result.trace == ["timeout: connecting true, within T + 500 ms true"])
    }
}
