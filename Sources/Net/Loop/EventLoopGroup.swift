import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Several ``EventLoop``s, each running on a thread of its own: the way to use more than one core, as a
/// Node program does with `cluster` (one process per core), here with one loop per thread.
///
/// Modelled on SwiftNIO's `MultiThreadedEventLoopGroup`: the group starts its threads at once, each
/// makes its loop (its ``EventLoop/current``) and runs it; ``next()`` hands the loops out in turn. The
/// loops keep running, even with nothing to do, until ``shutdownGracefully(timeout:)`` stops them, or
/// ``waitUntilIdle(timeout:)`` lets each end once nothing ref'd is left in it (as a Node process exits).
/// Reach a loop from another thread only through ``EventLoop/execute(_:)``; what it makes (sockets,
/// servers) stays on its thread. ``GroupServer`` serves one address from every loop of a group.
///
/// ```swift
/// let group = EventLoopGroup(numberOfThreads: 2)
/// group.next().execute {
///     print("on a loop of the group:", EventLoop.current.inEventLoop)
/// }
/// _ = group.shutdownGracefully()
/// ```
public final class EventLoopGroup: Sendable {
    /// The group's loops, one per thread, in the order their threads were started.
    public let loops: [EventLoop]
    private let threads: [ThreadID]
    private let keepAlives: [KeepAlive]
    private let cursor = Atomic<Int>(0)
    /// Per thread: joined or detached already (never joined twice).
    private let joined: Locked<[Bool]>

    /// The number of cores online (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1: the default thread count.
    public static var coreCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Starts `numberOfThreads` threads (default: one per core), each running a loop of its own, and
    /// returns once every loop exists.
    public init(numberOfThreads: Int = EventLoopGroup.coreCount) {
        precondition(numberOfThreads > 0, "EventLoopGroup needs at least one thread")
        var loops: [EventLoop] = []
        var threads: [ThreadID] = []
        var keepAlives: [KeepAlive] = []
        for index in 0..<numberOfThreads {
            let start = LoopStart()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 8 << 20)
            var thread = pthread_t()
            let status = pthread_create(&thread, &attributes, { argument in
                Unmanaged<LoopStart>.fromOpaque(argument!).takeRetainedValue().runLoop()
                return nil
            }, Unmanaged.passRetained(start).toOpaque())
            pthread_attr_destroy(&attributes)
            precondition(status == 0, "EventLoopGroup: pthread_create failed for thread \(index): \(status)")
            let (loop, keepAlive) = start.waitForLoop()
            loops.append(loop)
            keepAlives.append(keepAlive)
            threads.append(ThreadID(thread: thread))
        }
        self.loops = loops
        self.threads = threads
        self.keepAlives = keepAlives
        joined = Locked(Array(repeating: false, count: numberOfThreads))
    }

    deinit {
        // Threads of a group nobody stopped would run for ever: stop them (from one of them, without waiting).
        _ = stop(timeout: 10)
    }

    /// The next loop, in turn (round robin over ``loops``). Any thread.
    public func next() -> EventLoop {
        let index = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[Int(UInt(bitPattern: index) % UInt(loops.count))]
    }

    /// Whether the calling thread is one of the group's loop threads.
    public var inGroup: Bool { loops.contains { $0.inEventLoop } }

    /// Stops every loop (`uv_stop` after the work queued before it), then waits up to `timeout` seconds for
    /// the threads to end. Each thread, as it ends, shuts its loop down: what is still open (servers,
    /// sockets, timers) closes without further events, and ``EventLoop/execute(_:)`` returns false from
    /// then on. Returns whether every thread ended in time (a thread still running a callback after the
    /// deadline is left to finish on its own). Blocks: call it from a thread outside the group (from one
    /// of its loops it stops the loops without waiting, and returns false).
    @discardableResult
    public func shutdownGracefully(timeout: Double = 10) -> Bool {
        stop(timeout: timeout)
    }

    /// Lets every loop end once nothing ref'd is left in it, as a Node process exits when its loop is
    /// empty (an ``Server/unref()``'d server, say, no longer keeps it), and waits up to `timeout` seconds
    /// (nil: for ever) for the threads to end. Returns whether they all did; on false the loops still
    /// busy keep running and ``shutdownGracefully(timeout:)`` can stop them. Blocks: call it from a thread
    /// outside the group.
    @discardableResult
    public func waitUntilIdle(timeout: Double? = nil) -> Bool {
        precondition(!inGroup, "EventLoopGroup.waitUntilIdle() called on one of the group's own loops")
        for (loop, keepAlive) in zip(loops, keepAlives) {
            _ = loop.execute { keepAlive.release() }
        }
        return join(timeout: timeout, detachOnTimeout: false)
    }

    private func stop(timeout: Double) -> Bool {
        for (loop, keepAlive) in zip(loops, keepAlives) {
            _ = loop.execute {
                keepAlive.release()
                EventLoop.current.stop()
            }
        }
        if inGroup {
            // A thread cannot join itself: let them all end on their own.
            joined.withLock { done in
                for index in threads.indices where !done[index] {
                    pthread_detach(threads[index].thread)
                    done[index] = true
                }
            }
            return false
        }
        return join(timeout: timeout, detachOnTimeout: true)
    }

    /// Joins every thread not yet joined by the deadline; on a timeout, detaches the rest (when stopping)
    /// or leaves them to a later call.
    private func join(timeout: Double?, detachOnTimeout: Bool) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        if let timeout {
            let whole = Int(timeout)
            deadline.tv_sec += whole
            deadline.tv_nsec += Int((timeout - Double(whole)) * 1e9)
            if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
        }
        // Under the lock: a thread is joined (or detached) once, whoever else stops the group meanwhile.
        return joined.withLock { done in
            var all = true
            for index in threads.indices where !done[index] {
                let thread = threads[index].thread
                let status = timeout == nil ? pthread_join(thread, nil) : timedJoin(thread, nil, &deadline)
                if status == 0 {
                    done[index] = true
                } else {
                    all = false
                    if detachOnTimeout {
                        pthread_detach(thread)
                        done[index] = true
                    }
                }
            }
            return all
        }
    }
}

