// The byte <-> String conversions behind Buffer, Encoding and StringDecoder, with Node v20's rules.
//
// Every routine works on contiguous memory and writes its result straight into storage allocated once
// (`String(unsafeUninitializedCapacity:)`, `Array(unsafeUninitializedCapacity:)`), never appending per
// character; base64 and hex go through lookup tables.

enum Codec {
    // MARK: Bytes to String

    /// Decodes `bytes` as Node's `buf.toString(encoding)` does (lone surrogates become U+FFFD).
    static func decode(_ bytes: UnsafeRawBufferPointer, _ encoding: Encoding) -> String {
        if bytes.isEmpty { return "" }
        switch encoding {
        case .utf8: return decodeUTF8(bytes)
        case .utf16le:
            var transcoder = UTF16LETranscoder()
            return transcoder.decode(bytes, final: true)
        case .latin1: return decodeLatin1(bytes)
        case .ascii: return decodeASCII(bytes)
        case .base64: return encodeBase64(bytes, alphabet: base64Alphabet, pad: true)
        case .base64url: return encodeBase64(bytes, alphabet: base64URLAlphabet, pad: false)
        case .hex: return encodeHex(bytes)
        }
    }

    /// UTF-8 to String with WHATWG's (and V8's) replacement rule: each maximal subpart of an ill-formed
    /// sequence becomes one U+FFFD. Valid input takes the standard library's validating copy; invalid input
    /// is repaired here in two passes (size, then bytes), faster than the standard library's repair.
    static func decodeUTF8(_ bytes: UnsafeRawBufferPointer) -> String {
        let input = bytes.assumingMemoryBound(to: UInt8.self)
        if let valid = String(validating: input, as: UTF8.self) { return valid }
        let count = repairUTF8(input, into: nil)
        return makeString(capacity: count) { out in repairUTF8(input, into: out.baseAddress) }
    }

    /// Writes (when `out` is not nil) the UTF-8 of `input` with each maximal invalid subpart replaced by
    /// EF BF BD, and returns its length. Continuation ranges per lead byte are the Unicode table 3-7 ones.
    @inline(__always)
    static func repairUTF8(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>?) -> Int {
        let n = input.count
        let raw = UnsafeRawBufferPointer(input)
        var i = 0, k = 0
        while i < n {
            let lead = input[i]
            var j = i + 1
            if lead < 0x80 {
                while j + 8 <= n && raw.loadUnaligned(fromByteOffset: j, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { j += 8 }
                while j < n && input[j] < 0x80 { j += 1 }
            } else {
                var needed = 0
                var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
                switch lead {
                case 0xC2...0xDF: needed = 1
                case 0xE0: (needed, lower) = (2, 0xA0)
                case 0xE1...0xEC, 0xEE...0xEF: needed = 2
                case 0xED: (needed, upper) = (2, 0x9F)
                case 0xF0: (needed, lower) = (3, 0x90)
                case 0xF1...0xF3: needed = 3
                case 0xF4: (needed, upper) = (3, 0x8F)
                default: break  // 80–C1, F5–FF never start a character
                }
                var seen = 0
                while seen < needed && j < n && input[j] >= lower && input[j] <= upper {
                    (lower, upper) = (0x80, 0xBF)
                    j += 1
                    seen += 1
                }
                if seen < needed || needed == 0 {
                    // input[i..<j] is a maximal subpart: one U+FFFD; the byte at j starts afresh.
                    if let out {
                        out[k] = 0xEF
                        out[k + 1] = 0xBF
                        out[k + 2] = 0xBD
                    }
                    k += 3
                    i = j
                    continue
                }
            }
            if let out { (out + k).initialize(from: input.baseAddress! + i, count: j - i) }
            k += j - i
            i = j
        }
        return k
    }

    /// Builds a String from UTF-8 written by `body` into at most `capacity` bytes; `body` returns the count.
    @inline(__always)
    static func makeString(capacity: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> String {
        if capacity == 0 { return "" }
        return String(unsafeUninitializedCapacity: capacity, initializingUTF8With: body)
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            if bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Node's `'ascii'` decoding: each byte with its high bit cleared.
    static func decodeASCII(_ bytes: UnsafeRawBufferPointer) -> String {
        if isASCII(bytes) { return String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) }
        return makeString(capacity: bytes.count) { out in
            for i in 0..<bytes.count { out[i] = bytes[i] & 0x7F }
            return bytes.count
        }
    }

    /// Node's `'latin1'` decoding: each byte is the code point U+0000–U+00FF.
    static func decodeLatin1(_ bytes: UnsafeRawBufferPointer) -> String {
        var high = 0
        for byte in bytes where byte >= 0x80 { high += 1 }
        if high == 0 { return String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) }
        return makeString(capacity: bytes.count + high) { out in
            var k = 0
            for byte in bytes {
                if byte < 0x80 {
                    out[k] = byte
                    k += 1
                } else {
                    out[k] = 0xC0 | byte >> 6
                    out[k + 1] = 0x80 | byte & 0x3F
                    k += 2
                }
            }
            return k
        }
    }

    static let hexDigits: StaticString = "0123456789abcdef"
    static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    static let base64URLAlphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// Two lower-case hex digits per byte.
    static func encodeHex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = hexDigits.utf8Start
        return makeString(capacity: bytes.count * 2) { out in
            var k = 0
            for byte in bytes {
                out[k] = digits[Int(byte >> 4)]
                out[k + 1] = digits[Int(byte & 0x0F)]
                k += 2
            }
            return k
        }
    }

