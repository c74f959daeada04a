// net-fixture: scenarios that must run in a process of their own (they end the process, or test what
// keeps it alive), driven by the test suite as child processes. `net-fixture <scenario>`.
import Net
#if canImport(Glibc)
import Glibc
#endif

final class Thing: EventEmitter {
    let eventListeners = EventListeners()
}

let scenario = CommandLine.arguments.dropFirst().first ?? ""
switch scenario {
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
default:
    print("unknown scenario '\(scenario)'")
    exit(2)
}
