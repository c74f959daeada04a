// net-fixture: scenarios that must run in a process of their own (they end the process, or test what
// keeps it alive), driven by the test suite as child processes. `net-fixture <scenario>`.
import Foundation
import Net
#if canImport(Glibc)
import Glibc
#endif

/// Port numbers as `N`, so that two runs' traces compare.
enum Ports {
    static func hide(_ s: String) -> String { s.replacingOccurrences(of: #"\d{3,5}"#, with: "N", options: .regularExpression) }
}

final class Thing: EventEmitter {
    let eventListeners = EventListeners()
}

let scenario = CommandLine.arguments.dropFirst().first ?? ""
switch scenario {
case "task-dead-loop":
    AsyncScenarios.taskOnDeadLoop()
case "async-sink":
    AsyncScenarios.asyncSink(port: Int(CommandLine.arguments[2]) ?? 0, slowEvery: Int(CommandLine.arguments[3]) ?? 0)
case "uncaught-error":
    // An 'error' with no listener: Node prints it and exits with status 1.
    print("before")
    setTimeout(1) {
        Thing().emit(.error, NetError.withHostPort(-111, syscall: "connect", address: "127.0.0.1", port: 1))
        print("not reached")
    }
    EventLoop.current.run()
    print("not reached either")
case "handled-error":
    EventLoop.current.uncaughtErrorHandler = { print("handled: \($0.message)") }
    Thing().emit(.error, NetError("boom", code: "EBOOM"))
    print("still running")
case "unref-timer":
    // The process must end at once: the only timer is unref'd.
    setTimeout(60_000) { print("never") }.unref()
    nextTick { print("tick") }
    EventLoop.current.run()
    print("exit")
case "max-listeners-warning":
    // Past setMaxListeners(1): one warning on stderr for the second listener, none for the third.
    let thing = Thing()
    try thing.setMaxListeners(1)
    for _ in 0..<3 { thing.on(EventKey<Thing, Void>("event-type")) {} }
case "listen-fd0":
    // test-net-listen-fd0: listening on descriptor 0 (stdin: a pipe when run by the suite) fails with an
    // asynchronous 'error' (ENOTSOCK for a pipe, EINVAL for a file or terminal), never a throw or a
    // connection, and the process then ends.
    let server = createServer { _ in print("connection") }
    server.on(.error) { print("error \($0.code) \($0.message)") }
    do { try server.listen(fd: 0) { print("listening") } } catch { print("threw \(error)") }
    print("listen returned")
    EventLoop.current.run()
    print("exit")
case "exit-after-writes":
    // Connects to the port given, writes eight small chunks in the 'connect' callback (gathering on: the
    // last four are gathered) and exits in that callback: the peer must still get all of them.
    let port = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 0
    var socket: Socket!
    socket = try connect(port: port, host: "127.0.0.1") {
        socket.gatherWrites = true
        for text in ["one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight"] { socket.write(text) }
        exit(0)
    }
    EventLoop.current.run()
    print("the connection failed")
    exit(1)
case "localhost-ipv6-first":
    // Run where `localhost` resolves to ::1 first (the test bind-mounts such a hosts file): an IPv4-only
    // server is reached through happy eyeballs, and not with `autoSelectFamily: false`. Ports hidden.
    let server = Net.createServer { $0.end() }
    try! server.listen(port: 0, host: "127.0.0.1") {
        let port = server.address()!.port!
        func attempt(_ tag: String, _ autoSelect: Bool, then: @escaping () -> Void) {
            var options = ConnectOptions(port: port, host: "localhost")
            options.autoSelectFamily = autoSelect
            let c = try! Net.connect(options)
            c.on(.lookup) { r in print("\(tag) lookup \(r.address ?? "undefined") \(r.family ?? 0)") }
            c.on(.connectionAttempt) { a in print("\(tag) attempt \(a.address) \(a.family ?? 0)") }
            c.on(.connectionAttemptFailed) { f in print("\(tag) failed \(f.address) \(f.error.code)") }
            c.on(.connect) { print("\(tag) connect \(c.remoteAddress ?? "undefined")") }
            c.on(.error) { e in print("\(tag) error \(e.code) \(Ports.hide(e.message))") }
            c.on(.close) { _ in print("\(tag) close"); then() }
            c.resume()
        }
        attempt("auto", true) { attempt("single", false) { server.close() } }
    }
    EventLoop.current.run()
default:
    print("unknown scenario '\(scenario)'")
    exit(2)
}
