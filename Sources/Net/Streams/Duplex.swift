/// Node's `stream.Duplex`: a ``Readable`` and a ``Writable`` in one, whose readable 'end' ends the
/// writable side too unless ``allowHalfOpen`` is true (Node's auto-`end()` on the tick after 'end').
public protocol Duplex: Readable, Writable {
    /// Whether the writable side stays open after the readable side ended (Node's `allowHalfOpen`).
    var allowHalfOpen: Bool { get }
}
