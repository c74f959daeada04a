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
    /// The event's name, as Node spells it (`"data"`, `"close"`, …).
    public let name: String

    /// A key for the event `name`.
    public init(_ name: String) { self.name = name }

    /// The event's name.
    public var description: String { name }
}

extension EventKey where Payload == NetError {
    /// `'error'`. Emitted with no listener, the error goes to the loop's `uncaughtErrorHandler`.
    public static var error: Self { .init("error") }
    /// Node's `events.errorMonitor`: its listeners see every `.error` before the `.error` listeners do,
    /// and also when there is none; they do not count as handling it. The name is how Node prints the symbol.
    public static var errorMonitor: Self { .init(EventListeners.errorMonitorName) }
}

extension EventKey where Payload == String {
    /// `'newListener'`: emitted with the event name before a listener is added.
    public static var newListener: Self { .init("newListener") }
    /// `'removeListener'`: emitted with the event name after a listener is removed.
    public static var removeListener: Self { .init("removeListener") }
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
public final class EventListeners {
    final class Listener {
        let id: UInt64
        let once: Bool
        /// A `Box<P>` holding the typed closure.
        let box: AnyObject
        /// For `once` listeners: set when the listener has been called (Node's `fired`).
        var fired = false
        init(id: UInt64, once: Bool, box: AnyObject) {
            self.id = id
            self.once = once
            self.box = box
        }
    }

    final class Box<P> {
        let call: (P) -> Void
        init(_ call: @escaping (P) -> Void) { self.call = call }
    }

    /// One event's listeners. `warned` lives with the list, as Node keeps it on the listeners array: it is
    /// lost when the list drops back to one listener or is removed, so the next overflow warns again.
    struct Entry {
        let name: String
        var listeners: [Listener]
        var warned = false
    }

    /// Few events per emitter: a small array beats hashing the name on every emit.
    var events: [Entry] = []

    /// Drops every listener without emitting 'removeListener': how a closed stream, socket or server
    /// breaks the reference cycles that listeners capturing their emitter create (Node's garbage
    /// collector frees such cycles; reference counting cannot).
    func releaseAll() {
        events.removeAll()
    }
    var maxListeners: Int = EventListeners.defaultMaxListeners
    /// Receives the MaxListenersExceededWarning text instead of standard error (a seam for tests); `nil`
    /// writes it to standard error, as Node's default `'warning'` handler does.
    var onWarning: ((String) -> Void)?

    /// Node's `EventEmitter.defaultMaxListeners`: past this many listeners for one event, a warning is printed.
    public static let defaultMaxListeners = 10

    /// The name of ``EventKey/errorMonitor``: Node's `String(events.errorMonitor)`.
    static let errorMonitorName = "Symbol(events.errorMonitor)"

    /// Empty storage.
    public init() {}

    func index(of name: String) -> Int? {
        for i in events.indices where events[i].name == name { return i }
        return nil
    }

    func listeners(named name: String) -> [Listener] {
        index(of: name).map { events[$0].listeners } ?? []
    }

    func hasListeners(_ name: String) -> Bool {
        index(of: name).map { !events[$0].listeners.isEmpty } ?? false
    }

    /// Whether the MaxListenersExceededWarning was printed for the current listener list of `name`
    /// (Node's `emitter._events[name].warned`).
    func warned(_ name: String) -> Bool {
        index(of: name).map { events[$0].warned } ?? false
    }

