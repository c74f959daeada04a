// The constructor options Node's `new net.Socket(options)` and `net.connect(options)` share (issue 21).

extension Socket {
    /// Node's stream constructor check: a negative `highWaterMark` is
    /// `ERR_INVALID_ARG_VALUE` "The property 'options.readableHighWaterMark' is invalid. Received -1".
    static func validate(_ options: borrowing Options) throws(NetError) {
        if let mark = options.highWaterMark, mark < 0 {
            throw .invalidArgValue("options.readableHighWaterMark", .int(mark))
        }
    }

    /// What Node's constructor reads beyond the stream options: `noDelay`, `keepAlive`,
    /// `keepAliveInitialDelay` (negative counts as 0, whole seconds) and `onread`.
    func applyConstructorOptions(_ options: borrowing Options) {
        setNoDelayOnConnect = options.noDelay
        if options.keepAlive {
            keepAliveEnabled = true
            keepAliveDelaySeconds = Swift.max(0, options.keepAliveInitialDelay) / 1000
        }
        if let onread = options.onread { onreadState = OnReadState(onread) }
        blockList = options.blockList
    }
}
