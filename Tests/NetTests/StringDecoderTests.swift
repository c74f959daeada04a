import Foundation
import Net
import NetTestSupport
import Testing

/// StringDecoder: Node's `string_decoder` cases (expected values taken from Node v20), every way of
/// splitting them into writes, and a seeded differential run against node.
@Suite struct StringDecoderTests {
    /// Writes `chunks` then calls `end(last)`; returns each write's output and end's, as UTF-16 code units.
    static func outputs(_ encoding: Encoding, _ chunks: [[UInt8]], end last: [UInt8]? = nil) -> [[UInt16]] {
        var decoder = StringDecoder(encoding)
        var out = chunks.map { Array(decoder.write(Buffer($0)).utf16) }
        out.append(Array(decoder.end(last.map { Buffer($0) }).utf16))
        return out
    }

    static func hex(_ text: String) -> [UInt8] { Oracle.bytes(text) }

    /// Every way of cutting `input` into consecutive writes (2^(n-1) of them), as Node's test does.
    static func allSplits(_ count: Int) -> [[Range<Int>]] {
        if count == 0 { return [[]] }
        return (0..<(1 << (count - 1))).map { mask in
            var ranges: [Range<Int>] = []
            var start = 0
            for cut in 1..<count where mask & (1 << (cut - 1)) != 0 {
                ranges.append(start..<cut)
                start = cut
            }
            ranges.append(start..<count)
            return ranges
        }
    }

    /// Decodes `input` in every possible split and expects `expected` from each (writes plus end).
    static func expectWhole(_ encoding: Encoding, _ input: [UInt8], _ expected: [UInt16],
                            sourceLocation: SourceLocation = #_sourceLocation) {
        for split in allSplits(input.count) {
            var decoder = StringDecoder(encoding)
            var output: [UInt16] = []
            for range in split { output += decoder.write(Buffer(input[range])).utf16 }
            output += decoder.end().utf16
            #expect(output == expected, "\(encoding) \(Buffer(input)) split \(split)", sourceLocation: sourceLocation)
        }
    }

    @Test func defaultsToUTF8() {
        #expect(StringDecoder().encoding == .utf8)
        #expect(StringDecoder(.ucs2).encoding == .utf16le)
    }

    // Node's test-string-decoder.js inputs; expectations re-taken from Node v20 (V8's maximal-subpart rule).
    @Test func utf8InEverySplit() {
        Self.expectWhole(.utf8, Array("$".utf8), [0x24])
        Self.expectWhole(.utf8, Array("¢".utf8), [0xA2])
        Self.expectWhole(.utf8, Array("€".utf8), [0x20AC])
        Self.expectWhole(.utf8, Array("𤭢".utf8), [0xD852, 0xDF62])
        Self.expectWhole(.utf8, Self.hex("cba464e18ba430e38185"), [0x02E4, 0x0064, 0x12E4, 0x0030, 0x3045])
        Self.expectWhole(.utf8, Self.hex("c9b5a941"), [0x0275, 0xFFFD, 0x0041])
        Self.expectWhole(.utf8, Self.hex("e2"), [0xFFFD])
        Self.expectWhole(.utf8, Self.hex("e241"), [0xFFFD, 0x0041])
        Self.expectWhole(.utf8, Self.hex("ccccb8"), [0xFFFD, 0x0338])
        Self.expectWhole(.utf8, Self.hex("f0b841"), [0xFFFD, 0x0041])
        Self.expectWhole(.utf8, Self.hex("f1ccb8"), [0xFFFD, 0x0338])
        Self.expectWhole(.utf8, Self.hex("f0fb00"), [0xFFFD, 0xFFFD, 0x0000])
        Self.expectWhole(.utf8, Self.hex("cce2b8b8"), [0xFFFD, 0x2E38])
        Self.expectWhole(.utf8, Self.hex("e2b8ccb8"), [0xFFFD, 0x0338])
        Self.expectWhole(.utf8, Self.hex("e2fbcc01"), [0xFFFD, 0xFFFD, 0xFFFD, 0x0001])
        Self.expectWhole(.utf8, Self.hex("eda0b5edb08d"), Array(repeating: 0xFFFD, count: 6))  // CESU-8 of U+1D40D
        Self.expectWhole(.utf8, Self.hex("ccb8cdb9"), [0x0338, 0x0379])
    }

