import Foundation
import Net
import NetTestSupport
import Testing

// MARK: - Shared by the differential tests (this file and StringDecoderTests.swift)

/// SplitMix64: a small seeded generator, so that a failing run can be replayed with its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of this run: `NET_TEST_SEED` when set (to replay a failure), otherwise a fresh one. Printed.
    static func seed(for test: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["NET_TEST_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("\(test): seed \(seed) (replay with NET_TEST_SEED=\(seed))")
        return seed
    }
}

/// Talking to the `node` oracle: hex on the wire both ways, strings as raw UTF-16 code units so that lone
/// surrogates stay visible.
enum Oracle {
    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses well-formed hex (what the oracle prints). Independent of Net's own hex decoder on purpose.
    static func bytes<S: StringProtocol>(_ hex: S) -> [UInt8] {
        var text = String(hex)
        return text.withUTF8 { utf8 in
            precondition(utf8.count % 2 == 0, "odd hex from node: \(hex)")
            func value(_ c: UInt8) -> UInt8 { c <= 0x39 ? c &- 0x30 : (c | 0x20) &- 0x61 &+ 10 }
            return [UInt8](unsafeUninitializedCapacity: utf8.count / 2) { out, count in
                for i in 0..<utf8.count / 2 { out[i] = value(utf8[2 * i]) << 4 | value(utf8[2 * i + 1]) }
                count = utf8.count / 2
            }
        }
    }

    /// UTF-16 code units from UTF-16LE hex.
    static func units<S: StringProtocol>(_ hex: S) -> [UInt16] {
        let raw = bytes(hex)
        return stride(from: 0, to: raw.count - 1, by: 2).map { UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8 }
    }

    /// UTF-16LE hex of a string, for sending a Swift string to node unambiguously.
    static func utf16Hex(_ string: String) -> String {
        hex(string.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] })
    }

    /// Net's documented difference from Node: each lone surrogate code unit becomes U+FFFD.
    static func replacingLoneSurrogates(_ units: [UInt16]) -> [UInt16] {
        var out: [UInt16] = []
        out.reserveCapacity(units.count)
        var i = 0
        while i < units.count {
            let unit = units[i]
            if unit & 0xFC00 == 0xD800, i + 1 < units.count, units[i + 1] & 0xFC00 == 0xDC00 {
                out.append(unit)
                out.append(units[i + 1])
                i += 2
                continue
            }
            out.append(unit & 0xF800 == 0xD800 ? 0xFFFD : unit)
            i += 1
        }
        return out
    }

    /// Runs `script` with `input` lines on stdin and returns its output lines, one per input line.
    static func ask(_ script: String, _ input: [String]) throws -> [Substring] {
        let run = try Node.run(script, stdin: Data((input.joined(separator: "\n") + "\n").utf8))
        try #require(run.status == 0, "node failed: \(run.stderr)")
        var lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        try #require(lines.count == input.count, "node answered \(lines.count) lines for \(input.count)")
        return lines
    }

    /// Fields of an oracle line, separated by single spaces (empty fields kept).
    static func fields(_ line: Substring) -> [Substring] {
        line.split(separator: " ", omittingEmptySubsequences: false)
    }

    /// Node's names for the encodings, in `Encoding.allCases` order.
    static let encodings = Encoding.allCases
    static let encodingNames = Encoding.allCases.map(\.rawValue)
}

/// Random inputs biased towards what breaks decoders.
struct Inputs {
    var rng: SeededRandom

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    /// A length, mostly short, sometimes long.
    mutating func length(_ typical: Int) -> Int {
        chance(0.9) ? int(0...typical) : int(0...typical * 8)
    }

    static let edgeBytes: [UInt8] = [
        0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
        0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFB, 0xFC, 0xFE, 0xFF, 0xD8, 0xDB, 0xDC, 0xDF, 0x3D,
    ]

    /// The UTF-8 of a random scalar from a random plane.
    mutating func scalarUTF8() -> [UInt8] {
        let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        let value = UInt32.random(in: pick(ranges), using: &rng)
        return Array(String(Character(Unicode.Scalar(value)!)).utf8)
    }

