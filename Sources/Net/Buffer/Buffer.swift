/// A sequence of bytes, as Node's `Buffer`: what sockets read and write.
///
/// `Buffer` is a value type over a `[UInt8]` (copy-on-write). It is a random-access, mutable and
/// range-replaceable collection of `UInt8` whose indices always run from `0` to `count`. Unlike Node's
/// `subarray`, which shares memory, ``subarray(start:end:)`` returns an independent copy; writing to one
/// never changes the other.
///
/// ```swift
/// let greeting: Buffer = "hello"              // UTF-8
/// let raw: Buffer = [0x68, 0x69]              // bytes
/// let decoded = Buffer("aGk=", encoding: .base64)
/// print(greeting)                             // <Buffer 68 65 6c 6c 6f>
/// greeting.toString(.hex)                     // "68656c6c6f"
/// ```
public struct Buffer: Sendable, Hashable {
    /// The bytes, as an array (no copy: it is the buffer's storage).
    public var bytes: [UInt8]

    /// An empty buffer.
    @inlinable
    public init() { bytes = [] }

    /// A buffer holding `bytes`.
    @inlinable
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// A buffer holding the bytes of `elements`, copied once when the sequence is contiguous.
    @inlinable
    public init<S: Sequence>(_ elements: S) where S.Element == UInt8 {
        bytes = Array(elements)
    }

    /// `string` encoded with `encoding`, as Node's `Buffer.from(string, encoding)`; see ``Encoding`` for
    /// each encoding's rules (hex and base64 text is decoded leniently, as Node does).
    public init(_ string: String, encoding: Encoding = .utf8) {
        bytes = Codec.encode(string, encoding)
    }

    /// `count` zero bytes, as Node's `Buffer.alloc(count)`.
    @inlinable
    public init(count: Int) {
        bytes = [UInt8](repeating: 0, count: count)
    }

    /// A buffer of up to `capacity` bytes that `initializer` writes in place, then sets `initializedCount`
    /// to how many it wrote: the way to fill a buffer from a read with a single copy. Same contract as
    /// `Array.init(unsafeUninitializedCapacity:initializingWith:)`.
    @inlinable
    public init(
        unsafeUninitializedCapacity capacity: Int,
        initializingWith initializer: (inout UnsafeMutableBufferPointer<UInt8>, inout Int) throws -> Void
    ) rethrows {
        bytes = try [UInt8](unsafeUninitializedCapacity: capacity, initializingWith: initializer)
    }

    /// Calls `body` with the bytes in contiguous memory, valid only during the call.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Calls `body` with the bytes in contiguous, writable memory, valid only during the call.
    @inlinable
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeMutableBytes(body)
    }

    /// Node's `buf.length`: the number of bytes, the same as `count`.
    @inlinable
    public var length: Int { bytes.count }

    /// The bytes decoded with `encoding`, as Node's `buf.toString(encoding)`: see ``Encoding`` for each
    /// encoding's rules. Where Node would return a lone UTF-16 surrogate (utf16le only) this returns U+FFFD.
    public func toString(_ encoding: Encoding = .utf8) -> String {
        bytes.withUnsafeBytes { Codec.decode($0, encoding) }
    }

    /// The bytes from `start` up to `end` decoded with `encoding`, with Node's `buf.toString(encoding, start,
    /// end)` clamping: a `start` below 0 is 0, an `end` past `count` (or `nil`) is `count`, and an empty or
    /// reversed range gives `""`. Unlike ``subarray(start:end:)``, negative values do not count from the end.
    public func toString(_ encoding: Encoding = .utf8, start: Int, end: Int? = nil) -> String {
        let count = bytes.count
        let lower = Swift.max(start, 0)
        let upper = Swift.min(end ?? count, count)
        if lower >= count || upper <= lower { return "" }
        return bytes.withUnsafeBytes { Codec.decode(UnsafeRawBufferPointer(rebasing: $0[lower..<upper]), encoding) }
    }

    /// A copy of the bytes from `start` up to `end`, with Node's `buf.subarray(start, end)` clamping:
    /// negative values count back from the end, values are then clamped to `0...count`, and `end <= start`
    /// gives an empty buffer. (Node's shares memory with the original; this is a copy.)
    public func subarray(start: Int = 0, end: Int? = nil) -> Buffer {
        let count = bytes.count
        let lower = Buffer.adjustOffset(start, count)
        let upper = end.map { Buffer.adjustOffset($0, count) } ?? count
        if upper <= lower { return Buffer() }
        return Buffer(bytes[lower..<upper])
    }

    /// The same as ``subarray(start:end:)``, as Node's (deprecated) `buf.slice(start, end)`.
    public func slice(start: Int = 0, end: Int? = nil) -> Buffer {
        subarray(start: start, end: end)
    }

    /// Node's `adjustOffset`: negative offsets count from the end; the result lies in `0...length`.
    private static func adjustOffset(_ offset: Int, _ length: Int) -> Int {
        if offset < 0 { return Swift.max(offset + length, 0) }
        return Swift.min(offset, length)
    }

    /// The number of bytes `string` takes in `encoding`, as Node's `Buffer.byteLength(string, encoding)`.
    /// Exact for utf8, utf16le, latin1 and ascii. For base64 and hex it is Node's estimate from the string's
    /// length (UTF-16 code units): `length * 3 / 4` after dropping up to two trailing `=`, and `length / 2`;
    /// these may exceed what decoding yields when the text has junk in it, as in Node.
    public static func byteLength(_ string: String, encoding: Encoding = .utf8) -> Int {
        Codec.byteLength(string, encoding)
    }

    /// The buffers one after another, as Node's `Buffer.concat(list, totalLength)`. With `totalLength` (which
    /// must not be negative) the result is cut to that many bytes, or zero-filled up to it.
    public static func concat(_ list: [Buffer], totalLength: Int? = nil) -> Buffer {
        let total = totalLength ?? list.reduce(0) { $0 + $1.bytes.count }
        precondition(total >= 0, "Buffer.concat: totalLength must not be negative")
        return Buffer(unsafeUninitializedCapacity: total) { out, initialized in
            var offset = 0
            for buffer in list where offset < total {
                let n = Swift.min(buffer.bytes.count, total - offset)
                buffer.bytes.withUnsafeBufferPointer { source in
                    guard let base = source.baseAddress, n > 0 else { return }
                    (out.baseAddress! + offset).initialize(from: base, count: n)
                }
                offset += n
            }
            if offset < total { (out.baseAddress! + offset).initialize(repeating: 0, count: total - offset) }
            initialized = total
        }
    }

    /// `string` encoded with `encoding`: Node's `Buffer.from(string, encoding)`, the same as
    /// ``init(_:encoding:)``.
    public static func from(_ string: String, _ encoding: Encoding = .utf8) -> Buffer {
        Buffer(string, encoding: encoding)
    }

    /// A buffer holding `bytes`: Node's `Buffer.from(array)`.
    public static func from(_ bytes: [UInt8]) -> Buffer {
        Buffer(bytes)
    }

    /// `size` bytes, each `fill`: Node's `Buffer.alloc(size, fill)`.
    public static func alloc(_ size: Int, fill: UInt8 = 0) -> Buffer {
        Buffer([UInt8](repeating: fill, count: size))
    }

    /// Whether Node's `Buffer.isEncoding(name)` is true: `name` is one of the names ``Encoding/init(_:)``
    /// accepts.
    public static func isEncoding(_ name: String) -> Bool {
        Encoding(name) != nil
    }
}

