// async-echo: an echo server written with Net's async API. `async-echo [port] [host]` (default 7007 on
// 127.0.0.1) prints `listening on <port>` and echoes every connection until it is killed.
//
// Each connection is a child task on the loop: `for try await chunk in socket` reads with backpressure
// (a client that sends faster than it reads is paused), and `try await socket.writeAsync(chunk)` waits
// for 'drain' when the kernel's buffer is full.
import Net

#if canImport(Glibc)
import Glibc
#endif

@main
struct AsyncEcho {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let port = arguments.first.flatMap { Int($0) } ?? 7007
        let host = arguments.dropFirst().first ?? "127.0.0.1"
        try await EventLoop.run { _ in
            let server = Net.createServer()
            try await server.listenAsync(port: port, host: host)
            print("listening on \(server.address()?.port ?? 0)")
            fflush(nil)
            try await server.handleConnections { socket in
                for try await chunk in socket {
                    try await socket.writeAsync(chunk)
                }
                // The client ended its side: end ours once everything is written.
                try await socket.endAsync()
            }
        }
    }
}
