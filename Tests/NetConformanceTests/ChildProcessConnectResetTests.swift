// Node: test/parallel/test-net-child-process-connect-reset.js
import Foundation
import Net
import NetTestSupport
import Testing

/// A client reading with `onread` (a 64 KiB buffer, a callback that does nothing) connects to a server in
/// another process; at 'connect' that process is killed with SIGKILL. The client copes: 'connect' once, any
/// 'error' is ECONNRESET (Node: only on Windows; on Linux the kernel sends a FIN), and the client closes so
/// the loop (Node: the process) ends. The child exits by SIGKILL, with no exit code.
///
/// The child is scaffolding, as in Node (where it is the test file itself, run with `child` and reporting
/// its port over IPC): here it is a `node` process that prints its port on stdout.
@Suite struct ChildProcessConnectResetTests {
    static let childScript = """
        const server = require('net').createServer(() => {});
        server.listen(0, '127.0.0.1', () => console.log(server.address().port));
        """

    @Test func onreadSocketSurvivesItsPeerProcessBeingKilled() throws {
        let node = try #require(Node.path, "node is not on PATH")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: node)
        child.arguments = ["-e", Self.childScript]
        let out = Pipe()
        child.standardOutput = out
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

        // The child's 'ready' message: its port, on one line.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let pid = child.processIdentifier

        let r = LoopThread.run { _, trace in
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
            do {
                let conn = try Net.createConnection(ConnectOptions(
                    port: port, host: "127.0.0.1",
                    onread: OnRead(buffer: .buffer(memory)) { _, _ in true }))
                conn.on(.error) { err in trace.log("error \(err.code)") }
                conn.on(.connect) {
                    trace.log("connect")
                    kill(pid, SIGKILL)
                }
                conn.on(.close) { _ in
                    trace.log("close")
                    memory.deallocate()
                }
            } catch {
                trace.log("connect threw \(error)")
                memory.deallocate()
            }
        }
        child.waitUntilExit()
        #expect(r.finished)
        #expect(r.trace.first == "connect")
        #expect(r.trace.last == "close")
        #expect(r.trace.dropFirst().dropLast().allSatisfy { $0 == "error ECONNRESET" })
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(child.terminationStatus == SIGKILL)
    }
}
