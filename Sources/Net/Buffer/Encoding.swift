/// A character encoding for converting between ``Buffer`` bytes and `String`s, as Node's `BufferEncoding`.
///
/// Each case follows Node v20's rules exactly; they are documented on the case. Node strings are sequences of
/// UTF-16 code units and may hold lone surrogates, a Swift `String` cannot: wherever Node would produce a lone
/// surrogate (only ``utf16le`` decoding and a ``StringDecoder`` in ``utf16le`` can), Net yields U+FFFD for
/// each lone surrogate code unit instead. Every other result is Node's, code unit for code unit.
///
/// When a `String` is written with an encoding, Node looks at its UTF-16 code units; so does Net. A string
/// with a character outside the Basic Multilingual Plane therefore counts two code units in ``latin1``,
/// ``ascii``, ``hex`` and ``base64``, as in Node.
public enum Encoding: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// UTF-8. Decoding replaces each maximal invalid subsequence with one U+FFFD (WHATWG/V8 rule:
    /// `ED A0 80` gives three, `F0 9F 98` gives one); encoding writes the string's UTF-8.
    case utf8
    /// UTF-16 little-endian (Node's `'utf16le'`, alias `'ucs2'`). Decoding drops an odd trailing byte and
    /// yields U+FFFD for each lone surrogate (where Node keeps the surrogate); encoding writes each UTF-16
    /// code unit low byte first.
    case utf16le
    /// ISO-8859-1 as Node understands it (alias `'binary'`): decoding maps each byte to U+0000–U+00FF;
    /// encoding keeps the low byte of each UTF-16 code unit (`"€"` U+20AC gives `0xAC`).
    case latin1
    /// 7-bit ASCII: decoding clears the high bit of each byte (`0xFF` gives U+007F, as Node v20); encoding
    /// keeps the low byte of each UTF-16 code unit, exactly as ``latin1``.
    case ascii
    /// Base64 (RFC 4648 §4). Encoding pads with `=`. Decoding is Node's lenient one: both the standard and
    /// the URL-safe alphabet are accepted, any other character is skipped, decoding stops at the first `=`,
    /// and a trailing group of 2 or 3 characters gives 1 or 2 bytes (a lone character gives none). Only the
    /// low byte of each UTF-16 code unit is looked at, as Node does.
    case base64
    /// Base64 with the URL-safe alphabet (RFC 4648 §5): encoding writes no padding; decoding is exactly
    /// ``base64``'s.
    case base64url
    /// Hexadecimal: encoding writes two lower-case digits per byte; decoding reads pairs of digits (either
    /// case) and stops at the first pair that is not two hex digits, so an odd trailing digit is dropped.
    /// Only the low byte of each UTF-16 code unit is looked at, as Node does.
    case hex

    /// Node's alias of ``utf16le``.
    public static let ucs2: Encoding = .utf16le
    /// Node's alias of ``latin1``.
    public static let binary: Encoding = .latin1

    /// The encoding Node names `name`, case-insensitively, or `nil` where Node's `Buffer.isEncoding(name)`
    /// is false: `utf8`, `utf-8`, `ucs2`, `ucs-2`, `utf16le`, `utf-16le`, `latin1`, `binary`, `ascii`,
    /// `base64`, `base64url`, `hex`.
    public init?(_ name: String) {
        switch name.utf8.count <= 9 ? Encoding.lowercasedASCII(name) : "" {
        case "utf8", "utf-8": self = .utf8
        case "ucs2", "ucs-2", "utf16le", "utf-16le": self = .utf16le
        case "latin1", "binary": self = .latin1
        case "ascii": self = .ascii
        case "base64": self = .base64
        case "base64url": self = .base64url
        case "hex": self = .hex
        default: return nil
        }
    }

    /// Node's canonical name of the encoding (`"utf8"`, `"utf16le"`, `"latin1"`, …), as its raw value.
    public var description: String { rawValue }

    /// Lower-cases ASCII letters only, as JavaScript's `toLowerCase` does on the names that matter here.
    private static func lowercasedASCII(_ name: String) -> String {
        String(decoding: name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
