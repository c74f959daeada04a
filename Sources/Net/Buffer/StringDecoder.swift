/// Decodes a stream of byte chunks into strings without splitting characters, as Node's `string_decoder`.
///
/// `write(_:)` returns what can be decoded so far and holds back the bytes of a character that
/// the chunk cut in two, to finish it with the next chunk; ``end(_:)`` returns what is still held. This is
/// what a socket does after `setEncoding`. The outputs match Node v20's `StringDecoder` write for write:
///
/// - `utf8`: an incomplete sequence at the end of a chunk (up to 3 bytes, judged by its lead byte) is held;
///   if the next chunk does not continue it, the held bytes decode on their own (to U+FFFD) and the new
///   byte starts afresh. ``end(_:)`` turns held bytes into U+FFFD.
/// - `utf16le`: an odd last byte, or a high surrogate at the end, is held; ``end(_:)`` drops an odd byte
///   and returns a held high surrogate (as U+FFFD, see below).
/// - `base64`, `base64url`: the bytes past the last whole group of 3 are held, so that each write returns
///   unpadded text; ``end(_:)`` encodes the rest, padded for `base64`.
/// - `latin1`, `ascii`, `hex`: nothing is held; each write decodes its chunk.
///
/// Lone surrogates (utf16le only): a Swift `String` cannot hold one, a Node string can. Node's decoder does
/// not hold back every split surrogate pair: for the chunks `[0x3D]`, `[0xD8]`, `[0x00, 0xDE]` its writes
/// return `""`, `"\u{D83D}"`, `"\u{DE00}"`, which JavaScript's `+=` joins into `"😀"`. Net therefore holds a
/// high surrogate that would end a write's output and puts it in front of the next output (here `""`,
/// `""`, `"😀"`), and gives U+FFFD for every surrogate that stays alone, including one held at ``end(_:)``.
/// So the concatenated outputs always equal Node's concatenated text (lone surrogates as U+FFFD), and each
/// output equals Node's except that a trailing high surrogate moves to the next one.
public struct StringDecoder: Sendable {
    /// The encoding the decoder produces.
    public let encoding: Encoding

    /// The bytes of an unfinished character (at most 4).
    private var held: SIMD4<UInt8> = .zero
    /// How many bytes of `held` are in use (Node's `kBufferedBytes`).
    private var buffered = 0
    /// How many more bytes the held character needs (Node's `kMissingBytes`).
    private var missing = 0
    /// utf16le output: carries a high surrogate that ended one write's text over to the next.
    private var transcoder = UTF16LETranscoder()

    /// A decoder for `encoding`, as Node's `new StringDecoder(encoding)`.
    public init(_ encoding: Encoding = .utf8) {
        self.encoding = encoding
    }

    /// Whether bytes of an unfinished character are held, waiting for the next chunk or ``end(_:)``.
    public var hasPendingBytes: Bool { buffered > 0 || transcoder.hasPendingHigh }

    /// Decodes `buffer`, returning the complete characters and holding back an unfinished one, as Node's
    /// `decoder.write(buffer)`.
    public mutating func write(_ buffer: Buffer) -> String {
        buffer.withUnsafeBytes { write($0) }
    }

    /// Decodes the bytes at `bytes` (for example a read slab, without copying it first into a ``Buffer``),
    /// as `write(_:)`.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) -> String {
        switch encoding {
        case .latin1, .ascii, .hex: return Codec.decode(bytes, encoding)
        case .utf8, .utf16le, .base64, .base64url: break
        }
        var start = 0
        var count = bytes.count
        var completed = 0  // bytes of `held` that form a finished character, to go before the body
        if missing > 0 {
            if encoding == .utf8 {
                // A byte that is not a continuation ends the held character early: it decodes as it is.
                var i = 0
                while i < count && i < missing {
                    if bytes[i] & 0xC0 != 0x80 {
                        missing = 0
                        hold(bytes, from: 0, count: i)
                        start = i
                        count -= i
                        break
                    }
                    i += 1
                }
            }
            let found = min(count, missing)
            hold(bytes, from: start, count: found)
            start += found
            count -= found
            missing -= found
            if missing == 0 {
                completed = buffered
                buffered = 0
            }
        }
        if count == 0 {
            var copy = held
            return withUnsafeBytes(of: &copy) { text(UnsafeRawBufferPointer(rebasing: $0[0..<completed]), .init(start: nil, count: 0)) }
        }

