import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A typed event name: the emitter type it belongs to and the payload its listeners receive.
///
/// Keys are declared in constrained extensions, so `socket.on(.close) { hadError in … }` gets a `Bool`
/// while `server.on(.close) { … }` gets nothing. Define keys for your own emitters the same way:
/// `extension EventKey where Emitter == MyThing, Payload == Int { static var tick: Self { .init("tick") } }`.
public struct EventKey<Emitter: AnyObject, Payload>: Sendable, Hashable, CustomStringConvertible {
    /// The name, with its number when it is one of Node's own.
    @usableFromInline let eventName: EventName

    /// The event's name, as Node spells it (`"data"`, `"close"`, …).
    public var name: String { eventName.string }

    /// A key for the event `name`.
    public init(_ name: String) { eventName = EventName(name) }

    /// The key of one of Node's own events (no lookup: the keys the stream machinery uses on every read).
    init(_ tag: EventTag) { eventName = EventName(tag) }

    /// The event's name.
    public var description: String { name }
}

extension EventKey where Payload == NetError {
    /// `'error'`. Emitted with no listener, the error goes to the loop's `uncaughtErrorHandler`.
    public static var error: Self { .init(.error) }
    /// Node's `events.errorMonitor`: its listeners see every `.error` before the `.error` listeners do,
    /// and also when there is none; they do not count as handling it. The name is how Node prints the symbol.
    public static var errorMonitor: Self { .init(.errorMonitor) }
}

extension EventKey where Payload == String {
    /// `'newListener'`: emitted with the event name before a listener is added.
    public static var newListener: Self { .init(.newListener) }
    /// `'removeListener'`: emitted with the event name after a listener is removed.
    public static var removeListener: Self { .init(.removeListener) }
}

/// Node's own event names, numbered, so that the listener storage compares one byte instead of a string
/// (string comparison was 2–4% of the instructions of a ping-pong round trip). Other names are `custom`.
enum EventTag: UInt8, CaseIterable, Sendable {
    case custom
    case data, end, error, close, drain, finish, prefinish, readable, pause, resume, pipe, unpipe
    case connect, ready, lookup, timeout, connection, listening, drop, abort
    case newListener, removeListener, errorMonitor
    case connectionAttempt, connectionAttemptFailed, connectionAttemptTimeout

    /// The name Node gives the event.
    var string: String {
        switch self {
        case .custom: ""
        case .data: "data"
        case .end: "end"
        case .error: "error"
        case .close: "close"
        case .drain: "drain"
        case .finish: "finish"
        case .prefinish: "prefinish"
        case .readable: "readable"
        case .pause: "pause"
        case .resume: "resume"
        case .pipe: "pipe"
        case .unpipe: "unpipe"
        case .connect: "connect"
        case .ready: "ready"
        case .lookup: "lookup"
        case .timeout: "timeout"
        case .connection: "connection"
        case .listening: "listening"
        case .drop: "drop"
        case .abort: "abort"
        case .newListener: "newListener"
        case .removeListener: "removeListener"
        case .errorMonitor: EventListeners.errorMonitorName
        case .connectionAttempt: "connectionAttempt"
        case .connectionAttemptFailed: "connectionAttemptFailed"
        case .connectionAttemptTimeout: "connectionAttemptTimeout"
        }
    }

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.dropFirst().map { ($0.string, $0) })

    /// The tag of `name`: `custom` unless it is one of Node's own.
    init(name: String) { self = Self.byName[name] ?? .custom }
}

/// An event name and its tag. Two names are equal exactly when their tags are equal and, for custom
/// names, their strings are: a custom name never spells one of Node's own.
@usableFromInline
struct EventName: Hashable, Sendable {
    let string: String
    let tag: EventTag

    init(_ string: String) {
        self.string = string
        tag = EventTag(name: string)
    }

    init(_ tag: EventTag) {
        string = tag.string
        self.tag = tag
    }

    static let newListener = EventName(.newListener)
    static let removeListener = EventName(.removeListener)
    static let errorMonitor = EventName(.errorMonitor)
}

/// Identifies one added listener, for ``EventEmitter/off(_:_:)``.
public struct ListenerToken: Hashable, Sendable {
    let id: UInt64
}

/// Listener ids are unique in the process, so a token only ever matches the listener it was returned for:
/// passing it to another emitter removes nothing there, as Node's `removeListener` with a function that
/// emitter never had does nothing.
private let listenerIDs = Atomic<UInt64>(1)

/// The listener storage behind an ``EventEmitter``. Loop-confined, like the emitter that owns it.
///
/// Compact, because every socket has one: all listeners of all events live in one array of `Slot`s,
/// grouped by event, the groups in the order their events got their first listener (JavaScript's key
/// order for `_events`), each group in calling order. A slot holds the listener's closure itself, its
/// type erased (two words), so adding a listener allocates nothing but what the closure captures: the
/// generic `on` stores a `Listener<P>`, whose closure keeps the generic abstraction it was passed with
/// (storing it in an `Any` instead needs a reabstraction thunk, another 56-byte object per listener);
/// `Readable`'s concrete overloads (`on(.data)`, `on(.end)`…) store their `(Chunk) -> Void` as is and a
/// `VoidListener`, for the same reason; the listeners an emitter adds for itself store a shared `Hook`.
///
/// A stream's ``StreamState`` is its listener storage too (it inherits from this class), so that a socket's
/// listeners and stream state are one allocation; streams get ``EventEmitter/eventListeners`` from it
/// without declaring it. The class cannot be subclassed outside Net.
public class EventListeners {
    /// One listener, in four words (32 bytes: a socket's three reserved slots and the array's header are
    /// a 128-byte block): its closure (`function`, as one of the four holders below stored it, the kind
    /// in `bits`), the payload type it takes, or for a custom name (or a `once` listener `rawListeners`
    /// handed out) an `Extra` that holds it, and the bits.
    struct Slot {
        /// The closure's two words.
        let function: ErasedFunction
        /// The payload type, or the `Extra` holding it: one word (the enum lives in the spare bits).
        let tail: Tail
        /// The listener's id, with `onceBit`, the closure's kind and the name's tag.
        let bits: UInt64

