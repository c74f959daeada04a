#if canImport(Glibc)
import Glibc
#endif

/// How long a closed emitter keeps its listeners (the design, and the alternatives it was chosen over,
/// are in `docs/design/listener-lifetime.md`).
///
/// Node keeps an emitter's listeners until the program removes them, and its garbage collector frees a
/// closed socket whose listeners capture it (`c.on(.data) { c.write($0) }`). Reference counting cannot
/// tell such a cycle from a socket the program still holds and will connect again, so a closed emitter
/// (a socket, a server, a stream after its 'close') is kept here, with its listeners, while it is one of
/// the `limit` most recently closed on its loop. Beyond that the oldest one is *retired*: its listeners
/// are dropped, which frees it when they were all that held it. An emitter is never retired while
///
/// - it is open again (connected or listening: it leaves the list),
/// - a timer, immediate or tick made by one of its 'close' or 'error' listeners, or by such a callback in
///   turn, is still pending (it is *pinned*; Node's reconnect and retry patterns schedule exactly that),
/// - it asked to keep them (``EventEmitter/keepsListenersAfterClose``).
///
/// A retired emitter that is connected or listened again prints a warning naming the one-line fix, since
/// Node would still have the listeners. The loop retires every emitter it holds when it shuts down
/// (nothing can be emitted any more). One per loop, confined to it; its stored properties opt out of
/// dynamic exclusivity checks (no access is held across a call out: retiring runs deinits, which may add
/// to the list); the checks cost a connection about 750 instructions. Its queues are rings of their own
/// (`RingQueue`), not `Deque`s: each connection adds two sockets and retires two (about 170 instructions
/// less per connection; callgrind, `NetBench connrate-32`).
final class ListenerRetention {
    typealias Entry = (listeners: EventListeners, seq: UInt32)

    /// How many closed emitters keep their listeners (``EventLoop/listenerRetentionLimit``).
    @exclusivity(unchecked) var limit = ListenerRetention.defaultLimit
    /// The default of ``limit``.
    static let defaultLimit = 1024

    /// The emitters in the order they closed, with the sequence number each was added under; an entry
    /// whose number no longer matches its emitter's `retentionSeq` is stale (revived, or added again).
    @exclusivity(unchecked) private var order = RingQueue<Entry>()
    /// The emitters that keep their listeners (`keepsAfterClose`): never retired by the limit, not
    /// counted against it, retired when the loop shuts down.
    @exclusivity(unchecked) private var kept = RingQueue<Entry>()
    /// The entries of `order` that are not stale.
    @exclusivity(unchecked) private(set) var count = 0
    /// The entries of `kept` that are not stale.
    @exclusivity(unchecked) private var keptCount = 0
    @exclusivity(unchecked) private var nextSeq: UInt32 = 0
    /// The top bit of an entry's number: the entry is in `kept`.
    static let keptBit: UInt32 = 1 << 31

    /// Keeps `listeners` after their emitter's last 'close'; retires the oldest beyond the limit.
    func add(_ listeners: EventListeners) {
        if listeners.retentionSeq != 0 { return }   // already held (a second 'close' of the same closing)
        nextSeq = nextSeq == Self.keptBit - 1 ? 1 : nextSeq + 1
        if listeners.keepsAfterClose {
            listeners.retentionSeq = nextSeq | Self.keptBit
            kept.append((listeners, listeners.retentionSeq))
            keptCount += 1
        } else {
            listeners.retentionSeq = nextSeq
            order.append((listeners, nextSeq))
            count += 1
            if count > limit { retireExcess() }
        }
        // Revived emitters leave stale entries behind; drop them once they are most of a queue.
        if order.count > 2 * count + 64 { order.keepOnly(Self.isLive) }
        if kept.count > 2 * keptCount + 64 { kept.keepOnly(Self.isLive) }
    }

    /// The emitter of `listeners` is open again (connected, listening): it leaves the list.
    func remove(_ listeners: EventListeners) {
        let seq = listeners.retentionSeq
        guard seq != 0 else { return }
        listeners.retentionSeq = 0
        if seq & Self.keptBit == 0 { count -= 1 } else { keptCount -= 1 }
    }

    /// Retires the oldest entries until at most `limit` are held. A pinned one goes to the back (each entry
    /// is looked at once per call); one that now keeps its listeners moves to `kept`.
    func retireExcess() {
        var looked = 0
        let queued = order.count
        while count > limit, looked < queued, let entry = order.popFirst() {
            looked += 1
            let listeners = entry.listeners
            guard listeners.retentionSeq == entry.seq else { continue }   // stale
            if listeners.keepsAfterClose {
                listeners.retentionSeq = entry.seq | Self.keptBit
                count -= 1
                kept.append((listeners, listeners.retentionSeq))
                keptCount += 1
            } else if listeners.pins > 0 {
                order.append(entry)
            } else {
                listeners.retentionSeq = 0
                count -= 1
                // Dropping the listeners may free the emitter; `entry` keeps `listeners` alive meanwhile.
                listeners.retire()
            }
        }
    }

    /// Retires every emitter held (the loop is shutting down: nothing will be emitted any more).
    func retireAll() {
        // Retiring runs deinits, which may close (and so add) more: until both queues stay empty.
        while let entry = order.popFirst() ?? kept.popFirst() {
            guard entry.listeners.retentionSeq == entry.seq else { continue }
            entry.listeners.retentionSeq = 0
            entry.listeners.retire()
        }
        count = 0
        keptCount = 0
    }

    /// Whether `entry` is not stale.
    private static func isLive(_ entry: Entry) -> Bool {
        entry.listeners.retentionSeq == entry.seq
    }
}

extension EventListeners {
    /// Drops every listener, remembering whether the program had added any, so that connecting or
    /// listening again can say they are gone.
    func retire() {
        if slots.contains(where: { !$0.isHook }) { retired = true }
        releaseAll()
    }

    /// Prints, once, the warning for an emitter connected or listened again after its listeners were
    /// retired (see ``ListenerRetention``), and returns whether it did; `what` names the call and the
    /// emitter (`"connect() on a Socket"`).
    @discardableResult
    func warnIfRetired(_ what: String, limit: Int) -> Bool {
        guard retired else { return false }
        retired = false
        var warning = EventListeners.listenersRetiredWarning(what, limit: limit, pid: getpid())
        if let onWarning {
            onWarning(warning)
        } else {
            warning.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
        }
        return true
    }

    /// The text of that warning, in the form of Node's process warnings.
    static func listenersRetiredWarning(_ what: String, limit: Int, pid: Int32) -> String {
        "(node:\(pid)) ListenersRetiredWarning: \(what) whose listeners were dropped after its 'close': "
            + "more than \(limit) sockets, servers and streams closed on this loop after it, and nothing "
            + "pinned it. Node would still call them. Set `keepsListenersAfterClose = true` on it before it "
            + "closes (or raise `EventLoop.listenerRetentionLimit`) to keep them.\n"
    }
}

extension EventEmitter {
    /// Whether this emitter keeps its listeners after 'close' for as long as the program does not remove
    /// them, exactly as in Node, however many other emitters close after it (default false: see
    /// ``EventLoop/listenerRetentionLimit``). Set it on a socket or server that the program connects or
    /// listens again long after it closed; a listener that captures the emitter then keeps it alive until
    /// the program removes that listener (or the loop shuts down).
    public var keepsListenersAfterClose: Bool {
        get { eventListeners.keepsAfterClose }
        set { eventListeners.keepsAfterClose = newValue }
    }
}