    /// Bytes made of pieces: plain, edge values, valid and truncated UTF-8, ill-formed UTF-8 (surrogates,
    /// overlongs, beyond U+10FFFF), UTF-16LE surrogates, base64 and hex text.
    mutating func bytes(_ typical: Int = 24) -> [UInt8] {
        var out: [UInt8] = []
        let target = length(typical)
        while out.count < target {
            switch int(0...11) {
            case 0: out.append(UInt8(int(0x20...0x7E)))
            case 1: out.append(UInt8(int(0...255)))
            case 2: out.append(pick(Self.edgeBytes))
            case 3: out += scalarUTF8()
            case 4:
                let scalar = scalarUTF8()
                out += scalar.prefix(int(0...max(scalar.count - 1, 0)))
            case 5: out += [0xED, UInt8(int(0xA0...0xBF)), UInt8(int(0x80...0xBF))]
            case 6: out += pick([[0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
                                 [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                                 [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]])
            case 7: out += [UInt8(int(0...255)), UInt8(int(0xD8...0xDF))]  // a surrogate, UTF-16LE
            case 8: out += pick([[0x3D, 0xD8, 0x00, 0xDE], [0x00, 0xDC, 0x00, 0xD8], [0x41, 0x00, 0x00, 0xD8]])
            case 9: out += Array(pick(["QUJD", "YQ==", "=", "==", " ", "\n", "-_", "+/", "*"]).utf8)
            case 10: out += Array(pick(["0a", "FF", "g", "1", "zz", "00"]).utf8)
            default: out += scalarUTF8().prefix(1)
            }
        }
        return out
    }

    static let textPieces: [String] = [
        "=", "==", " ", "\n", "\r\n", "\t", "-", "_", "+", "/", "*", "!", ".", "é", "ÿ", "€", "Ł", "Ľ", "İ",
        "Ā", "\u{FFFF}", "\u{FFFD}", "😀", "\u{10000}", "\u{10FFFF}", "𝄞", "\u{0}", "\u{7F}", "\u{80}", "Ĳ",
        "ZZ", "g", "G", "0", "f", "F", "ab", "AB",
    ]

    /// Text for encoding and for lenient decoding: random letters, base64 and hex of random bytes (with
    /// padding dropped, doubled or junk inserted), and characters outside ASCII and the BMP.
    mutating func text(_ typical: Int = 16) -> String {
        var out = ""
        let target = length(typical)
        while out.utf16.count < target {
            switch int(0...7) {
            case 0: out.unicodeScalars.append(Unicode.Scalar(UInt8(int(0x20...0x7E))))
            case 1: out += pick(Self.textPieces)
            case 2: out += String(decoding: scalarUTF8(), as: UTF8.self)
            case 3:
                var b64 = Buffer(bytes(8)).toString(chance(0.5) ? .base64 : .base64url)
                if chance(0.3) { b64 = String(b64.prefix(while: { $0 != "=" })) }
                if chance(0.3), !b64.isEmpty { b64.insert(contentsOf: pick(Self.textPieces), at: b64.index(b64.startIndex, offsetBy: int(0...b64.count - 1))) }
                out += b64
            case 4:
                var hex = Buffer(bytes(8)).toString(.hex)
                if chance(0.3) { hex = chance(0.5) ? hex.uppercased() : String(hex.dropLast()) }
                if chance(0.2), !hex.isEmpty { hex.insert(contentsOf: pick(Self.textPieces), at: hex.index(hex.startIndex, offsetBy: int(0...hex.count - 1))) }
                out += hex
            case 5: out += String(pick(Array("0123456789abcdefABCDEF")))
            case 6: out += String(pick(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")))
            default: out.unicodeScalars.append(Unicode.Scalar(UInt16(int(0x100...0x17F)))!)  // low byte is ASCII
            }
        }
        return out
    }
}

// MARK: - Buffer and Encoding against node

/// Every encoding, both directions, against Node v20 on the same random inputs, in one node process.
@Suite struct EncodingDifferentialTests {
    static let script = #"""
    const util = require('util');
    const encs = ['utf8', 'utf16le', 'latin1', 'ascii', 'base64', 'base64url', 'hex'];
    const units = (s) => Buffer.from(s, 'utf16le').toString('hex');  // raw code units, lone surrogates kept
    const out = [];
    for (const line of require('fs').readFileSync(0, 'latin1').split('\n')) {
      if (line === '') continue;
      const f = line.split(' ');
      switch (f[0]) {
        case 'B': {  // bytes -> toString in every encoding, and inspect
          const b = Buffer.from(f[1], 'hex');
          out.push(encs.map((e) => units(b.toString(e))).join(' ') + ' ' + Buffer.from(util.inspect(b)).toString('hex'));
          break;
        }
        case 'S': {  // string -> Buffer.from and Buffer.byteLength in every encoding
          const s = Buffer.from(f[1], 'hex').toString('utf16le');
          out.push(encs.map((e) => Buffer.from(s, e).toString('hex') + ' ' + Buffer.byteLength(s, e)).join(' '));
          break;
        }
        case 'R': {  // subarray and toString(encoding, start, end) clamping
          const b = Buffer.from(f[1], 'hex');
          const start = Number(f[3]), end = f[4] === 'u' ? undefined : Number(f[4]);
          out.push(b.subarray(start, end).toString('hex') + ' ' + units(b.toString(f[2], start, end)));
          break;
        }
        case 'E':  // Buffer.isEncoding
          out.push(Buffer.isEncoding(Buffer.from(f[1], 'hex').toString('utf16le')) ? '1' : '0');
          break;
        default: throw new Error('bad line ' + line);
      }
    }
    process.stdout.write(out.join('\n') + '\n');
    """#

    @Test func everyEncodingMatchesNodeOnRandomInputs() throws {
        var inputs = Inputs(rng: SeededRandom(seed: SeededRandom.seed(for: "EncodingDifferentialTests")))
        // Mostly short inputs; a few long ones, because Node takes another path (not its pool) from 4 KiB.
        let byteCases = (0..<1500).map { _ in inputs.bytes() } + (0..<8).map { _ in (0..<400).flatMap { _ in inputs.bytes() } }
        let textCases = (0..<1500).map { _ in inputs.text() } + (0..<8).map { _ in (0..<600).map { _ in inputs.text() }.joined() }
        let rangeCases = (0..<400).map { _ in
            (inputs.bytes(12), inputs.pick(Oracle.encodings), inputs.int(-20...20), inputs.chance(0.3) ? nil : inputs.int(-20...20))
        }
        var names = ["utf8", "utf-8", "ucs2", "ucs-2", "utf16le", "utf-16le", "latin1", "binary", "ascii", "base64",
                     "base64url", "hex", "buffer", "", "utf16", "utf-16", "latin-1", "base-64", "utf 8", "üTF8", "hex\u{0}"]
        for _ in 0..<200 {
            var name = Array(inputs.pick(names))
            for i in name.indices where inputs.chance(0.4) { name[i] = Character(name[i].uppercased()) }
            if inputs.chance(0.2) { name.insert(inputs.pick([" ", "-", "x", "İ", "K"]), at: inputs.int(0...name.count)) }
            if inputs.chance(0.1), !name.isEmpty { name.remove(at: inputs.int(0...name.count - 1)) }
            names.append(String(name))
        }

        var lines: [String] = []
        lines += byteCases.map { "B \(Oracle.hex($0))" }
        lines += textCases.map { "S \(Oracle.utf16Hex($0))" }
        lines += rangeCases.map { "R \(Oracle.hex($0.0)) \($0.1.rawValue) \($0.2) \($0.3.map(String.init) ?? "u")" }
        lines += names.map { "E \(Oracle.utf16Hex($0))" }
        var answers = try Oracle.ask(Self.script, lines)[...]

        var checked = 0
        for bytes in byteCases {
            let f = Oracle.fields(answers.removeFirst())
            let buffer = Buffer(bytes)
            for (i, encoding) in Oracle.encodings.enumerated() {
                let expected = Oracle.replacingLoneSurrogates(Oracle.units(f[i]))
                let actual = Array(buffer.toString(encoding).utf16)
                if actual != expected { Issue.record("toString(.\(encoding)) of \(buffer): \(actual) != node's \(expected)") }
                checked += 1
            }
            #expect(buffer.description == String(decoding: Oracle.bytes(f[7]), as: UTF8.self))
        }
        for text in textCases {
            let f = Oracle.fields(answers.removeFirst())
            for (i, encoding) in Oracle.encodings.enumerated() {
                let bytes = Buffer(text, encoding: encoding)
                #expect(bytes.bytes == Oracle.bytes(f[2 * i]), "Buffer(\(text.debugDescription), encoding: .\(encoding))")
                #expect(Buffer.byteLength(text, encoding: encoding) == Int(f[2 * i + 1]), "byteLength(\(text.debugDescription), .\(encoding))")
                checked += 2
            }
        }
        for (bytes, encoding, start, end) in rangeCases {
            let f = Oracle.fields(answers.removeFirst())
            let buffer = Buffer(bytes)
            #expect(buffer.subarray(start: start, end: end).bytes == Oracle.bytes(f[0]), "\(buffer).subarray(\(start), \(String(describing: end)))")
            let expected = Oracle.replacingLoneSurrogates(Oracle.units(f[1]))
            #expect(Array(buffer.toString(encoding, start: start, end: end).utf16) == expected,
                    "\(buffer).toString(.\(encoding), \(start), \(String(describing: end)))")
            checked += 2
        }
        for name in names {
            let answer = answers.removeFirst()
            #expect(Buffer.isEncoding(name) == (answer == "1"), "isEncoding(\(name.debugDescription))")
            checked += 1
        }
        print("EncodingDifferentialTests: \(checked) comparisons with node")
    }

    /// Net differs from Node only where Node's string holds a lone surrogate; this checks that the random
    /// inputs above do reach that case, so the difference is exercised rather than assumed.
    @Test func loneSurrogatesAreTheOnlyDifference() throws {
        let lines = ["B 00d841", "B 00dc00d8", "B 3dd800de"]
        let answers = try Oracle.ask(Self.script, lines)
        let raw = answers.map { Oracle.units(Oracle.fields($0)[1]) }
        #expect(raw[0] == [0xD800])  // the odd trailing byte is dropped
        #expect(raw[1] == [0xDC00, 0xD800])
        #expect(raw[2] == [0xD83D, 0xDE00])
        #expect(Array(Buffer([0x00, 0xD8, 0x41]).toString(.utf16le).utf16) == [0xFFFD])
        #expect(Array(Buffer([0x00, 0xDC, 0x00, 0xD8]).toString(.utf16le).utf16) == [0xFFFD, 0xFFFD])
        #expect(Buffer([0x3D, 0xD8, 0x00, 0xDE]).toString(.utf16le) == "😀")
    }
}