    /// The names with listeners in the order of JavaScript's own keys, which Node's `eventNames()` and
    /// `removeAllListeners()` follow: array-index names ("0", "7", "123") first in numeric order, then the
    /// other strings in the order they were added, then symbols (``EventKey/errorMonitor``).
    var orderedNames: [String] {
        var indices: [(UInt32, String)] = []
        var strings: [String] = []
        var symbols: [String] = []
        for entry in events where !entry.listeners.isEmpty {
            if let n = Self.arrayIndex(entry.name) {
                indices.append((n, entry.name))
            } else if entry.name == Self.errorMonitorName {
                symbols.append(entry.name)
            } else {
                strings.append(entry.name)
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
    /// Adds `listener` at the end of the listeners for `event` (Node's `on`/`addListener`).
    @discardableResult
    public func on<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        add(event.name, EventListeners.Box(listener), once: false, prepend: false)
    }

    /// Adds a listener that is removed, then called, the next time `event` is emitted (Node's `once`).
    @discardableResult
    public func once<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        add(event.name, EventListeners.Box(listener), once: true, prepend: false)
    }

    /// Adds `listener` before every other listener of `event` (Node's `prependListener`).
    @discardableResult
    public func prependListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        add(event.name, EventListeners.Box(listener), once: false, prepend: true)
    }

    /// Adds a one-time listener before every other listener of `event` (Node's `prependOnceListener`).
    @discardableResult
    public func prependOnceListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        add(event.name, EventListeners.Box(listener), once: true, prepend: true)
    }

