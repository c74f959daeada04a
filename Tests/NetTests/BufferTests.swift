import Net
import Testing

/// Buffer, Encoding and Chunk, one rule at a time. Expected values were taken from Node v20 (`node -e`);
/// EncodingDifferentialTests checks the same rules on random inputs.
@Suite struct BufferTests {
    static func units(_ string: String) -> [UInt16] { Array(string.utf16) }

    // MARK: Building

    @Test func buildsFromBytesStringsAndLiterals() {
        let literal: Buffer = [0x68, 0x69]
        let text: Buffer = "hi"
        #expect(literal == text)
        #expect(Buffer([0x68, 0x69]) == text)
        #expect(Buffer("hi".utf8) == text)
        #expect(Buffer([0x68, 0x69][...]) == text)
        #expect(Buffer("hi") == text)
        #expect(Buffer("6869", encoding: .hex) == text)
        #expect(Buffer.from("aGk=", .base64) == text)
        #expect(Buffer.from([0x68, 0x69]) == text)
        #expect(Buffer(count: 3).bytes == [0, 0, 0])
        #expect(Buffer.alloc(2, fill: 7).bytes == [7, 7])
        #expect(Buffer().isEmpty)
        #expect(text.length == 2 && text.count == 2)
    }

    @Test func fillsInPlaceWithOneCopy() {
        let source: [UInt8] = [1, 2, 3, 4, 5]
        let buffer = Buffer(unsafeUninitializedCapacity: 8) { out, initialized in
            source.withUnsafeBufferPointer { _ = out.initialize(from: $0) }
            initialized = 5
        }
        #expect(buffer.bytes == source)
        var copy = buffer
        copy.withUnsafeMutableBytes { $0[0] = 9 }
        #expect(copy.bytes == [9, 2, 3, 4, 5])
        #expect(buffer[0] == 1, "value semantics: the original is unchanged")
        #expect(buffer.withUnsafeBytes { $0.reduce(0) { $0 + Int($1) } } == 15)
    }

    @Test func isAMutableRandomAccessCollectionIndexedFromZero() {
        var buffer: Buffer = [10, 20, 30, 40]
        #expect(buffer.startIndex == 0 && buffer.endIndex == 4)
        #expect(buffer.indices == 0..<4)
        buffer[1] = 21
        #expect(Array(buffer) == [10, 21, 30, 40])
        #expect(Array(buffer[1..<3]) == [21, 30])
        buffer.append(50)
        buffer.append(contentsOf: [60, 70])
        #expect(buffer.count == 7)
        buffer.removeFirst(2)
        #expect(buffer.bytes == [30, 40, 50, 60, 70])
        #expect((buffer + [80]).last == 80)
        #expect(buffer.reversed().first == 70)
        #expect(buffer.withContiguousStorageIfAvailable { $0.count } == 5)
    }

    @Test func equatableAndHashable() {
        let a: Buffer = "abc", b = Buffer([0x61, 0x62, 0x63])
        #expect(a == b)
        #expect(a != "abd")
        #expect(Set([a, b, "x"]).count == 2)
    }

    // MARK: Encoding names

