import Net

// The in-memory streams of StreamDifferentialTests, shared so that any test can use a stream without
// a socket or libuv handle behind it.

/// A `Writable` over memory that logs each `_write`, `_writev` and `_final` (its callbacks on the next
/// immediate, or at once with `asyncWrites` false): Node's `new Writable({ write, writev, final })` as the
/// differential tests write it in JavaScript.
public final class MemoryWritable: Writable {
    /// The listeners.
    public let eventListeners = EventListeners()
    /// The stream state.
    public let streamState: StreamState
    let log: (String) -> Void
    let asyncWrites: Bool
    let writev: Bool

    /// A stream with the given high-water mark; `log` receives each call.
    public init(highWaterMark: Int, asyncWrites: Bool = true, writev: Bool = false, log: @escaping (String) -> Void) {
        streamState = StreamState(writable: .init(highWaterMark: highWaterMark))
        self.asyncWrites = asyncWrites
        self.writev = writev
        self.log = log
    }

    /// Logs the chunk, then calls back.
    public func _write(_ chunk: Buffer, _ callback: @escaping (NetError?) -> Void) {
        log("_write \(chunk.toString())")
        if asyncWrites { setImmediate { callback(nil) } } else { callback(nil) }
    }

    /// Whether `_writev` is used (the `writev` option).
    public var hasWritev: Bool { writev }

    /// Logs the chunks, then calls back on the next immediate.
    public func _writev(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void) {
        log("_writev \(chunks.map { $0.toString() }.joined(separator: ","))")
        setImmediate { callback(nil) }
    }

    /// Logs, then calls back on the next immediate.
    public func _final(_ callback: @escaping (NetError?) -> Void) {
        log("_final")
        setImmediate { callback(nil) }
    }
}

/// A `Readable` that pushes `source`'s entries one per `_read`, each on the next immediate (nil ends it).
public final class MemoryReadable: Readable {
    /// The listeners.
    public let eventListeners = EventListeners()
    /// The stream state.
    public let streamState: StreamState
    /// What is still to be pushed.
    public var source: [String?]
    let log: (String) -> Void

    /// A stream that will push `source`.
    public init(_ source: [String?], highWaterMark: Int, log: @escaping (String) -> Void) {
        streamState = StreamState(readable: .init(highWaterMark: highWaterMark))
        self.source = source
        self.log = log
    }

    /// Pushes the next entry of `source` on the next immediate.
    public func _read(_ size: Int) {
        guard !source.isEmpty else { return }
        let next = source.removeFirst()
        setImmediate { [self] in push(next.map { Buffer($0) }) }
    }
}

/// A `Duplex` combining the two: reads from `source`, logs writes and `_final`.
public final class MemoryDuplex: Duplex {
    /// The listeners.
    public let eventListeners = EventListeners()
    /// The stream state.
    public let streamState = StreamState(readable: .init(), writable: .init())
    /// Whether the writable side stays open after the readable side ends.
    public let allowHalfOpen: Bool
    let log: (String) -> Void
    /// What is still to be pushed.
    public var source: [String?]

    /// A duplex that will push `source`.
    public init(allowHalfOpen: Bool, source: [String?], log: @escaping (String) -> Void) {
        self.allowHalfOpen = allowHalfOpen
        self.source = source
        self.log = log
    }

    /// Pushes the next entry of `source` on the next immediate.
    public func _read(_ size: Int) {
        guard !source.isEmpty else { return }
        let next = source.removeFirst()
        setImmediate { [self] in push(next.map { Buffer($0) }) }
    }

    /// Logs the chunk, then calls back.
    public func _write(_ chunk: Buffer, _ callback: @escaping (NetError?) -> Void) {
        log("_write \(chunk.toString())")
        setImmediate { callback(nil) }
    }

    /// Logs, then calls back on the next immediate.
    public func _final(_ callback: @escaping (NetError?) -> Void) {
        log("_final")
        setImmediate { callback(nil) }
    }
}