    /// Node's `addListener`: the same as ``on(_:_:)``.
    @discardableResult
    public func addListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        on(event, listener)
    }

    /// Removes the listener `token` identifies (Node's `off`/`removeListener`); `'removeListener'` follows.
    /// Removing a listener that is not there does nothing.
    @discardableResult
    public func off<P>(_ event: EventKey<Self, P>, _ token: ListenerToken) -> Self {
        remove(event.name, token.id)
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
        removeAll(named: event.name)
        return self
    }

    /// Removes every listener of every event (Node's `removeAllListeners()`), in ``eventNames()`` order
    /// with `'removeListener'` last.
    @discardableResult
    public func removeAllListeners() -> Self {
        let store = eventListeners
        guard store.hasListeners("removeListener") else {
            store.events.removeAll()
            return self
        }
        for name in store.orderedNames where name != "removeListener" { removeAll(named: name) }
        removeAll(named: "removeListener")
        // As Node replaces `_events`: whatever the 'removeListener' listeners added is gone too.
        store.events.removeAll()
        return self
    }

    /// How many listeners `event` has (Node's `listenerCount`).
    public func listenerCount<P>(_ event: EventKey<Self, P>) -> Int {
        eventListeners.listeners(named: event.name).count
    }

    /// The listeners of `event`, in calling order (Node's `listeners`); `once` listeners are unwrapped.
    public func listeners<P>(_ event: EventKey<Self, P>) -> [(P) -> Void] {
        eventListeners.listeners(named: event.name).compactMap { ($0.box as? EventListeners.Box<P>)?.call }
    }

    /// The listeners of `event` as stored (Node's `rawListeners`): a `once` listener comes wrapped, and
    /// calling the wrapper removes it, then calls it, at most once, as emitting would.
    public func rawListeners<P>(_ event: EventKey<Self, P>) -> [(P) -> Void] {
        eventListeners.listeners(named: event.name).compactMap { listener in
            guard let box = listener.box as? EventListeners.Box<P> else { return nil }
            guard listener.once else { return box.call }
            return { payload in
                if listener.fired { return }
                listener.fired = true
                self.remove(event.name, listener.id)
                box.call(payload)
            }
        }
    }

    /// The names of the events that have listeners (Node's `eventNames`), in JavaScript's key order:
    /// array-index names ("0", "42") first in numeric order, then the rest in the order they were first added.
    public func eventNames() -> [String] {
        eventListeners.orderedNames
    }

    /// Sets the count past which adding a listener prints Node's MaxListenersExceededWarning; 0 is unlimited.
    /// Throws `ERR_OUT_OF_RANGE` for a negative `n`, as Node does.
    @discardableResult
    public func setMaxListeners(_ n: Int) throws(NetError) -> Self {
        guard n >= 0 else { throw NetError.outOfRange("setMaxListeners", ">= 0", .int(n)) }
        eventListeners.maxListeners = n
        return self
    }

    /// The current listener limit (Node's `getMaxListeners`).
    public func getMaxListeners() -> Int { eventListeners.maxListeners }

    /// Calls every listener of `event` with `payload`, in order, and returns whether there were any
    /// (Node's `emit`). An `.error` first reaches the ``EventKey/errorMonitor`` listeners; with no `.error`
    /// listener it then goes to the loop's `uncaughtErrorHandler`.
    @discardableResult
    public func emit<P>(_ event: EventKey<Self, P>, _ payload: P) -> Bool {
        let store = eventListeners
        if event.name == "error", store.hasListeners(EventListeners.errorMonitorName), let error = payload as? NetError {
            emit(EventKey<Self, NetError>.errorMonitor, error)
        }
        guard let index = store.index(of: event.name), !store.events[index].listeners.isEmpty else {
            if event.name == "error" {
                EventLoop.current.uncaughtErrorHandler(EventListeners.unhandledError(payload))
            }
            return false
        }
        // A snapshot: listeners added during this emit wait for the next one, removed ones still run.
        let snapshot = store.events[index].listeners
        for listener in snapshot {
            if listener.once {
                if listener.fired { continue }
                listener.fired = true
                remove(event.name, listener.id)
            }
            guard let box = listener.box as? EventListeners.Box<P> else {
                preconditionFailure("event '\(event.name)' has listeners of another payload type than \(P.self)")
            }
            box.call(payload)
        }
        return true
    }

    /// Emits an event that carries no payload.
    @discardableResult
    public func emit(_ event: EventKey<Self, Void>) -> Bool {
        emit(event, ())
    }

    // MARK: Storage

    /// `once` without any type's override: for overrides that add behaviour (Readable's 'data').
    func onceListener<P>(_ event: EventKey<Self, P>, _ listener: @escaping (P) -> Void) -> ListenerToken {
        add(event.name, EventListeners.Box(listener), once: true, prepend: false)
    }

    /// `off` without any type's override.
    func removeListenerEntry(_ name: String, _ token: ListenerToken) {
        remove(name, token.id)
    }

    private func add(_ name: String, _ box: AnyObject, once: Bool, prepend: Bool) -> ListenerToken {
        let store = eventListeners
        // Node emits 'newListener' before adding, so a listener added from it runs first.
        if store.hasListeners("newListener") {
            emit(EventKey<Self, String>.newListener, name)
        }
        let id = listenerIDs.wrappingAdd(1, ordering: .relaxed).oldValue
        let listener = EventListeners.Listener(id: id, once: once, box: box)
        guard let i = store.index(of: name) else {
            store.events.append(EventListeners.Entry(name: name, listeners: [listener]))
            return ListenerToken(id: listener.id)
        }
        if prepend { store.events[i].listeners.insert(listener, at: 0) } else { store.events[i].listeners.append(listener) }
        let count = store.events[i].listeners.count
        if store.maxListeners > 0, count > store.maxListeners, !store.events[i].warned {
            store.events[i].warned = true
            var warning = EventListeners.maxListenersWarning(
                count: count, name: name, emitter: "\(type(of: self))", max: store.maxListeners, pid: getpid())
            if let onWarning = store.onWarning {
                onWarning(warning)
            } else {
                warning.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
            }
        }
        return ListenerToken(id: listener.id)
    }

    private func remove(_ name: String, _ id: UInt64) {
        let store = eventListeners
        guard let i = store.index(of: name),
              let position = store.events[i].listeners.firstIndex(where: { $0.id == id }) else { return }
        store.events[i].listeners.remove(at: position)
        switch store.events[i].listeners.count {
        case 0: store.events.remove(at: i)
        // Node turns a one-element list back into the bare function, dropping its `warned` mark.
        case 1: store.events[i].warned = false
        default: break
        }
        if store.hasListeners("removeListener") {
            emit(EventKey<Self, String>.removeListener, name)
        }
    }

    private func removeAll(named name: String) {
        // Node's removeAllListeners(name): removeListener for each, last first.
        for listener in eventListeners.listeners(named: name).reversed() { remove(name, listener.id) }
    }
}
