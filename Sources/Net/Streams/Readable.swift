import DequeModule

/// Node's `stream.Readable` semantics (lib/internal/streams/readable.js, v20): paused and flowing
/// modes, 'data' and 'readable', `pause`/`resume`, `read(n)`, 'end' only once the buffer is consumed,
/// `setEncoding` through a ``StringDecoder``, and `pipe` with backpressure.
///
/// A conforming type provides `_read(_:)` and feeds data with ``push(_:)`` (nil for end of stream).
public protocol Readable: Stream {
    /// Node's `_read(size)`: start producing data; call ``push(_:)`` as it arrives.
    func _read(_ size: Int)
}

/// Node's `_readableState`: a view of the readable half of a ``StreamState`` (`streamState.readable!`),
/// which holds both halves' fields in one object. Setting a property through any copy of the view sets
/// it in the stream's state.
///
/// Compact, because every socket has one: the flags live in one bit set (`bits`, behind properties of the
/// usual names), and what few streams use (an encoding, an error, pipes) in a side object made on first
/// use: 40 bytes of the state object instead of 264.
public struct ReadableState {
    /// The stream state this is the readable half of (one object holds both halves).
    let state: StreamState

    /// `readableHighWaterMark` (16 KiB, Node v20's default).
    public internal(set) var highWaterMark: Int {
        get { state.readableStorage.highWaterMark }
        nonmutating set { state.readableStorage.highWaterMark = newValue }
    }
    /// `readableLength`: buffered bytes (characters after `setEncoding`).
    public internal(set) var length: Int {
        get { state.readableStorage.length }
        nonmutating set { state.readableStorage.length = newValue }
    }
    var buffer: Deque<Chunk> {
        get { state.readableStorage.buffer }
        nonmutating set { state.readableStorage.buffer = newValue }
        nonmutating _modify { yield &state.readableStorage.buffer }
    }
    /// The flags, `flowing` and `paused` (see `Bit`). Internal, not private, so tests can compare whole states.
    var bits: BitFlags<UInt32> {
        get { state.readableStorage.bits }
        nonmutating set { state.readableStorage.bits = newValue }
        nonmutating _modify { yield &state.readableStorage.bits }
    }
    /// The rarely used parts.
    private var rare: Rare? {
        get { state.readableStorage.rare }
        nonmutating set { state.readableStorage.rare = newValue }
    }

    /// The flags of a fresh readable half.
    static let initialBits = Bit.readable | Bit.sync

    fileprivate enum Bit {
        static let endEmitted: UInt32 = 1 << 0
        static let readable: UInt32 = 1 << 1
        static let ended: UInt32 = 1 << 2
        static let reading: UInt32 = 1 << 3
        static let sync: UInt32 = 1 << 4
        static let needReadable: UInt32 = 1 << 5
        static let emittedReadable: UInt32 = 1 << 6
        static let readableListening: UInt32 = 1 << 7
        static let resumeScheduled: UInt32 = 1 << 8
        static let readingMore: UInt32 = 1 << 9
        static let dataEmitted: UInt32 = 1 << 10
        static let destroyed: UInt32 = 1 << 11
        static let errorEmitted: UInt32 = 1 << 12
        static let closed: UInt32 = 1 << 13
        static let closeEmitted: UInt32 = 1 << 14
        /// `errored` is set (it lives in `rare`): the hot `errored != nil` checks read only this bit.
        static let hasError: UInt32 = 1 << 15
        /// `flowing`: the set bit says non-nil, the value bit its value.
        static let flowingSet: UInt32 = 1 << 16
        static let flowingValue: UInt32 = 1 << 17
        static let pausedSet: UInt32 = 1 << 18
        static let pausedValue: UInt32 = 1 << 19
    }

    final class Rare {
        var encoding: Encoding?
        var decoder: StringDecoder?
        var errored: NetError?
        var awaitDrainWriters: Set<ObjectIdentifier> = []
        var pipes: [any Writable] = []
    }

    private var rareStorage: Rare {
        if let rare { return rare }
        let made = Rare()
        rare = made
        return made
    }