        /// See `tail`. The `Extra` case comes first: the first case's tag is no bits at all, so its pointer
        /// is stored as it is, which leak checkers (LeakSanitizer in `make test-asan`) find; the second
        /// case's tag is a bit in the spare bits, on the metatype pointer, which is no heap object.
        enum Tail {
            case extra(Extra)
            case payload(Any.Type)
        }

        /// The payload type of a generic listener (`P` of `on<P>`): `emit` checks it before calling. The
        /// other kinds' payload type is the one their kind says.
        @inline(__always) var payload: Any.Type {
            switch tail {
            case .payload(let type): type
            case .extra(let extra): extra.payload
            }
        }
        /// The custom name, and the `fired` flag shared with `rawListeners`' wrapper, for the listeners
        /// that have either (nil for most: a `once` listener gets one only from `rawListeners`).
        @inline(__always) var extra: Extra? {
            if case .extra(let extra) = tail { return extra }
            return nil
        }

        static let onceBit: UInt64 = 1 << 63
        static let hookBit: UInt64 = 1 << 62
        static let chunkBit: UInt64 = 1 << 61
        static let voidBit: UInt64 = 1 << 60
        static let kindBits: UInt64 = hookBit | chunkBit | voidBit
        /// The tag's 8 bits start here; ids (counted from 1 in the process) stay far below 2⁵².
        static let tagShift: UInt64 = 52
        static let idBits: UInt64 = 1 << tagShift - 1

        init(name: EventName, function: ErasedFunction, payload: Any.Type, bits: UInt64) {
            self.function = function
            tail = name.tag == .custom ? .extra(Extra(name.string, payload)) : .payload(payload)
            self.bits = bits | UInt64(name.tag.rawValue) << Self.tagShift
        }

        /// `slot` with an `Extra` (the one it has, or a new one): what `rawListeners` stores for a `once`
        /// listener before handing out its wrapper.
        init(withExtra slot: Slot) {
            function = slot.function
            tail = .extra(slot.extra ?? Extra(nil, slot.payload))
            bits = slot.bits
        }

        /// The event's name.
        var name: String {
            guard let tag = EventTag(rawValue: tag), tag != .custom else { return extra!.name! }
            return tag.string
        }
        var id: UInt64 { bits & Self.idBits }
        /// Whether this listener is one of `event`'s: the tags, and for custom names the strings, match.
        @inline(__always) func isFor(_ event: EventName) -> Bool {
            tag == event.tag.rawValue && (event.tag != .custom || extra!.name! == event.string)
        }
        /// The tag of the listener's event name.
        @inline(__always) var tag: UInt8 { UInt8(truncatingIfNeeded: bits >> Self.tagShift) }
        var once: Bool { bits & Self.onceBit != 0 }
        var isHook: Bool { bits & Self.hookBit != 0 }
    }

    /// A closure of any of the holders' types, as two words: a holder is bit-cast to it when stored and
    /// back to the same holder type (which the slot's kind and payload type say) when called. A 'data'
    /// listener of `Readable`'s concrete overload is stored as is (`call` has its type), so the one emit
    /// of every read calls it without a cast (a cast copies the closure: one more retain and release).
    @usableFromInline
    struct ErasedFunction {
        let call: (Chunk) -> Void
    }

    /// A generic `(P) -> Void` listener, its closure in the abstraction `on<P>` received it in.
    @usableFromInline
    struct Listener<P> {
        @usableFromInline let call: (P) -> Void
        @usableFromInline init(_ call: @escaping (P) -> Void) { self.call = call }
        @usableFromInline var erased: ErasedFunction { unsafeBitCast(self, to: ErasedFunction.self) }
    }

    /// A `Void` listener added through `Readable`'s concrete overloads.
    struct VoidListener {
        let call: () -> Void
    }

    /// A listener an emitter adds for itself: called with the emitter, so it captures nothing and one
    /// value serves every emitter. Never `once`.
    struct Hook: Sendable {
        let call: @Sendable (AnyObject) -> Void
        init(_ call: @escaping @Sendable (AnyObject) -> Void) { self.call = call }
    }

    /// What a slot keeps besides its closure for a custom event name, or for a `once` listener that
    /// `rawListeners` wrapped: the name, the payload type (in the word the slot has for it) and `fired`,
    /// Node's flag of the `once` wrapper (set when it has been called), shared by the emitter and the
    /// wrapper; for other `once` listeners see `OnceRecord`.
    final class Extra {
        let name: String?
        /// The slot's payload type (see `Slot.payload`).
        let payload: Any.Type
        var fired = false
        init(_ name: String?, _ payload: Any.Type) {
            self.name = name
            self.payload = payload
        }
    }

