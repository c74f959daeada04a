import Foundation

/// Runs the `node` binary as an oracle: the same scenario in JavaScript, whose output a test compares
/// with what Net does.
public enum Node {
    /// The result of one `node` run.
    public struct Output: Sendable {
        public var stdout: String
        public var stderr: String
        public var status: Int32
    }

    /// Whether a `node` executable is on PATH. Tests that need it fail loudly when it is missing.
    public static var path: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let candidate = "\(dir)/node"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `script` with `node [flags] -e script [arguments]`, feeding `stdin`, and returns what it printed.
    public static func run(
        _ script: String, flags: [String] = [], stdin: Data = Data(), arguments: [String] = []
    ) throws -> Output {
        guard let node = path else { throw NodeMissing() }
        return try ChildProcess.run(node, flags + ["-e", script] + arguments, stdin: stdin)
    }

    /// Thrown when no `node` binary is on PATH.
    public struct NodeMissing: Error, CustomStringConvertible {
        public var description: String { "node is not on PATH: the differential tests need Node v20" }
    }
}

/// Runs a program to completion, feeding stdin and reading stdout and stderr concurrently so that large
/// payloads cannot deadlock.
public enum ChildProcess {
    /// Runs `executable`; after `timeout` seconds it is killed (a hung child fails its test, it does not
    /// hang the suite) and its output so far is returned with status -9.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: Data = Data(), timeout: Double = 60
    ) throws -> Node.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        Thread {
            inPipe.fileHandleForWriting.write(stdin)
            try? inPipe.fileHandleForWriting.close()
        }.start()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let stderr = Drain(errPipe)
        let stdout = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Node.Output(
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr.finish(), as: UTF8.self),
            status: process.terminationStatus)
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class Drain: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    init(_ pipe: Pipe) {
        Thread { [self] in
            let read = pipe.fileHandleForReading.readDataToEndOfFile()
            condition.withLock {
                data = read
                condition.broadcast()
            }
        }.start()
    }

    func finish() -> Data {
        condition.withLock {
            while data == nil { condition.wait() }
            return data!
        }
    }
}

/// Paths inside this repository, for tests that read vectors or run scripts.
public enum Repo {
    /// The package root (the folder holding Package.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Reads a file below the package root.
    public static func read(_ relativePath: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: root + "/" + relativePath))
    }
}
