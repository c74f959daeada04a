/// Node's `net.createServer([options][, connectionListener])`.
public func createServer(_ options: Server.Options = .init(), _ connectionListener: ((Socket) -> Void)? = nil) -> Server {
    Server(options, connectionListener)
}

/// Node's `net.createServer(connectionListener)`.
public func createServer(_ connectionListener: @escaping (Socket) -> Void) -> Server {
    Server(.init(), connectionListener)
}

/// Node's `net.createConnection(options[, connectListener])`: a new socket, connecting.
@discardableResult
public func createConnection(_ options: ConnectOptions, _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
    // Node passes the connect options to the Socket constructor too, which reads fd, readable, writable,
    // highWaterMark, noDelay, keepAlive, onread and signal there.
    let socket = try Socket(options.socketOptions)
    return try socket.connect(options, connectListener)
}

/// Node's `net.createConnection(port[, host][, connectListener])`.
@discardableResult
public func createConnection(port: Int, host: String = "localhost", _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
    // `new Socket()` with Node's defaults, then `connect(port, host)`: what `createConnection(options)` does
    // with these options, without building them.
    try Socket().connect(port: port, host: host, connectListener)
}

/// Node's `net.createConnection(path[, connectListener])`.
@discardableResult
public func createConnection(path: String, _ connectListener: (() -> Void)? = nil) -> Socket {
    Socket(unconnected: ()).connect(path: path, connectListener)
}

/// Node's `net.connect(options[, connectListener])`, an alias of ``createConnection(_:_:)``.
@discardableResult
public func connect(_ options: ConnectOptions, _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
    try createConnection(options, connectListener)
}

/// Node's `net.connect(port[, host][, connectListener])`.
@discardableResult
public func connect(port: Int, host: String = "localhost", _ connectListener: (() -> Void)? = nil) throws(NetError) -> Socket {
    try createConnection(port: port, host: host, connectListener)
}

/// Node's `net.connect(path[, connectListener])`.
@discardableResult
public func connect(path: String, _ connectListener: (() -> Void)? = nil) -> Socket {
    createConnection(path: path, connectListener)
}