    /// What few emitters use: the warning seam, the events that printed a MaxListenersExceededWarning, and
    /// the rarely set parts of the listener retention state.
    final class Rare {
        var onWarning: ((String) -> Void)?
        /// Node keeps `warned` on an event's listeners array: it is lost when the event drops back to one
        /// listener or none, so the next overflow warns again.
        var warned: [String] = []
        /// `maxListeners` when it does not fit in 32 bits.
        var maxListeners = EventListeners.defaultMaxListeners
        /// See `EventListeners.pins`, `retired` and `keepsAfterClose`.
        var pins = 0
        var keepsAfterClose = false
    }

    /// Every listener, grouped by event (see the type's comment).
    @exclusivity(unchecked) final var slots: [Slot] = []
    /// The thread that made this storage (see ``checkThread(_:_:)``) in the low 30 bits, `dataListening`
    /// in the top bit and `retired` in the next: one word with the retention number, so the storage stays
    /// 40 bytes.
    @exclusivity(unchecked) private final var ownerAndFlags: UInt32 = ThreadToken.current
    private static let dataListeningFlag: UInt32 = 1 << 31
    private static let retiredFlag: UInt32 = 1 << 30
    /// This emitter's number in its loop's `ListenerRetention` (see there), 0 when it has none; the top
    /// bit marks an entry that keeps its listeners (`keepsAfterClose`) and is not counted.
    @exclusivity(unchecked) final var retentionSeq: UInt32 = 0
    @exclusivity(unchecked) final var rare: Rare?

    /// The thread that made this storage, and so the emitter.
    final var ownerThread: UInt32 { ownerAndFlags & ThreadToken.mask }

    /// Node's `maxListeners` (see ``EventEmitter/setMaxListeners(_:)``): kept in `rare` once set to
    /// anything but the default (programs seldom set it).
    final var maxListeners: Int {
        get { rare?.maxListeners ?? EventListeners.defaultMaxListeners }
        set {
            if rare == nil, newValue == EventListeners.defaultMaxListeners { return }
            rareStorage.maxListeners = newValue
        }
    }

    /// Node's `kDataListening` of a readable: set when a 'data' listener is added, cleared when the last
    /// one is removed through `removeListener` (`off`, a `once` that fired, `removeAllListeners` while
    /// there are 'removeListener' listeners), but not by a `removeAllListeners` that drops them without
    /// it. A readable whose 'readable' listeners go resumes flowing while it is set.
    final var dataListening: Bool {
        get { ownerAndFlags & Self.dataListeningFlag != 0 }
        set {
            if newValue { ownerAndFlags |= Self.dataListeningFlag } else { ownerAndFlags &= ~Self.dataListeningFlag }
        }
    }

    /// Pending timers, immediates and ticks scheduled from this emitter's 'close' or 'error' listeners
    /// (or from those callbacks in turn): while there are any, `ListenerRetention` does not retire it.
    final var pins: Int {
        get { rare?.pins ?? 0 }
        set { if newValue != 0 || rare != nil { rareStorage.pins = newValue } }
    }
    /// Whether the listeners were retired while there were some (connecting again warns, once).
    final var retired: Bool {
        get { ownerAndFlags & Self.retiredFlag != 0 }
        set { if newValue { ownerAndFlags |= Self.retiredFlag } else { ownerAndFlags &= ~Self.retiredFlag } }
    }
    /// ``EventEmitter/keepsListenersAfterClose``.
    final var keepsAfterClose: Bool {
        get { rare?.keepsAfterClose ?? false }
        set { if newValue || rare != nil { rareStorage.keepsAfterClose = newValue } }
    }

    private final var rareStorage: Rare {
        if let rare { return rare }
        let made = Rare()
        rare = made
        return made
    }

    /// Drops every listener without emitting 'removeListener': how a retired emitter (see
    /// `ListenerRetention`) or one whose loop shut down breaks the reference cycles that listeners
    /// capturing their emitter create (Node's garbage collector frees such cycles; reference counting
    /// cannot).
    final func releaseAll() {
        slots = []
        rare?.warned = []
    }

    /// Receives the MaxListenersExceededWarning text instead of standard error (a seam for tests); `nil`
    /// writes it to standard error, as Node's default `'warning'` handler does.
    final var onWarning: ((String) -> Void)? {
        get { rare?.onWarning }
        set { rareStorage.onWarning = newValue }
    }

    /// Node's `EventEmitter.defaultMaxListeners`: past this many listeners for one event, a warning is printed.
    public static let defaultMaxListeners = 10

    /// The name of ``EventKey/errorMonitor``: Node's `String(events.errorMonitor)`.
    static let errorMonitorName = "Symbol(events.errorMonitor)"

    /// Empty storage, owned by the calling thread.
    public init() {}

    /// Stops the program unless the caller is on the thread that made this storage: every public entry
    /// point of an emitter calls it, in release builds too, so that using a loop-confined object from
    /// another thread fails at once with a message naming the way across, instead of racing.
    @inline(__always) final func checkThread(_ type: Any.Type, _ function: StaticString) {
        if ownerThread != ThreadToken.current { Self.wrongThread(type, function) }
    }

    @inline(never) static func wrongThread(_ type: Any.Type, _ function: StaticString) -> Never {
        preconditionFailure(Self.wrongThreadMessage(type, function))
    }

    /// The text of that failure.
    static func wrongThreadMessage(_ type: Any.Type, _ function: StaticString) -> String {
        "\(type).\(function) called from another thread than the one that made this \(type). Net objects "
            + "belong to the event loop of the thread that made them; from another thread, reach them with "
            + "`loop.execute { ... }` (carry the object across in a `LoopBound`)."
    }

