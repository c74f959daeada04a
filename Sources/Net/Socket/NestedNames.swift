extension Socket {
    /// The options of ``Socket/connect(_:_:)`` and ``createConnection(_:_:)``, under the name the
    /// documentation uses next to ``Socket/Options``: the same type as ``Net/ConnectOptions``.
    public typealias ConnectOptions = Net.ConnectOptions
}