// MARK: - Collection

extension Buffer: RandomAccessCollection, MutableCollection, RangeReplaceableCollection {
    /// A byte.
    public typealias Element = UInt8
    /// A byte offset from the start, `0..<count`.
    public typealias Index = Int
    /// `0..<count`.
    public typealias Indices = Range<Int>
    /// The storage array's iterator.
    public typealias Iterator = IndexingIterator<[UInt8]>

    /// Always 0.
    @inlinable public var startIndex: Int { 0 }
    /// The number of bytes.
    @inlinable public var endIndex: Int { bytes.count }
    /// The number of bytes.
    @inlinable public var count: Int { bytes.count }
    /// Whether there are no bytes.
    @inlinable public var isEmpty: Bool { bytes.isEmpty }
    /// `0..<count`.
    @inlinable public var indices: Range<Int> { 0..<bytes.count }

    /// The byte at `position`, which must be in `0..<count`.
    @inlinable
    public subscript(position: Int) -> UInt8 {
        get { bytes[position] }
        set { bytes[position] = newValue }
    }

    /// An iterator over the bytes.
    @inlinable
    public func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }

    /// Replaces the bytes in `subrange` with `newElements`.
    @inlinable
    public mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C)
    where C.Element == UInt8 {
        bytes.replaceSubrange(subrange, with: newElements)
    }

    /// Reserves storage for `minimumCapacity` bytes.
    @inlinable
    public mutating func reserveCapacity(_ minimumCapacity: Int) { bytes.reserveCapacity(minimumCapacity) }

    /// Appends one byte.
    @inlinable
    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// Appends the bytes of `newElements`.
    @inlinable
    public mutating func append<S: Sequence>(contentsOf newElements: S) where S.Element == UInt8 {
        bytes.append(contentsOf: newElements)
    }

    /// Calls `body` with the contiguous bytes (always available).
    @inlinable
    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try bytes.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the contiguous, writable bytes (always available).
    @inlinable
    public mutating func withContiguousMutableStorageIfAvailable<R>(
        _ body: (inout UnsafeMutableBufferPointer<UInt8>) throws -> R
    ) rethrows -> R? {
        try bytes.withUnsafeMutableBufferPointer(body)
    }
}

// MARK: - Literals and printing

extension Buffer: ExpressibleByArrayLiteral, ExpressibleByStringLiteral {
    /// A buffer of the listed bytes: `[0x68, 0x69]`.
    @inlinable
    public init(arrayLiteral elements: UInt8...) { bytes = elements }

    /// A buffer of the literal's UTF-8: `"hi"` is `[0x68, 0x69]`.
    @inlinable
    public init(stringLiteral value: String) { bytes = Array(value.utf8) }
}

extension Buffer: CustomStringConvertible, CustomDebugStringConvertible {
    /// Node's `util.inspect(buf)`: `<Buffer 68 65 6c 6c 6f>`, at most 50 bytes (Node's `INSPECT_MAX_BYTES`)
    /// followed by ` ... N more bytes` (`byte` when N is 1); `<Buffer >` when empty.
    public var description: String {
        let shown = Swift.min(bytes.count, 50)
        var text = "<Buffer"
        text.reserveCapacity(9 + shown * 3 + 24)
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8](repeating: 0x20, count: shown * 3)
        for i in 0..<shown {
            hex[3 * i + 1] = digits[Int(bytes[i] >> 4)]
            hex[3 * i + 2] = digits[Int(bytes[i] & 0x0F)]
        }
        text += shown == 0 ? " " : String(decoding: hex, as: UTF8.self)
        let more = bytes.count - shown
        if more > 0 { text += " ... \(more) more byte\(more == 1 ? "" : "s")" }
        return text + ">"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }
}
