// Node: test/parallel/test-net-server-max-connections-close-makes-more-available.js
import Net
import NetTestSupport
import Testing

/// With `maxConnections = 1`: connection 0 is accepted, connection 1 is rejected; once connection 0 has
/// closed, connection 2 is accepted and connection 3 rejected. Every client writes its index once
/// connected, so all four send, but the server only receives `0` and `2` (and acknowledges them). A
/// rejected client sees 'end' or ECONNRESET, never another error.
///
/// Node chains the steps with promises; here each step starts the next one (once, as a promise resolves
/// once) on the next tick.
@Suite struct ServerMaxConnectionsCloseMakesMoreAvailableTests {
    @Test func closingAConnectionFreesASlot() {
        let r = LoopThread.run { loop, trace in
            var connections: [Int: Socket] = [:]
            var server: Server!

            /// A promise's `resolve`: runs `next` once, on a later tick.
            func resolver(_ next: @escaping () -> Void) -> () -> Void {
                var resolved = false
                return {
                    if resolved { return }
                    resolved = true
                    loop.nextTick(next)
                }
            }

            func createConnection(_ index: Int, then next: @escaping () -> Void) {
                let resolve = resolver(next)
                let connection: Socket
                do {
                    var made: Socket!
                    made = try Net.createConnection(port: server.address()?.port ?? 0) {
                        let msg = String(index)
                        made.write(msg)
                        trace.log("sent \(msg)")
                    }
                    connection = made
                } catch {
                    trace.log("FAIL connect threw \(error)")
                    return
                }
                connection.on(.error) { err in
                    if err.code != "ECONNRESET" { trace.log("FAIL error \(index) \(err)") }
                    resolve()
                }
                connection.on(.data) { _ in resolve() }
                connection.on(.end) { resolve() }
                connections[index] = connection
            }

            func closeConnection(_ index: Int, then next: @escaping () -> Void) {
                let resolve = resolver(next)
                connections[index]?.on(.end) { resolve() }
                connections[index]?.end()
            }

            server = Net.createServer { socket in
                socket.on(.data) { data in
                    trace.log("received \(data.toString())")
                    socket.write("acknowledged")
                }
            }
            server.maxConnections = 1
            do {
                try server.listen(port: 0) {
                    createConnection(0) {
                        createConnection(1) {
                            closeConnection(0) {
                                createConnection(2) {
                                    createConnection(3) {
                                        server.close()
                                        closeConnection(2) {}
                                    }
                                }
                            }
                        }
                    }
                }
            } catch { trace.log("FAIL listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.filter { $0.hasPrefix("FAIL") } == [])
        // All connections tried to send data…
        #expect(r.trace.filter { $0.hasPrefix("sent ") } == ["sent 0", "sent 1", "sent 2", "sent 3"])
        // …but only connections 0 and 2 were successful.
        #expect(r.trace.filter { $0.hasPrefix("received ") } == ["received 0", "received 2"])
    }
}
