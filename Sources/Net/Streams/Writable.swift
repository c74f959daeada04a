import DequeModule

/// Node's `stream.Writable` semantics (lib/internal/streams/writable.js, v20): buffering against
/// `writableHighWaterMark`, `write` returning false past it and 'drain' once the buffer empties, `cork`/
/// `uncork` batching into one `_writev`, `end` → `_final` → 'finish', write callbacks in order, and
/// errors for writes after `end` or `destroy`.
///
/// A conforming type provides `_write(_:_:)` (and optionally `_writev(_:_:)` and `_final(_:)`).
public protocol Writable: Stream {
    /// Node's `_write(chunk, encoding, cb)`: write `chunk` to the resource, then call `callback` (once).
    func _write(_ chunk: Buffer, _ callback: @escaping (NetError?) -> Void)
    /// `_write` for a resource that can often finish a write at once (a socket whose kernel buffer has
    /// room): returns `.some(error or nil)` when the write completed during the call, or nil when it goes
    /// on, and then `later()` gives the callback to call when it completes. `later` is evaluated only in
    /// that case, so a write that completes at once allocates no callback. The default calls
    /// `_write(_:_:)` with `later()`.
    func _write(_ chunk: Buffer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError??
    /// Node's `_writev(chunks, cb)`: write several buffered chunks at once. The default writes them one
    /// by one through `_write`.
    func _writev(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void)
    /// Whether `_writev(_:_:)` is a real batch write (Node checks `typeof stream._writev === 'function'`).
    var hasWritev: Bool { get }
    /// Node's `_final(cb)`: called once after `end()` when every write has completed, before 'finish'.
    func _final(_ callback: @escaping (NetError?) -> Void)
    /// Lets a stream take over a `write` before the machinery sees it (a socket whose peer ended it
    /// answers EPIPE, as Node's `writeAfterFIN`). Return true when handled; `write` then returns false.
    /// `callback` is the write's, nil for a write made without one. The default returns false.
    func _interceptWrite(_ callback: ((NetError?) -> Void)?) -> Bool
    /// `_write(_:orLater:)` of bytes borrowed for the call only (a string's own UTF-8): what is not
    /// written during the call must be copied or otherwise kept alive. The default writes a copy.
    func _writeBorrowed(_ bytes: UnsafeRawBufferPointer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError??
    /// Called by `end()` after any corked writes went out and before it decides whether `_final` may run:
    /// a stream holding bytes it took but has not handed on (a socket gathering writes) hands them on, so
    /// that they count. The default does nothing.
    func _beforeEnd()
    /// Whether small buffered writes may share one chunk: a write made while another is in flight or the
    /// stream is corked, of at most ``WritableState/coalesceLimit`` bytes and without a callback, is then
    /// appended to the last buffered chunk instead of queued as its own (a copy of a few bytes instead
    /// of a queue entry, a reference and, at `uncork`, an iovec each). Only for a stream whose chunk
    /// boundaries nobody can see (a socket hands them to the kernel as one byte stream): `_write` and
    /// `_writev` then get fewer, larger chunks than there were writes. The default is false, as Node's
    /// streams pass one chunk per write.
    var _coalescesBufferedWrites: Bool { get }
}

/// Node's `_writableState`: a view of the writable half of a ``StreamState`` (`streamState.writable!`),
/// which holds both halves' fields in one object. Setting a property through any copy of the view sets
/// it in the stream's state.
///
/// Compact, because every socket has one: the flags live in one bit set (`bits`, behind properties of the
/// usual names), `corked` in 32 bits, and what few streams use (an error, `end` callbacks waiting for
/// 'finish') in a side object made on first use: 72 bytes of the state object instead of 256.
public struct WritableState {
    struct Pending {
        var chunk: Buffer
        /// The write's callback; nil when none was given (Node's `nop`): such completions are batched into
        /// one tick. Not stored as `nop` itself: that would be a retain and a release per buffered write.
        var callback: ((NetError?) -> Void)?
        /// How many `write` calls this chunk stands for: more than one when small callback-less writes
        /// were appended to it (`Writable._coalescesBufferedWrites`).
        var writes: Int = 1
    }

    /// The largest write that a coalescing stream appends to the chunk before it (see
    /// `Writable._coalescesBufferedWrites`): copying more than this costs more than queueing a reference.
    public static let coalesceLimit = 1024
    /// The size past which a coalesced chunk takes no more writes: its bytes are copied as it grows.
    static let coalescedChunkLimit = 64 * 1024

    /// Node's `errorBuffer`: unless a write is in flight, every buffered write fails (its bytes leave
    /// `length`, its callback gets the error the stream has, or ERR_STREAM_DESTROYED), and so does every
    /// `end` callback waiting for 'finish'.
    func errorBuffer() {
        // Node returns while a write is in flight; its completion calls this again.
        guard !writing, heldWrites == 0 else { return }
        sealTail()
        let error = destroyed ? NetError.streamDestroyed("write") : (errored ?? .streamDestroyed("write"))
        while let pending = buffered.popFirst() {
            length -= pending.chunk.count
            pendingcb -= pending.writes
            pending.callback?(errored ?? error)
        }
        let finished = onFinished
        onFinished = []
        for callback in finished { callback(errored ?? .streamDestroyed("end")) }
    }

    /// Appends `bytes` behind the last buffered entry when it takes them (see `Writable.coalesce`): the
    /// entry has no callback and is small itself or already coalesced, and the two together stay within
    /// `coalescedChunkLimit`. The bytes go into the tail (see ``CoalescingTail``), a block of their own
    /// that becomes part of the entry when the queue is next read (`sealTail`); false when the entry does
    /// not take them (the caller queues them as an entry of their own, sealing the tail first).
    @inline(__always)
    func coalesce(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let rare = state.writableStorage.rare, let tail = rare.tail {
            // Copied out (a pointer), so that nothing holds `rare` across the `memcpy`: a retain less.
            if tail.hasRoom(for: bytes.count) {
                tail.copyIn(bytes)
                return true
            }
            return growTail(rare, bytes)
        }
        return startTail(bytes)
    }

    /// The tail is full: grown in place, or, past `coalescedChunkLimit`, sealed (false: the caller queues
    /// the write as an entry of its own).
    @inline(never)
    private func growTail(_ rare: Rare, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if rare.tail!.append(bytes) { return true }
        sealTail()
        return false
    }

    /// A whole `write()` of a small callback-less chunk, when it goes into the tail: the stream is corked
    /// or writing, not ending, destroyed or errored, and the tail has room. Exactly what `writeChunk` does
    /// then (`pendingcb` and `length` count the write, the tail takes the bytes, the return value is
    /// `length < highWaterMark`, and false sets `needDrain`), in about 90 instructions with the copy where
    /// `writeChunk` took 370 (callgrind, `c2s-cork-buf-64`); nil when it does not apply (the caller goes on
    /// with `writeChunk`). A stream's `_interceptWrite` is not asked: only a coalescing stream (a socket)
    /// gets here, and it intercepts only after `end()`.
    @inline(__always)
    func writeIntoTail(_ chunk: Buffer) -> Bool? {
        writeIntoTail(count: chunk.bytes.count) { tail in chunk.bytes.withUnsafeBytes { tail.copyIn($0) } }
    }

    /// `writeIntoTail` of a string's UTF-8 (the caller checked that those are the bytes to write).
    @inline(__always)
    func writeIntoTail(utf8 string: String) -> Bool? {
        writeIntoTail(count: string.utf8.count) { tail in
            var string = string
            string.withUTF8 { tail.copyIn(UnsafeRawBufferPointer($0)) }
        }
    }

    @inline(__always)
    private func writeIntoTail(count: Int, _ copy: (CoalescingTail) -> Void) -> Bool? {
        // The flags first: a write that goes straight out (most) pays two loads and a branch.
        let flags = state.writableStorage.bits.raw
        guard flags & (Bit.ending | Bit.destroyed | Bit.hasError) == 0,
              flags & Bit.writing != 0 || state.writableStorage.corkedCount > 0 else { return nil }
        guard count <= Self.coalesceLimit, let rare = state.writableStorage.rare, let tail = rare.tail,
              tail.hasRoom(for: count) else { return nil }
        copy(tail)
        pendingcb += 1
        let length = state.writableStorage.length + count
        state.writableStorage.length = length
        guard length < state.writableStorage.highWaterMark else {
            needDrain = true
            return false
        }
        return true
    }

    /// The first write appended behind the last buffered entry: a tail of 1 KiB (or the write's size).
    @inline(never)
    private func startTail(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !buffered.isEmpty else { return false }
        let (held, writes, hasCallback) = buffered.withLast { ($0.chunk.count, $0.writes, $0.callback != nil) }
        guard !hasCallback, held <= Self.coalesceLimit || writes > 1,
              held + bytes.count <= Self.coalescedChunkLimit else { return false }
        var tail = CoalescingTail(behind: held, capacity: min(Self.coalescedChunkLimit - held, max(1024, bytes.count)))
        _ = tail.append(bytes)
        rareStorage.tail = tail
        return true
    }

    /// Makes the tail's writes part of the last buffered entry (one chunk of its bytes and theirs) and
    /// frees the tail. Everything that reads or changes the queue, other than appending to the tail,
    /// calls this first; until then `buffered` lacks the tail's bytes (`length` and `pendingcb` count them).
    func sealTail() {
        guard let rare, let tail = rare.tail else { return }
        rare.tail = nil
        let added = UnsafeRawBufferPointer(start: tail.bytes, count: tail.count)
        let writes = tail.writes
        buffered.withLast { last in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(last.chunk.count + added.count)
            bytes.append(contentsOf: last.chunk.bytes)
            bytes.append(contentsOf: added.assumingMemoryBound(to: UInt8.self))
            last.chunk = Buffer(bytes)
            last.writes += writes
        }
        tail.deallocate()
    }

    /// Drops the tail's bytes with the queue (a stream reset for reuse).
    func discardTail() {
        guard let rare else { return }
        rare.tail?.deallocate()
        rare.tail = nil
    }

    /// The stream state this is the writable half of (one object holds both halves).
    let state: StreamState

    /// `writableHighWaterMark`: `write` returns false once this many bytes are buffered (16 KiB).
    public var highWaterMark: Int { state.writableStorage.highWaterMark }
    /// Bytes written but not yet acknowledged by `_write`'s callback (`writableLength`).
    public internal(set) var length: Int {
        get { state.writableStorage.length }
        nonmutating set { state.writableStorage.length = newValue }
    }
    var writelen: Int {
        get { state.writableStorage.writelen }
        nonmutating set { state.writableStorage.writelen = newValue }
    }
    private var corkedCount: Int32 {
        get { state.writableStorage.corkedCount }
        nonmutating set { state.writableStorage.corkedCount = newValue }
    }
    /// The flags (see `Bit`); next to the 32-bit cork count, so the two share a word.
    private var bits: BitFlags<UInt32> {
        get { state.writableStorage.bits }
        nonmutating set { state.writableStorage.bits = newValue }
        nonmutating _modify { yield &state.writableStorage.bits }
    }
    /// `pendingcb` (see there), in 32 bits beside `openBatch`, so that both counts share a word.
    private var pendingCount: Int32 {
        get { state.writableStorage.pendingCount }
        nonmutating set { state.writableStorage.pendingCount = newValue }
    }
    /// Node's `afterWriteTickInfo` for callback-less writes: the synchronous completions counted into the
    /// open batch, whose tick is queued (0: no batch is open). A run of writes costs one tick, not one each.
    private var openBatch: Int32 {
        get { state.writableStorage.openBatch }
        nonmutating set { state.writableStorage.openBatch = newValue }
    }
    var buffered: Deque<Pending> {
        get { state.writableStorage.buffered }
        nonmutating set { state.writableStorage.buffered = newValue }
        nonmutating _modify { yield &state.writableStorage.buffered }
    }
    var writecb: ((NetError?) -> Void)? {
        get { state.writableStorage.writecb }
        nonmutating set { state.writableStorage.writecb = newValue }
    }
    /// The rarely used parts.
    private var rare: Rare? {
        get { state.writableStorage.rare }
        nonmutating set { state.writableStorage.rare = newValue }
    }

    /// The flags of a fresh writable half.
    static let initialBits = Bit.writable | Bit.sync

    fileprivate enum Bit {
        static let ending: UInt32 = 1 << 0
        static let finished: UInt32 = 1 << 1
        static let needDrain: UInt32 = 1 << 2
        static let writable: UInt32 = 1 << 3
        static let writing: UInt32 = 1 << 4
        static let sync: UInt32 = 1 << 5
        static let bufferProcessing: UInt32 = 1 << 6
        static let ended: UInt32 = 1 << 7
        static let prefinished: UInt32 = 1 << 8
        static let finalCalled: UInt32 = 1 << 9
        static let destroyed: UInt32 = 1 << 10
        static let errorEmitted: UInt32 = 1 << 11
        static let closed: UInt32 = 1 << 12
        static let closeEmitted: UInt32 = 1 << 13
        /// `errored` is set (it lives in `rare`): the hot `errored != nil` checks read only this bit.
        static let hasError: UInt32 = 1 << 14
        static let writecbIsNop: UInt32 = 1 << 15
    }

    /// The rarely used fields. Without dynamic exclusivity checks, as the state object's: confined to the
    /// loop's thread, and no access is held across a call out (`onFinished` is copied before its
    /// callbacks run). A socket that coalesces writes has one, and its batch ticks read `closedBatches`:
    /// the check cost 84 instructions per write of `c2s-buf-64` (callgrind).
    final class Rare {
        @exclusivity(unchecked) var errored: NetError?
        @exclusivity(unchecked) var onFinished: [(NetError?) -> Void] = []
        /// The counts of batches closed (see `closeBatch`) whose ticks have not run yet, oldest first.
        @exclusivity(unchecked) var closedBatches: [Int] = []
        /// Writes of bytes the stream took and handed on later (`Writable.holdLength`), still in flight.
        @exclusivity(unchecked) var heldWrites = 0
        /// Small writes appended behind the last buffered entry (see `WritableState.coalesce`): here, not
        /// in the state object, which every socket has (8 bytes more made it a malloc chunk larger).
        @exclusivity(unchecked) var tail: CoalescingTail?

        deinit { tail?.deallocate() }
    }

    /// The small writes appended behind the last buffered entry, if any (see `coalesce`).
    var tail: CoalescingTail? { rare?.tail }

    /// Writes of held bytes in flight (see `Writable.holdLength`): to `errorBuffer`, writes in flight.
    var heldWrites: Int {
        get { rare?.heldWrites ?? 0 }
        nonmutating set { if newValue != 0 || rare != nil { rareStorage.heldWrites = newValue } }
    }

    /// Counts a synchronous callback-less completion into the open batch; true when it opened one, whose
    /// tick the caller queues.
    func joinBatch() -> Bool {
        precondition(openBatch < Int32.max, Self.tooManyWrites)
        openBatch += 1
        return openBatch == 1
    }

    /// Where a write count would pass 32 bits. Unreachable in practice: 2³¹ writes made in one callback
    /// (or pending at once) take minutes of CPU, or far more memory than a machine has.
    static let tooManyWrites = "Writable: more than 2147483647 writes pending at once (made without returning to the loop)"

    /// Node replaces `afterWriteTickInfo` when another callback completes, and clears it when any of its
    /// ticks runs: completions after that go into a new batch. The open batch's tick is still queued and
    /// takes its count from here.
    func closeBatch() {
        guard openBatch > 0 else { return }
        rareStorage.closedBatches.append(Int(openBatch))
        openBatch = 0
    }

    /// The completions the batch tick now running stands for: batch ticks run in the order they were
    /// queued, so the oldest closed batch, else the open one. Clears the open batch, as Node's tick does.
    func takeBatch() -> Int {
        if let rare, !rare.closedBatches.isEmpty {
            let count = rare.closedBatches.removeFirst()
            closeBatch()
            return count
        }
        defer { openBatch = 0 }
        return Int(openBatch)
    }

    private var rareStorage: Rare {
        if let rare { return rare }
        let made = Rare()
        rare = made
        return made
    }

    /// `writableCorked`: how many `cork()` calls are waiting for `uncork()`.
    public internal(set) var corked: Int {
        get { Int(corkedCount) }
        nonmutating set {
            precondition(newValue <= Int32.max, "Writable: more than \(Int32.max) cork() calls without uncork()")
            corkedCount = Int32(truncatingIfNeeded: newValue)
        }
    }
    /// `writableEnded`: `end()` has been called.
    public internal(set) var ending: Bool {
        get { bits[Bit.ending] }
        nonmutating set { bits[Bit.ending] = newValue }
    }
    /// `writableFinished`: 'finish' has been emitted.
    public internal(set) var finished: Bool {
        get { bits[Bit.finished] }
        nonmutating set { bits[Bit.finished] = newValue }
    }
    /// `writableNeedDrain`: `write` returned false and 'drain' has not followed yet.
    public internal(set) var needDrain: Bool {
        get { bits[Bit.needDrain] }
        nonmutating set { bits[Bit.needDrain] = newValue }
    }
    /// Whether the stream can be written at all (Node's `writable` option; a read-only socket sets false).
    public var writable: Bool {
        get { bits[Bit.writable] }
        nonmutating set { bits[Bit.writable] = newValue }
    }

    var writing: Bool {
        get { bits[Bit.writing] }
        nonmutating set { bits[Bit.writing] = newValue }
    }
    var sync: Bool {
        get { bits[Bit.sync] }
        nonmutating set { bits[Bit.sync] = newValue }
    }
    var bufferProcessing: Bool {
        get { bits[Bit.bufferProcessing] }
        nonmutating set { bits[Bit.bufferProcessing] = newValue }
    }
    /// Writes whose callback has not run yet. Stored in 32 bits (see `pendingCount`): a callback-less
    /// write completed at once holds no memory, so only time bounds how many one callback makes, and past
    /// 2³¹ of them the program stops with a message (`tooManyWrites`) rather than wrap.
    var pendingcb: Int {
        get { Int(pendingCount) }
        nonmutating set {
            guard let count = Int32(exactly: newValue) else { preconditionFailure(Self.tooManyWrites) }
            pendingCount = count
        }
    }
    var ended: Bool {
        get { bits[Bit.ended] }
        nonmutating set { bits[Bit.ended] = newValue }
    }
    var prefinished: Bool {
        get { bits[Bit.prefinished] }
        nonmutating set { bits[Bit.prefinished] = newValue }
    }
    var finalCalled: Bool {
        get { bits[Bit.finalCalled] }
        nonmutating set { bits[Bit.finalCalled] = newValue }
    }
    var destroyed: Bool {
        get { bits[Bit.destroyed] }
        nonmutating set { bits[Bit.destroyed] = newValue }
    }
    var errored: NetError? {
        get { bits[Bit.hasError] ? rare?.errored : nil }
        nonmutating set {
            bits[Bit.hasError] = newValue != nil
            if newValue != nil || rare != nil { rareStorage.errored = newValue }
        }
    }
    var errorEmitted: Bool {
        get { bits[Bit.errorEmitted] }
        nonmutating set { bits[Bit.errorEmitted] = newValue }
    }
    var closed: Bool {
        get { bits[Bit.closed] }
        nonmutating set { bits[Bit.closed] = newValue }
    }
    /// The write in progress was made without a callback (its `writecb` is Node's `nop`).
    var writecbIsNop: Bool {
        get { bits[Bit.writecbIsNop] }
        nonmutating set { bits[Bit.writecbIsNop] = newValue }
    }
    var closeEmitted: Bool {
        get { bits[Bit.closeEmitted] }
        nonmutating set { bits[Bit.closeEmitted] = newValue }
    }
    var onFinished: [(NetError?) -> Void] {
        get { rare?.onFinished ?? [] }
        nonmutating set { if !newValue.isEmpty || rare != nil { rareStorage.onFinished = newValue } }
    }

    /// Node's `nop`: the callback of a write made without one.
    static let nop: @Sendable (NetError?) -> Void = { _ in }

    /// The writable half of `state`.
    init(_ state: StreamState) {
        self.state = state
    }

    /// How a stream's writable half starts (see ``StreamState/init(readable:writable:)``).
    public struct Options: Sendable {
        /// `writableHighWaterMark` (default 16 KiB, Node's).
        public var highWaterMark: Int
        /// Node's defaults, or the high-water mark given.
        public init(highWaterMark: Int = 16 * 1024) {
            self.highWaterMark = highWaterMark
        }
    }
}

/// The writable half's fields, kept in its ``StreamState``: 72 bytes.
struct WritableStorage {
    let highWaterMark: Int
    var length = 0
    var writelen = 0
    var corkedCount: Int32 = 0
    var bits = BitFlags<UInt32>(WritableState.initialBits)
    var pendingCount: Int32 = 0
    var openBatch: Int32 = 0
    var buffered = Deque<WritableState.Pending>()
    var writecb: ((NetError?) -> Void)?
    var rare: WritableState.Rare?

    init(_ options: WritableState.Options) {
        highWaterMark = options.highWaterMark
    }
}

/// The bytes of one write on their way into `writeOrBuffer`: a chunk, or bytes borrowed for the call.
enum Outgoing {
    case buffer(Buffer)
    /// Valid only during the `write` call: copied into a ``Buffer`` if they must wait.
    case borrowed(UnsafeRawBufferPointer)

    var count: Int {
        switch self {
        case .buffer(let chunk): chunk.count
        case .borrowed(let bytes): bytes.count
        }
    }
}

extension EventKey where Emitter: Writable, Payload == Void {
    /// `'drain'`: the buffer has emptied after `write` returned false.
    public static var drain: Self { .init(.drain) }
    /// `'finish'`: `end()` was called and every write has been flushed (after `_final`).
    public static var finish: Self { .init(.finish) }
    /// `'prefinish'`: just before `_final`'s completion leads to 'finish'.
    public static var prefinish: Self { .init(.prefinish) }
}

extension Writable {
    public func _writev(_ chunks: [Buffer], _ callback: @escaping (NetError?) -> Void) {
        var remaining = chunks[...]
        func next(_ error: NetError?) {
            if error != nil || remaining.isEmpty { return callback(error) }
            _write(remaining.removeFirst(), next)
        }
        next(nil)
    }

    /// By default a stream has no batch write: buffered chunks go through `_write(_:_:)` one by one.
    public var hasWritev: Bool { false }

    public func _final(_ callback: @escaping (NetError?) -> Void) { callback(nil) }

    public func _interceptWrite(_ callback: ((NetError?) -> Void)?) -> Bool { false }

    /// Writes a copy of the bytes through ``_write(_:orLater:)``.
    public func _writeBorrowed(_ bytes: UnsafeRawBufferPointer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError?? {
        _write(Buffer(bytes), orLater: later())
    }

    /// Nothing to hand on.
    public func _beforeEnd() {}

    /// One chunk per write, as Node's streams.
    public var _coalescesBufferedWrites: Bool { false }

    public func _write(_ chunk: Buffer, orLater later: @autoclosure () -> (NetError?) -> Void) -> NetError?? {
        _write(chunk, later())
        return nil
    }

    /// The writable half; the hot paths load it at each use, not into a local (see `Readable.rstate`).
    var wstate: WritableState { streamState.writableState! }

    // MARK: Public API

    /// Writes `chunk`; returns false once `writableLength` reaches `writableHighWaterMark` (then wait for
    /// 'drain'). `callback` runs when this chunk is flushed, or with the error that prevented it.
    @discardableResult
    public func write(_ chunk: Buffer, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        checkThread()
        return writeChunk(chunk, callback)
    }

    /// Writes `string` encoded with `encoding` (bytes are counted, not characters).
    @discardableResult
    public func write(_ string: String, encoding: Encoding = .utf8, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        checkThread()
        return writeChunk(Buffer(string, encoding: encoding), callback)
    }

    /// Writes a chunk as it came from a readable (so `on(.data) { s.write($0) }` echoes).
    @discardableResult
    public func write(_ chunk: Chunk, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        checkThread()
        return writeChunk(chunk.buffer, callback)
    }

    /// Buffers writes until ``uncork()``, so they reach `_writev` together.
    public func cork() {
        checkThread()
        corkStream()
    }

    /// Undoes one ``cork()``; the last one flushes what was buffered.
    public func uncork() {
        checkThread()
        uncorkStream()
    }

    func corkStream() {
        wstate.corked += 1
    }

    func uncorkStream() {
        let state = wstate
        guard state.corked > 0 else { return }
        state.corked -= 1
        if !state.writing { clearBuffer() }
    }

    /// Ends the writable side after `chunk` (if any): `_final`, then 'finish'. `callback` runs on 'finish'
    /// or with the error that prevented it.
    @discardableResult
    public func end(_ chunk: Buffer? = nil, _ callback: ((NetError?) -> Void)? = nil) -> Self {
        checkThread()
        endWritable(chunk, callback)
        return self
    }

    /// Ends after writing `string` in `encoding`.
    @discardableResult
    public func end(_ string: String, encoding: Encoding = .utf8, _ callback: ((NetError?) -> Void)? = nil) -> Self {
        checkThread()
        endWritable(Buffer(string, encoding: encoding), callback)
        return self
    }

    /// `writable`: true while `write` is allowed (not ended, not destroyed, not errored).
    public var writable: Bool {
        checkThread()
        let state = wstate
        return state.writable && !state.destroyed && state.errored == nil && !state.ending
    }

    /// `writableEnded`: `end()` was called.
    public var writableEnded: Bool { checkThread(); return wstate.ending }
    /// `writableFinished`: 'finish' was emitted.
    public var writableFinished: Bool { checkThread(); return wstate.finished }
    /// `writableLength`: bytes buffered or being written.
    public var writableLength: Int { checkThread(); return wstate.length }
    /// `writableHighWaterMark`.
    public var writableHighWaterMark: Int { checkThread(); return wstate.highWaterMark }
    /// `writableCorked`.
    public var writableCorked: Int { checkThread(); return wstate.corked }
    /// `writableNeedDrain`.
    public var writableNeedDrain: Bool { checkThread(); return !wstate.destroyed && !wstate.ending && wstate.needDrain }

    // MARK: The machine (Node's writable.js)

    func writeChunk(_ chunk: Buffer, _ given: ((NetError?) -> Void)?) -> Bool {
        guard admitWrite(given) else { return false }
        return writeOrBuffer(.buffer(chunk), given)
    }

    /// The first half of Node's `_write` (writable.js): a write the stream takes over, or one after `end`
    /// or `destroy`, fails (false); any other counts as pending, and `writeOrBuffer` goes on with it.
    @inline(__always)
    func admitWrite(_ given: ((NetError?) -> Void)?) -> Bool {
        if _interceptWrite(given) { return false }
        var error: NetError?
        if wstate.ending {
            error = .streamWriteAfterEnd
        } else if wstate.destroyed {
            error = .streamDestroyed("write")
        }
        if let error {
            if let given { EventLoop.current.nextTick { given(error) } }
            errorOrDestroy(error, sync: true)
            return false
        }
        wstate.pendingcb += 1
        return true
    }

    /// Node's `writeOrBuffer`: buffered while another write is in progress, corked or errored; else
    /// handed to `_write`. Borrowed bytes (a string's own UTF-8, which a socket writes without copying)
    /// become a ``Buffer`` only when buffered, or, in a socket, for the part the kernel refuses.
    func writeOrBuffer(_ outgoing: Outgoing, _ given: ((NetError?) -> Void)?) -> Bool {
        let count = outgoing.count
        wstate.length += count
        if wstate.writing || wstate.corked > 0 || wstate.errored != nil {
            // Switched on here, not through a property: copying the enum is a retain more per buffered write.
            switch outgoing {
            case .buffer(let chunk):
                if given != nil || !chunk.bytes.withUnsafeBytes({ coalesce($0) }) {
                    wstate.sealTail()
                    wstate.buffered.append(.init(chunk: chunk, callback: given))
                }
            case .borrowed(let bytes):
                if given != nil || !coalesce(bytes) {
                    wstate.sealTail()
                    wstate.buffered.append(.init(chunk: Buffer(bytes), callback: given))
                }
            }
        } else {
            // Not `given ?? WritableState.nop`: `??` is generic, so a closure passed through it is
            // re-abstracted, a thunk and a context allocated for it on every write.
            wstate.writelen = count
            if let given { wstate.writecb = given } else { wstate.writecb = WritableState.nop }
            wstate.writecbIsNop = given == nil
            wstate.writing = true
            wstate.sync = true
            switch outgoing {
            case .buffer(let chunk):
                if let completed = _write(chunk, orLater: { [self] error in onwrite(error) }) { onwrite(completed) }
            case .borrowed(let bytes):
                if let completed = _writeBorrowed(bytes, orLater: { [self] error in onwrite(error) }) {
                    onwrite(completed)
                }
            }
            wstate.sync = false
        }
        // Node v20 measures after `_write`: a chunk that `_write` completed synchronously (a socket's
        // `uv_try_write` took all of it) no longer counts, so `write()` returns true even for a chunk
        // larger than the high-water mark; an empty queue is never backpressure.
        let ret = wstate.length < wstate.highWaterMark || wstate.length == 0
        if !ret { wstate.needDrain = true }
        return ret && wstate.errored == nil && !wstate.destroyed
    }

    /// Appends a small callback-less write behind the last buffered entry when the stream allows it (see
    /// `_coalescesBufferedWrites`) and that entry takes it: a callback-less one that is small itself or
    /// already coalesced, with room left. A caller's buffer is never written to: the bytes are copied
    /// (see `WritableState.coalesce`).
    @inline(__always)
    private func coalesce(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= WritableState.coalesceLimit, _coalescesBufferedWrites else { return false }
        return wstate.coalesce(bytes)
    }

    private func doWrite(_ chunks: [Buffer], length: Int, writev: Bool, isNop: Bool, _ callback: @escaping (NetError?) -> Void) {
        wstate.writelen = length
        wstate.writecb = callback
        wstate.writecbIsNop = isNop
        wstate.writing = true
        wstate.sync = true
        if wstate.destroyed {
            onwrite(.streamDestroyed("write"))
        } else if writev {
            _writev(chunks) { [self] error in onwrite(error) }
        } else {
            if let completed = _write(chunks[0], orLater: { [self] error in onwrite(error) }) { onwrite(completed) }
        }
        wstate.sync = false
    }

    private func onwrite(_ error: NetError?) {
        let sync = wstate.sync
        guard let callback = wstate.writecb else {
            errorOrDestroy(.multipleCallback, sync: false)
            return
        }
        // Read now: `clearBuffer` below starts the next write, which sets the flag for itself.
        let isNop = wstate.writecbIsNop
        wstate.writing = false
        wstate.writecb = nil
        wstate.length -= wstate.writelen
        wstate.writelen = 0
        if let error {
            wstate.errored = wstate.errored ?? error
            // Node rejects every buffered write with the error too (errorBuffer, on destroy).
            if sync {
                EventLoop.current.nextTick { [self] in onwriteError(error, callback) }
            } else {
                onwriteError(error, callback)
            }
            return
        }
        if wstate.buffered.count > 0 { clearBuffer() }
        if sync {
            // Node defers a synchronous write's completion to the next tick, and counts completions that
            // share one callback function into the tick already scheduled (`afterWriteTickInfo`). Closures
            // have no identity in Swift; callback-less writes all share Node's `nop`, so those batch.
            if isNop {
                if wstate.joinBatch() {
                    if !_queueTick(.afterWriteBatch) {
                        EventLoop.current.nextTick { [self] in afterWriteBatchNT() }
                    }
                }
            } else {
                wstate.closeBatch()
                EventLoop.current.nextTick { [self] in
                    wstate.closeBatch()
                    afterWrite(count: 1, callback)
                }
            }
        } else {
            afterWrite(count: 1, callback)
        }
    }

    /// Counts `count` bytes that the stream took for writes already completed but could not hand on yet
    /// (a socket's gathered bytes that the kernel refused), as Node counts a write the kernel took in
    /// part: in `writableLength`, so that `write` returns false and 'finish' waits until they are out.
    func holdLength(_ count: Int) {
        wstate.length += count
        wstate.heldWrites += 1
    }

    /// Those bytes are out, or the stream was destroyed meanwhile: as `afterWrite`, 'drain' if it was
    /// needed and nothing else is left, 'finish' if due, or (destroyed) what waits fails.
    func releaseLength(_ count: Int) {
        wstate.length -= count
        wstate.heldWrites -= 1
        afterWrite(count: 0, WritableState.nop)
    }

    /// Those bytes failed: as `onwrite` with an error (errored, then `onwriteError`'s errorBuffer).
    func failHeldLength(_ count: Int, _ error: NetError) {
        wstate.length -= count
        wstate.heldWrites -= 1
        streamState.setError(error)
        errorBuffer()
        errorOrDestroy(error, sync: false)
    }

    /// Node's `afterWriteTick` for a batch of callback-less writes.
    func afterWriteBatchNT() {
        afterWrite(count: wstate.takeBatch(), WritableState.nop)
    }

    private func onwriteError(_ error: NetError, _ callback: @escaping (NetError?) -> Void) {
        let state = wstate
        state.pendingcb -= 1
        callback(error)
        errorBuffer()
        errorOrDestroy(error, sync: false)
    }

    private func afterWrite(count: Int, _ callback: @escaping (NetError?) -> Void) {
        let needDrain = !wstate.ending && !wstate.destroyed && wstate.length == 0 && wstate.needDrain
        if needDrain {
            wstate.needDrain = false
            emit(.drain)
        }
        for _ in 0..<count {
            wstate.pendingcb -= 1
            callback(nil)
        }
        if wstate.destroyed { errorBuffer() }
        finishMaybe(sync: false)
    }

    /// Rejects every buffered write after a destroy or an error.
    private func errorBuffer() {
        wstate.errorBuffer()
    }

    func clearBuffer() {
        if wstate.corked > 0 || wstate.bufferProcessing || wstate.destroyed { return }
        wstate.bufferProcessing = true
        defer { wstate.bufferProcessing = false }
        wstate.sealTail()
        if wstate.buffered.count > 1 && hasWritev {
            // One `_writev` of everything buffered, its callback calling each write's own (Node's allNoop:
            // none when no write had one). The queue keeps its storage for the next batch.
            var chunks: [Buffer] = []
            chunks.reserveCapacity(wstate.buffered.count)
            var length = 0
            var callbacks: [(NetError?) -> Void] = []
            var count = 0
            for pending in wstate.buffered {
                chunks.append(pending.chunk)
                length += pending.chunk.count
                count += pending.writes
                if let callback = pending.callback { callbacks.append(callback) }
            }
            wstate.buffered.removeAll(keepingCapacity: true)
            if callbacks.isEmpty {
                doWrite(chunks, length: length, writev: true, isNop: true, WritableState.nop)
            } else {
                doWrite(chunks, length: length, writev: true, isNop: false) { error in
                    for callback in callbacks { callback(error) }
                }
            }
            wstate.pendingcb -= count - 1
        } else {
            while !wstate.writing, let pending = wstate.buffered.popFirst() {
                // A coalesced chunk completes its writes at once, as a `_writev` of them would.
                wstate.pendingcb -= pending.writes - 1
                if let callback = pending.callback {
                    doWrite([pending.chunk], length: pending.chunk.count, writev: false, isNop: false, callback)
                } else {
                    doWrite([pending.chunk], length: pending.chunk.count, writev: false, isNop: true, WritableState.nop)
                }
            }
        }
    }

    func endWritable(_ chunk: Buffer?, _ callback: ((NetError?) -> Void)?) {
        let state = wstate
        var error: NetError?
        if let chunk { _ = writeChunk(chunk, nil) }
        if state.corked > 0 {
            state.corked = 1
            uncork()
        }
        _beforeEnd()
        if let errored = state.errored {
            error = errored
        } else if !state.ending {
            state.ending = true
            finishMaybe(sync: true)
            state.ended = true
        } else if state.finished {
            error = .streamAlreadyFinished("end")
        } else if state.destroyed {
            error = .streamDestroyed("end")
        }
        guard let callback else { return }
        if let error {
            EventLoop.current.nextTick { callback(error) }
        } else if state.finished {
            EventLoop.current.nextTick { callback(nil) }
        } else {
            state.onFinished.append(callback)
        }
    }

    private func needFinish() -> Bool {
        let state = wstate
        return state.ending && !state.destroyed && state.length == 0 && state.errored == nil
            && state.buffered.isEmpty && !state.finished && !state.writing && !state.errorEmitted
            && !state.closeEmitted
    }

    private func prefinish() {
        let state = wstate
        guard !state.prefinished, !state.finalCalled else { return }
        if !state.destroyed {
            state.finalCalled = true
            state.sync = true
            state.pendingcb += 1
            var called = false
            _final { [self] error in
                guard !called else { return errorOrDestroy(.multipleCallback, sync: false) }
                called = true
                state.pendingcb -= 1
                if let error {
                    let finished = state.onFinished
                    state.onFinished = []
                    for callback in finished { callback(error) }
                    errorOrDestroy(error, sync: state.sync)
                } else if needFinish() {
                    state.prefinished = true
                    emit(.prefinish)
                    state.pendingcb += 1
                    EventLoop.current.nextTick { [self] in finish() }
                }
            }
            state.sync = false
        } else {
            state.prefinished = true
            emit(.prefinish)
        }
    }

    func finishMaybe(sync: Bool) {
        guard needFinish() else { return }
        prefinish()
        guard wstate.pendingcb == 0 else { return }
        if sync {
            wstate.pendingcb += 1
            EventLoop.current.nextTick { [self] in
                if needFinish() { finish() } else { wstate.pendingcb -= 1 }
            }
        } else if needFinish() {
            wstate.pendingcb += 1
            finish()
        }
    }

    private func finish() {
        let state = wstate
        state.pendingcb -= 1
        state.finished = true
        let finished = state.onFinished
        state.onFinished = []
        for callback in finished { callback(nil) }
        emit(.finish)
        if streamState.autoDestroy {
            // Destroy once the readable side (if any) has ended too.
            if let r = streamState.readableState {
                if r.endEmitted || !r.readable { destroy() }
            } else {
                destroy()
            }
        }
    }
}

extension Deque {
    /// Runs `body` on the last element in place (no copy of it, so no retain of what it holds).
    @inline(__always)
    mutating func withLast<R>(_ body: (inout Element) -> R) -> R {
        body(&self[count - 1])
    }
}
