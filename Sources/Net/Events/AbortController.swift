/// The web platform's `AbortSignal`, as Node provides it: `aborted`, `reason`, an `'abort'` event, and
/// `throwIfAborted()`. Net's sockets and servers take one in their options (`signal`).
public final class AbortSignal: EventEmitter {
    /// The signal's listeners (the ``EventEmitter`` storage).
    public let eventListeners = EventListeners()
    /// Whether the signal has been aborted.
    public private(set) var aborted = false
    /// Why it was aborted: the reason given to `abort(reason:)`, or a DOMException-style AbortError
    /// (name `"AbortError"`, message `"This operation was aborted"`).
    public private(set) var reason: NetError?

    init() {}

    /// A signal that is already aborted (Node's `AbortSignal.abort(reason)`).
    public static func abort(_ reason: NetError? = nil) -> AbortSignal {
        let signal = AbortSignal()
        signal.fire(reason ?? .domAbort)
        return signal
    }

    /// Throws the reason if the signal has been aborted.
    public func throwIfAborted() throws(NetError) {
        if aborted, let reason { throw reason }
    }

    func fire(_ reason: NetError) {
        guard !aborted else { return }
        aborted = true
        self.reason = reason
        emit(.abort)
        eventListeners.releaseAll()   // an aborted signal never fires again
    }
}

extension EventKey where Emitter == AbortSignal, Payload == Void {
    /// `'abort'`: the signal was aborted.
    public static var abort: Self { .init(.abort) }
}

/// The web platform's `AbortController`: aborting it aborts its ``signal``.
public final class AbortController {
    /// The signal this controller aborts.
    public let signal = AbortSignal()

    /// A controller with a fresh signal.
    public init() {}

    /// Aborts the signal with `reason` (default: a DOMException-style AbortError). Idempotent.
    public func abort(reason: NetError? = nil) {
        signal.fire(reason ?? .domAbort)
    }
}

extension NetError {
    /// The DOMException a signal carries when aborted without a reason: `AbortError: This operation was
    /// aborted` (DOMException's legacy numeric code 20 has no string `code`).
    public static var domAbort: NetError { NetError("This operation was aborted", name: "AbortError") }
}
