// Node: test/parallel/test-net-server-listen-path.js
import Foundation
import Net
import NetTestSupport
import Testing

/// Every form of listening on a Unix socket path reaches 'listening', and the server can close from it:
/// `listen(path)` then a 'listening' listener, `listen({ path })` then a listener, `listen(path, cb)` and
/// `listen({ path }, cb)`. Each on its own path (Node's `common.PIPE` + counter).
///
/// Not in Node's test: the socket file exists while listening and is gone once the server has closed.
@Suite struct ServerListenPathTests {
    @Test func everyListenFormReachesListening() {
        let paths = (0..<4).map { Pipes.path("listen-path-\($0)") }
        defer { for path in paths { Pipes.remove(path) } }
        let result = LoopThread.run { _, trace in
            func closeServer(_ server: Server, _ form: String, _ path: String) -> () -> Void {
                {
                    trace.log("\(form) listening, file exists \(FileManager.default.fileExists(atPath: path))")
                    server.close { _ in trace.log("\(form) closed, file exists \(FileManager.default.fileExists(atPath: path))") }
                }
            }
            do {
                // listen(path)
                let a = Net.createServer()
                try a.listen(path: paths[0]).on(.listening, closeServer(a, "listen(path)", paths[0]))
                // listen({ path })
                let b = Net.createServer()
                try b.listen(.init(path: paths[1])).on(.listening, closeServer(b, "listen({path})", paths[1]))
                // listen(path, cb)
                let c = Net.createServer()
                try c.listen(path: paths[2], closeServer(c, "listen(path, cb)", paths[2]))
                // listen({ path }, cb)
                let d = Net.createServer()
                try d.listen(.init(path: paths[3]), closeServer(d, "listen({path}, cb)", paths[3]))
            } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        for form in ["listen(path)", "listen({path})", "listen(path, cb)", "listen({path}, cb)"] {
            #expect(result.trace.filter { $0.hasPrefix(form + " ") } == [
                "\(form) listening, file exists true", "\(form) closed, file exists false",
            ])
        }
        #expect(result.trace.count == 8)
    }
}
