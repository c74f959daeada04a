import Foundation
import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Net's own checks of the IPC layer: abstract names, descriptors wrapped by `Socket(Options(fd:))`,
/// `listen(fd:)`/`listen(handle:)`, the socket file's lifetime and Node's errors for names.
@Suite struct UnixSocketTests {
    static func tempPath(_ tag: String) -> String {
        "\(NSTemporaryDirectory())net-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test func abstractNameEchoes() {
        let name = "\0net-abstract-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = LoopThread.run { _, trace in
            let server = createServer { socket in socket.on(.data) { socket.write($0); socket.end() } }
            do {
                try server.listen(path: name) {
                    trace.log("address \(server.address().map { String(reflecting: $0.description) } ?? "nil")")
                    let client = createConnection(path: name) { trace.log("connect") }
                    client.setEncoding(.utf8)
                    client.on(.data) { trace.log("data \($0)") }
                    client.on(.end) { server.close() }
                    client.end("ping")
                }
            } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["address \(String(reflecting: name))", "connect", "data ping"])
    }

    @Test func abstractNameRefusesReadableAll() {
        let result = LoopThread.run { _, trace in
            do throws(NetError) {
                try Server().listen(.init(path: "\0x", readableAll: true))
            } catch {
                trace.log("\(error.code) \(error.message)")
            }
        }
        #expect(result.trace == [
            "ERR_INVALID_ARG_VALUE The argument 'options' can not set readableAll or writableAllt to true when path is abstract unix socket. Received { path: '\\x00x', readableAll: true }"
        ])
    }

    @Test func socketFileRemovedOnClose() {
        let path = Self.tempPath("unlink")
        let result = LoopThread.run { _, trace in
            let server = createServer()
            _ = try? server.listen(path: path) {
                trace.log("exists \(FileManager.default.fileExists(atPath: path))")
                server.close { _ in trace.log("after close exists \(FileManager.default.fileExists(atPath: path))") }
            }
        }
        #expect(result.trace == ["exists true", "after close exists false"])
    }

    @Test func readableAllWritableAllChmod() throws {
        let path = Self.tempPath("chmod")
        let result = LoopThread.run { _, trace in
            let server = createServer()
            _ = try? server.listen(.init(path: path, readableAll: true, writableAll: true)) {
                var info = stat()
                stat(path, &info)
                trace.log(String(info.st_mode & 0o777, radix: 8))
                server.close()
            }
        }
        #expect(result.trace == ["777"])
    }

    @Test func longPathIsEINVAL() {
        let path = NSTemporaryDirectory() + String(repeating: "x", count: 200) + ".sock"
        let result = LoopThread.run { _, trace in
            let server = createServer()
            server.on(.error) { trace.log("listen \($0.code) \($0.message)") }
            _ = try? server.listen(path: path)
            let client = createConnection(path: path)
            client.on(.error) { trace.log("connect \($0.code) \($0.message)") }
        }
        #expect(result.trace.sorted() == [
            "connect EINVAL connect EINVAL \(path)",
            "listen EINVAL listen EINVAL: invalid argument \(path)",
        ])
    }

    @Test func socketFromSocketpairDescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let (a, b) = (fds[0], fds[1])
        let result = LoopThread.run { _, trace in
            do {
                let left = try Socket(.init(fd: a))
                let right = try Socket(.init(fd: b, allowHalfOpen: true))
                trace.log("pending \(left.pending) connecting \(left.connecting) state \(left.readyState)")
                right.setEncoding(.utf8)
                right.on(.data) { trace.log("right got \($0)") }
                right.on(.end) { trace.log("right end"); right.end("bye") }
                left.setEncoding(.utf8)
                left.on(.data) { trace.log("left got \($0)") }
                left.on(.close) { _ in trace.log("left close") }
                left.end("hello")
            } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["pending false connecting false state open", "right got hello", "right end", "left got bye", "left close"])
    }

    @Test func descriptorTypesNodeRefuses() throws {
        let file = open("/dev/null", O_RDONLY)
        defer { close(file) }
        let result = LoopThread.run { _, trace in
            for fd: Int32 in [-1, file] {
                do throws(NetError) { _ = try Socket(.init(fd: fd)) } catch { trace.log("\(error.code) \(error.message)") }
            }
        }
        #expect(result.trace == [
            "ERR_OUT_OF_RANGE The value of \"fd\" is out of range. It must be >= 0 && <= 2147483647. Received -1",
            "ERR_INVALID_FD_TYPE Unsupported fd type: FILE",
        ])
    }

    @Test func listenOnDescriptorAndHandle() throws {
        // An abstract name: closing the first server does not unlink anything the client needs.
        let path = "\0net-fd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = LoopThread.run { _, trace in
            let first = createServer { $0.end("first") }
            _ = try? first.listen(path: path) {
                let second = createServer { $0.end("second") }
                _ = try? second.listen(handle: first) {
                    trace.log("second address \(second.address()?.description == path)")
                    first.close()
                    let client = createConnection(path: path)
                    client.setEncoding(.utf8)
                    client.on(.data) { trace.log("got \($0)") }
                    client.on(.close) { _ in second.close() }
                }
            }
            let bad = createServer()
            bad.on(.error) { trace.log("bad \($0.message)") }
            let devnull = open("/dev/null", O_RDONLY)
            _ = try? bad.listen(fd: devnull)
            close(devnull)
        }
        #expect(result.finished)
        #expect(result.trace == ["bad listen EINVAL: invalid argument", "second address true", "got second"])
    }

    /// The TCP semantics over a Unix socket, through the shared stream layer: half-open (the server
    /// answers after the client's FIN), pause/resume, byte counters, an idle timeout, and an unref'd
    /// server that does not keep `run()` going once its last connection is gone.
    @Test func tcpSemanticsOverUnixSocket() {
        let path = Self.tempPath("semantics")
        let result = LoopThread.run { _, trace in
            let server = createServer(.init(allowHalfOpen: true)) { socket in
                var received = 0
                socket.pause()
                socket.on(.data) { received += $0.count }
                _ = try? socket.setTimeout(50) {
                    trace.log("server timeout, paused \(socket.isPaused()) bytesRead \(socket.bytesRead)")
                    socket.resume()
                }
                socket.on(.end) {
                    trace.log("server end after \(received) bytes; writable \(socket.writable)")
                    socket.end("bye")
                }
            }
            _ = try? server.listen(path: path) {
                server.unref()
                let client = createConnection(path: path)
                client.setEncoding(.utf8)
                client.on(.data) { trace.log("client got \($0)") }
                client.on(.close) { _ in trace.log("client close, bytesWritten \(client.bytesWritten) bytesRead \(client.bytesRead)") }
                client.end(Buffer(count: 1000))
            }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "server timeout, paused true bytesRead 1000",
            "server end after 1000 bytes; writable true",
            "client got bye",
            "client close, bytesWritten 1000 bytesRead 3",
        ])
    }

}
