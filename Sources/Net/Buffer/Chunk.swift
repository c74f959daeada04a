/// What a socket's `.data` event delivers: the bytes read as a ``Buffer``, or, after `setEncoding`, the
/// text a ``StringDecoder`` made of them.
///
/// Passing a chunk back to `write` sends it as it came (a string as UTF-8), so an echo is
/// `socket.on(.data) { socket.write($0) }`.
public enum Chunk: Sendable, Hashable, CustomStringConvertible {
    /// Bytes, when the socket has no encoding set.
    case buffer(Buffer)
    /// Text, when the socket has an encoding set.
    case string(String)

    /// The chunk as bytes: the buffer itself, or the string's UTF-8 (Node's `Buffer.from(chunk)`).
    public var buffer: Buffer {
        switch self {
        case .buffer(let buffer): buffer
        case .string(let string): Buffer(string)
        }
    }

    /// The text of a `.string` chunk; `nil` for a `.buffer` chunk (decode that with ``toString(_:)``).
    public var string: String? {
        switch self {
        case .buffer: nil
        case .string(let string): string
        }
    }

    /// The chunk as text: a `.string` as it is, a `.buffer` decoded with `encoding`.
    public func toString(_ encoding: Encoding = .utf8) -> String {
        switch self {
        case .buffer(let buffer): buffer.toString(encoding)
        case .string(let string): string
        }
    }

    /// The number of bytes: the buffer's count, or the string's UTF-8 length (Node's
    /// `Buffer.byteLength(chunk)`). Not a string's character or UTF-16 count.
    public var byteLength: Int {
        switch self {
        case .buffer(let buffer): buffer.count
        case .string(let string): string.utf8.count
        }
    }

    /// The same as ``byteLength``: the number of bytes.
    public var count: Int { byteLength }

    /// Whether the chunk holds no bytes.
    public var isEmpty: Bool {
        switch self {
        case .buffer(let buffer): buffer.isEmpty
        case .string(let string): string.isEmpty
        }
    }

    /// As Node's `console.log` prints the chunk: `<Buffer 68 69>` for bytes, the text itself for a string.
    public var description: String {
        switch self {
        case .buffer(let buffer): buffer.description
        case .string(let string): string
        }
    }
}