    /// `readableFlowing`: nil (no consumer yet), true (flowing), false (paused).
    public internal(set) var flowing: Bool? {
        get { bits.optional(Bit.flowingSet, Bit.flowingValue) }
        nonmutating set { bits.setOptional(Bit.flowingSet, Bit.flowingValue, newValue) }
    }
    /// `readableEnded`: 'end' has been emitted.
    public internal(set) var endEmitted: Bool {
        get { bits[Bit.endEmitted] }
        nonmutating set { bits[Bit.endEmitted] = newValue }
    }
    /// `readableEncoding`: set by `setEncoding`.
    public internal(set) var encoding: Encoding? {
        get { rare?.encoding }
        nonmutating set { if newValue != nil || rare != nil { rareStorage.encoding = newValue } }
    }
    /// Whether the stream can be read at all (Node's `readable` option; a write-only socket sets false).
    public var readable: Bool {
        get { bits[Bit.readable] }
        nonmutating set { bits[Bit.readable] = newValue }
    }

    var ended: Bool {
        get { bits[Bit.ended] }
        nonmutating set { bits[Bit.ended] = newValue }
    }
    var reading: Bool {
        get { bits[Bit.reading] }
        nonmutating set { bits[Bit.reading] = newValue }
    }
    var sync: Bool {
        get { bits[Bit.sync] }
        nonmutating set { bits[Bit.sync] = newValue }
    }
    var needReadable: Bool {
        get { bits[Bit.needReadable] }
        nonmutating set { bits[Bit.needReadable] = newValue }
    }
    var emittedReadable: Bool {
        get { bits[Bit.emittedReadable] }
        nonmutating set { bits[Bit.emittedReadable] = newValue }
    }
    var readableListening: Bool {
        get { bits[Bit.readableListening] }
        nonmutating set { bits[Bit.readableListening] = newValue }
    }
    var resumeScheduled: Bool {
        get { bits[Bit.resumeScheduled] }
        nonmutating set { bits[Bit.resumeScheduled] = newValue }
    }
    var paused: Bool? {
        get { bits.optional(Bit.pausedSet, Bit.pausedValue) }
        nonmutating set { bits.setOptional(Bit.pausedSet, Bit.pausedValue, newValue) }
    }
    var readingMore: Bool {
        get { bits[Bit.readingMore] }
        nonmutating set { bits[Bit.readingMore] = newValue }
    }
    var dataEmitted: Bool {
        get { bits[Bit.dataEmitted] }
        nonmutating set { bits[Bit.dataEmitted] = newValue }
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
    var closeEmitted: Bool {
        get { bits[Bit.closeEmitted] }
        nonmutating set { bits[Bit.closeEmitted] = newValue }
    }
    var decoder: StringDecoder? {
        get { rare?.decoder }
        nonmutating set { if newValue != nil || rare != nil { rareStorage.decoder = newValue } }
    }
    var awaitDrainWriters: Set<ObjectIdentifier> {
        get { rare?.awaitDrainWriters ?? [] }
        nonmutating set { if !newValue.isEmpty || rare != nil { rareStorage.awaitDrainWriters = newValue } }
    }
    /// Empties `awaitDrainWriters` (Node's `state.awaitDrainWriters = null` on every chunk taken) without
    /// getting and setting the set: once per read, and empty in all but piped streams.
    func clearAwaitDrainWriters() {
        if let rare, !rare.awaitDrainWriters.isEmpty { rare.awaitDrainWriters.removeAll() }
    }
    var pipes: [any Writable] {
        get { rare?.pipes ?? [] }
        nonmutating set { if !newValue.isEmpty || rare != nil { rareStorage.pipes = newValue } }
    }

    /// The readable half of `state`.
    init(_ state: StreamState) {
        self.state = state
    }

    /// How a stream's readable half starts (see ``StreamState/init(readable:writable:)``).
    public struct Options: Sendable {
        /// `readableHighWaterMark` (default 16 KiB, Node v20's).
        public var highWaterMark: Int
        /// Node v20's defaults, or the high-water mark given.
        public init(highWaterMark: Int = 16 * 1024) {
            self.highWaterMark = highWaterMark
        }
    }
}

/// The readable half's fields, kept in its ``StreamState``.
struct ReadableStorage {
    var highWaterMark: Int
    var length = 0
    var buffer = Deque<Chunk>()
    var rare: ReadableState.Rare?
    /// Last, so that the struct is 36 bytes and `StreamState` packs its flags after it (see there).
    var bits = BitFlags<UInt32>(ReadableState.initialBits)

