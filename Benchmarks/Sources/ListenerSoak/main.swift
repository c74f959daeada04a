// The listener-lifetime soak (listener-soak.sh; docs/design/listener-lifetime.md): Node's idioms with
// listeners that capture their own socket, run long enough to show that closed sockets are freed.
//
//   ListenerSoak server <port> <cycles> <report-every>
//       an echo server whose connection listener captures the socket in its own listeners
//       (`c.on(.data) { c.write($0) }`, 'end', 'error', 'close'); every <report-every> closed connections
//       it prints "closed N rss_kib R fds F"; after <cycles> it closes and exits.
//   ListenerSoak clients <count> <report-every>
//       a client loop: <count> sequential connections to an echo server in the same process, each with
//       self-capturing 'data', 'end', 'error' and 'close' listeners; prints the same lines per client.
//
// At the end both retire what the loop still keeps (listenerRetentionLimit = 0), so that a
// LeakSanitizer build reports only what nothing could free.
import Net

#if canImport(Glibc)
import Glibc
#endif

/// Resident set size in KiB (the VmRSS line of /proc/self/status).
func rssKiB() -> Int {
    let fd = open("/proc/self/status", O_RDONLY)
    guard fd >= 0 else { return -1 }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 4096)
    let n = read(fd, &bytes, bytes.count)
    guard n > 0 else { return -1 }
    let text = String(decoding: bytes[..<n], as: UTF8.self)
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
}

/// Open descriptors (entries of /proc/self/fd).
func openDescriptors() -> Int {
    guard let dir = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(dir) }
    var n = 0
    while readdir(dir) != nil { n += 1 }
    return n - 3   // ".", "..", and the directory's own descriptor
}

func report(_ closed: Int) {
    print("closed \(closed) rss_kib \(rssKiB()) fds \(openDescriptors())")
    fflush(nil)
}

let args = CommandLine.arguments
guard args.count >= 4 else {
    print("usage: ListenerSoak server <port> <cycles> <report-every> | clients <count> <report-every>")
    exit(2)
}

switch args[1] {
case "server":
    let port = Int(args[2])!, cycles = Int(args[3])!, every = Int(args[4])!
    var closed = 0
    var server: Server!
    server = Net.createServer { c in
        c.on(.data) { c.write($0) }
        c.on(.end) { c.end() }
        c.on(.error) { _ in c.destroy() }   // the load resets each connection (ECONNRESET)
        c.on(.close) { _ in
            _ = c.bytesRead
            closed += 1
            if closed % every == 0 { report(closed) }
            if closed == cycles { server.close() }
        }
    }
    try server.listen(port: port, host: "127.0.0.1") { report(0) }

case "clients":
    let count = Int(args[2])!, every = Int(args[3])!
    let server = Net.createServer { c in c.pipe(c) }
    var done = 0
    func next(_ port: Int) {
        let c = try! Net.connect(port: port, host: "127.0.0.1")
        c.on(.connect) { c.write("ping") }
        c.on(.data) { _ in c.end() }
        c.on(.end) { _ = c.bytesRead }
        c.on(.error) { e in print("client error \(e.code)"); c.destroy() }
        c.on(.close) { _ in
            _ = c.remotePort
            done += 1
            if done % every == 0 { report(done) }
            if done < count { next(port) } else { server.close() }
        }
    }
    try server.listen(port: 0, host: "127.0.0.1") { report(0); next(server.address()!.port!) }

default:
    print("unknown mode \(args[1])")
    exit(2)
}

EventLoop.current.run()
EventLoop.current.listenerRetentionLimit = 0
print("end rss_kib \(rssKiB()) fds \(openDescriptors())")
