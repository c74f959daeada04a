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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = flags + ["-e", script] + arguments
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        // Write stdin and read both outputs concurrently so that large payloads cannot deadlock.
        let writer = Thread {
            inPipe.fileHandleForWriting.write(stdin)
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let errBox = DataBox()
        let errReader = Thread { errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errBox.done { usleep(1000) }
        return Output(
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self),
            status: process.terminationStatus)
    }

    /// Thrown when no `node` binary is on PATH.
    public struct NodeMissing: Error, CustomStringConvertible {
        public var description: String { "node is not on PATH: the differential tests need Node v20" }
    }
}

private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    private var finished = false
    var data: Data {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue; finished = true } }
    }
    var done: Bool { lock.withLock { finished } }
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