    @Test func utf16leInEverySplit() {
        Self.expectWhole(.ucs2, Array(Buffer("ababc", encoding: .ucs2)), Array("ababc".utf16))
        Self.expectWhole(.utf16le, Self.hex("3dd84ddc"), [0xD83D, 0xDC4D])  // thumbs up
    }

    @Test func utf8HoldsAndFlushes() {
        #expect(Self.outputs(.utf8, [Self.hex("e1")]) == [[], [0xFFFD]])
        #expect(Self.outputs(.utf8, [Self.hex("e18b")]) == [[], [0xFFFD]])
        #expect(Self.outputs(.utf8, [Array("\u{FFFD}".utf8)]) == [[0xFFFD], []])
        #expect(Self.outputs(.utf8, [Array("\u{FFFD}\u{FFFD}\u{FFFD}".utf8)]) == [[0xFFFD, 0xFFFD, 0xFFFD], []])
        #expect(Self.outputs(.utf8, [Self.hex("efbfbde2")]) == [[0xFFFD], [0xFFFD]])
        #expect(Self.outputs(.utf8, [Self.hex("f1"), Self.hex("41f2")]) == [[], [0xFFFD, 0x41], [0xFFFD]])
        #expect(Self.outputs(.utf8, [[], []]) == [[], [], []])
        #expect(Self.outputs(.utf8, [Self.hex("e2"), []]) == [[], [], [0xFFFD]])
        #expect(Self.outputs(.utf8, [Self.hex("e2"), [], Self.hex("82"), Self.hex("ac")]) == [[], [], [], [0x20AC], []])
        #expect(Self.outputs(.utf8, [Self.hex("f4908080")]) == [[0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD], []])
        // Lead bytes are judged by their bit pattern alone, as in Node: F5 and C0 are held, then rejected.
        #expect(Self.outputs(.utf8, [Self.hex("f5"), Self.hex("808080")]) == [[], [0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD], []])
        #expect(Self.outputs(.utf8, [Self.hex("c0"), Self.hex("80")]) == [[], [0xFFFD, 0xFFFD], []])
        #expect(Self.outputs(.utf8, [Self.hex("80"), Self.hex("80")]) == [[0xFFFD], [0xFFFD], []])
        #expect(Self.outputs(.utf8, [Self.hex("41"), Self.hex("e2"), Self.hex("82ac")]) == [[0x41], [], [0x20AC], []])
        #expect(Self.outputs(.utf8, [Self.hex("c2")], end: Self.hex("c2")) == [[], [0xFFFD, 0xFFFD]])
        #expect(Self.outputs(.utf8, [Self.hex("f09f98")], end: Self.hex("41")) == [[], [0xFFFD, 0x41]])
    }