/// A thread's id (a `pthread_t`, an integer on Linux), sent between threads only to be joined.
private struct ThreadID: @unchecked Sendable {
    let thread: pthread_t
}

/// A ref'd handle that keeps a group's loop running while there is nothing else to do. Touched only on
/// its loop's thread (made there, released by work `execute` runs there).
private final class KeepAlive: @unchecked Sendable {
    private var handle: AsyncHandle?

    init(loop: EventLoop) {
        do {
            handle = try AsyncHandle(loop: loop) {}
        } catch {
            preconditionFailure("EventLoopGroup: cannot create the loop's keep-alive handle: \(error)")
        }
    }

    func release() {
        handle?.close()
        handle = nil
    }
}

/// What a new group thread runs: makes its loop, hands it to the starting thread, runs it.
private final class LoopStart: @unchecked Sendable {
    // @unchecked: `made` is written once under `mutex` and read under it.
    private let mutex = Locked<(EventLoop, KeepAlive)?>(nil)
    private let ready = Semaphore()

    func runLoop() {
        let loop = EventLoop.current
        let keepAlive = KeepAlive(loop: loop)
        mutex.withLock { $0 = (loop, keepAlive) }
        ready.signal()
        loop.run()
        // The thread ends here; its loop shuts down in the thread-local destructor (EventLoop.swift).
    }

    func waitForLoop() -> (EventLoop, KeepAlive) {
        ready.wait()
        return mutex.withLock { $0! }
    }
}

/// A POSIX semaphore (`sem_t`), which ThreadSanitizer understands.
final class Semaphore: @unchecked Sendable {
    // @unchecked: `sem_t` is made for use from several threads.
    private let semaphore: UnsafeMutablePointer<sem_t>

    init(_ value: UInt32 = 0) {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, value)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}

/// glibc's `pthread_timedjoin_np` (a GNU extension the Glibc module does not import).
@_silgen_name("pthread_timedjoin_np")
private func timedJoin(_ thread: pthread_t, _ result: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                       _ deadline: UnsafePointer<timespec>) -> Int32
