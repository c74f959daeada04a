// Node: test/parallel/test-net-pipe-connect-errors.js
import Foundation
import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Connect errors for Unix socket paths: connecting to an empty regular file fails with ENOTSOCK or
/// ECONNREFUSED (Linux says ECONNREFUSED); connecting to a path that does not exist (the relative
/// `no-ent-file`) fails with ENOENT; and, unless running as root (for whom a chmod changes nothing, so
/// Node skips it too), connecting to a listening socket whose file was chmod'ed to 0 fails with EACCES.
/// No connect callback, no server connection.
///
/// The port uses a unique relative name for the missing file (Node's is fixed) and a unique empty file
/// in the temporary directory (Node's is a short relative path in its tmpdir).
@Suite struct PipeConnectErrorsTests {
    @Test func notASocketAndMissingPath() throws {
        let emptyTxt = NSTemporaryDirectory() + "net-pipe-connect-errors-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        #expect(FileManager.default.createFile(atPath: emptyTxt, contents: Data()))
        defer { Pipes.remove(emptyTxt) }
        let noEnt = "no-ent-file-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = LoopThread.run { _, trace in
            let notSocketClient = Net.createConnection(path: emptyTxt) { trace.log("not-socket connected") }
            notSocketClient.on(.error) { err in
                trace.log("not-socket error is ENOTSOCK or ECONNREFUSED: \(["ENOTSOCK", "ECONNREFUSED"].contains(err.code)) (\(err.code))")
            }
            let noEntSocketClient = Net.createConnection(path: noEnt) { trace.log("no-ent connected") }
            noEntSocketClient.on(.error) { err in trace.log("no-ent error \(err.code)") }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == [
            "no-ent error ENOENT",
            "not-socket error is ENOTSOCK or ECONNREFUSED: true (ECONNREFUSED)",
        ])
    }

    @Test(.enabled(if: getuid() != 0, "as root a chmod has no effect on the socket file (Node skips it too)"))
    func socketWithoutAccessIsEACCES() {
        let pipe = Pipes.path("pipe-connect-errors")
        defer { Pipes.remove(pipe) }
        let result = LoopThread.run { _, trace in
            let accessServer = Net.createServer { _ in trace.log("server callback") }
            do {
                try accessServer.listen(path: pipe) {
                    chmod(pipe, 0)
                    let accessClient = Net.createConnection(path: pipe) { trace.log("connected") }
                    accessClient.on(.error) { err in
                        trace.log("error \(err.code)")
                        accessServer.close()
                    }
                }
            } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["error EACCES"])
    }
}
