// Node: test/parallel/test-net-server-max-connections.js
import Net
import NetTestSupport
import Testing

/// 20 clients connect one after another (each starts the next at its 'connect') to a server with
/// `maxConnections = 10`. The server accepts exactly 10 ('connection' ×10) and writes `hello` to each; the
/// 10 excess connections are closed at once, so the first 10 clients to close are all excess ones (index
/// ≥ 10) and got no data. Then the server ends its 10 sockets and closes; those 10 clients got data. Every
/// client ends at 'end'; 20 'close's in all.
@Suite struct ServerMaxConnectionsTests {
    @Test func connectionsBeyondMaxConnectionsAreClosedWithoutData() {
        let n = 20
        let r = LoopThread.run { _, trace in
            var closes = 0
            var connections = 0
            var waits: [() -> Void] = []
            var server: Server!
            server = Net.createServer { connection in
                connections += 1
                connection.write("hello")
                waits.append { connection.end() }
            }

            func makeConnection(_ index: Int) {
                let c: Socket
                do { c = try Net.createConnection(port: server.address()?.port ?? 0) } catch {
                    trace.log("connect threw \(error)")
                    return
                }
                var gotData = false
                c.on(.connect) {
                    if index + 1 < n { makeConnection(index + 1) }
                    c.on(.close) { _ in
                        trace.log("close \(index)")
                        closes += 1
                        let max = server.maxConnections ?? 0
                        if closes < n / 2, !(max <= index) {
                            trace.log("FAIL \(index) should not have been one of the first closed connections")
                        }
                        if closes == n / 2 {
                            while !waits.isEmpty { waits.removeFirst()() }
                            server.close()
                        }
                        if index < max {
                            if !gotData { trace.log("FAIL \(index) didn't get data, but should have") }
                        } else if gotData {
                            trace.log("FAIL \(index) got data, but shouldn't have")
                        }
                    }
                }
                c.on(.end) { c.end() }
                c.on(.data) { b in
                    gotData = true
                    if b.count == 0 { trace.log("FAIL \(index) empty data") }
                }
                c.on(.error) { e in trace.log("error \(index): \(e)") }   // Node only logs it
            }

            do {
                try server.listen(port: 0) { makeConnection(0) }
            } catch { trace.log("listen threw \(error)") }
            server.maxConnections = n / 2
            server.on(.close) { trace.log("server close: \(connections) connections") }
        }
        #expect(r.finished)
        #expect(r.trace.filter { $0.hasPrefix("FAIL") } == [])
        #expect(r.trace.filter { $0.hasPrefix("close ") }.count == n)
        #expect(r.trace.filter { $0.hasPrefix("server close") } == ["server close: 10 connections"])
    }
}