    /// Room for `count` listeners in all, allocated at once (an emitter that always gets a few).
    final func reserve(_ count: Int) {
        slots.reserveCapacity(count)
    }

    /// The index of the first listener of `name`. One of Node's own names is found by its tag alone, in a
    /// plain loop over `slots` in place: written with `Slot.isFor`, the compiler retains and releases the
    /// name's string on every call (measured: 2134 → 2247 instructions and two more retains per ping-pong
    /// write), and passing the array to a function or a closure would retain it.
    @inline(__always)
    final func firstIndex(of name: EventName) -> Int? {
        guard name.tag != .custom else { return slots.firstIndex { $0.isFor(name) } }
        let tag = name.tag.rawValue
        var i = 0
        while i < slots.count {
            if slots[i].tag == tag { return i }
            i += 1
        }
        return nil
    }

    /// Whether the listener at `index` (a group of `name`'s, or past it) is one of `name`'s.
    @inline(__always)
    final func isListener(_ index: Int, of name: EventName) -> Bool {
        guard index < slots.count else { return false }
        return name.tag == .custom ? slots[index].isFor(name) : slots[index].tag == name.tag.rawValue
    }

    /// Whether the listener at `index` of `slots` (a group of `name`'s, or past it) is one of `name`'s:
    /// `isListener(_:of:)` over a snapshot, which `emit` iterates.
    @inline(__always)
    static func isListener(_ index: Int, of name: EventName, in slots: [Slot]) -> Bool {
        guard index < slots.count else { return false }
        return name.tag == .custom ? slots[index].isFor(name) : slots[index].tag == name.tag.rawValue
    }

    /// The listeners of `name`, in calling order.
    final func listeners(named name: EventName) -> ArraySlice<Slot> {
        guard let first = firstIndex(of: name) else { return [] }
        var end = first + 1
        while end < slots.count, slots[end].isFor(name) { end += 1 }
        return slots[first..<end]
    }

    /// How many listeners `name` has. For Node's own names, by tag over the stored array itself: a copy of
    /// it retains and releases its storage, and `isFor` the name's string (see `firstIndex(of:)`).
    final func count(_ name: EventName) -> Int {
        guard name.tag != .custom else { return listeners(named: name).count }
        let tag = name.tag.rawValue
        var n = 0
        var i = 0
        while i < slots.count {
            if slots[i].tag == tag {
                n += 1
            } else if n > 0 {
                break
            }
            i += 1
        }
        return n
    }

    final func hasListeners(_ name: EventName) -> Bool {
        firstIndex(of: name) != nil
    }

    /// Whether `name` has a hook (see `EventEmitter.addHook`).
    final func hasHook(_ name: EventName) -> Bool {
        slots.contains { $0.isFor(name) && $0.isHook }
    }

    /// Whether the MaxListenersExceededWarning was printed for the current listener list of `name`
    /// (Node's `emitter._events[name].warned`).
    final func warned(_ name: String) -> Bool {
        rare?.warned.contains(name) ?? false
    }

    /// Inserts `slot` at the end of its event's group (at its start with `prepend`), or as a new group at
    /// the end. Returns how many listeners the event has now. Grows by two slots at a time while small
    /// (most emitters have a handful of listeners), instead of doubling.
    final func insert(_ slot: consuming Slot, of name: EventName, prepend: Bool) -> Int {
        if name.tag == .data { dataListening = true }
        if slots.count == slots.capacity {
            slots.reserveCapacity(slots.count < 8 ? slots.count + 2 : slots.count * 2)
        }
        guard let first = firstIndex(of: name) else {
            slots.append(slot)
            return 1
        }
        var end = first + 1
        while end < slots.count, slots[end].isFor(name) { end += 1 }
        slots.insert(slot, at: prepend ? first : end)
        return end - first + 1
    }

    /// Adds a listener of `name` (`EventEmitter.add` after its 'newListener'): a new id, the slot, and
    /// Node's MaxListenersExceededWarning, naming `emitter`'s type, when the event passes the limit.
    /// Not generic: in the emitter's generic extension every access to the storage was a witness call
    /// and a retain (callgrind, `NetBench connrate-32`).
    final func add(_ name: EventName, _ function: consuming ErasedFunction, _ payload: Any.Type, flags: UInt64,
                   prepend: Bool, emitter: Any.Type) -> ListenerToken {
        let id = listenerIDs.wrappingAdd(1, ordering: .relaxed).oldValue
        let count = insert(Slot(name: name, function: function, payload: payload, bits: id | flags), of: name, prepend: prepend)
        if maxListeners > 0, count > maxListeners, !warned(name.string) { warnMaxListeners(name, count: count, emitter: emitter) }
        return ListenerToken(id: id)
    }

    /// Prints Node's MaxListenersExceededWarning for `name` (or hands it to `onWarning`), once per list.
    @inline(never)
    private final func warnMaxListeners(_ name: EventName, count: Int, emitter: Any.Type) {
        markWarned(name.string)
        var warning = EventListeners.maxListenersWarning(
            count: count, name: name.string, emitter: "\(emitter)", max: maxListeners, pid: getpid())
        if let onWarning {
            onWarning(warning)
        } else {
            warning.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
        }
    }

    /// Removes the listener `id` of `name`; false when it is not there.
    final func remove(_ name: EventName, id: UInt64) -> Bool {
        guard let i = slots.firstIndex(where: { $0.id == id && $0.isFor(name) }) else { return false }
        slots.remove(at: i)
        // Node turns a one-element list back into the bare function, dropping its `warned` mark.
        if let rare, !rare.warned.isEmpty, count(name) <= 1 { rare.warned.removeAll { $0 == name.string } }
        return true
    }

