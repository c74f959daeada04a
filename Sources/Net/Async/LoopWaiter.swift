/// The machinery under every `await` of the async API: one continuation, resumed once from the loop's
/// callbacks, and task cancellation turned into what an `AbortSignal` would do to the awaited object.
///
/// Everything here runs on the loop's thread: the async entry points check it (`requireLoop`), the
/// continuation is made there, its listeners fire there, and cancellation hops there with `execute`.

/// A value carried through a continuation from the loop's callback to the task it resumes, which runs on
/// the same loop (the async entry points check it): no other thread ever holds it.
struct Carry<T>: @unchecked Sendable {
    let value: T
}

/// One pending `await`: the continuation, resumed at most once, and what removes its listeners.
final class LoopWaiter<T> {
    private var continuation: UnsafeContinuation<Carry<T>, any Error>?
    /// Removes the listeners `start` added; run when the waiter settles.
    var cleanup: (() -> Void)?

    /// Whether the await has not been settled yet.
    var isPending: Bool { continuation != nil }

    fileprivate func arm(_ continuation: UnsafeContinuation<Carry<T>, any Error>) {
        self.continuation = continuation
    }

    /// Resumes the awaiting task with `value` (nothing if already settled).
    func succeed(_ value: T) {
        guard let continuation else { return }
        self.continuation = nil
        runCleanup()
        continuation.resume(returning: Carry(value: value))
    }

    /// Resumes the awaiting task by throwing `error` (nothing if already settled).
    func fail(_ error: NetError) {
        guard let continuation else { return }
        self.continuation = nil
        runCleanup()
        continuation.resume(throwing: error)
    }

    private func runCleanup() {
        let cleanup = self.cleanup
        self.cleanup = nil
        cleanup?()
    }
}

/// Suspends until `start`'s listeners settle the waiter. When the task is cancelled while it waits,
/// `cancel` runs on the loop (if the waiter is still pending): it destroys what was awaited with Node's
/// AbortError, whose 'error' settles the waiter, or settles it itself.
func awaitOnLoop<T>(
    _ loop: EventLoop,
    isolation: isolated (any Actor)?,
    _ start: (LoopWaiter<T>) -> Void,
    cancel: @escaping (LoopWaiter<T>) -> Void
) async throws(NetError) -> T {
    let waiter = LoopWaiter<T>()
    let bound = LoopBound(PendingCancel(waiter, cancel), loop: loop)
    do {
        let carried = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation(isolation: isolation) { (continuation: UnsafeContinuation<Carry<T>, any Error>) in
                waiter.arm(continuation)
                start(waiter)
                // A task cancelled before this wait began: its handler ran before there was anything to
                // cancel, and what it sent through `execute` may come after the awaited event (a listen
                // whose bind is quicker than the loop's next turn). Cancel here, as an aborted signal
                // passed to the call would.
                if Task.isCancelled, waiter.isPending { cancel(waiter) }
            }
        } onCancel: {
            bound.loop.execute { bound.value.fire() }
        }
        return carried.value
    } catch let error as NetError {
        throw error
    } catch {
        throw .abortError
    }
}

/// What cancelling an await does, kept for the loop's thread.
private final class PendingCancel<T> {
    let waiter: LoopWaiter<T>
    let cancel: (LoopWaiter<T>) -> Void
    init(_ waiter: LoopWaiter<T>, _ cancel: @escaping (LoopWaiter<T>) -> Void) {
        self.waiter = waiter
        self.cancel = cancel
    }
    func fire() {
        if waiter.isPending { cancel(waiter) }
    }
}

/// Stops the program unless the caller is on `loop`'s thread, naming the fix: the async API runs where
/// the object's callbacks run.
@inline(__always) func requireLoop(_ loop: EventLoop, _ function: StaticString = #function) {
    if !loop.inEventLoop { wrongThreadForAsync(function) }
}

private func wrongThreadForAsync(_ function: StaticString) -> Never {
    fatalError("""
        Net: \(function) was awaited off its object's event loop thread. Await Net's async API on the loop \
        that owns the object: in a task started with Task(executorPreference: loop), inside \
        EventLoop.run { loop in … }, or in an actor whose unownedExecutor is the loop; from elsewhere, \
        reach the loop with loop.execute { … }.
        """)
}

extension NetError {
    /// `ERR_STREAM_PREMATURE_CLOSE` (`"Premature close"`): a stream closed before its end, as a
    /// `for await` loop over it sees it in Node.
    public static var prematureClose: NetError {
        NetError("Premature close", code: "ERR_STREAM_PREMATURE_CLOSE")
    }
}
