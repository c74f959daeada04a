// Node: test/parallel/test-net-connect-abort-controller.js
import Net
import NetTestSupport
import Testing

/// A socket given a `signal` is destroyed with an AbortError when the signal aborts: 'error' (name
/// `AbortError`) comes before 'close' (Node awaits `once(socket, 'close')`, which rejects on 'error'). Six
/// ways, one after another: `connect({signal})` then abort; abort then connect; connect then abort in a
/// `setImmediate`; and the same three with `new Socket({signal})` (never connected). Right after the socket
/// is made, the signal has one 'abort' listener if it was live, none if it was already aborted. Then the
/// server destroys the connections it still has and closes (its close callback runs).
///
/// Node reads the listener count with `getEventListeners(signal, 'abort')` (v20; older copies used
/// `listenerCount`, which is 0 for an EventTarget); here `signal.listenerCount(.abort)`.
@Suite struct ConnectAbortControllerTests {
    enum Way: String, CaseIterable {
        case postAbort, preAbort, tickAbort, testConstructor, testConstructorPost, testConstructorPostTick
    }

    @Test func aSignalDestroysTheSocketWithAnAbortError() {
        let r = LoopThread.run { loop, trace in
            let server = Net.createServer()
            var liveConnections: [ObjectIdentifier: Socket] = [:]
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    let host = "localhost"
                    server.on(.connection) { connection in
                        let id = ObjectIdentifier(connection)
                        liveConnections[id] = connection
                        connection.on(.close) { _ in liveConnections[id] = nil }
                    }

                    /// Node's `assertAbort`: the first of 'error' and 'close' must be an AbortError.
                    func assertAbort(_ socket: Socket, _ testName: String, then next: @escaping () -> Void) {
                        var settled = false
                        socket.on(.error) { err in
                            guard !settled else { return }
                            settled = true
                            trace.log("\(testName) \(err.name)")
                            loop.nextTick(next)
                        }
                        socket.on(.close) { _ in
                            guard !settled else { return }
                            settled = true
                            trace.log("close \(testName) should have thrown")
                            loop.nextTick(next)
                        }
                    }

                    func run(_ ways: ArraySlice<Way>) {
                        guard let way = ways.first else {
                            // Killing the net.Socket without connecting hangs the server.
                            for connection in liveConnections.values { connection.destroy() }
                            server.close { err in trace.log("server closed \(err.map { "\($0)" } ?? "nil")") }
                            return
                        }
                        let next = { run(ways.dropFirst()) }
                        let ac = AbortController()
                        let signal = ac.signal
                        let socket: Socket
                        do {
                            switch way {
                            case .postAbort, .tickAbort:
                                if way == .tickAbort { loop.setImmediate { ac.abort() } }
                                socket = try Net.connect(ConnectOptions(port: port, host: host, signal: signal))
                            case .preAbort:
                                ac.abort()
                                socket = try Net.connect(ConnectOptions(port: port, host: host, signal: signal))
                            case .testConstructor:
                                ac.abort()
                                socket = try Socket(.init(signal: signal))
                            case .testConstructorPost, .testConstructorPostTick:
                                socket = try Socket(.init(signal: signal))
                            }
                        } catch {
                            trace.log("\(way) threw \(error)")
                            return
                        }
                        trace.log("\(way) listeners \(signal.listenerCount(.abort))")
                        switch way {
                        case .postAbort, .testConstructorPost: ac.abort()
                        case .testConstructorPostTick: loop.setImmediate { ac.abort() }
                        default: break
                        }
                        assertAbort(socket, way.rawValue, then: next)
                    }
                    run(Way.allCases[...])
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "postAbort listeners 1", "postAbort AbortError",
            "preAbort listeners 0", "preAbort AbortError",
            "tickAbort listeners 1", "tickAbort AbortError",
            "testConstructor listeners 0", "testConstructor AbortError",
            "testConstructorPost listeners 1", "testConstructorPost AbortError",
            "testConstructorPostTick listeners 1", "testConstructorPostTick AbortError",
            "server closed nil",
        ])
    }
}