    /// The length of the base64 text of `count` bytes, padded or not.
    static func base64Length(_ count: Int, pad: Bool) -> Int {
        let remainder = count % 3
        return count / 3 * 4 + (remainder == 0 ? 0 : pad ? 4 : remainder + 1)
    }

    /// Base64 of `bytes` in `alphabet`, with `=` padding when `pad`.
    static func encodeBase64(_ bytes: UnsafeRawBufferPointer, alphabet: StaticString, pad: Bool) -> String {
        let table = alphabet.utf8Start
        let n = bytes.count
        return makeString(capacity: base64Length(n, pad: pad)) { out in
            var i = 0, k = 0
            while i + 3 <= n {
                let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                out[k] = table[Int(v >> 18)]
                out[k + 1] = table[Int(v >> 12 & 0x3F)]
                out[k + 2] = table[Int(v >> 6 & 0x3F)]
                out[k + 3] = table[Int(v & 0x3F)]
                i += 3
                k += 4
            }
            switch n - i {
            case 1:
                let v = UInt32(bytes[i]) << 16
                out[k] = table[Int(v >> 18)]
                out[k + 1] = table[Int(v >> 12 & 0x3F)]
                k += 2
                if pad {
                    out[k] = 0x3D
                    out[k + 1] = 0x3D
                    k += 2
                }
            case 2:
                let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
                out[k] = table[Int(v >> 18)]
                out[k + 1] = table[Int(v >> 12 & 0x3F)]
                out[k + 2] = table[Int(v >> 6 & 0x3F)]
                k += 3
                if pad {
                    out[k] = 0x3D
                    k += 1
                }
            default: break
            }
            return k
        }
    }

    // MARK: String to bytes

    /// Whether `string` in `encoding` is its UTF-8 bytes: always in `.utf8`; in `.latin1` and `.ascii`
    /// when it is all ASCII. As many UTF-8 bytes as UTF-16 units means every scalar is ASCII, and for a
    /// native string known to be ASCII both counts are O(1): no scan.
    static func isUTF8(_ string: String, in encoding: Encoding) -> Bool {
        switch encoding {
        case .utf8: true
        case .latin1, .ascii: string.utf8.count == string.utf16.count
        default: false
        }
    }

    /// Node's `Buffer.from(string, encoding)`.
    static func encode(_ string: String, _ encoding: Encoding) -> [UInt8] {
        switch encoding {
        case .utf8, .latin1, .ascii:
            if isUTF8(string, in: encoding) { return Array(string.utf8) }
            return withUTF8(string) { lowBytes($0) }
        case .utf16le: return withUTF8(string) { encodeUTF16LE($0) }
        case .base64, .base64url: return withCodeUnitLowBytes(string) { decodeBase64($0) }
        case .hex: return withCodeUnitLowBytes(string) { decodeHex($0) }
        }
    }

    /// Node's `Buffer.byteLength(string, encoding)`: exact for utf8, utf16le, latin1 and ascii; Node's
    /// upper bound for base64 (3/4 of the length less up to two trailing `=`) and hex (half the length).
    static func byteLength(_ string: String, _ encoding: Encoding) -> Int {
        switch encoding {
        case .utf8: return string.utf8.count
        case .utf16le: return string.utf16.count * 2
        case .latin1, .ascii: return string.utf16.count
        case .hex: return string.utf16.count >> 1
        case .base64, .base64url:
            var length = string.utf16.count
            // `=` is ASCII, so the last UTF-8 bytes are `=` exactly when the last UTF-16 units are.
            let utf8 = string.utf8
            var end = utf8.endIndex
            if length > 0, utf8[utf8.index(before: end)] == 0x3D {
                length -= 1
                end = utf8.index(before: end)
                if length > 1, utf8[utf8.index(before: end)] == 0x3D { length -= 1 }
            }
            return (length * 3) >> 2
        }
    }