    init(_ options: ReadableState.Options) {
        highWaterMark = options.highWaterMark
    }
}

extension EventKey where Emitter: Readable, Payload == Chunk {
    /// `'data'`: a chunk (a ``Buffer``, or a `String` after `setEncoding`). Adding a listener starts the flow.
    public static var data: Self { .init(.data) }
}

extension EventKey where Emitter: Readable, Payload == Void {
    /// `'end'`: no more data; everything was consumed.
    public static var end: Self { .init(.end) }
    /// `'readable'`: data (or the end) can be read with `read()`. Adding a listener pauses the flow.
    public static var readable: Self { .init(.readable) }
    /// `'pause'`: `pause()` switched the stream out of flowing mode.
    public static var pause: Self { .init(.pause) }
    /// `'resume'`: the stream entered flowing mode.
    public static var resume: Self { .init(.resume) }
}

extension Readable {
    /// The readable half. The hot paths write `rstate.x` at each use rather than binding it once: a local
    /// copy is retained and released around every call it outlives, while a load through the stream's
    /// `let`s (`streamState`, then `readable`) is two loads and no reference counting, as `self` keeps
    /// both alive for the call.
    private var rstate: ReadableState { streamState.readableState! }

    // MARK: Producer side

    /// Adds `chunk` to the stream (nil signals the end). Returns false once the buffer is at the high-water
    /// mark: stop producing until `_read` is called again.
    @discardableResult
    public func push(_ chunk: Buffer?) -> Bool {
        checkThread()
        guard let chunk else {
            rstate.reading = false
            onEofChunk()
            return false
        }
        if chunk.isEmpty {
            rstate.reading = false
            maybeReadMore()
        } else if rstate.ended {
            errorOrDestroy(.streamPushAfterEOF, sync: false)
        } else if rstate.destroyed || rstate.errored != nil {
            return false
        } else {
            rstate.reading = false
            if rstate.decoder != nil {
                let text = rstate.decoder!.write(chunk)
                if text.isEmpty { maybeReadMore() } else { addChunk(.string(text)) }
            } else {
                addChunk(.buffer(chunk))
            }
        }
        return !rstate.ended && (rstate.length < rstate.highWaterMark || rstate.length == 0)
    }

    // MARK: Consumer side

    /// Reads up to `size` bytes from the buffer (everything, or the first chunk while flowing, when nil).
    /// Returns nil when not enough is buffered; 'readable' says when to try again.
    @discardableResult
    public func read(_ size: Int? = nil) -> Chunk? {
        checkThread()
        let original = size
        var n = size
        if let size, size > rstate.highWaterMark { rstate.highWaterMark = Self.newHighWaterMark(size) }
        if n != 0 { rstate.emittedReadable = false }
        if n == 0, rstate.needReadable,
           (rstate.highWaterMark != 0 ? rstate.length >= rstate.highWaterMark : rstate.length > 0) || rstate.ended {
            if rstate.length == 0 && rstate.ended { endReadable() } else { emitReadable() }
            return nil
        }
        n = howMuchToRead(n)
        if n == 0 && rstate.ended {
            if rstate.length == 0 { endReadable() }
            return nil
        }
        var doRead = rstate.needReadable
        if rstate.length == 0 || rstate.length - n! < rstate.highWaterMark { doRead = true }
        if rstate.ended || rstate.reading || rstate.destroyed || rstate.errored != nil {
            doRead = false
        } else if doRead {
            rstate.reading = true
            rstate.sync = true
            if rstate.length == 0 { rstate.needReadable = true }
            _read(rstate.highWaterMark)
            rstate.sync = false
            if !rstate.reading { n = howMuchToRead(original) }
        }
        var result: Chunk?
        if let count = n, count > 0 { result = fromList(count) }
        if result == nil {
            rstate.needReadable = rstate.length <= rstate.highWaterMark
            n = 0
        } else {
            rstate.length -= n!
            rstate.clearAwaitDrainWriters()
        }
        if rstate.length == 0 {
            if !rstate.ended { rstate.needReadable = true }
            if original != n && rstate.ended { endReadable() }
        }
        if let result, !rstate.errorEmitted, !rstate.closeEmitted {
            rstate.dataEmitted = true
            emit(.data, result)
        }
        return result
    }

