// async-chat: a line-based chat server written with Net's async API and an actor that lives on the loop.
// `async-chat [port]` (default 7008, on 127.0.0.1) prints `listening on <port>`. Every client is greeted
// with `welcome guest<N>`; each line it sends goes to every other client as `guest<N>: <line>`; the
// others hear `guest<N> joined` and `guest<N> left`. Try it with `nc 127.0.0.1 7008` in two terminals.
import Net

#if canImport(Glibc)
import Glibc
#endif

/// The room: an actor whose executor is the loop, so its methods run on the loop's thread and hold
/// sockets directly, with no hop per call and no `Sendable` wrapper.
actor ChatRoom {
    let loop: EventLoop
    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
    private var members: [(name: String, socket: Socket)] = []
    private var guests = 0

    init(loop: EventLoop) { self.loop = loop }

    /// Serves one client until it leaves.
    func serve(_ socket: Socket) async throws {
        guests += 1
        let name = "guest\(guests)"
        try await socket.writeAsync("welcome \(name)\n")
        broadcast("\(name) joined\n", from: socket)
        members.append((name, socket))
        defer {
            members.removeAll { $0.socket === socket }
            broadcast("\(name) left\n", from: socket)
        }
        var pending = ""
        for try await chunk in socket {
            pending += chunk.toString()
            // By scalars: "\r\n" is one Character in Swift, so a Character search for "\n" misses it.
            while let newline = pending.unicodeScalars.firstIndex(of: "\n") {
                var line = String(pending.unicodeScalars[..<newline])
                if line.unicodeScalars.last == "\r" { line.unicodeScalars.removeLast() }
                pending = String(pending.unicodeScalars[pending.unicodeScalars.index(after: newline)...])
                broadcast("\(name): \(line)\n", from: socket)
            }
        }
        try await socket.endAsync()
    }

    /// Sends `text` to everyone but `sender`. A member that reads slower than the room talks is paused by
    /// nobody here: `write` queues (Node's semantics); its `writableLength` shows how far behind it is.
    private func broadcast(_ text: String, from sender: Socket) {
        for member in members where member.socket !== sender && !member.socket.writableEnded {
            member.socket.write(text)
        }
    }
}

@main
struct AsyncChat {
    static func main() async throws {
        let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 7008
        try await EventLoop.run { loop in
            let room = ChatRoom(loop: loop)
            let server = Net.createServer()
            try await server.listenAsync(port: port, host: "127.0.0.1")
            print("listening on \(server.address()?.port ?? 0)")
            fflush(nil)
            try await server.handleConnections { socket in
                try await room.serve(socket)
            }
        }
    }
}