    /// Runs `body` on the string's contiguous UTF-8.
    @inline(__always)
    static func withUTF8<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = string
        return copy.withUTF8(body)
    }

    /// Runs `body` on the low byte of each UTF-16 code unit of `string`: what Node's hex and base64 decoders
    /// read. For an ASCII string these are its UTF-8 bytes, passed without a copy.
    static func withCodeUnitLowBytes<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUTF8(string) { utf8 in
            if isASCII(UnsafeRawBufferPointer(utf8)) { return body(utf8) }
            return lowBytes(utf8).withUnsafeBufferPointer(body)
        }
    }

    /// Calls `emit` with each UTF-16 code unit of valid UTF-8 `utf8`.
    @inline(__always)
    static func forEachUTF16(_ utf8: UnsafeBufferPointer<UInt8>, _ emit: (UInt16) -> Void) {
        var i = 0
        let n = utf8.count
        while i < n {
            let b0 = UInt32(utf8[i])
            if b0 < 0x80 {
                emit(UInt16(b0))
                i += 1
            } else if b0 < 0xE0 {
                emit(UInt16((b0 & 0x1F) << 6 | UInt32(utf8[i + 1]) & 0x3F))
                i += 2
            } else if b0 < 0xF0 {
                emit(UInt16((b0 & 0x0F) << 12 | (UInt32(utf8[i + 1]) & 0x3F) << 6 | UInt32(utf8[i + 2]) & 0x3F))
                i += 3
            } else {
                let scalar = (b0 & 0x07) << 18 | (UInt32(utf8[i + 1]) & 0x3F) << 12
                    | (UInt32(utf8[i + 2]) & 0x3F) << 6 | UInt32(utf8[i + 3]) & 0x3F
                let v = scalar - 0x10000
                emit(UInt16(0xD800 | v >> 10))
                emit(UInt16(0xDC00 | v & 0x3FF))
                i += 4
            }
        }
    }

    /// The low byte of each UTF-16 code unit: Node's latin1 and ascii encoding.
    static func lowBytes(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // All ASCII (the common case, checked a word at a time): the UTF-8 bytes are the answer, one copy.
        if isASCII(utf8) { return Array(utf8) }
        // A string never has more UTF-16 code units than UTF-8 bytes.
        return Array(unsafeUninitializedCapacity: utf8.count) { out, count in
            var k = 0
            forEachUTF16(utf8) { unit in
                out[k] = UInt8(truncatingIfNeeded: unit)
                k += 1
            }
            count = k
        }
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if bytes[i] & 0x80 != 0 { return false }
            i += 1
        }
        return true
    }

    /// Each UTF-16 code unit, low byte first.
    static func encodeUTF16LE(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        Array(unsafeUninitializedCapacity: utf8.count * 2) { out, count in
            var k = 0
            forEachUTF16(utf8) { unit in
                out[k] = UInt8(truncatingIfNeeded: unit)
                out[k + 1] = UInt8(truncatingIfNeeded: unit >> 8)
                k += 2
            }
            count = k
        }
    }

    /// Values of base64 characters (both alphabets); 0xFF for anything else.
    static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Node's lenient base64/base64url decoding: characters of either alphabet are used, others skipped,
    /// the first `=` ends the input, and a final partial group of 2 or 3 characters gives 1 or 2 bytes.
    static func decodeBase64(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        base64Values.withUnsafeBufferPointer { values in
            Array(unsafeUninitializedCapacity: text.count / 4 * 3 + 2) { out, count in
                var k = 0, i = 0
                let n = text.count
                var accumulator: UInt32 = 0
                var held = 0
                while i < n {
                    // A whole group of four valid characters at a group boundary: the common case.
                    if held == 0 && i + 4 <= n {
                        let a = values[Int(text[i])], b = values[Int(text[i + 1])]
                        let c = values[Int(text[i + 2])], d = values[Int(text[i + 3])]
                        if (a | b | c | d) & 0x80 == 0 {
                            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            out[k] = UInt8(truncatingIfNeeded: v >> 16)
                            out[k + 1] = UInt8(truncatingIfNeeded: v >> 8)
                            out[k + 2] = UInt8(truncatingIfNeeded: v)
                            k += 3
                            i += 4
                            continue
                        }
                    }
                    // Otherwise one character: skip junk, stop at `=`.
                    let c = text[i]
                    let v = values[Int(c)]
                    i += 1
                    if v >= 64 {
                        if c == 0x3D { break }
                        continue
                    }
                    accumulator = accumulator << 6 | UInt32(v)
                    held += 1
                    if held == 4 {
                        out[k] = UInt8(truncatingIfNeeded: accumulator >> 16)
                        out[k + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                        out[k + 2] = UInt8(truncatingIfNeeded: accumulator)
                        k += 3
                        held = 0
                        accumulator = 0
                    }
                }
                if held == 2 {
                    out[k] = UInt8(truncatingIfNeeded: accumulator >> 4)
                    k += 1
                } else if held == 3 {
                    out[k] = UInt8(truncatingIfNeeded: accumulator >> 10)
                    out[k + 1] = UInt8(truncatingIfNeeded: accumulator >> 2)
                    k += 2
                }
                count = k
            }
        }
    }

    /// Values of hex digits (either case); 0xFF for anything else.
    static let hexValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "0123456789abcdef".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        for (i, c) in "ABCDEF".utf8.enumerated() { table[Int(c)] = UInt8(10 + i) }
        return table
    }()

    /// Node's hex decoding: pairs of digits up to the first pair that is not one; an odd last digit is dropped.
    static func decodeHex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        hexValues.withUnsafeBufferPointer { values in
            Array(unsafeUninitializedCapacity: text.count / 2) { out, count in
                var k = 0
                while 2 * k + 1 < text.count {
                    let high = values[Int(text[2 * k])], low = values[Int(text[2 * k + 1])]
                    if (high | low) & 0x80 != 0 { break }
                    out[k] = high << 4 | low
                    k += 1
                }
                count = k
            }
        }
    }
}

