// nc: a small netcat on top of Net.
//
//   nc [-N] HOST PORT      connect over TCP
//   nc -l [HOST] PORT      accept one TCP connection
//   nc -U PATH             connect to a Unix domain socket
//   nc -lU PATH            accept one connection on a Unix domain socket
//
// stdin is copied to the connection and the connection to stdout, both through `Socket`s made from
// descriptors 0 and 1 (`Socket.Options(fd:)`) joined with `pipe`, so Net's backpressure paces both ways.
// End of stdin half-closes the connection (netcat's `-N`, always on here; the flag is accepted), and the
// program keeps printing what the peer sends until the peer ends too. A terminal or a regular file on
// stdin/stdout is not a socket or pipe, which Node's `net` (and so Net) refuses to wrap: such a descriptor
// is relayed through a socket pair by a helper thread.

import Foundation
import Net

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("nc: \(message)\n".utf8))
    exit(1)
}

let usage = """
    usage: nc [-N] HOST PORT | nc -l [HOST] PORT | nc -U PATH | nc -lU PATH
    """

// MARK: Arguments

var listenMode = false
var unixMode = false
var positional: [String] = []
for argument in CommandLine.arguments.dropFirst() {
    if argument.hasPrefix("-"), argument.count > 1 {
        for flag in argument.dropFirst() {
            switch flag {
            case "l": listenMode = true
            case "U": unixMode = true
            case "N": break   // always: end of stdin half-closes the connection
            case "h": print(usage); exit(0)
            default: fail("unknown option -\(flag)\n\(usage)")
            }
        }
    } else {
        positional.append(argument)
    }
}

enum Target {
    case tcp(host: String?, port: Int)
    case unix(path: String)
}

func parsePort(_ text: String) -> Int {
    guard let port = Int(text), (0...65535).contains(port) else { fail("invalid port \(text)") }
    return port
}

let target: Target
switch (unixMode, listenMode, positional.count) {
case (true, _, 1): target = .unix(path: positional[0])
case (false, true, 1): target = .tcp(host: nil, port: parsePort(positional[0]))
case (false, _, 2): target = .tcp(host: positional[0], port: parsePort(positional[1]))
default: fail(usage)
}

// MARK: stdio as sockets

/// Signalled by the stdout relay thread once it has written everything: the program waits for it.
let stdoutRelayDone = DispatchSemaphore(value: 0)
nonisolated(unsafe) var stdoutRelayed = false

/// A Socket around `fd` (0 or 1). When `fd` is a terminal or a file, a socket pair stands in for it and a
/// thread copies between the two with blocking reads and writes.
func stdioSocket(_ fd: Int32, readable: Bool) -> Socket {
    func options(_ fd: Int32) -> Socket.Options {
        Socket.Options(fd: fd, allowHalfOpen: true, readable: readable, writable: !readable)
    }
    do {
        return try Socket(options(fd))
    } catch where error.code == "ERR_INVALID_FD_TYPE" {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            fail("socketpair: \(String(cString: strerror(errno)))")
        }
        let (ours, theirs) = (pair[0], pair[1])
        let relay = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let (from, to) = readable ? (fd, theirs) : (theirs, fd)
            while true {
                let n = read(from, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                var offset = 0
                while offset < n {
                    let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + offset, n - offset) }
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { break }
                    offset += w
                }
                if offset < n { break }
            }
            if readable {
                shutdown(theirs, Int32(SHUT_WR))
            } else {
                close(theirs)
                stdoutRelayDone.signal()
            }
        }
        if !readable { stdoutRelayed = true }
        relay.start()
        do {
            return try Socket(options(ours))
        } catch {
            fail(error.message)
        }
    } catch {
        fail(error.message)
    }
}

// MARK: Wiring

/// Joins a connection to stdin and stdout; nothing else keeps the loop alive once all three are done.
func attach(_ connection: Socket) {
    let input = stdioSocket(0, readable: true)
    let output = stdioSocket(1, readable: false)
    // stdin EOF → end() on the connection: a FIN to the peer, which may still answer.
    input.pipe(connection)
    // The peer's FIN → end() on stdout, once everything before it is written.
    connection.pipe(output)
    connection.on(.error) { fail($0.message) }
    connection.on(.close) { _ in
        // Both directions are done: stop reading stdin (it may be a terminal nobody closes).
        input.destroy()
    }
}

switch (listenMode, target) {
case (false, .tcp(let host, let port)):
    do {
        let connection = try createConnection(ConnectOptions(port: port, host: host ?? "localhost", allowHalfOpen: true))
        attach(connection)
    } catch {
        fail(error.message)
    }
case (false, .unix(let path)):
    var options = ConnectOptions(allowHalfOpen: true)
    options.path = path
    do {
        attach(try createConnection(options))
    } catch {
        fail(error.message)
    }
case (true, _):
    // Like netcat: serve the first connection, then stop listening.
    let server = createServer(.init(allowHalfOpen: true))
    server.on(.error) { fail($0.message) }
    server.once(.connection) { connection in
        server.close()
        attach(connection)
    }
    do {
        switch target {
        case .tcp(let host, let port): try server.listen(port: port, host: host)
        case .unix(let path): try server.listen(path: path)
        }
    } catch {
        fail(error.message)
    }
}

EventLoop.current.run()
// The loop is done once the stdout socket has handed its last byte over; a relay may still be writing it.
if stdoutRelayed { stdoutRelayDone.wait() }
