// Node: test/parallel/test-net-connect-memleak.js
import Net
import NetTestSupport
import Testing

/// The listener passed to `createConnection(port:_:)` is added with `once`, so the socket lets go of it
/// once 'connect' has fired. Node (`--expose-gc`) hangs an object on the listener's closure, calls
/// `global.gc()` on the immediate after 'connect', and on the next immediate checks that the object was
/// collected, while the socket itself is still open. In Swift that is ARC: an object captured only by the
/// connect listener is still alive while the listener runs (and not released before), and is gone by the
/// next immediates, with the socket still connected (it is ended afterwards). The server's connection
/// listener runs once.
@Suite struct ConnectMemleakTests {
    /// What Node's `gcObject` is: something only the connect listener holds.
    final class Captured {
        let name = "gcObject"
    }

    /// Node's `onGC`: a weak reference to watch the object with.
    final class Watch {
        weak var object: Captured?
        var collected: Bool { object == nil }
    }

    @Test func connectListenerIsReleasedAfterConnect() {
        let r = LoopThread.run { _, trace in
            let watch = Watch()
            var connections = 0
            let server = Net.createServer { _ in connections += 1 }
            try! server.listen(port: 0)

            var sock: Socket!
            do {
                let gcObject = Captured()
                watch.object = gcObject
                sock = try! Net.createConnection(port: server.address()!.port!) {
                    // Keeps the reference alive, as Node's `assert.strictEqual(gcObject, gcObject)`.
                    trace.log("connect \(gcObject.name) collected \(watch.collected)")
                    setImmediate {
                        // Node's `done`: `global.gc()` here, then one more immediate.
                        trace.log("done collected \(watch.collected)")
                        setImmediate {
                            trace.log("after gc collected \(watch.collected) socket open \(!sock.destroyed && sock.readyState == .open)")
                            sock.end()
                            server.close { _ in trace.log("server closed, connections \(connections)") }
                        }
                    }
                }
            }
            trace.log("before connect collected \(watch.collected)")
        }
        #expect(r.finished)
        #expect(r.trace == [
            "before connect collected false",
            "connect gcObject collected false",
            "done collected true",
            "after gc collected true socket open true",
            "server closed, connections 1",
        ])
    }
}
