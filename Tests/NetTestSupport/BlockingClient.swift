import Foundation

/// A plain blocking TCP client on 127.0.0.1, for tests whose server runs on other threads (an
/// `EventLoopGroup`): no loop on the test's thread, so nothing of Net's is shared with it.
public final class BlockingClient: @unchecked Sendable {
    // @unchecked: used by one thread at a time (the test's).
    public let fd: Int32

    /// Connects to 127.0.0.1:`port`; throws the errno on failure (`ECONNREFUSED` when nothing listens).
    public init(port: Int, timeout: Int = 10) throws {
        // The descriptor is made and, on failure, closed by `connected`: an initializer that throws once
        // `fd` is set runs `deinit`, which would close it a second time (and perhaps another thread's
        // descriptor that reused the number: a loop's eventfd, whose wakeup then aborts in libuv).
        fd = try Self.connected(port: port, timeout: timeout)
    }

    private static func connected(port: Int, timeout: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var interval = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            Foundation.close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        return fd
    }

    deinit { Foundation.close(fd) }

    /// Sends all of `text`.
    public func send(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Half-closes: the peer reads end of file.
    public func end() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until end of file (or an error, or the receive timeout) and returns what came.
    public func readToEnd() -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads exactly `count` bytes (fewer on end of file, an error or the timeout).
    public func read(count: Int) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while data.count < count {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - data.count, 0) }
            guard got > 0 else { break }
            data.append(contentsOf: buffer[..<got])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A value set from one thread and awaited on another, with a deadline.
public final class Awaited<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?

    public init() {}

    /// Sets the value (the first one wins) and wakes the waiter.
    public func set(_ newValue: Value) {
        condition.withLock {
            if value == nil { value = newValue }
            condition.broadcast()
        }
    }

    /// The value, waiting up to `timeout` seconds for it.
    public func wait(timeout: Double = 10) -> Value? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            while value == nil {
                if !condition.wait(until: deadline) { break }
            }
            return value
        }
    }

    /// The value now, if set.
    public var current: Value? { condition.withLock { value } }
}

/// A thread-safe counter and log for tests that cross threads.
public final class SharedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    public init() {}

    /// Appends one line.
    public func add(_ line: String) { lock.withLock { storage.append(line) } }

    /// Everything logged so far.
    public var lines: [String] { lock.withLock { storage } }

    /// Waits up to `timeout` seconds until `condition` holds for the lines; returns whether it did.
    public func wait(timeout: Double = 10, until condition: ([String]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if condition(lines) { return true }
            usleep(5_000)
        }
        return condition(lines)
    }
}
