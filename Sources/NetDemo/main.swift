// `make run`: the echo server from Node's `net` documentation, line for line, on port 8124 (or $PORT).
//
//   const server = net.createServer((c) => {
//     console.log('client connected');
//     c.on('end', () => { console.log('client disconnected'); });
//     c.write('hello\r\n');
//     c.pipe(c);
//   });
//   server.on('error', (err) => { throw err; });
//   server.listen(8124, () => { console.log('server bound'); });
//
// Try it with `nc localhost 8124`: it greets you, then echoes every line back.
import Net

#if canImport(Glibc)
import Glibc
#endif

// console.log writes each line at once, also to a pipe: so does print, with stdout line-buffered.
lineBufferStandardOutput()

let port = getenv("PORT").flatMap { Int(String(cString: $0)) } ?? 8124

let server = Net.createServer { c in
    // 'connection' listener.
    print("client connected")
    c.on(.end) { print("client disconnected") }
    c.write("hello\r\n")
    c.pipe(c)
}
server.on(.error) { err in EventLoop.current.uncaughtErrorHandler(err) }   // Node: `throw err`
do {
    try server.listen(port: port) { print("server bound") }
} catch {
    EventLoop.current.uncaughtErrorHandler(error)
}

EventLoop.current.run()