    @Test func encodingNamesAsNodeIsEncoding() {
        let accepted = ["utf8", "UTF8", "utf-8", "Utf-8", "ucs2", "UCS-2", "ucs-2", "utf16le", "utf-16le", "UTF-16LE",
                        "latin1", "LATIN1", "binary", "Binary", "ascii", "ASCII", "base64", "BASE64", "base64url",
                        "Base64URL", "hex", "HEX"]
        for name in accepted { #expect(Buffer.isEncoding(name), "\(name)") }
        for name in ["buffer", "", "utf16", "utf-16", "ucs2 ", " utf8", "utf8\u{0}", "latin-1", "base-64"] {
            #expect(!Buffer.isEncoding(name), "\(name)")
        }
        #expect(Encoding("UTF-8") == .utf8)
        #expect(Encoding("ucs-2") == .utf16le)
        #expect(Encoding("Binary") == .latin1)
        #expect(Encoding.ucs2 == .utf16le && Encoding.binary == .latin1)
        #expect(Encoding.allCases.map(\.rawValue) == ["utf8", "utf16le", "latin1", "ascii", "base64", "base64url", "hex"])
        #expect("\(Encoding.base64url)" == "base64url")
    }

    // MARK: utf8

    @Test func utf8ReplacesEachMaximalInvalidSubpart() {
        let cases: [([UInt8], [UInt16])] = [
            ([0xED, 0xA0, 0x80], [0xFFFD, 0xFFFD, 0xFFFD]),  // a surrogate encoded in UTF-8
            ([0xED, 0xBF, 0xBF], [0xFFFD, 0xFFFD, 0xFFFD]),
            ([0xC0, 0x80], [0xFFFD, 0xFFFD]),  // overlong
            ([0xC1, 0xBF], [0xFFFD, 0xFFFD]),
            ([0xE0, 0x80, 0x80], [0xFFFD, 0xFFFD, 0xFFFD]),
            ([0xF0, 0x80, 0x80, 0x80], [0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD]),
            ([0xF4, 0x90, 0x80, 0x80], [0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD]),  // beyond U+10FFFF
            ([0xF5], [0xFFFD]), ([0xF8], [0xFFFD]), ([0xFF], [0xFFFD]), ([0x80], [0xFFFD]),
            ([0xE2, 0x82], [0xFFFD]),  // truncated: one for the whole valid prefix
            ([0xF0, 0x9F, 0x98], [0xFFFD]),
            ([0xE2, 0x28, 0xA1], [0xFFFD, 0x28, 0xFFFD]),
            ([0xF0, 0x9F, 0x41], [0xFFFD, 0x41]),
            ([0xC2, 0xC2], [0xFFFD, 0xFFFD]),
            ([0xF0, 0x9F, 0x98, 0x80], [0xD83D, 0xDE00]),
            ([0xF4, 0x8F, 0xBF, 0xBF], [0xDBFF, 0xDFFF]),
            ([0xEF, 0xBF, 0xBF], [0xFFFF]),
            ([0xED, 0x9F, 0xBF], [0xD7FF]),
        ]
        for (bytes, expected) in cases {
            #expect(Self.units(Buffer(bytes).toString()) == expected, "\(Buffer(bytes))")
        }
    }

    @Test func utf8Encodes() {
        #expect(Buffer("Aé€😀").bytes == [65, 195, 169, 226, 130, 172, 240, 159, 152, 128])
        #expect(Buffer.byteLength("Aé€😀") == 10)
        #expect(Buffer("Aé€😀").toString() == "Aé€😀")
    }

    // MARK: latin1, ascii, utf16le

    @Test func latin1AndASCII() {
        let bytes: Buffer = [0x00, 0x41, 0x7F, 0x80, 0xE9, 0xFF]
        #expect(bytes.toString(.latin1) == "\u{0}A\u{7F}\u{80}éÿ")
        #expect(bytes.toString(.binary) == bytes.toString(.latin1))
        #expect(bytes.toString(.ascii) == "\u{0}A\u{7F}\u{0}i\u{7F}", "ascii clears the high bit")
        // Writing keeps the low byte of each UTF-16 code unit (😀 is D83D DE00).
        #expect(Buffer("Aé€😀", encoding: .latin1).bytes == [65, 233, 172, 61, 0])
        #expect(Buffer("Aé€😀", encoding: .ascii).bytes == [65, 233, 172, 61, 0])
        #expect(Buffer.byteLength("Aé€😀", encoding: .latin1) == 5)
    }

    @Test func utf16le() {
        #expect(Buffer("Aé€😀", encoding: .utf16le).bytes == [65, 0, 233, 0, 172, 32, 61, 216, 0, 222])
        #expect(Buffer.byteLength("Aé€😀", encoding: .ucs2) == 10)
        #expect(Buffer([0x41, 0x00, 0xE9, 0x00, 0xAC, 0x20]).toString(.utf16le) == "Aé€")
        #expect(Buffer([0x41, 0x00, 0x42]).toString(.utf16le) == "A", "the odd trailing byte is dropped")
        #expect(Buffer([0x3D, 0xD8, 0x00, 0xDE]).toString(.ucs2) == "😀")
        // Lone surrogates (Node keeps them) are U+FFFD, one per code unit.
        #expect(Self.units(Buffer([0x00, 0xD8, 0x41, 0x00]).toString(.utf16le)) == [0xFFFD, 0x41])
        #expect(Self.units(Buffer([0x00, 0xDC, 0x00, 0xD8]).toString(.utf16le)) == [0xFFFD, 0xFFFD])
        #expect(Self.units(Buffer([0x00, 0xD8, 0x00, 0xD8, 0x00, 0xDC]).toString(.utf16le)) == [0xFFFD, 0xD800, 0xDC00])
    }

    // MARK: base64, base64url

    @Test func base64Encodes() {
        let bytes: Buffer = [0x00, 0x41, 0x7F, 0x80, 0xE9, 0xFF]
        #expect(bytes.toString(.base64) == "AEF/gOn/")
        #expect(bytes.toString(.base64url) == "AEF_gOn_")
        #expect(Buffer([0xFB, 0xFF]).toString(.base64) == "+/8=")
        #expect(Buffer([0xFB, 0xFF]).toString(.base64url) == "-_8", "base64url is unpadded")
        #expect(Buffer([0xFB]).toString(.base64) == "+w==")
        #expect(Buffer().toString(.base64) == "")
    }

    @Test func base64DecodesLeniently() {
        let hello: [UInt8] = Array("hello".utf8)
        let cases: [(String, Encoding, [UInt8], Int)] = [  // text, encoding, Node's bytes, Node's byteLength
            ("aGVsbG8=", .base64, hello, 5),
            ("aGVsbG8", .base64, hello, 5),  // padding optional
            ("aGVs bG8=\n", .base64, hello, 7),  // whitespace skipped
            ("aGVs*bG8", .base64, hello, 6),  // junk skipped
            ("aGVsbG8==", .base64, hello, 5),
            ("aGV=sbG8", .base64, [104, 101], 6),  // stops at the first '='
            ("a", .base64, [], 0),
            ("aG", .base64, [104], 1),
            ("aGV", .base64, [104, 101], 2),
            ("-_-_", .base64, [251, 255, 191], 3),  // either alphabet, either encoding
            ("+/+/", .base64url, [251, 255, 191], 3),
            ("====", .base64, [], 1),
            ("", .base64, [], 0),
            ("YQ😀YQ", .base64, [97], 4),  // only low bytes are read: D83D reads as '='
            ("ŁQ==", .base64, [1], 1),  // U+0141 reads as 'A'
        ]
        for (text, encoding, bytes, length) in cases {
            #expect(Buffer(text, encoding: encoding).bytes == bytes, "\(text.debugDescription)")
            #expect(Buffer.byteLength(text, encoding: encoding) == length, "\(text.debugDescription)")
        }
    }

    // MARK: hex

    @Test func hex() {
        #expect(Buffer([0x00, 0x41, 0x7F, 0x80, 0xE9, 0xFF]).toString(.hex) == "00417f80e9ff")
        let hello: [UInt8] = Array("Hello".utf8)
        let cases: [(String, [UInt8], Int)] = [
            ("48656c6c6f", hello, 5), ("48656C6C6F", hello, 5),
            ("4865z6c", [72, 101], 3),  // stops at the first bad pair
            ("486", [72], 1),  // odd length: the last digit is dropped
            ("zz48", [], 2), ("4 86", [], 2), ("", [], 0),
            ("İŁ", [0x0A], 1),  // only low bytes are read: U+0130 U+0141 read as "0A"
        ]
        for (text, bytes, length) in cases {
            #expect(Buffer(text, encoding: .hex).bytes == bytes, "\(text.debugDescription)")
            #expect(Buffer.byteLength(text, encoding: .hex) == length, "\(text.debugDescription)")
        }
    }

    // MARK: Slicing, concat

    @Test func subarrayClampsAsNode() {
        let buffer: Buffer = "hello world"
        #expect(buffer.subarray(start: -3).toString() == "rld")
        #expect(buffer.subarray(start: -100).toString() == "hello world")
        #expect(buffer.subarray(start: 2, end: -2).toString() == "llo wor")
        #expect(buffer.subarray(start: 5, end: 2).isEmpty)
        #expect(buffer.subarray(start: 100).isEmpty)
        #expect(buffer.subarray(start: 3, end: 100).toString() == "lo world")
        #expect(buffer.subarray(start: -5, end: -2).toString() == "wor")
        #expect(buffer.subarray(end: 3).toString() == "hel")
        #expect(buffer.slice(start: 1, end: 3).toString() == "el")
        var copy = buffer.subarray(start: 0, end: 1)
        copy[0] = 0x4A
        #expect(buffer[0] == 0x68, "a subarray is a copy")
    }

    @Test func toStringRangeClampsAsNode() {
        let buffer: Buffer = "hello world"
        #expect(buffer.toString(.utf8, start: -3) == "hello world", "a negative start is 0, not from the end")
        #expect(buffer.toString(.utf8, start: 2, end: -2) == "")
        #expect(buffer.toString(.utf8, start: 5, end: 2) == "")
        #expect(buffer.toString(.utf8, start: 100) == "")
        #expect(buffer.toString(.utf8, start: 3, end: 100) == "lo world")
        #expect(buffer.toString(.hex, start: 0, end: 3) == "68656c")
        #expect(buffer.toString(start: -5, end: 3) == "hel")
    }

    @Test func concatenates() {
        let a: Buffer = "ab", c: Buffer = "cd"
        #expect(Buffer.concat([a, c]).toString() == "abcd")
        #expect(Buffer.concat([a, c], totalLength: 3).bytes == [97, 98, 99])
        #expect(Buffer.concat([a], totalLength: 5).bytes == [97, 98, 0, 0, 0])
        #expect(Buffer.concat([]).isEmpty)
        #expect(Buffer.concat([a], totalLength: 0).isEmpty)
        #expect(Buffer.concat([Buffer(), a, Buffer()]).toString() == "ab")
    }

    // MARK: Printing

    @Test func printsAsNodeInspect() {
        #expect(Buffer("hello").description == "<Buffer 68 65 6c 6c 6f>")
        #expect(Buffer().description == "<Buffer >")
        let fifty = String(repeating: " 00", count: 50)
        #expect(Buffer(count: 50).description == "<Buffer\(fifty)>")
        #expect(Buffer(count: 51).description == "<Buffer\(fifty) ... 1 more byte>")
        #expect(Buffer(count: 60).description == "<Buffer\(fifty) ... 10 more bytes>")
        #expect("\(Buffer([0xAB]))" == "<Buffer ab>")
    }

    // MARK: Chunk

    @Test func chunkConveniences() {
        let bytes = Chunk.buffer([0xE2, 0x82, 0xAC])
        let text = Chunk.string("€")
        #expect(bytes.buffer == text.buffer)
        #expect(bytes.string == nil)
        #expect(text.string == "€")
        #expect(bytes.toString() == "€" && text.toString(.hex) == "€")
        #expect(bytes.byteLength == 3 && text.byteLength == 3 && text.count == 3)
        #expect(Chunk.string("").isEmpty && Chunk.buffer(Buffer()).isEmpty && !text.isEmpty)
        #expect(bytes != text)
        #expect(bytes.description == "<Buffer e2 82 ac>")
        #expect(text.description == "€")
    }
}
