import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own running an ``EventLoop``, for async code: `@main` programs with an async `main`,
/// server apps, tests. The loop keeps running while it has nothing to do (tasks on it may be waiting
/// for other threads) until ``shutdownGracefully(timeout:)``.
///
/// ```swift
/// let thread = EventLoopThread()
/// let port = try await Task(executorPreference: thread.loop) {
///     let server = Net.createServer { socket in socket.end("hello\r\n") }
///     try await server.listenAsync(port: 0)
///     return server.address()?.port ?? 0
/// }.value
/// print("listening on", port)
/// await thread.shutdownGracefully()
/// ```
public final class EventLoopThread: Sendable {
    /// The loop the thread runs: a task executor (`Task(executorPreference: thread.loop)`) and a serial
    /// executor (an actor's `unownedExecutor`).
    public let loop: EventLoop
    private let state = Locked(ThreadState())

    /// Starts the thread and returns once its loop exists and runs.
    public init() {
        let started = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(started, 0, 0)
        defer {
            sem_destroy(started)
            started.deallocate()
        }
        let handover = Locked<EventLoop?>(nil)
        let state = self.state
        let work = ThreadBody { [started = Carry(value: started)] in
            let loop = EventLoop.current
            loop.keepsRunning = true
            handover.withLock { $0 = loop }
            sem_post(started.value)
            loop.run()
            // Whatever is still open closes now, on this thread, before anyone hears that it ended.
            loop.shutdown()
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.ended = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, Unmanaged.passRetained(work).toOpaque())
        precondition(status == 0, "pthread_create failed: \(status)")
        pthread_detach(thread)
        while sem_wait(started) != 0 {}
        loop = handover.withLock { $0! }
    }

    /// Stops the loop gracefully and returns when its thread has ended: servers close (no new
    /// connections), sockets end (their queued writes go first), the loop runs until nothing is left,
    /// then the thread closes what is still open and ends. After `timeout` milliseconds the loop stops
    /// waiting and whatever is still open is destroyed. Tasks still waiting on the loop after that never
    /// resume. Idempotent; callable from any thread or task.
    public func shutdownGracefully(timeout: Int = 10_000) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state -> Bool in
                if state.ended { return true }
                state.waiters.append(continuation)
                return false
            }
            if ended {
                continuation.resume()
                return
            }
            loop.execute { [loop] in loop.beginGracefulShutdown(timeout: timeout) }
        }
    }
}

private struct ThreadState {
    var ended = false
    var waiters: [CheckedContinuation<Void, Never>] = []
}

private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

extension EventLoop {
    /// Runs `body` on a loop of its own: starts an ``EventLoopThread``, runs `body` in a task that prefers
    /// its loop (so `body` may create and use sockets and servers directly), and when `body` returns or
    /// throws shuts the loop down gracefully. Returns what `body` returns. Cancelling the calling task
    /// cancels `body`'s.
    ///
    /// ```swift
    /// try await EventLoop.run { loop in
    ///     let socket = try await Net.connectAsync(port: 8124, host: "127.0.0.1")
    ///     try await socket.writeAsync("hello\r\n")
    ///     for try await chunk in socket { print(chunk.toString()) }
    /// }
    /// ```
    public static func run<R: Sendable>(_ body: sending @escaping (EventLoop) async throws -> R) async throws -> R {
        let thread = EventLoopThread()
        let loop = thread.loop
        let task = Task(executorPreference: loop) { try await body(loop) }
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        await thread.shutdownGracefully()
        return try result.get()
    }

    /// The first step of a graceful shutdown, on the loop: it stops keeping itself alive, servers close,
    /// sockets end, and a timer (unref'd) stops the loop after `timeout` ms if it has not ended by then.
    func beginGracefulShutdown(timeout: Int) {
        keepsRunning = false
        var owners: [AnyObject] = []
        withUnsafeMutablePointer(to: &owners) { pointer in
            uv_walk(uv, { handle, argument in
                guard let handle, uv_is_closing(handle) == 0, let data = handle.pointee.data else { return }
                let object = Unmanaged<Handle>.fromOpaque(data).takeUnretainedValue()
                guard let stream = object as? StreamHandle, let owner = stream.owner else { return }
                argument!.assumingMemoryBound(to: [AnyObject].self).pointee.append(owner)
            }, pointer)
        }
        for owner in owners {
            if let server = owner as? Server {
                server.close()
            } else if let socket = owner as? Socket, !socket.writableEnded {
                socket.end()
            }
        }
        setTimeout(timeout) { [unowned self] in stop() }.unref()
    }
}
