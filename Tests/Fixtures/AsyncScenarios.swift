import Foundation
import Net
#if canImport(Glibc)
import Glibc
#endif

/// Scenarios of the async API that need a process of their own.
enum AsyncScenarios {
    /// A server made inside a `Task` on the cooperative pool, whose thread runs no loop: the dead-loop
    /// check must stop the process with its message (on stderr) instead of 'listening' never coming.
    static func taskOnDeadLoop() {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let server = Net.createServer { socket in socket.end() }
            _ = try? server.listen(port: 0) { print("listening (never)") }
            print("listen returned (never)")
            done.signal()
        }
        _ = done.wait(timeout: .now() + 5)
        print("no failure")
    }

    /// Accepts one connection on `port` and consumes it slowly through the chunk sequence, printing the
    /// byte count, an order-sensitive checksum (Adler-style sums mod 2³²) and the largest RSS seen.
    static func asyncSink(port: Int, slowEvery: Int) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                let line = try await EventLoop.run { _ in
                    let server = Net.createServer()
                    try await server.listenAsync(port: port, host: "127.0.0.1")
                    var connections = server.incomingConnections().makeAsyncIterator()
                    guard let socket = try await connections.next() else { return "no connection" }
                    server.close()
                    var a: UInt32 = 0
                    var b: UInt32 = 0
                    var total = 0
                    var chunks = 0
                    var maxRSS = residentBytes()
                    for try await chunk in socket {
                        chunk.buffer.withUnsafeBytes { bytes in
                            for byte in bytes {
                                a &+= UInt32(byte)
                                b &+= a
                            }
                        }
                        total += chunk.count
                        chunks += 1
                        if chunks % 8 == 0 { maxRSS = Swift.max(maxRSS, residentBytes()) }
                        if slowEvery > 0, chunks % slowEvery == 0 { try await Task.sleep(for: .milliseconds(2)) }
                    }
                    maxRSS = Swift.max(maxRSS, residentBytes())
                    return "received \(total) \(a) \(b)\nmaxrss \(maxRSS)"
                }
                print(line)
            } catch {
                print("error \(error)")
            }
            done.signal()
        }
        done.wait()
    }

    /// The resident set size (`/proc/self/statm`, second field, in pages) in bytes.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
