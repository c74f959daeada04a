import Foundation
import NetTestSupport
import Testing

/// `make run`: the echo server of Node's docs, driven by a client that is not ours (Python's socket
/// module): the greeting, 1 MiB echoed back intact, and half-close (the client's FIN ends the echo, the
/// server ends its side, the client sees EOF), with the docs' log lines.
@Suite struct EchoServerDemoTests {
    static let client = #"""
    import socket, sys, threading, time, hashlib
    port = int(sys.argv[1])
    for _ in range(200):
        try:
            s = socket.create_connection(("127.0.0.1", port)); break
        except OSError:
            time.sleep(0.05)
    else:
        print("no server"); sys.exit(1)
    greeting = b""
    while len(greeting) < 7:
        greeting += s.recv(7 - len(greeting))
    payload = bytes(range(256)) * 4096
    received = []
    def reader():
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            received.append(chunk)
    t = threading.Thread(target=reader); t.start()
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    t.join(30)
    echoed = b"".join(received)
    print(repr(greeting), len(echoed), hashlib.sha256(echoed).hexdigest() == hashlib.sha256(payload).hexdigest(), not t.is_alive())
    """#

    @Test func echoServerWithPythonClient() throws {
        // A free port: bind 0, read it, release it (the demo binds it right after).
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                _ = bind(probe, sa, length)
                _ = getsockname(probe, sa, &length)
            }
        }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        close(probe)

        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: Fixture.sibling("NetDemo"))
        demo.environment = ["PORT": "\(port)"]
        let out = Pipe()
        demo.standardOutput = out
        try demo.run()
        // The test thread's signal mask (SIGTERM blocked) is inherited by the child, so stop it with SIGKILL.
        let pid = demo.processIdentifier
        defer { if demo.isRunning { kill(pid, SIGKILL) } }

        let python = try ChildProcess.run("/usr/bin/env", ["python3", "-c", Self.client, "\(port)"], timeout: 60)
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdout == "b'hello\\r\\n' 1048576 True True\n")

        // The demo logs as the docs do; give it a moment to print the disconnect, then stop it.
        usleep(200_000)
        kill(pid, SIGKILL)
        demo.waitUntilExit()
        let log = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log == "server bound\nclient connected\nclient disconnected\n")
    }
}
