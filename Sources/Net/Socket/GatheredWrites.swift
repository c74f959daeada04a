/// What gathered bytes are handed to: a stream handle (or, in tests, a scripted stand-in).
protocol WriteTransport: AnyObject {
    /// `uv_try_write`: the bytes taken at once (0 when it would block), or a negative libuv error.
    func tryWrite(_ bytes: UnsafeRawBufferPointer) -> Int
    /// `uv_write` of `chunks` from byte `offset` on; `completion` runs when written. Returns libuv's
    /// synchronous refusal (no completion follows then) or 0.
    func queueWrite(_ chunks: [Buffer], skipping offset: Int, completion: @escaping (Int32) -> Void) -> Int32
}

extension StreamHandle: WriteTransport {}

/// The bytes of small writes a socket took at once and keeps, to hand to its transport together (Net's
/// opt-in write gathering, ``Socket/gatherWrites``; SwiftNIO's `PendingWritesManager` plays this part
/// there). It only keeps and hands on bytes: when to gather and when to flush is the socket's business,
/// and so is reporting what a flush returns.
struct GatheredWrites {
    /// A socket's first small callback-less writes of a callback go out at once; from this many on, in a
    /// row, they are gathered.
    static let writesAtOnce = 4
    /// The largest write that is gathered.
    static let gatherableSize = 4096
    /// Gathered bytes are handed on at once when they reach this much (Node's default high-water mark).
    static let flushSize = 16384

    /// The bytes kept, in the order written.
    private(set) var bytes: [UInt8] = []

    /// What a flush did.
    enum Outcome: Equatable {
        /// Nothing was kept, or the transport took everything (or, at exit, what it could).
        case written
        /// The transport took `left` bytes fewer than kept and queued them; the completion given to
        /// `flush` runs once they are written or fail.
        case queued(left: Int)
        /// The transport refused (a negative libuv code): the bytes are dropped, the caller reports it.
        case failed(Int32)
    }

    /// Whether no bytes are kept.
    var isEmpty: Bool { bytes.isEmpty }

    /// Whether the kept bytes have reached `flushSize`.
    var isFull: Bool { bytes.count >= Self.flushSize }

    /// Keeps `more` after what is kept, in `spare`'s storage if nothing is kept yet and it has some (a
    /// loop's reusable array), so that a batch allocates nothing.
    mutating func append(_ more: UnsafeRawBufferPointer, reusing spare: inout [UInt8]) {
        if bytes.capacity == 0 { swap(&bytes, &spare) }
        bytes.append(contentsOf: more)
    }

    /// Hands the kept bytes to `transport` with one `tryWrite`; what it does not take is queued with one
    /// `queueWrite` (at exit, with no loop to complete it, it is not). Afterwards nothing is kept, and
    /// an emptied array with its capacity goes back to `spare` when `spare` has none.
    mutating func flush(to transport: some WriteTransport, atExit: Bool = false, reusing spare: inout [UInt8],
                        completion: @escaping (Int32) -> Void) -> Outcome {
        guard !bytes.isEmpty else { return .written }
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        let written = taken.withUnsafeBytes { transport.tryWrite($0) }
        if written == taken.count || written < 0 || atExit {
            taken.removeAll(keepingCapacity: true)
            if spare.capacity == 0 { swap(&taken, &spare) }
            return written < 0 ? .failed(Int32(clamping: written)) : .written
        }
        let left = taken.count - written
        let status = transport.queueWrite([Buffer(taken)], skipping: written, completion: completion)
        return status < 0 ? .failed(status) : .queued(left: left)
    }
}
