// Node: test/parallel/test-net-socket-constructor.js
@testable import Net
import NetTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `new Socket(options)` and the `readable`/`writable` it starts with (the v20 test; values checked
/// against Node v20): `{ fd: -1 }` throws ERR_OUT_OF_RANGE; `new Socket()` is readable and writable; so
/// are a server's accepted socket, a client while connecting and once connected, and sockets made
/// around existing descriptors (`new Socket(4)`, `{ fd: 5 }`, `{ fd: 6, readable: true, writable: true }`,
/// in Node a cluster worker's extra stdio pipes). Sockets the test makes are unref'd and the process
/// (here the loop) still ends.
///
/// Mapping: the worker's stdio pipes (libuv makes them with socketpair) are socketpairs made here, the
/// worker's `new Socket(fd)` shorthand is `Options(fd:)`; `{ handle: socket._handle }` (an internal
/// handle) becomes `{ fd: dup(fd of the accepted socket) }`.
/// n/a: the cluster fork and its exit status (harness only), `{ fd: 'foo' }` (ERR_INVALID_ARG_TYPE: an
/// fd is an Int32).
@Suite struct SocketConstructorTests {
    @Test func negativeFdIsOutOfRange() {
        let result = LoopThread.run { _, trace in
            do throws(NetError) {
                _ = try Socket(.init(fd: -1))
                trace.log("no throw")
            } catch {
                trace.log(error.code)
            }
        }
        #expect(result.trace == ["ERR_OUT_OF_RANGE"])
    }

    @Test func readableAndWritableAtCreation() throws {
        // The worker's stdio pipes 4, 5 and 6.
        var pairs: [[Int32]] = []
        for _ in 0..<3 {
            var fds: [Int32] = [0, 0]
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            pairs.append(fds)
        }
        defer { for pair in pairs { close(pair[1]) } }   // the other ends are the sockets'
        let worker = pairs.map { $0[0] }
        let result = LoopThread.run { _, trace in
            func test(_ label: String, _ socket: Socket, _ readable: Bool, _ writable: Bool) {
                if socket.readable != readable || socket.writable != writable {
                    trace.log("\(label): readable \(socket.readable) writable \(socket.writable), want \(readable) \(writable)")
                } else {
                    trace.log("\(label) ok")
                }
            }
            func test(_ label: String, _ options: Socket.Options?, _ readable: Bool, _ writable: Bool) {
                do {
                    let socket = try options.map { try Socket($0) } ?? Socket()
                    socket.unref()
                    test(label, socket, readable, writable)
                } catch { trace.log("\(label) threw \(error)") }
            }

            test("undefined", nil, true, true)

            var server: Server!
            server = Net.createServer { socket in
                socket.unref()
                test("accepted", socket, true, true)
                let fd = socket.handle?.fileDescriptor.map { fcntl($0, F_DUPFD_CLOEXEC, 0) } ?? -1
                test("{ fd: dup(accepted) }", Socket.Options(fd: fd), true, true)
                let fd2 = socket.handle?.fileDescriptor.map { fcntl($0, F_DUPFD_CLOEXEC, 0) } ?? -1
                test("{ fd: dup(accepted), readable, writable }", Socket.Options(fd: fd2, readable: true, writable: true), true, true)
                server.close()
            }
            do {
                try server.listen {
                    guard let port = server.address()?.port else { return }
                    do {
                        var socket: Socket!
                        socket = try Net.connect(port: port) {
                            test("connected", socket, true, true)
                            socket.end()
                        }
                        test("connecting", socket, true, true)
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }

            // The worker.
            test("Socket(4)", Socket.Options(fd: worker[0]), true, true)
            test("{ fd: 5 }", Socket.Options(fd: worker[1]), true, true)
            test("{ fd: 6, readable, writable }", Socket.Options(fd: worker[2], readable: true, writable: true), true, true)
        }
        #expect(result.finished)
        #expect(result.trace == [
            "undefined ok",
            "Socket(4) ok", "{ fd: 5 } ok", "{ fd: 6, readable, writable } ok",
            "connecting ok",
            "accepted ok", "{ fd: dup(accepted) } ok", "{ fd: dup(accepted), readable, writable } ok",
            "connected ok",
        ] || result.trace == [
            "undefined ok",
            "Socket(4) ok", "{ fd: 5 } ok", "{ fd: 6, readable, writable } ok",
            "connecting ok",
            "connected ok",
            "accepted ok", "{ fd: dup(accepted) } ok", "{ fd: dup(accepted), readable, writable } ok",
        ])
    }
}