    /// Switches to flowing mode: buffered and future data arrive as 'data' events.
    @discardableResult
    public func resume() -> Self {
        checkThread()
        let state = rstate
        if state.flowing != true {
            state.flowing = !state.readableListening
            if !state.resumeScheduled {
                state.resumeScheduled = true
                EventLoop.current.nextTick { [self] in resumeNT() }
            }
        }
        state.paused = false
        return self
    }

    /// Leaves flowing mode: data stays buffered until `resume()` or `read()`.
    @discardableResult
    public func pause() -> Self {
        checkThread()
        let state = rstate
        if state.flowing != false {
            state.flowing = false
            emit(.pause)
        }
        state.paused = true
        return self
    }

    /// Whether the stream was paused (`pause()`, or a 'readable' listener took over).
    public func isPaused() -> Bool {
        checkThread()
        let state = rstate
        return state.paused == true || state.flowing == false
    }

    /// Decodes the data with `encoding`, delivering Strings; a character split between chunks arrives whole.
    /// nil goes back to Buffers only for data not yet decoded.
    @discardableResult
    public func setEncoding(_ encoding: Encoding?) -> Self {
        checkThread()
        let state = rstate
        guard let encoding else {
            state.decoder = nil
            state.encoding = nil
            return self
        }
        var decoder = StringDecoder(encoding)
        state.encoding = encoding
        var content = ""
        for chunk in state.buffer { content += decoder.write(chunk.buffer) }
        state.decoder = decoder
        state.buffer.removeAll()
        if !content.isEmpty { state.buffer.append(.string(content)) }
        state.length = content.utf16.count
        return self
    }

    /// `readable`: true until the stream ended, errored or was destroyed.
    public var readable: Bool {
        checkThread()
        let state = rstate
        return state.readable && !state.destroyed && state.errored == nil && !state.endEmitted
    }

    /// `readableEnded`: 'end' was emitted.
    public var readableEnded: Bool { checkThread(); return rstate.endEmitted }
    /// `readableFlowing`.
    public var readableFlowing: Bool? { checkThread(); return rstate.flowing }
    /// `readableLength`.
    public var readableLength: Int { checkThread(); return rstate.length }
    /// `readableHighWaterMark`.
    public var readableHighWaterMark: Int { checkThread(); return rstate.highWaterMark }
    /// `readableEncoding`.
    public var readableEncoding: Encoding? { checkThread(); return rstate.encoding }

    /// Adds a 'data' listener and starts the flow unless the stream was paused explicitly, as Node's
    /// `readable.on('data')`.
    @discardableResult
    public func on(_ event: EventKey<Self, Chunk>, _ listener: @escaping (Chunk) -> Void) -> ListenerToken {
        checkThread()
        let token = addChunkListener(event.eventName, listener, once: false)
        readableDidAddDataListener()
        return token
    }

    /// Adds a 'readable' listener (or another Void event); a 'readable' listener switches to paused mode
    /// and takes over reading, as Node's `readable.on('readable')`.
    @discardableResult
    public func on(_ event: EventKey<Self, Void>, _ listener: @escaping () -> Void) -> ListenerToken {
        checkThread()
        let token = addVoidListener(event.eventName, listener, once: false)
        if event.eventName.tag == .readable { readableDidAddReadableListener() }
        return token
    }

    /// Node's `once('data')` goes through `on`, so it starts the flow too.
    @discardableResult
    public func once(_ event: EventKey<Self, Chunk>, _ listener: @escaping (Chunk) -> Void) -> ListenerToken {
        checkThread()
        let token = addChunkListener(event.eventName, listener, once: true)
        readableDidAddDataListener()
        return token
    }

    /// Node's `once('readable')` goes through `on`, so it switches to paused mode too.
    @discardableResult
    public func once(_ event: EventKey<Self, Void>, _ listener: @escaping () -> Void) -> ListenerToken {
        checkThread()
        let token = addVoidListener(event.eventName, listener, once: true)
        if event.eventName.tag == .readable { readableDidAddReadableListener() }
        return token
    }

    /// Removes a listener; removing the last 'readable' listener hands reading back to 'data' listeners
    /// (or to nobody) on the next tick, as Node's `removeListener('readable')`.
    @discardableResult
    public func off(_ event: EventKey<Self, Void>, _ token: ListenerToken) -> Self {
        checkThread()
        removeListenerEntry(event.eventName, token)
        if event.eventName.tag == .readable {
            EventLoop.current.nextTick { [self] in updateReadableListening() }
        }
        return self
    }