    /// Removes every listener of `name` at once, as Node's `removeAllListeners(name)` does when no
    /// 'removeListener' listener is there to be told (so `dataListening` stays as it was).
    final func removeSlots(named name: EventName) {
        slots.removeAll { $0.isFor(name) }
        if let rare, !rare.warned.isEmpty { rare.warned.removeAll { $0 == name.string } }
    }

    /// Gives every `once` listener of `name` an `Extra` (see `rawListeners`).
    final func giveOnceListenersExtras(named name: EventName) {
        guard var i = firstIndex(of: name) else { return }
        while i < slots.count, slots[i].isFor(name) {
            if slots[i].once, slots[i].extra == nil { slots[i] = Slot(withExtra: slots[i]) }
            i += 1
        }
    }

    final func markWarned(_ name: String) {
        if rare == nil { rare = Rare() }
        rare!.warned.append(name)
    }

    /// The names with listeners in the order of JavaScript's own keys, which Node's `eventNames()` and
    /// `removeAllListeners()` follow: array-index names ("0", "7", "123") first in numeric order, then the
    /// other strings in the order they were added, then symbols (``EventKey/errorMonitor``).
    final var orderedNames: [String] {
        var indices: [(UInt32, String)] = []
        var strings: [String] = []
        var symbols: [String] = []
        for (i, slot) in slots.enumerated() where i == 0 || slots[i - 1].name != slot.name {
            if let n = Self.arrayIndex(slot.name) {
                indices.append((n, slot.name))
            } else if slot.name == Self.errorMonitorName {
                symbols.append(slot.name)
            } else {
                strings.append(slot.name)
            }
        }
        return indices.sorted { $0.0 < $1.0 }.map(\.1) + strings + symbols
    }

    /// The value of `name` as a JavaScript array index (a canonical integer below 2³² − 1), if it is one.
    static func arrayIndex(_ name: String) -> UInt32? {
        guard let first = name.utf8.first, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first != 0x30 || name.utf8.count == 1,
              let n = UInt32(name), n < UInt32.max else { return nil }
        return n
    }

    /// Node's MaxListenersExceededWarning as its default `'warning'` handler prints it.
    static func maxListenersWarning(count: Int, name: String, emitter: String, max: Int, pid: Int32) -> String {
        "(node:\(pid)) MaxListenersExceededWarning: Possible EventEmitter memory leak detected. "
            + "\(count) \(name) listeners added to [\(emitter)]. MaxListeners is \(max). "
            + "Use emitter.setMaxListeners() to increase limit\n"
    }

    /// Node's `inspect(value)` for the `ERR_UNHANDLED_ERROR` message of an `'error'` emitted with a
    /// payload that is not an error: strings quoted as Node quotes them, numbers and booleans as
    /// JavaScript prints them, `Void` and `nil` as `undefined`.
    static func inspect(_ value: Any) -> String {
        switch value {
        case let value as JSValue: return value.inspected
        case let value as String: return JSValue.string(value).inspected
        case let value as Substring: return JSValue.string(String(value)).inspected
        case let value as Bool: return value ? "true" : "false"
        case let value as Double: return JSValue.number(value).inspected
        case let value as Float: return JSValue.number(Double(value)).inspected
        case let value as any BinaryInteger: return String(describing: value)
        case is Void: return "undefined"
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                return mirror.children.first.map { inspect($0.value) } ?? "undefined"
            }
            return String(describing: value)
        }
    }

    /// What an `'error'` with no listener throws in Node: the error itself, or `ERR_UNHANDLED_ERROR`
    /// carrying the inspected payload.
    static func unhandledError(_ payload: Any) -> NetError {
        if let error = payload as? NetError { return error }
        if let error = payload as? any Error { return NetError(String(describing: error)) }
        return NetError("Unhandled error. (\(inspect(payload)))", code: "ERR_UNHANDLED_ERROR")
    }
}

/// Node's `EventEmitter`, with typed keys: listeners run in the order they were added; a listener added
/// during an emit does not run in that emit; a listener removed during an emit still runs in it; `once`
/// listeners are removed before they are called; an `.error` emitted with no listener goes to the loop's
/// `uncaughtErrorHandler` (Node throws it).
///
/// `Server` and `Socket` conform; any class can, by providing storage: `let eventListeners = EventListeners()`.
public protocol EventEmitter: AnyObject {
    /// The listener storage.
    var eventListeners: EventListeners { get }
}

extension EventEmitter {
    /// Stops the program unless the caller is on the thread that made this emitter (see
    /// `EventListeners.checkThread`): the first thing every public entry point of a loop-confined type does.
    @inline(__always) func checkThread(_ function: StaticString = #function) {
        eventListeners.checkThread(Self.self, function)
    }

    /// Adds `listener` at the end of the listeners for `event` (Node's `on`/`addListener`).
    @inlinable @discardableResult
    public func on<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        addListener(event.eventName, EventListeners.Listener(listener).erased, P.self, once: false, prepend: false, #function)
    }

    /// Adds a listener that is removed, then called, the next time `event` is emitted (Node's `once`).
    @inlinable @discardableResult
    public func once<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        addListener(event.eventName, EventListeners.Listener(listener).erased, P.self, once: true, prepend: false, #function)
    }

