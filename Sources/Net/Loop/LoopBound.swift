/// A loop-confined value (a ``Socket``, a ``Server``, any object of the loop) wrapped so that closures
/// sent to other threads may carry it, and opened only back on its loop's thread.
///
/// Swift 6 does not let a `@Sendable` closure, such as the one ``EventLoop/execute(_:)`` takes, capture
/// a socket: sockets are not `Sendable`. Wrap it on its loop's thread, send the wrapper, and read
/// ``value`` in the work that `execute` runs on that thread again:
///
/// ```swift
/// let loop = EventLoop.current
/// let server = LoopBound(Net.createServer { c in c.end("hello\r\n") })
/// // on another thread:
/// loop.execute { server.value.close() }
/// ```
///
/// Reading ``value`` on any other thread stops the program (a precondition): the wrapper moves the
/// check Swift cannot make at compile time to run time, it does not make the object thread-safe.
public struct LoopBound<Value>: @unchecked Sendable {
    /// The loop whose thread may open the wrapper.
    public let loop: EventLoop
    private let wrapped: Value

    /// Wraps `value`, which belongs to `loop` (by default the calling thread's loop).
    public init(_ value: Value, loop: EventLoop = .current) {
        self.loop = loop
        wrapped = value
    }

    /// The wrapped value; only on ``loop``'s thread.
    public var value: Value {
        precondition(loop.inEventLoop, "LoopBound.value read off its loop's thread")
        return wrapped
    }
}