    /// Node's `addListener`, which for a readable is its `on`: a 'data' listener starts the flow.
    @discardableResult
    public func addListener(_ event: EventKey<Self, Chunk>, _ listener: @escaping (Chunk) -> Void) -> ListenerToken {
        checkThread()
        return on(event, listener)
    }

    /// Node's `addListener` for an event without a payload: as ``on(_:_:)-(EventKey<Self,Void>,_)``, a
    /// 'readable' listener switches to paused mode.
    @discardableResult
    public func addListener(_ event: EventKey<Self, Void>, _ listener: @escaping () -> Void) -> ListenerToken {
        checkThread()
        return on(event, listener)
    }

    /// Node's `removeListener`, which for a readable is its `off`: removing the last 'readable' listener
    /// hands reading back on the next tick.
    @discardableResult
    public func removeListener(_ event: EventKey<Self, Void>, _ token: ListenerToken) -> Self {
        checkThread()
        return off(event, token)
    }

    /// Node's `removeAllListeners(event)`; for 'readable', reading is handed back on the next tick.
    @discardableResult
    public func removeAllListeners(_ event: EventKey<Self, Void>) -> Self {
        checkThread()
        removeAll(named: event.eventName)
        if event.eventName.tag == .readable {
            EventLoop.current.nextTick { [self] in updateReadableListening() }
        }
        return self
    }

    /// Node's `removeAllListeners()`; reading is handed back on the next tick (no 'readable' listener is
    /// left).
    @discardableResult
    public func removeAllListeners() -> Self {
        checkThread()
        removeEveryListener()
        EventLoop.current.nextTick { [self] in updateReadableListening() }
        return self
    }

    private func readableDidAddDataListener() {
        let state = rstate
        state.readableListening = listenerCount(EventKey<Self, Void>.readable) > 0
        if state.flowing != false { resume() }
    }

    private func readableDidAddReadableListener() {
        let state = rstate
        guard !state.endEmitted, !state.readableListening else { return }
        state.readableListening = true
        state.needReadable = true
        state.flowing = false
        state.emittedReadable = false
        if state.length > 0 {
            emitReadable()
        } else if !state.reading {
            EventLoop.current.nextTick { [self] in read(0) }
        }
    }

    private func updateReadableListening() {
        let state = rstate
        state.readableListening = listenerCount(EventKey<Self, Void>.readable) > 0
        if state.resumeScheduled && state.paused == false {
            state.flowing = true
        } else if eventListeners.dataListening {
            // Node's `kDataListening`: 'data' listeners were added and not removed through removeListener.
            resume()
        } else if !state.readableListening {
            state.flowing = nil
        }
    }

    // MARK: The machine (Node's readable.js)

    private static func newHighWaterMark(_ n: Int) -> Int {
        guard n < 1 << 30 else { return 1 << 30 }
        var v = n - 1
        var shift = 1
        while shift <= 16 { v |= v >> shift; shift <<= 1 }
        return v + 1
    }

    private func howMuchToRead(_ n: Int?) -> Int {
        let state = rstate
        if let n, n <= 0 { return 0 }
        if state.length == 0 && state.ended { return 0 }
        guard let n else {
            if state.flowing == true, state.length > 0, let first = state.buffer.first { return Self.size(first) }
            return state.length
        }
        if n <= state.length { return n }
        return state.ended ? state.length : 0
    }

    static func size(_ chunk: Chunk) -> Int {
        switch chunk {
        case .buffer(let b): return b.count
        case .string(let s): return s.utf16.count
        }
    }