        switch encoding {
        case .utf8: holdBackUTF8(bytes, start: start, count: count)
        case .utf16le:
            if count % 2 == 1 {
                (buffered, missing) = (1, 1)
            } else if bytes[start + count - 1] & 0xFC == 0xD8 {
                (buffered, missing) = (2, 2)
            }
        case .base64, .base64url:
            buffered = count % 3
            if buffered > 0 { missing = 3 - buffered }
        case .latin1, .ascii, .hex: break
        }

        var prefix = held
        if buffered > 0 {
            count -= buffered
            held = .zero
            let tail = buffered
            buffered = 0
            hold(bytes, from: start + count, count: tail)
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[start..<start + count])
        return withUnsafeBytes(of: &prefix) { text(UnsafeRawBufferPointer(rebasing: $0[0..<completed]), body) }
    }

    /// A write's output: the finished held character `head`, then `body`, each decoded as Node's
    /// `MakeString` does. For utf16le they go through one transcoder, as JavaScript's concatenation would
    /// join a pair split between them, and a high surrogate at the very end is kept for the next output.
    private mutating func text(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) -> String {
        if encoding == .utf16le {
            let first = head.isEmpty ? "" : transcoder.decode(head, final: false)
            return first + transcoder.decode(body, final: false)
        }
        if head.isEmpty { return Codec.decode(body, encoding) }
        return Codec.decode(head, encoding) + Codec.decode(body, encoding)
    }

    /// Decodes `buffer` when given, as `write(_:)`, then returns it followed by what is still held, and
    /// resets the decoder, as Node's `decoder.end(buffer)`: an unfinished UTF-8 sequence gives U+FFFD, an
    /// odd utf16le byte is dropped, base64 is padded.
    public mutating func end(_ buffer: Buffer? = nil) -> String {
        let text = buffer.map { write($0) } ?? ""
        return hasPendingBytes ? text + flush() : text
    }

    /// Node's `flush`: the held bytes decoded on their own, and the decoder reset.
    private mutating func flush() -> String {
        if encoding == .utf16le && buffered % 2 == 1 {
            buffered -= 1  // an odd byte is dropped
        }
        var copy = held
        let count = buffered
        held = .zero
        buffered = 0
        missing = 0
        return withUnsafeBytes(of: &copy) { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<count])
            return encoding == .utf16le ? transcoder.decode(bytes, final: true) : Codec.decode(bytes, encoding)
        }
    }

    /// Appends `count` bytes of `bytes` from `offset` to `held`.
    private mutating func hold(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int) {
        for i in 0..<count { held[buffered + i] = bytes[offset + i] }
        buffered += count
    }

    /// Node's scan back from the end of a UTF-8 chunk: holds the bytes of a character that lacks its last
    /// continuation bytes, judged by its lead byte alone (so `C0` or `F5` count as leads, as in Node).
    private mutating func holdBackUTF8(_ bytes: UnsafeRawBufferPointer, start: Int, count: Int) {
        guard bytes[start + count - 1] & 0x80 != 0 else { return }
        var seen = 0
        var i = count - 1
        while true {
            seen += 1
            let byte = bytes[start + i]
            if byte & 0xC0 == 0x80 {
                // A continuation byte: keep looking for the lead, unless it cannot be a character.
                if seen >= 4 || i == 0 { return }
                i -= 1
                continue
            }
            let needed: Int
            if byte & 0xE0 == 0xC0 {
                needed = 2
            } else if byte & 0xF0 == 0xE0 {
                needed = 3
            } else if byte & 0xF8 == 0xF0 {
                needed = 4
            } else {
                return
            }
            if seen < needed { (buffered, missing) = (seen, needed - seen) }
            return
        }
    }
}
