/// One entry of the tick queue: a closure, or an object and what to run on it.
enum Tick {
    case closure(() -> Void)
    case target(any TickTarget, UInt8)
    /// A tick queued from a 'close' or 'error' listener, pinning the emitter whose listeners those are
    /// (see `EventLoop.runPinned`).
    case pinned(() -> Void, EventListeners)
}

/// An object that runs ticks queued with a code rather than a closure (a `Socket`, for the stream
/// machinery's ticks on every read and write): nothing is allocated per tick.
protocol TickTarget: AnyObject {
    /// Runs the tick `code` was queued for.
    func runTick(_ code: UInt8)
}

/// The loop's tick queue (Node's nextTick queue).
typealias TickQueue = RingQueue<Tick>

/// A first-in, first-out queue in a ring that doubles when full and never shrinks: the loop's tick queue,
/// and the loop's list of closed emitters (`ListenerRetention`).
///
/// Not swift-collections' `Deque`, which the loop's other queues use: every read and every write queues a
/// tick and runs it, and every connection closes two sockets into the retention list; there `Deque` cost
/// about 60 instructions to append and as many to pop (a uniqueness check and a closure over its storage
/// each; callgrind, `pingpong-1`); here appending is about 40 (a tick target's retain included) and
/// popping a dozen. The queue has one owner and is never copied, so it needs no copy-on-write.
struct RingQueue<Element>: ~Copyable {
    private var slots: UnsafeMutablePointer<Element>
    /// A power of two, so that an index wraps with a mask.
    private var capacity: Int
    private var head = 0
    /// How many elements are queued.
    private(set) var count = 0

    init(capacity: Int = 64) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "RingQueue: capacity must be a power of two")
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
    }

    deinit {
        for offset in 0..<count { (slots + ((head + offset) & (capacity - 1))).deinitialize(count: 1) }
        slots.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) mutating func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (slots + ((head + count) & (capacity - 1))).initialize(to: element)
        count += 1
    }

    /// Takes the first element out (moved, not copied: no retain and release of what it holds).
    @inline(__always) mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = (slots + head).move()
        head = (head + 1) & (capacity - 1)
        count -= 1
        return element
    }

    /// Drops the elements `keep` refuses, keeping the others in order.
    mutating func keepOnly(_ keep: (Element) -> Bool) {
        for _ in 0..<count {
            let element = popFirst()!
            if keep(element) { append(element) }
        }
    }

    /// Doubles the ring, moving the elements to the start of the new one in order.
    @inline(never) private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        let firstRun = min(count, capacity - head)
        larger.moveInitialize(from: slots + head, count: firstRun)
        (larger + firstRun).moveInitialize(from: slots, count: count - firstRun)
        slots.deallocate()
        slots = larger
        capacity *= 2
        head = 0
    }
}