    /// Adds `listener` before every other listener of `event` (Node's `prependListener`).
    @inlinable @discardableResult
    public func prependListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        addListener(event.eventName, EventListeners.Listener(listener).erased, P.self, once: false, prepend: true, #function)
    }

    /// Adds a one-time listener before every other listener of `event` (Node's `prependOnceListener`).
    @inlinable @discardableResult
    public func prependOnceListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        addListener(event.eventName, EventListeners.Listener(listener).erased, P.self, once: true, prepend: true, #function)
    }

    /// Node's `addListener`: the same as ``EventEmitter/on(_:_:)``.
    @inlinable @discardableResult
    public func addListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        on(event, listener)
    }

    /// Removes the listener `token` identifies (Node's `off`/`removeListener`); `'removeListener'` follows.
    /// Removing a listener that is not there does nothing.
    @discardableResult
    public func off<P>(_ event: EventKey<Self, P>, _ token: ListenerToken) -> Self {
        checkThread()
        remove(event.eventName, token.id)
        return self
    }

    /// Node's `removeListener`: the same as ``off(_:_:)``.
    @discardableResult
    public func removeListener<P>(_ event: EventKey<Self, P>, _ token: ListenerToken) -> Self {
        off(event, token)
    }

    /// Removes every listener of `event` (Node's `removeAllListeners(name)`) one at a time, last added
    /// first, as Node does: each removal is followed by its `'removeListener'`, which sees the listeners
    /// still left.
    @discardableResult
    public func removeAllListeners<P>(_ event: EventKey<Self, P>) -> Self {
        checkThread()
        removeAll(named: event.eventName)
        return self
    }

    /// Removes every listener of every event (Node's `removeAllListeners()`), in ``eventNames()`` order
    /// with `'removeListener'` last.
    @discardableResult
    public func removeAllListeners() -> Self {
        checkThread()
        removeEveryListener()
        return self
    }

    /// `removeAllListeners()` for the overrides that add behaviour (Readable's).
    func removeEveryListener() {
        let store = eventListeners
        guard store.hasListeners(.removeListener) else {
            store.releaseAll()
            return
        }
        for name in store.orderedNames where name != "removeListener" { removeAll(named: EventName(name)) }
        removeAll(named: .removeListener)
        // As Node replaces `_events`: whatever the 'removeListener' listeners added is gone too.
        store.releaseAll()
    }

    /// How many listeners `event` has (Node's `listenerCount`).
    public func listenerCount<P>(_ event: EventKey<Self, P>) -> Int {
        checkThread()
        return eventListeners.count(event.eventName)
    }

    /// The listeners of `event`, in calling order (Node's `listeners`); `once` listeners are unwrapped.
    public func listeners<P>(_ event: EventKey<Self, P>) -> [(P) -> Void] {
        checkThread()
        return eventListeners.listeners(named: event.eventName).compactMap { caller($0, P.self) }
    }

    /// The listeners of `event` as stored (Node's `rawListeners`): a `once` listener comes wrapped, and
    /// calling the wrapper removes it, then calls it, at most once, as emitting would.
    public func rawListeners<P>(_ event: EventKey<Self, P>) -> [(P) -> Void] {
        checkThread()
        // A wrapper outlives any emit, so the `once` listeners get the flag it shares with the emitter.
        eventListeners.giveOnceListenersExtras(named: event.eventName)
        return eventListeners.listeners(named: event.eventName).compactMap { slot in
            guard let call = caller(slot, P.self) else { return nil }
            guard slot.once, let extra = slot.extra else { return call }
            let id = slot.id
            return { payload in
                guard OnceRecord.claim(extra, id) else { return }
                self.remove(event.eventName, id)
                call(payload)
            }
        }
    }

    /// A slot's closure as a `(P) -> Void` (a hook holds the emitter then); nil for another payload type.
    private func caller<P>(_ slot: EventListeners.Slot, _: P.Type) -> ((P) -> Void)? {
        switch slot.bits & EventListeners.Slot.kindBits {
        case 0:
            guard slot.payload == P.self else { return nil }
            return unsafeBitCast(slot.function, to: EventListeners.Listener<P>.self).call
        case EventListeners.Slot.chunkBit:
            guard P.self == Chunk.self else { return nil }
            let call = slot.function.call
            return { call($0 as! Chunk) }
        case EventListeners.Slot.voidBit:
            guard P.self == Void.self else { return nil }
            let call = unsafeBitCast(slot.function, to: EventListeners.VoidListener.self).call
            return { _ in call() }
        default:
            let hook = unsafeBitCast(slot.function, to: EventListeners.Hook.self)
            return { [self] _ in hook.call(self) }
        }
    }

    /// Calls a slot's closure with `payload`; a listener of another payload type is a programming error.
    @inline(__always)
    private func call<P>(_ function: EventListeners.ErasedFunction, _ type: Any.Type, _ bits: UInt64, _ payload: P,
                         _ event: EventKey<Self, P>) {
        switch bits & EventListeners.Slot.kindBits {
        case 0:
            guard type == P.self else { Self.wrongPayload(event.name, P.self) }
            unsafeBitCast(function, to: EventListeners.Listener<P>.self).call(payload)
        case EventListeners.Slot.chunkBit:
            guard P.self == Chunk.self else { Self.wrongPayload(event.name, P.self) }
            function.call(payload as! Chunk)
        case EventListeners.Slot.voidBit:
            guard P.self == Void.self else { Self.wrongPayload(event.name, P.self) }
            unsafeBitCast(function, to: EventListeners.VoidListener.self).call()
        default:
            unsafeBitCast(function, to: EventListeners.Hook.self).call(self)
        }
    }

    /// The names of the events that have listeners (Node's `eventNames`), in JavaScript's key order:
    /// array-index names ("0", "42") first in numeric order, then the rest in the order they were first added.
    public func eventNames() -> [String] {
        checkThread()
        return eventListeners.orderedNames
    }

    /// Sets the count past which adding a listener prints Node's MaxListenersExceededWarning; 0 is unlimited.
    /// Throws `ERR_OUT_OF_RANGE` for a negative `n`, as Node does.
    @discardableResult
    public func setMaxListeners(_ n: Int) throws(NetError) -> Self {
        checkThread()
        guard n >= 0 else { throw NetError.outOfRange("setMaxListeners", ">= 0", .int(n)) }
        eventListeners.maxListeners = n
        return self
    }

    /// The current listener limit (Node's `getMaxListeners`).
    public func getMaxListeners() -> Int { checkThread(); return eventListeners.maxListeners }

    /// Calls every listener of `event` with `payload`, in order, and returns whether there were any
    /// (Node's `emit`). An `.error` first reaches the ``EventKey/errorMonitor`` listeners; with no `.error`
    /// listener it then goes to the loop's `uncaughtErrorHandler`.
    @discardableResult
    public func emit<P>(_ event: EventKey<Self, P>, _ payload: P) -> Bool {
        checkThread()
        let store = eventListeners
        if event.eventName.tag == .error, store.hasListeners(.errorMonitor), let error = payload as? NetError {
            emit(EventKey<Self, NetError>.errorMonitor, error)
        }
        guard let i = store.firstIndex(of: event.eventName) else {
            if event.eventName.tag == .error {
                // The loop runs what must happen before (a gathering socket's bytes, which Node's kernel
                // already has), then its handler prints the error (or ends the process).
                UncaughtErrors.report(EventListeners.unhandledError(payload))
            }
            return false
        }
        callListeners(event, payload, from: i)
        return true
    }

    /// Calls the listeners of `event` from `first`, the index of its first one in the storage (what `emit`
    /// does once it has found them). For a caller that has just found `i` itself: the readable machinery
    /// checks for a 'data' listener before it emits 'data', and one scan of the slots serves both.
    @inline(__always)
    func callListeners<P>(_ event: EventKey<Self, P>, _ payload: P, from first: Int) {
        let store = eventListeners
        var i = first
        if !store.isListener(i + 1, of: event.eventName) {
            // One listener: nothing comes after it, so no snapshot is needed; the closure stays alive in
            // this local while it runs. A `once` listener's removal then edits the array in place, where a
            // snapshot would have made it copy the array away.
            let function = store.slots[i].function
            let type = store.slots[i].payload
            let bits = store.slots[i].bits
            if bits & EventListeners.Slot.onceBit != 0 {
                guard OnceRecord.claim(store.slots[i].extra, bits & EventListeners.Slot.idBits) else { return }
                remove(event.eventName, bits & EventListeners.Slot.idBits)
            }
            call(function, type, bits, payload, event)
            return
        }
        // A snapshot: listeners added during this emit wait for the next one, removed ones still run. While
        // it lives, `once` listeners that fire are recorded, so that it does not call them again.
        let snapshot = store.slots
        let record = OnceRecord.current
        record.snapshots += 1
        defer { record.leaveSnapshot() }
        repeat {
            // The closure, its type and the bits, not the whole slot: its `extra` would be retained and
            // released for nothing.
            let function = snapshot[i].function
            let type = snapshot[i].payload
            let bits = snapshot[i].bits
            if bits & EventListeners.Slot.onceBit != 0 {
                if OnceRecord.claim(snapshot[i].extra, bits & EventListeners.Slot.idBits) {
                    remove(event.eventName, bits & EventListeners.Slot.idBits)
                    call(function, type, bits, payload, event)
                }
            } else {
                call(function, type, bits, payload, event)
            }
            i += 1
        } while EventListeners.isListener(i, of: event.eventName, in: snapshot)
    }

    private static func wrongPayload<P>(_ name: String, _: P.Type) -> Never {
        preconditionFailure("event '\(name)' has listeners of another payload type than \(P.self)")
    }

    /// Emits an event that carries no payload.
    @discardableResult
    public func emit(_ event: EventKey<Self, Void>) -> Bool {
        emit(event, ())
    }

    // MARK: Storage

    /// What the inlinable `on`/`once`/`prepend…` call: they are inlined into the caller's module, where
    /// `Listener<P>` is a concrete type and `P.self` a constant (called generically, every listener added
    /// looked generic metadata up in the runtime's table: about 500 instructions per listener, 5% of a
    /// connection made and closed in `NetBench connrate-32`).
    @usableFromInline
    @_specialize(where Self == Socket)
    func addListener(_ name: EventName, _ function: consuming EventListeners.ErasedFunction, _ payload: Any.Type, once: Bool,
                     prepend: Bool, _ caller: StaticString) -> ListenerToken {
        checkThread(caller)
        return add(name, function, payload, flags: once ? EventListeners.Slot.onceBit : 0, prepend: prepend)
    }

    /// `once` without any type's override: for overrides that add behaviour (Readable's 'data').
    func onceListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        add(event.eventName, EventListeners.Listener(listener).erased, P.self, flags: EventListeners.Slot.onceBit,
            prepend: false)
    }

    /// `on`/`once` for a listener of the concrete type `(Chunk) -> Void` (Readable's overloads): stored as
    /// is, without a thunk to the generic abstraction.
    func addChunkListener(_ name: EventName, _ listener: @escaping (Chunk) -> Void, once: Bool) -> ListenerToken {
        add(name, EventListeners.ErasedFunction(call: listener),
            Chunk.self, flags: EventListeners.Slot.chunkBit | (once ? EventListeners.Slot.onceBit : 0), prepend: false)
    }

    /// `on`/`once` for a listener of the concrete type `() -> Void` (Readable's overloads).
    func addVoidListener(_ name: EventName, _ listener: @escaping () -> Void, once: Bool) -> ListenerToken {
        add(name, unsafeBitCast(EventListeners.VoidListener(call: listener), to: EventListeners.ErasedFunction.self),
            Void.self, flags: EventListeners.Slot.voidBit | (once ? EventListeners.Slot.onceBit : 0), prepend: false)
    }

    /// Adds a listener the emitter registers for itself: `hook` gets the emitter when `event` is emitted,
    /// so it needs no reference to it (no closure context, no reference cycle). To everything else it is an
    /// ordinary listener (counted, listed, removable).
    @discardableResult
    func addHook<P>(_ event: EventKey<Self, P>, _ hook: EventListeners.Hook) -> ListenerToken {
        add(event.eventName, unsafeBitCast(hook, to: EventListeners.ErasedFunction.self), P.self,
            flags: EventListeners.Slot.hookBit, prepend: false)
    }

    /// `off` without any type's override.
    func removeListenerEntry(_ name: EventName, _ token: ListenerToken) {
        remove(name, token.id)
    }

    // Specialised for `Socket` (the optimiser left it generic, even when called from a specialised
    // `addListener`): every listener a socket added read its storage through a witness call and a retain.
    @_specialize(where Self == Socket)
    private func add(_ name: EventName, _ function: consuming EventListeners.ErasedFunction, _ payload: Any.Type, flags: UInt64,
                     prepend: Bool) -> ListenerToken {
        let store = eventListeners
        // Node emits 'newListener' before adding, so a listener added from it runs first.
        if store.hasListeners(.newListener) {
            emit(EventKey<Self, String>.newListener, name.string)
        }
        return store.add(name, function, payload, flags: flags, prepend: prepend, emitter: type(of: self))
    }

    private func remove(_ name: EventName, _ id: UInt64) {
        let store = eventListeners
        guard store.remove(name, id: id) else { return }
        // Node's Readable.removeListener: the last 'data' listener gone clears `kDataListening`.
        if name.tag == .data, !store.hasListeners(name) { store.dataListening = false }
        if store.hasListeners(.removeListener) {
            emit(EventKey<Self, String>.removeListener, name.string)
        }
    }

    /// Node's `removeAllListeners(name)`; internal for the overrides that add behaviour (Readable's
    /// 'readable').
    func removeAll(named name: EventName) {
        // Node's removeAllListeners(name): removeListener for each, last first, when there is a
        // 'removeListener' listener to tell; otherwise the listeners are just dropped.
        let store = eventListeners
        guard store.hasListeners(.removeListener) else { return store.removeSlots(named: name) }
        for slot in store.listeners(named: name).reversed() { remove(name, slot.id) }
    }
}

