extension EventKey where Emitter: Writable, Payload == any Readable {
    /// `'pipe'`: a readable started piping into this writable.
    public static var pipe: Self { .init(.pipe) }
    /// `'unpipe'`: a readable stopped piping into this writable.
    public static var unpipe: Self { .init(.unpipe) }
}

extension Readable {
    /// Sends everything this stream reads into `destination`, pausing while `destination.write` returns
    /// false and resuming on its 'drain' (Node's `readable.pipe`). With `end` (the default) the
    /// destination is ended when this stream ends. An error on the destination unpipes it. Returns
    /// `destination`, so pipes chain.
    @discardableResult
    public func pipe<W: Writable>(_ destination: W, end: Bool = true) -> W {
        checkThread()
        return pipeStream(destination, end: end)
    }

    /// The body of ``pipe(_:end:)``, for types that declare their own `pipe`.
    func pipeStream<W: Writable>(_ destination: W, end: Bool = true) -> W {
        let state = streamState.readableState!
        state.pipes.append(destination)
        let loop = EventLoop.current
        var cleanedUp = false
        var drainToken: ListenerToken?
        var tokens = PipeTokens()

        func unpipe() { self.unpipe(destination) }
        func onend() { destination.end() }
        func cleanup() {
            if let t = tokens.close { destination.off(EventKey<W, Bool>.close, t) }
            if let t = tokens.finish { destination.off(EventKey<W, Void>.finish, t) }
            if let t = drainToken { destination.off(EventKey<W, Void>.drain, t) }
            if let t = tokens.error { destination.off(EventKey<W, NetError>.error, t) }
            if let t = tokens.unpipe { destination.off(EventKey<W, any Readable>.unpipe, t) }
            if let t = tokens.end { self.removeListenerEntry(EventName(.end), t) }
            if let t = tokens.data { self.removeListenerEntry(EventName(.data), t) }
            cleanedUp = true
            if drainToken != nil, !state.awaitDrainWriters.isEmpty, destination.streamState.writableState?.needDrain ?? true {
                ondrain()
            }
        }
        func ondrain() {
            state.awaitDrainWriters.remove(ObjectIdentifier(destination))
            if state.awaitDrainWriters.isEmpty, listenerCount(EventKey<Self, Chunk>.data) > 0 {
                resume()
            }
        }
        func pause() {
            if !cleanedUp {
                state.awaitDrainWriters.insert(ObjectIdentifier(destination))
                self.pause()
            }
            if drainToken == nil {
                drainToken = destination.on(EventKey<W, Void>.drain) { ondrain() }
            }
        }

        if state.endEmitted {
            loop.nextTick { if end { onend() } else { unpipe() } }
        } else {
            tokens.end = once(EventKey<Self, Void>.end) { if end { onend() } else { unpipe() } }
        }
        tokens.unpipe = destination.on(EventKey<W, any Readable>.unpipe) { source in
            if (source as AnyObject) === self, !cleanedUp { cleanup() }
        }
        tokens.data = on(EventKey<Self, Chunk>.data) { chunk in
            if destination.write(chunk) == false { pause() }
        }
        tokens.error = destination.prependListener(EventKey<W, NetError>.error) { error in
            unpipe()
            if let t = tokens.error { destination.off(EventKey<W, NetError>.error, t) }
            if destination.listenerCount(EventKey<W, NetError>.error) == 0 {
                if destination.streamState.errorEmitted {
                    destination.emit(.error, error)
                } else {
                    destination.errorOrDestroy(error, sync: false)
                }
            }
        }
        tokens.close = destination.once(EventKey<W, Bool>.close) { _ in
            if let t = tokens.finish { destination.off(EventKey<W, Void>.finish, t) }
            unpipe()
        }
        tokens.finish = destination.once(EventKey<W, Void>.finish) {
            if let t = tokens.close { destination.off(EventKey<W, Bool>.close, t) }
            unpipe()
        }
        destination.emit(EventKey<W, any Readable>.pipe, self)
        if destination.writableNeedDrain {
            pause()
        } else if state.flowing != true {
            resume()
        }
        return destination
    }

    /// Stops piping into `destination` (every destination when nil); the last unpipe pauses this stream.
    @discardableResult
    public func unpipe(_ destination: (any Writable)? = nil) -> Self {
        checkThread()
        let state = streamState.readableState!
        guard !state.pipes.isEmpty else { return self }
        let targets: [any Writable]
        if let destination {
            guard let index = state.pipes.firstIndex(where: { ($0 as AnyObject) === (destination as AnyObject) }) else {
                return self
            }
            targets = [state.pipes.remove(at: index)]
        } else {
            targets = state.pipes
            state.pipes.removeAll()
        }
        if state.pipes.isEmpty { pause() }
        for target in targets { target.emitUnpipe(from: self) }
        return self
    }
}

extension Writable {
    fileprivate func emitUnpipe(from source: any Readable) {
        emit(EventKey<Self, any Readable>.unpipe, source)
    }
}

/// The listeners a pipe adds, so that cleanup removes exactly those.
private struct PipeTokens {
    var close: ListenerToken?
    var finish: ListenerToken?
    var error: ListenerToken?
    var unpipe: ListenerToken?
    var end: ListenerToken?
    var data: ListenerToken?
}
