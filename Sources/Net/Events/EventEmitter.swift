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

    /// Few events per emitter: a small array beats hashing the name on every emit.
    var events: [(name: String, listeners: [Listener])] = []
    var nextID: UInt64 = 1
    var maxListeners: Int = EventListeners.defaultMaxListeners
    var warned: Set<String> = []

    /// Node's `EventEmitter.defaultMaxListeners`: past this many listeners for one event, a warning is printed.
    public static let defaultMaxListeners = 10

    /// Empty storage.
    public init() {}

    func index(of name: String) -> Int? {
        for i in events.indices where events[i].name == name { return i }
        return nil
    }

    func listeners(named name: String) -> [Listener] {
        index(of: name).map { events[$0].listeners } ?? []
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

    /// Removes every listener of `event` (Node's `removeAllListeners(name)`); `'removeListener'` is emitted
    /// for each, last added first, as Node does.
    @discardableResult
    public func removeAllListeners<P>(_ event: EventKey<Self, P>) -> Self {
        removeAll(named: event.name)
        return self
    }

    /// Removes every listener of every event (Node's `removeAllListeners()`), `'removeListener'` last.
    @discardableResult
    public func removeAllListeners() -> Self {
        let store = eventListeners
        for name in store.events.map(\.name) where name != "removeListener" { removeAll(named: name) }
        removeAll(named: "removeListener")
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

    /// The names of the events that have listeners, in the order they were first added (Node's `eventNames`).
    public func eventNames() -> [String] {
        eventListeners.events.filter { !$0.listeners.isEmpty }.map(\.name)
    }

    /// Sets the count past which adding a listener prints Node's MaxListenersExceededWarning; 0 is unlimited.
    @discardableResult
    public func setMaxListeners(_ n: Int) -> Self {
        eventListeners.maxListeners = n
        return self
    }

    /// The current listener limit (Node's `getMaxListeners`).
    public func getMaxListeners() -> Int { eventListeners.maxListeners }

    /// Calls every listener of `event` with `payload`, in order, and returns whether there were any
    /// (Node's `emit`). An `.error` with no listener goes to the loop's `uncaughtErrorHandler`.
    @discardableResult
    public func emit<P>(_ event: EventKey<Self, P>, _ payload: P) -> Bool {
        let store = eventListeners
        guard let index = store.index(of: event.name), !store.events[index].listeners.isEmpty else {
            if event.name == "error" {
                let error = payload as? NetError ?? NetError("Unhandled error. (\(payload))", code: "ERR_UNHANDLED_ERROR")
                EventLoop.current.uncaughtErrorHandler(error)
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

    private func add(_ name: String, _ box: AnyObject, once: Bool, prepend: Bool) -> ListenerToken {
        let store = eventListeners
        // Node emits 'newListener' before adding, so a listener added from it runs first.
        if let i = store.index(of: "newListener"), !store.events[i].listeners.isEmpty {
            emit(EventKey<Self, String>.newListener, name)
        }
        let listener = EventListeners.Listener(id: store.nextID, once: once, box: box)
        store.nextID += 1
        let count: Int
        if let i = store.index(of: name) {
            if prepend { store.events[i].listeners.insert(listener, at: 0) } else { store.events[i].listeners.append(listener) }
            count = store.events[i].listeners.count
        } else {
            store.events.append((name, [listener]))
            count = 1
        }
        if store.maxListeners > 0, count > store.maxListeners, !store.warned.contains(name) {
            store.warned.insert(name)
            var warning = "(node:\(getpid())) MaxListenersExceededWarning: Possible EventEmitter memory leak "
                + "detected. \(count) \(name) listeners added to [\(type(of: self))]. MaxListeners is "
                + "\(store.maxListeners). Use emitter.setMaxListeners() to increase limit\n"
            warning.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
        }
        return ListenerToken(id: listener.id)
    }

    private func remove(_ name: String, _ id: UInt64) {
        let store = eventListeners
        guard let i = store.index(of: name),
              let position = store.events[i].listeners.firstIndex(where: { $0.id == id }) else { return }
        store.events[i].listeners.remove(at: position)
        if store.events[i].listeners.isEmpty { store.events.remove(at: i) }
        if let r = store.index(of: "removeListener"), !store.events[r].listeners.isEmpty {
            emit(EventKey<Self, String>.removeListener, name)
        }
    }

    private func removeAll(named name: String) {
        let store = eventListeners
        guard let i = store.index(of: name) else { return }
        let removed = store.events[i].listeners
        store.events.remove(at: i)
        if name != "removeListener", let r = store.index(of: "removeListener"), !store.events[r].listeners.isEmpty {
            for _ in removed.reversed() { emit(EventKey<Self, String>.removeListener, name) }
        }
    }
}