    private func fromList(_ n: Int) -> Chunk? {
        let state = rstate
        guard !state.buffer.isEmpty else { return nil }
        if n >= state.length {
            defer { state.buffer.removeAll() }
            if state.buffer.count == 1 { return state.buffer.first! }
            if state.decoder != nil {
                return .string(state.buffer.map { $0.string ?? "" }.joined())
            }
            return .buffer(Buffer.concat(state.buffer.map(\.buffer)))
        }
        // Part of the buffer: take whole chunks, then a slice of the next.
        if state.decoder != nil {
            var out: [UInt16] = []
            while out.count < n, let first = state.buffer.first, case .string(let s) = first {
                let units = Array(s.utf16)
                let take = min(units.count, n - out.count)
                out += units[..<take]
                state.buffer.removeFirst()
                if take < units.count { state.buffer.prepend(.string(String(decoding: units[take...], as: UTF16.self))) }
            }
            return .string(String(decoding: out, as: UTF16.self))
        }
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n, let first = state.buffer.first {
            let bytes = first.buffer.bytes
            let take = min(bytes.count, n - out.count)
            out += bytes[..<take]
            state.buffer.removeFirst()
            if take < bytes.count { state.buffer.prepend(.buffer(Buffer(Array(bytes[take...])))) }
        }
        return .buffer(Buffer(out))
    }

    private func addChunk(_ chunk: Chunk) {
        // Node: `listenerCount('data') > 0`, then `emit('data')`. The first 'data' listener found here is
        // where the emit starts (nothing in between changes the listeners): one scan of the slots, not two.
        if rstate.flowing == true, rstate.length == 0, !rstate.sync,
           let first = eventListeners.firstIndex(of: EventKey<Self, Chunk>.data.eventName) {
            rstate.clearAwaitDrainWriters()
            rstate.dataEmitted = true
            callListeners(.data, chunk, from: first)
        } else {
            rstate.length += Self.size(chunk)
            rstate.buffer.append(chunk)
            if rstate.needReadable { emitReadable() }
        }
        maybeReadMore()
    }

    private func onEofChunk() {
        let state = rstate
        if state.ended { return }
        if state.decoder != nil {
            let rest = state.decoder!.end()
            if !rest.isEmpty {
                state.buffer.append(.string(rest))
                state.length += rest.utf16.count
            }
        }
        state.ended = true
        if state.sync {
            emitReadable()
        } else {
            state.needReadable = false
            state.emittedReadable = true
            emitReadableNT()
        }
    }

    private func emitReadable() {
        let state = rstate
        state.needReadable = false
        if !state.emittedReadable {
            state.emittedReadable = true
            EventLoop.current.nextTick { [self] in emitReadableNT() }
        }
    }

    private func emitReadableNT() {
        let state = rstate
        if !state.destroyed, state.errored == nil, state.length > 0 || state.ended {
            emit(EventKey<Self, Void>.readable)
            state.emittedReadable = false
        }
        state.needReadable = state.flowing != true && !state.ended && state.length <= state.highWaterMark
        flow()
    }

    private func maybeReadMore() {
        if !rstate.readingMore {
            rstate.readingMore = true
            if !_queueTick(.maybeReadMore) {
                EventLoop.current.nextTick { [self] in maybeReadMoreNT() }
            }
        }
    }

    /// Node's `maybeReadMore_`: reads on while the buffer is below the high-water mark.
    func maybeReadMoreNT() {
        while !rstate.reading && !rstate.ended
                && (rstate.length < rstate.highWaterMark || (rstate.flowing == true && rstate.length == 0)) {
            let length = rstate.length
            read(0)
            if length == rstate.length { break }
        }
        rstate.readingMore = false
    }

    private func resumeNT() {
        let state = rstate
        if !state.reading { read(0) }
        state.resumeScheduled = false
        emit(EventKey<Self, Void>.resume)
        flow()
        if state.flowing == true && !state.reading { read(0) }
    }

    func flow() {
        while rstate.flowing == true, read() != nil {}
    }

    private func endReadable() {
        let state = rstate
        if !state.endEmitted {
            state.ended = true
            EventLoop.current.nextTick { [self] in endReadableNT() }
        }
    }

    private func endReadableNT() {
        let state = rstate
        guard state.errored == nil, !state.closeEmitted, !state.endEmitted, state.length == 0 else { return }
        state.endEmitted = true
        emit(EventKey<Self, Void>.end)
        if let duplex = self as? any Duplex, duplex.allowHalfOpen == false, duplex.writable {
            EventLoop.current.nextTick {
                if duplex.writable && !duplex.writableEnded && !duplex.destroyed { duplex.end() }
            }
        } else if streamState.autoDestroy {
            if let w = streamState.writableState {
                if w.finished || !w.writable { destroy() }
            } else {
                destroy()
            }
        }
    }
}