/// UTF-16LE bytes to UTF-8, one U+FFFD per lone surrogate, carrying a high surrogate across calls so that a
/// pair split between two inputs still joins (what JavaScript's string concatenation does).
struct UTF16LETranscoder {
    /// A high surrogate waiting for its low half, or 0.
    private var pendingHigh: UInt32 = 0

    /// Whether a high surrogate is waiting for its low half.
    var hasPendingHigh: Bool { pendingHigh != 0 }

    /// Decodes the whole code units of `bytes` (an odd last byte is ignored). With `final`, a high surrogate
    /// left at the end becomes U+FFFD; otherwise it is kept for the next call.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, final: Bool) -> String {
        let units = bytes.count / 2
        // Three UTF-8 bytes per unit bound every case (a pair takes four for two units), plus a held high half.
        return Codec.makeString(capacity: units * 3 + 3) { out in
            var k = 0
            write(bytes, units: units, into: out, at: &k)
            if final && pendingHigh != 0 {
                Self.writeReplacement(into: out, at: &k)
                pendingHigh = 0
            }
            return k
        }
    }

    @inline(__always)
    private static func writeReplacement(into out: UnsafeMutableBufferPointer<UInt8>, at k: inout Int) {
        out[k] = 0xEF
        out[k + 1] = 0xBF
        out[k + 2] = 0xBD
        k += 3
    }

    private mutating func write(
        _ bytes: UnsafeRawBufferPointer, units: Int, into out: UnsafeMutableBufferPointer<UInt8>, at k: inout Int
    ) {
        var i = 0
        while i < units {
            let unit = UInt32(bytes[2 * i]) | UInt32(bytes[2 * i + 1]) << 8
            i += 1
            if pendingHigh != 0 {
                if unit & 0xFC00 == 0xDC00 {
                    let scalar = 0x10000 + ((pendingHigh - 0xD800) << 10 | (unit - 0xDC00))
                    out[k] = UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18)
                    out[k + 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F)
                    out[k + 2] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
                    out[k + 3] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
                    k += 4
                    pendingHigh = 0
                    continue
                }
                Self.writeReplacement(into: out, at: &k)
                pendingHigh = 0
            }
            if unit < 0x80 {
                out[k] = UInt8(truncatingIfNeeded: unit)
                k += 1
            } else if unit < 0x800 {
                out[k] = UInt8(truncatingIfNeeded: 0xC0 | unit >> 6)
                out[k + 1] = UInt8(truncatingIfNeeded: 0x80 | unit & 0x3F)
                k += 2
            } else if unit & 0xFC00 == 0xD800 {
                pendingHigh = unit
            } else if unit & 0xFC00 == 0xDC00 {
                Self.writeReplacement(into: out, at: &k)
            } else {
                out[k] = UInt8(truncatingIfNeeded: 0xE0 | unit >> 12)
                out[k + 1] = UInt8(truncatingIfNeeded: 0x80 | unit >> 6 & 0x3F)
                out[k + 2] = UInt8(truncatingIfNeeded: 0x80 | unit & 0x3F)
                k += 3
            }
        }
    }
}
