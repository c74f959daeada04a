// Node: test/sequential/test-net-response-size.js
import Foundation
import Net
import NetTestSupport
import Testing

/// A server copes with requests of awkward sizes (nodejs/node-v0.x-archive#1697): the client writes
/// 100 × 1 KB, blocks its event loop for one second, writes one more byte and calls `destroySoon()`. The
/// server receives all 102 401 bytes and closes when the connection does.
///
/// Node runs the server in a child process only to have it on another event loop; here it runs on a
/// second loop thread. (The one-second busy loop is the test's own way of blocking the client's loop.)
@Suite struct ResponseSizeTests {
    /// Hands the server's port from the server's thread to the client's.
    final class PortBox: @unchecked Sendable {
        private let condition = NSCondition()
        private var port: Int?
        func set(_ value: Int) { condition.withLock { port = value; condition.broadcast() } }
        func wait() -> Int? {
            condition.withLock {
                let deadline = Date(timeIntervalSinceNow: 10)
                while port == nil { if !condition.wait(until: deadline) { break } }
                return port
            }
        }
    }

    final class ResultBox: @unchecked Sendable {
        private let condition = NSCondition()
        private var value: LoopThread.Result?
        func set(_ result: LoopThread.Result) { condition.withLock { value = result; condition.broadcast() } }
        func wait() -> LoopThread.Result? {
            condition.withLock {
                let deadline = Date(timeIntervalSinceNow: 30)
                while value == nil { if !condition.wait(until: deadline) { break } }
                return value
            }
        }
    }

    @Test func oddSizedRequestsThenDestroySoon() throws {
        let portBox = PortBox()
        let serverResult = ResultBox()
        Thread {
            serverResult.set(LoopThread.run { _, trace in
                var received = 0
                var server: Server!
                server = Net.createServer { conn in
                    conn.on(.data) { data in received += data.count }
                    conn.on(.close) { hadError in
                        trace.log("server received \(received) bytes, close \(hadError)")
                        server.close()
                    }
                }
                try! server.listen(port: 0, host: "localhost") {
                    trace.log("Server running.")
                    portBox.set(server.address()!.port!)
                }
            })
        }.start()

        let port = try #require(portBox.wait())
        let client = LoopThread.run { _, trace in
            let c = try! Net.createConnection(port: port, host: "localhost")
            c.on(.connect) {
                let alot = Buffer(count: 1024)
                let alittle = Buffer(count: 1)
                for _ in 0..<100 { c.write(alot) }
                // Block the event loop for one second.
                let start = ContinuousClock.now
                while ContinuousClock.now - start < .seconds(1) {}
                c.write(alittle)
                c.destroySoon()
            }
            c.on(.close) { hadError in trace.log("client close \(hadError)") }
        }
        #expect(client.finished)
        #expect(client.trace == ["client close false"])
        let server = try #require(serverResult.wait())
        #expect(server.finished)
        #expect(server.trace == ["Server running.", "server received 102401 bytes, close false"])
    }
}
