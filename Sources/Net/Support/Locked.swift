#if canImport(Glibc)
import Glibc
#endif

/// A value behind a `pthread_mutex_t`: the state Net shares between threads (a loop's inbox of
/// `execute` work, a `BlockList`'s rules).
///
/// Not the toolchain's `Synchronization.Mutex`: ThreadSanitizer does not understand the futex it is built
/// on and reports a race at every use (even in a program without Net), so real races would drown; a
/// pthread mutex it intercepts.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the mutex held.
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