    @Test func utf16leHoldsHalvesAndSurrogates() {
        #expect(Self.outputs(.utf16le, [Self.hex("3dd8"), Self.hex("4d"), Self.hex("dc")]) == [[], [], [0xD83D, 0xDC4D], []])
        #expect(Self.outputs(.utf16le, [Self.hex("41")], end: Self.hex("00")) == [[], [0x41]])
        #expect(Self.outputs(.utf16le, [Self.hex("3dd8"), Self.hex("4100")]) == [[], [0xFFFD, 0x41], []])
        // A high surrogate that is held or would end a write stays pending; alone at the end it is U+FFFD
        // (Node returns the lone "\ud83d", from end() or from the write).
        #expect(Self.outputs(.utf16le, [Self.hex("3dd8")]) == [[], [0xFFFD]])
        #expect(Self.outputs(.utf16le, [Self.hex("3dd8"), Self.hex("4d")]) == [[], [], [0xFFFD]])
        #expect(Self.outputs(.utf16le, [Self.hex("3dd8"), Self.hex("41")]) == [[], [], [0xFFFD]])
        #expect(Self.outputs(.utf16le, [Self.hex("3dd841")]) == [[], [0xFFFD]])  // Node: "\ud83d", ""
        #expect(Self.outputs(.utf16le, [Self.hex("3dd800")]) == [[], [0xFFFD]])  // Node: "\ud83d", ""
        #expect(Self.outputs(.utf16le, [Self.hex("00dc")]) == [[0xFFFD], []])  // Node: "\udc00", ""
        // Node: "", "\ud83d", "\ude00", "": a pair cut so that Node holds neither half; its `+=` joins them.
        // Net holds the high half, so the text is whole: "", "", "😀", "".
        #expect(Self.outputs(.utf16le, [Self.hex("3d"), Self.hex("d8"), Self.hex("00de")]) == [[], [], [0xD83D, 0xDE00], []])
        #expect(Self.outputs(.utf16le, [Self.hex("3dd800"), Self.hex("de")]) == [[], [0xD83D, 0xDE00], []])
        #expect(Self.outputs(.utf16le, [Self.hex("3d"), Self.hex("d8")], end: Self.hex("41")) == [[], [], [0xFFFD]])
        // Within one write a pair joins even when its halves come from the held byte and the new chunk.
        #expect(Self.outputs(.utf16le, [Self.hex("3d"), Self.hex("d800de")]) == [[], [0xD83D, 0xDE00], []])
        var decoder = StringDecoder(.utf16le)
        #expect(decoder.write(Buffer([0x3D, 0xD8, 0x41])) == "")
        #expect(decoder.hasPendingBytes)
    }

