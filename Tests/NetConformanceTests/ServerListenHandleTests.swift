// Node: test/parallel/test-net-server-listen-handle.js
import Foundation
import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server listens on an existing bound socket, TCP or Unix: passed as a handle (`listen(handle)`,
/// `listen({ handle })`) or as its descriptor (`listen({ fd })`), with the callback or a 'listening'
/// listener; each reaches 'listening' and closes from it. Closing such a server does not unlink the
/// Unix socket file (the server did not bind it: Node's `closePipeServer` closes the original handle
/// to do that). A descriptor of a regular file fails asynchronously: 'error' whose `String(err)` is
/// `Error: listen EINVAL: invalid argument`, never 'listening'; the server can then be closed.
///
/// Mapping: Node's bound internal `TCP`/`Pipe` handles are sockets bound here with socket(2)+bind(2);
/// as a handle they are wrapped in `Socket(Options(fd:))` (not readable: nothing to read before
/// `listen`) and passed to `listen(handle:)`, which listens on a duplicate; `{ fd }` is `listen(fd:)`.
/// n/a: `{ _handle }` (an internal property name, the same path as `{ handle }`).
@Suite struct ServerListenHandleTests {
    enum Form: String, CaseIterable { case handle = "listen(handle)", handleCb = "listen(handle, cb)", fd = "listen({fd})", fdCb = "listen({fd}, cb)" }

    @Test func tcpAndPipeHandlesAndDescriptors() throws {
        let pipePaths = Form.allCases.indices.map { Pipes.path("listen-handle-\($0)") }
        defer { for path in pipePaths { Pipes.remove(path) } }
        var tcpFds: [Int32] = []
        var pipeFds: [Int32] = []
        for path in pipePaths {
            let tcp = BoundSocket.tcp()
            try #require(tcp >= 0, "unable to bind arbitrary tcp port: \(String(cString: strerror(errno)))")
            tcpFds.append(tcp)
            let pipe = BoundSocket.unix(path)
            try #require(pipe >= 0, "unable to bind pipe \(path): \(String(cString: strerror(errno)))")
            pipeFds.append(pipe)
        }
        let (tcp, pipes) = (tcpFds, pipeFds)
        let result = LoopThread.run { _, trace in
            func listen(_ kind: String, _ form: Form, _ fd: Int32, path: String?) {
                let label = "\(kind) \(form.rawValue)"
                let server = Net.createServer()
                var wrapper: Socket?
                let close = {
                    server.close { _ in
                        if let path {
                            // Node: server.close() does not unlink a pipe it did not bind.
                            trace.log("\(label) closed, file exists \(FileManager.default.fileExists(atPath: path))")
                        } else {
                            trace.log("\(label) closed")
                        }
                    }
                    wrapper?.destroy()   // Node's handle.close()
                }
                server.on(.error) { e in trace.log("\(label) error \(e)") }
                do {
                    switch form {
                    case .handle, .handleCb:
                        let socket = try Socket(.init(fd: fd, readable: false))
                        wrapper = socket
                        if form == .handle {
                            try server.listen(handle: socket).on(.listening, close)
                        } else {
                            try server.listen(handle: socket, close)
                        }
                    case .fd:
                        try server.listen(fd: fd).on(.listening, close)
                        // The server owns `fd` now; Node's handle.close() closes another reference.
                    case .fdCb:
                        try server.listen(fd: fd, close)
                    }
                } catch { trace.log("\(label) threw \(error)") }
            }
            for (i, form) in Form.allCases.enumerated() {
                listen("tcp", form, tcp[i], path: nil)
                listen("pipe", form, pipes[i], path: pipePaths[i])
            }
        }
        #expect(result.finished)
        var expected: [String] = []
        for form in Form.allCases {
            expected.append("tcp \(form.rawValue) closed")
            expected.append("pipe \(form.rawValue) closed, file exists true")
        }
        #expect(result.trace.sorted() == expected.sorted())
    }

    @Test func regularFileDescriptorIsEINVAL() throws {
        let fd = open(#filePath, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(fd: fd) { trace.log("listening") }
                    .on(.error) { err in
                        trace.log(String(describing: err))
                        server.close()
                    }
            } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["Error: listen EINVAL: invalid argument"])
    }
}
