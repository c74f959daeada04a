// Node: test/parallel/test-net-socket-setnodelay.js
@testable import Net
import Foundation
import NetTestSupport
import Testing

/// `setNoDelay()` defaults to `true`, and reaches the handle only when the value changes (a socket starts
/// with Nagle's algorithm on, as `false`): `true` five times → one call (`true`); `false` three times on a
/// fresh socket → no call; false×3, true×5, false×3, true×5 → three calls (`true`, `false`, `true`). A
/// socket whose handle has no `setNoDelay` (a Unix domain socket) ignores it and returns itself.
///
/// Node builds sockets on fake handles that count `setNoDelay` calls (internal); here each group runs on a
/// real connected socket, and a call is told from a skipped one by first setting TCP_NODELAY to the opposite
/// value behind Net's back: a call made with `v` leaves TCP_NODELAY at `v`, a skipped one leaves it as it was.
/// Dropped: JavaScript truthy/falsy values (`1`, `'true'`, `{}`, `[]`, `0`, `''`): the argument is a Bool, so
/// each list is that many `true`s or `false`s. (The v20 counts are those of node v20.20.2 on this machine;
/// later copies of the test expect calls for falsy values on a fresh socket.)
@Suite struct SocketSetnodelayTests {
    static let truthy = Array(repeating: true, count: 5)
    static let falsy = Array(repeating: false, count: 3)

    @Test func setNoDelayDefaultsToTrueAndCallsTheHandleOnlyOnChange() {
        let r = LoopThread.run { _, trace in
            let groups: [(String, [Bool?])] = [
                ("default", [nil]),
                ("truthy", Self.truthy),
                ("falsy", Self.falsy),
                ("mixed", Self.falsy + Self.truthy + Self.falsy + Self.truthy),
            ]
            var server: Server!
            var done = 0
            server = Net.createServer { c in c.on(.error) { e in trace.log("server socket error \(e)") } }
            do {
                try server.listen(port: 0, host: "127.0.0.1") {
                    guard let port = server.address()?.port else { return }
                    for (name, values) in groups {
                        do {
                            var socket: Socket!
                            socket = try Net.connect(port: port, host: "127.0.0.1") {
                                trace.log("\(name) calls \(spiedCalls(socket, values))")
                                socket.destroy()
                                done += 1
                                if done == groups.count { server.close() }
                            }
                            socket.on(.error) { e in trace.log("\(name) error \(e)") }
                        } catch { trace.log("connect threw \(error)") }
                    }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.sorted() == [
            "default calls [true]",
            "falsy calls []",
            "mixed calls [true, false, true]",
            "truthy calls [true]",
        ])
    }

    /// If a handle has no `setNoDelay` (a Unix domain socket's), nothing is called and the socket is returned.
    @Test func aHandleWithoutSetNoDelayIsLeftAlone() {
        let path = NSTemporaryDirectory() + "net-setnodelay-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let r = LoopThread.run { _, trace in
            let server = Net.createServer { c in c.end() }
            do {
                try server.listen(path: path) {
                    let socket = Net.connect(path: path)
                    trace.log("before connect returns the socket: \(socket.setNoDelay(true) === socket)")
                    socket.on(.connect) {
                        trace.log("connected returns the socket: \(socket.setNoDelay(true) === socket)")
                        socket.destroy()
                        server.close()
                    }
                    socket.on(.error) { e in trace.log("error \(e)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        unlink(path)
        #expect(r.finished)
        #expect(r.trace == ["before connect returns the socket: true", "connected returns the socket: true"])
    }
}

/// Calls `setNoDelay` once per value (nil: no argument) and returns the values of the calls that reached the
/// kernel: before each call TCP_NODELAY is set to the opposite of the value behind Net's back.
private func spiedCalls(_ socket: Socket, _ values: [Bool?]) -> [Bool] {
    var calls: [Bool] = []
    for value in values {
        let expected = value ?? true
        setNoDelayFlag(socket, !expected)
        if let value { socket.setNoDelay(value) } else { socket.setNoDelay() }
        if noDelayFlag(socket) == expected { calls.append(expected) }
    }
    return calls
}

private func noDelayFlag(_ socket: Socket) -> Bool? {
    guard let fd = socket.handle?.fileDescriptor else { return nil }
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length) == 0 ? value != 0 : nil
}

private func setNoDelayFlag(_ socket: Socket, _ on: Bool) {
    guard let fd = socket.handle?.fileDescriptor else { return }
    var v: Int32 = on ? 1 : 0
    _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &v, socklen_t(MemoryLayout<Int32>.size))
}