/// Node's `fired` flag of a `once` listener, without an object per listener. A `once` listener is removed
/// from its emitter before it is called, so the flag only matters where a copy of it survives the
/// removal: in the snapshot of an emit still running (Node's `arrayClone` of the listeners, which a
/// nested emit or a `rawListeners` wrapper may fire first), and in `rawListeners`' wrapper. The wrapper
/// shares an `Extra` with the slot; for snapshots, each thread records the ids of the `once` listeners
/// that fire while any snapshot emit runs on it, and forgets them when the last one ends. Listener ids
/// are unique in the process, so one record serves every emitter of the thread.
final class OnceRecord {
    /// Snapshot emits running on this thread.
    @exclusivity(unchecked) var snapshots = 0
    /// The `once` listeners that fired while `snapshots` was not 0.
    @exclusivity(unchecked) var fired: [UInt64] = []

    /// The calling thread's record.
    static var current: OnceRecord {
        if let existing = pthread_getspecific(onceRecordKey) {
            return Unmanaged<OnceRecord>.fromOpaque(existing).takeUnretainedValue()
        }
        let made = OnceRecord()
        pthread_setspecific(onceRecordKey, Unmanaged.passRetained(made).toOpaque())
        return made
    }

    /// Ends a snapshot emit; the last one forgets the fired listeners.
    @inline(__always) func leaveSnapshot() {
        snapshots -= 1
        if snapshots == 0, !fired.isEmpty { fired.removeAll(keepingCapacity: true) }
    }

    /// Whether the `once` listener `id` (with `extra`, when it has one) may fire now, marking it fired:
    /// false when a wrapper, a nested emit or an earlier step of a snapshot already fired it.
    static func claim(_ extra: EventListeners.Extra?, _ id: UInt64) -> Bool {
        if let extra {
            if extra.fired { return false }
            extra.fired = true
        }
        let record = current
        if record.snapshots > 0 {
            if record.fired.contains(id) { return false }
            record.fired.append(id)
        }
        return true
    }
}

/// The thread-local slot of each thread's `OnceRecord`, released at thread exit.
private let onceRecordKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
        if let pointer { Unmanaged<OnceRecord>.fromOpaque(pointer).release() }
    }
    precondition(status == 0, "pthread_key_create failed")
    return key
}()