    @Test func base64HoldsPartialGroups() {
        #expect(Self.outputs(.base64, [Self.hex("61"), Self.hex("62"), Self.hex("63"), Self.hex("64")])
            == [[], [], Array("YWJj".utf16), [], Array("ZA==".utf16)])
        #expect(Self.outputs(.base64, [Self.hex("61")], end: Self.hex("62")) == [[], Array("YWI=".utf16)])
        #expect(Self.outputs(.base64, [Self.hex("6162636465")]) == [Array("YWJj".utf16), Array("ZGU=".utf16)])
        #expect(Self.outputs(.base64url, [Self.hex("6162636465")]) == [Array("YWJj".utf16), Array("ZGU".utf16)])
        #expect(Self.outputs(.base64url, [Self.hex("fb"), Self.hex("ff")]) == [[], [], Array("-_8".utf16)])
        #expect(Self.outputs(.base64, [Self.hex("fbff01"), Self.hex("02")]) == [Array("+/8B".utf16), [], Array("Ag==".utf16)])
        #expect(Self.outputs(.base64, [[], []]) == [[], [], []])
    }

    @Test func singleByteEncodingsPassThrough() {
        #expect(Self.outputs(.hex, [Self.hex("0aff"), Self.hex("")], end: Self.hex("cd")) == [Array("0aff".utf16), [], Array("cd".utf16)])
        #expect(Self.outputs(.latin1, [Self.hex("e9ff")]) == [[0xE9, 0xFF], []])
        #expect(Self.outputs(.ascii, [Self.hex("e9ff41")]) == [[0x69, 0x7F, 0x41], []])
    }

    @Test func endResetsTheDecoder() {
        var decoder = StringDecoder(.utf8)
        #expect(decoder.write(Buffer([0xE2])) == "")
        #expect(decoder.hasPendingBytes)
        #expect(decoder.end() == "\u{FFFD}")
        #expect(!decoder.hasPendingBytes)
        #expect(decoder.write(Buffer([0x41])) == "A")
        #expect(decoder.write(Buffer([0xE2, 0x82])) == "")
        #expect(decoder.end(Buffer([0xAC])) == "€")
        #expect(decoder.end() == "")
    }

    @Test func writesFromRawMemory() {
        var decoder = StringDecoder(.utf8)
        let bytes: [UInt8] = Array("h€llo".utf8)
        let first = bytes[..<2].withUnsafeBytes { decoder.write($0) }
        let second = bytes[2...].withUnsafeBytes { decoder.write($0) }
        #expect(first == "h")
        #expect(second == "€llo")
    }

    // MARK: Against node

    static let script = #"""
    const { StringDecoder } = require('string_decoder');
    const units = (s) => Buffer.from(s, 'utf16le').toString('hex');
    const out = [];
    for (const line of require('fs').readFileSync(0, 'latin1').split('\n')) {
      if (line === '') continue;
      const [enc, mode, ...hexes] = line.split(' ');
      const chunks = hexes.map((h) => Buffer.from(h === '-' ? '' : h, 'hex'));
      const d = new StringDecoder(enc);
      const results = [];
      const last = mode === 'E' ? chunks.pop() : undefined;
      for (const c of chunks) results.push(units(d.write(c)));
      results.push(units(mode === 'E' ? d.end(last) : d.end()));
      out.push(results.join(' '));
    }
    process.stdout.write(out.join('\n') + '\n');
    """#

    struct Case {
        var encoding: Encoding
        var chunks: [[UInt8]]
        var endWithLast: Bool
    }

    @Test func matchesNodeWriteForWriteOnRandomSplits() throws {
        var inputs = Inputs(rng: SeededRandom(seed: SeededRandom.seed(for: "StringDecoderTests")))
        var cases: [Case] = []
        for encoding in Encoding.allCases {
            for _ in 0..<(encoding == .utf8 || encoding == .utf16le ? 600 : 150) {
                let bytes = inputs.bytes(32)
                var cuts = (0..<inputs.int(0...6)).map { _ in inputs.int(0...bytes.count) }
                if inputs.chance(0.2) { cuts += Array(0...bytes.count) }  // byte by byte
                cuts.sort()
                var chunks: [[UInt8]] = []
                var start = 0
                for cut in cuts {
                    chunks.append(Array(bytes[start..<cut]))
                    start = cut
                }
                chunks.append(Array(bytes[start...]))
                cases.append(Case(encoding: encoding, chunks: chunks, endWithLast: inputs.chance(0.3)))
            }
        }
        let lines = cases.map { c in
            "\(c.encoding.rawValue) \(c.endWithLast ? "E" : "e") " + c.chunks.map { $0.isEmpty ? "-" : Oracle.hex($0) }.joined(separator: " ")
        }
        let answers = try Oracle.ask(Self.script, lines)

        var writes = 0, moved = 0
        for (c, answer) in zip(cases, answers) {
            let node = Oracle.fields(answer).map { Oracle.units($0) }
            var decoder = StringDecoder(c.encoding)
            var ours: [[UInt16]] = []
            let written = c.endWithLast ? c.chunks.dropLast() : c.chunks[...]
            for chunk in written { ours.append(Array(decoder.write(Buffer(chunk)).utf16)) }
            ours.append(Array(decoder.end(c.endWithLast ? Buffer(c.chunks.last!) : nil).utf16))
            let context = "\(c.encoding) chunks \(c.chunks.map { Buffer($0).description }) end(last): \(c.endWithLast)"
            try #require(ours.count == node.count, "\(context)")
            // Write for write: Node's output, except that a high surrogate ending one output moves to the
            // front of the next (end()'s output keeps it), then lone surrogates as U+FFFD.
            var carry: [UInt16] = []
            for (index, (mine, theirs)) in zip(ours, node).enumerated() {
                var expected = carry + theirs
                carry = []
                if index < node.count - 1, let last = expected.last, last & 0xFC00 == 0xD800 {
                    carry = [expected.removeLast()]
                    moved += 1
                }
                #expect(mine == Oracle.replacingLoneSurrogates(expected), "\(context)")
                writes += 1
            }
            // Concatenated: always Node's whole text, lone surrogates as U+FFFD.
            #expect(ours.flatMap { $0 } == Oracle.replacingLoneSurrogates(node.flatMap { $0 }), "\(context)")
        }
        print("StringDecoderTests: \(cases.count) chunked inputs, \(writes) outputs compared with node; \(moved) trailing high surrogates carried to the next output")
    }
}
