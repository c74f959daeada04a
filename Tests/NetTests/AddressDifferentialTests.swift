import Foundation
import Net
import NetTestSupport
import Testing

/// Net against the `node` binary on generated inputs: isIP/isIPv4/isIPv6, SocketAddress normalisation and
/// validation, SocketAddress.parse (against Node's WHATWG URL host parsing), and BlockList over random rule
/// sets. One `node` process answers one JSON batch on stdin; every answer must agree.
///
/// The generator is seeded: the seed is printed, and `ADDRESS_DIFF_SEED=<n>` replays a run.
@Suite struct AddressDifferentialTests {
    static let inputCount = 100_000

    @Test func agreesWithNode() throws {
        let seed = ProcessInfo.processInfo.environment["ADDRESS_DIFF_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("AddressDifferentialTests seed=\(seed) (replay with ADDRESS_DIFF_SEED=\(seed))")
        var gen = Generator(seed: seed)

        let inputs = (0..<Self.inputCount).map { _ in gen.input() }
        let options = (0..<5_000).map { _ in gen.socketAddressOptions() }
        let parseInputs = (0..<10_000).map { _ in gen.parseInput() }
        let lists = (0..<300).map { _ in gen.blockList() }

        // One request, one node process.
        var json = JSONWriter()
        json.raw("{\"inputs\":")
        json.array(inputs) { $0.string($1) }
        json.raw(",\"options\":")
        json.array(options) { w, o in
            w.raw("[")
            if let a = o.address { w.string(a) } else { w.raw("null") }
            w.raw(",\(o.port),"); w.string(o.family); w.raw(",\(o.flowlabel)]")
        }
        json.raw(",\"parse\":")
        json.array(parseInputs) { $0.string($1) }
        json.raw(",\"lists\":")
        json.array(lists) { w, list in
            w.raw("{\"ops\":")
            w.array(list.ops) { w, op in w.array(op.json) { $0.value($1) } }
            w.raw(",\"checks\":")
            w.array(list.checks) { w, c in w.raw("["); w.string(c.address); w.raw(","); w.string(c.family); w.raw("]") }
            w.raw("}")
        }
        json.raw("}")

        let output = try Node.run(Self.oracle, stdin: Data(json.bytes))
        #expect(output.status == 0, "node failed: \(output.stderr)")
        let answer = try #require(
            try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "node said: \(output.stderr)")

        var report = Report()

        // isIP, isIPv4, isIPv6: three characters per input.
        let isip = Array(try #require(answer["isip"] as? String).utf8)
        #expect(isip.count == 3 * inputs.count)
        for (i, s) in inputs.enumerated() where 3 * i + 2 < isip.count {
            let mine: [UInt8] = [UInt8(ascii: "0") + UInt8(isIP(s)), isIPv4(s) ? 49 : 48, isIPv6(s) ? 49 : 48]
            report.compare("isIP", s, String(decoding: mine[0...0], as: UTF8.self), String(decoding: isip[3 * i...3 * i], as: UTF8.self))
            report.compare("isIPv4", s, String(decoding: mine[1...1], as: UTF8.self), String(decoding: isip[3 * i + 1...3 * i + 1], as: UTF8.self))
            report.compare("isIPv6", s, String(decoding: mine[2...2], as: UTF8.self), String(decoding: isip[3 * i + 2...3 * i + 2], as: UTF8.self))
        }

        // SocketAddress normalisation of every input, in each family.
        for family in ["ipv4", "ipv6"] {
            let theirs = try #require(answer[family] as? [String])
            #expect(theirs.count == inputs.count)
            for (s, expected) in zip(inputs, theirs) {
                let mine: String
                do { mine = try SocketAddress(address: s, family: family).address } catch { mine = "!" + error.code }
                report.compare("SocketAddress(\(family))", s, mine, expected)
            }
        }

        // SocketAddress options: every field, or the error's code and message.
        let optionAnswers = try #require(answer["options"] as? [String])
        for (o, expected) in zip(options, optionAnswers) {
            let mine: String
            do {
                let sa = try SocketAddress(address: o.address, port: o.port, family: o.family, flowlabel: o.flowlabel)
                mine = "\(sa.address)|\(sa.port)|\(sa.family)|\(sa.flowlabel)"
            } catch {
                mine = "!\(error.code)|\(error.name)|\(error.message)"
            }
            report.compare("SocketAddress(options)", "\(o)", mine, expected)
        }

        // SocketAddress.parse against `new URL('http://' + input)`.
        let parseAnswers = try #require(answer["parse"] as? [String])
        for (s, expected) in zip(parseInputs, parseAnswers) {
            let mine = SocketAddress.parse(s).map { "\($0.address)|\($0.port)|\($0.family)" } ?? "undefined"
            report.compare("SocketAddress.parse", s, mine, expected)
        }

        // BlockList: each rule's error code (or none), the rules' text, and every check.
        let listAnswers = try #require(answer["lists"] as? [[String: Any]])
        var checkCount = 0
        for (n, (list, theirs)) in zip(lists, listAnswers).enumerated() {
            let blockList = BlockList()
            let errors = try #require(theirs["errs"] as? [String])
            for (op, expected) in zip(list.ops, errors) {
                var mine = ""
                do { try op.apply(to: blockList) } catch { mine = error.code }
                report.compare("BlockList[\(n)] rule", "\(op.json)", mine, expected)
            }
            report.compare("BlockList[\(n)].rules", "", "\(blockList.rules)", "\(try #require(theirs["rules"] as? [String]))")
            let checks = Array(try #require(theirs["checks"] as? String).utf8)
            #expect(checks.count == list.checks.count)
            for (c, expected) in zip(list.checks, checks) {
                let mine = blockList.check(c.address, type: c.family)
                report.compare("BlockList[\(n)].check", "\(c.address) \(c.family) rules=\(blockList.rules)", mine ? "1" : "0", expected == 49 ? "1" : "0")
                checkCount += 1
            }
        }

        print("AddressDifferentialTests outcomes: " + report.tally.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " "))
        print("AddressDifferentialTests: \(report.compared) comparisons (\(inputs.count) inputs, \(checkCount) BlockList checks), \(report.mismatches) mismatches")
        #expect(inputs.count >= 100_000 && checkCount >= 100_000)
        #expect(report.mismatches == 0, "seed \(seed):\n\(report.examples.joined(separator: "\n"))")
    }

    /// Every error BlockList and SocketAddress throw, message and all, against Node's, and inspect output.
    @Test func errorMessagesMatchNode() throws {
        let script = #"""
        const net = require('net');
        const util = require('util');
        const run = (f) => { try { f(); return 'ok'; } catch (e) { return `${e.code}|${e.name}|${e.message}`; } };
        const bl = new net.BlockList();
        const v6 = (a) => new net.SocketAddress({ address: a, family: 'ipv6' });
        const out = [
          run(() => bl.addRange('1.1.1.2', '1.1.1.1')),
          run(() => bl.addRange('::2', '::1', 'IPv6')),
          run(() => bl.addRange(v6('::ffff:1.1.1.9'), new net.SocketAddress({ address: '1.1.1.1' }))),
          run(() => bl.addSubnet('1.1.1.1', 33)),
          run(() => bl.addSubnet('1.1.1.1', -1)),
          run(() => bl.addSubnet('::', 129, 'ipv6')),
          run(() => bl.addSubnet(v6('::'), 200)),
          run(() => bl.addAddress('1.1.1.1', 'foo')),
          run(() => bl.addAddress('1.1.1.1', "it's")),
          run(() => bl.addAddress('::1')),
          run(() => bl.addAddress('1.1.1.1', 'IPV6')),
          run(() => new net.SocketAddress({ port: 65536 })),
          run(() => new net.SocketAddress({ port: -1 })),
          run(() => new net.SocketAddress({ flowlabel: -1 })),
          run(() => new net.SocketAddress({ flowlabel: 2 ** 32 })),
          run(() => new net.SocketAddress({ family: 'IPv4' })),
          run(() => new net.SocketAddress({ family: 'inet6' })),
          util.inspect(new net.SocketAddress({ address: 'fe80::1%eth0', family: 'ipv6', port: 8, flowlabel: 9 })),
        ];
        bl.addAddress('1.1.1.1');
        out.push(util.inspect(bl));
        bl.addSubnet('::', 0, 'ipv6');
        out.push(JSON.stringify(bl.rules));
        console.log(JSON.stringify(out));
        """#
        let output = try Node.run(script)
        let node = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String], "\(output.stderr)")

        func run(_ body: () throws -> Void) -> String {
            do { try body(); return "ok" } catch let e as NetError { return "\(e.code)|\(e.name)|\(e.message)" } catch { return "\(error)" }
        }
        let bl = BlockList()
        let v6 = { (a: String) throws -> SocketAddress in try SocketAddress(address: a, family: "ipv6") }
        var mine = [
            run { try bl.addRange("1.1.1.2", "1.1.1.1") },
            run { try bl.addRange("::2", "::1", type: "IPv6") },
            run { try bl.addRange(v6("::ffff:1.1.1.9"), SocketAddress(address: "1.1.1.1")) },
            run { try bl.addSubnet("1.1.1.1", prefix: 33) },
            run { try bl.addSubnet("1.1.1.1", prefix: -1) },
            run { try bl.addSubnet("::", prefix: 129, type: "ipv6") },
            run { try bl.addSubnet(v6("::"), prefix: 200) },
            run { try bl.addAddress("1.1.1.1", type: "foo") },
            run { try bl.addAddress("1.1.1.1", type: "it's") },
            run { try bl.addAddress("::1") },
            run { try bl.addAddress("1.1.1.1", type: "IPV6") },
            run { _ = try SocketAddress(port: 65536) },
            run { _ = try SocketAddress(port: -1) },
            run { _ = try SocketAddress(flowlabel: -1) },
            run { _ = try SocketAddress(flowlabel: 1 << 32) },
            run { _ = try SocketAddress(family: "IPv4") },
            run { _ = try SocketAddress(family: "inet6") },
            try SocketAddress(address: "fe80::1%eth0", port: 8, family: "ipv6", flowlabel: 9).description,
        ]
        try bl.addAddress("1.1.1.1")
        mine.append(bl.description)
        try bl.addSubnet("::", prefix: 0, type: "ipv6")
        mine.append("[" + bl.rules.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        #expect(mine.count == node.count)
        for (m, n) in zip(mine, node) { #expect(m == n) }
    }

    struct Report {
        /// How often each answer came up, to show that the inputs reach both outcomes of every comparison.
        var tally: [String: Int] = [:]
        var compared = 0
        var mismatches = 0
        var examples: [String] = []

        mutating func compare(_ what: String, _ input: String, _ mine: String, _ node: String) {
            compared += 1
            let kind = what.hasPrefix("BlockList[") ? "BlockList" + what.drop(while: { $0 != "]" }).dropFirst() : what
            let outcome: String
            if node.hasPrefix("!") || node.hasPrefix("ERR_") {
                outcome = String(node.prefix(while: { $0 != "|" }))
            } else if node.isEmpty || node == "undefined" {
                outcome = node.isEmpty ? "none" : node
            } else {
                outcome = node.count == 1 ? node : "ok"
            }
            tally["\(kind)=\(outcome)", default: 0] += 1
            guard mine != node else { return }
            mismatches += 1
            if examples.count < 25 { examples.append("\(what) \(input.debugDescription): net=\(mine.debugDescription) node=\(node.debugDescription)") }
        }
    }

    /// Node's side: the same calls, answers in the same order.
    static let oracle = #"""
    const net = require('net');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => {
      const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const out = {};
      const parts = [];
      for (const x of req.inputs) parts.push(`${net.isIP(x)}${net.isIPv4(x) ? 1 : 0}${net.isIPv6(x) ? 1 : 0}`);
      out.isip = parts.join('');
      for (const family of ['ipv4', 'ipv6']) {
        out[family] = req.inputs.map((address) => {
          try { return new net.SocketAddress({ address, family }).address; } catch (e) { return '!' + e.code; }
        });
      }
      out.options = req.options.map(([address, port, family, flowlabel]) => {
        const o = { port, family, flowlabel };
        if (address !== null) o.address = address;
        try {
          const s = new net.SocketAddress(o);
          return `${s.address}|${s.port}|${s.family}|${s.flowlabel}`;
        } catch (e) { return `!${e.code}|${e.name}|${e.message}`; }
      });
      // SocketAddress.parse as newer Node: the host of http://<input>, the port as written.
      out.parse = req.parse.map((input) => {
        let url;
        try { url = new URL(`http://${input}`); } catch { return 'undefined'; }
        let port = url.port === '' ? 0 : Number(url.port);
        if (url.port === '') { try { if (new URL(`https://${input}`).port === '80') port = 80; } catch {} }
        const host = url.hostname;
        try {
          const s = host.startsWith('[') && host.endsWith(']') ?
            new net.SocketAddress({ address: host.slice(1, -1), port, family: 'ipv6' }) :
            new net.SocketAddress({ address: host, port });
          return `${s.address}|${s.port}|${s.family}`;
        } catch { return 'undefined'; }
      });
      out.lists = req.lists.map(({ ops, checks }) => {
        const bl = new net.BlockList();
        const errs = ops.map((op) => {
          try {
            switch (op[0]) {
              case 'a': bl.addAddress(op[1], op[2]); break;
              case 'r': bl.addRange(op[1], op[2], op[3]); break;
              case 's': bl.addSubnet(op[1], op[2], op[3]); break;
              case 'R': bl.addRange(new net.SocketAddress({ address: op[1], family: op[2] }),
                                    new net.SocketAddress({ address: op[3], family: op[4] })); break;
            }
            return '';
          } catch (e) { return e.code; }
        });
        return { errs, rules: bl.rules, checks: checks.map(([a, f]) => bl.check(a, f) ? '1' : '0').join('') };
      });
      process.stdout.write(JSON.stringify(out));
    });
    """#
}

// MARK: - Generator

/// SplitMix64: small, fast and seedable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct SocketAddressOptions: CustomStringConvertible {
    var address: String?
    var port: Int
    var family: String
    var flowlabel: Int
    var description: String { "{address: \(address.debugDescription), port: \(port), family: \(family.debugDescription), flowlabel: \(flowlabel)}" }
}

/// A BlockList rule as both sides apply it.
enum RuleOp {
    case address(String, String)
    case range(String, String, String)
    case subnet(String, Int, String)
    case socketRange(String, String, String, String)

    var json: [JSONWriter.Value] {
        switch self {
        case .address(let a, let f): return [.s("a"), .s(a), .s(f)]
        case .range(let a, let b, let f): return [.s("r"), .s(a), .s(b), .s(f)]
        case .subnet(let a, let p, let f): return [.s("s"), .s(a), .i(p), .s(f)]
        case .socketRange(let a, let fa, let b, let fb): return [.s("R"), .s(a), .s(fa), .s(b), .s(fb)]
        }
    }

    func apply(to list: BlockList) throws(NetError) {
        switch self {
        case .address(let a, let f): try list.addAddress(a, type: f)
        case .range(let a, let b, let f): try list.addRange(a, b, type: f)
        case .subnet(let a, let p, let f): try list.addSubnet(a, prefix: p, type: f)
        case .socketRange(let a, let fa, let b, let fb):
            try list.addRange(try SocketAddress(address: a, family: fa), try SocketAddress(address: b, family: fb))
        }
    }
}

struct GeneratedList {
    var ops: [RuleOp]
    var checks: [(address: String, family: String)]
}

struct Generator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    // MARK: Address text

    mutating func octet() -> UInt8 {
        chance(0.5) ? pick([0, 1, 9, 10, 99, 100, 199, 200, 249, 250, 255]) : UInt8.random(in: 0...255, using: &rng)
    }

    mutating func v4Value() -> UInt32 {
        (0..<4).reduce(UInt32(0)) { acc, _ in acc << 8 | UInt32(octet()) }
    }

    static func v4Text(_ x: UInt32) -> String {
        "\(x >> 24).\(x >> 16 & 0xFF).\(x >> 8 & 0xFF).\(x & 0xFF)"
    }

    mutating func group() -> UInt16 {
        switch int(0...5) {
        case 0, 1: return 0
        case 2: return pick([0xFFFF, 1, 0xF, 0x10, 0xFF, 0x100, 0xFFF, 0x1000])
        default: return UInt16.random(in: 0...0xFFFF, using: &rng)
        }
    }

    /// A group in hex, sometimes upper case or zero-padded.
    mutating func hex(_ g: UInt16) -> String {
        var s = String(g, radix: 16)
        if chance(0.2) { s = String(repeating: "0", count: int(0...(4 - s.count))) + s }
        if chance(0.15) { s = s.uppercased() }
        return s
    }

    /// Any valid IPv6 text: compressed or not, with an embedded dotted quad or a zone sometimes.
    mutating func v6Text() -> String {
        var groups = (0..<8).map { _ in group() }
        if chance(0.15) { groups[0...4] = [0, 0, 0, 0, 0]; groups[5] = 0xFFFF }  // IPv4-mapped
        let dotted = chance(0.2)
        let count = dotted ? 6 : 8
        var texts = (0..<count).map { hex(groups[$0]) }
        // Compress a run of zero groups (or any run, which is fine too: "::" then stands for them).
        var out: String
        if chance(0.7) {
            let start = int(0...count - 1)
            let length = int(1...min(count - start, 8))
            let head = texts[0..<start].joined(separator: ":")
            let tail = texts[(start + length)...].joined(separator: ":")
            out = head + "::" + tail
            if dotted { out += (tail.isEmpty ? "" : ":") + Self.v4Text(UInt32(groups[6]) << 16 | UInt32(groups[7])) }
        } else {
            if dotted { texts.append(Self.v4Text(UInt32(groups[6]) << 16 | UInt32(groups[7]))) }
            out = texts.joined(separator: ":")
        }
        if chance(0.1) { out += "%" + zone() }
        return out
    }

    mutating func zone() -> String {
        let chars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-")
        return String((0..<int(1...8)).map { _ in pick(chars) })
    }

    // MARK: Mutations

    static let noise: [String] = [
        "0", "1", "9", "00", "255", "256", ":", "::", ".", "%", "a", "f", "F", "g", "x", " ", "\t", "\n", "\r",
        "\0", "-", "[", "]", "/", "@", "+", "é", "٣", "𝟙", "\u{FEFF}", "ffff", "1.2.3.4", "%eth0", "%25",
    ]

    mutating func mutate(_ s: String) -> String {
        var chars = Array(s.unicodeScalars).map(String.init)
        for _ in 0..<int(1...3) {
            let at = int(0...chars.count)
            switch int(0...9) {
            case 0, 1:  // replace
                if at < chars.count { chars[at] = pick(Self.noise) }
            case 2, 3:  // insert
                chars.insert(pick(Self.noise), at: at)
            case 4:  // delete
                if at < chars.count { chars.remove(at: at) }
            case 5:  // truncate
                if chance(0.5) { chars = Array(chars.prefix(at)) } else { chars = Array(chars.suffix(chars.count - at)) }
            case 6:  // leading zeros before a number
                chars.insert(String(repeating: "0", count: int(1...3)), at: at)
            case 7:  // whitespace around
                if chance(0.5) { chars.insert(pick([" ", "\t", "\n"]), at: 0) } else { chars.append(pick([" ", "\t", "\n", "\r\n"])) }
            case 8:  // duplicate a piece
                if at < chars.count {
                    let end = min(chars.count, at + int(1...6))
                    chars.insert(contentsOf: chars[at..<end], at: end)
                }
            default:  // swap two
                if at < chars.count {
                    let other = int(0...chars.count - 1)
                    chars.swapAt(at, other)
                }
            }
        }
        return chars.joined()
    }

    mutating func randomText() -> String {
        let alphabet = ["0", "1", "2", "5", "9", "a", "f", "F", "x", ":", ".", "%", " ", "\0", "é", "-"]
        return (0..<int(0...20)).map { _ in pick(alphabet) }.joined()
    }

    mutating func input() -> String {
        switch int(0...19) {
        case 0...2: return Self.v4Text(v4Value())
        case 3...5: return v6Text()
        case 6...10: return mutate(Self.v4Text(v4Value()))
        case 11...17: return mutate(v6Text())
        default: return randomText()
        }
    }

    // MARK: SocketAddress options

    mutating func socketAddressOptions() -> SocketAddressOptions {
        let family = pick(["ipv4", "ipv6", "ipv4", "ipv6", "IPv4", "IPV6", "ipv5", "", "ipv4 ", "inet"])
        let address: String? = chance(0.1) ? nil : pick([Self.v4Text(v4Value()), v6Text(), input()])
        let port = chance(0.8) ? int(0...65535) : pick([-1, 65536, 70000, Int(Int32.max), -65536])
        // Node v20 aborts the process on an IPv6 flow label above 20 bits, so none is generated.
        let flowlabel = chance(0.8) ? int(0...0xF_FFFF) : pick([-1, 4_294_967_296, -4_294_967_297])
        return SocketAddressOptions(address: address, port: port, family: family, flowlabel: flowlabel)
    }

    // MARK: SocketAddress.parse inputs

    mutating func parseInput() -> String {
        var host: String
        switch int(0...9) {
        case 0...2: host = Self.v4Text(v4Value())
        case 3...4: host = "[" + v6Text() + "]"
        case 5: host = pick(["0x7f.1", "0177.0.0.1", "2130706433", "192.168.257", "0x.0x.0", "0xffffffff", "256",
                             "999999999", "1.2.3.4.", "1.2.3.4..", "%31.2.3.4", "0X7F.0.0.1", "4294967296", "1.2.3.0x100"])
        case 6: host = String(int(0...5_000_000_000))
        case 7: host = (0..<int(1...4)).map { _ in pick(["0x", "0", ""]) + String(int(0...300)) }.joined(separator: ".")
        default: host = mutate(chance(0.5) ? Self.v4Text(v4Value()) : "[" + v6Text() + "]")
        }
        var s = host
        if chance(0.5) { s += ":" + pick(["80", "443", "0", "65535", "65536", "080", "", "8x", String(int(0...99999))]) }
        if chance(0.1) { s = pick(["user@", "user:80@", "a:b@c@", "@"]) + s }
        if chance(0.1) { s += pick(["/", "/path", "?q", "#f", "\\x"]) }
        if chance(0.1) { s = mutate(s) }
        // Non-ASCII hosts go through IDNA in Node, which Net does not implement: keep to ASCII.
        return String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.isASCII }))
    }

    // MARK: BlockList

    /// An address near the list's neighbourhood, as (isV4, text), so that rules and checks collide.
    mutating func nearAddress(_ base4: UInt32, _ base6: (UInt64, UInt64)) -> (v4: UInt32?, v6: (UInt64, UInt64)) {
        switch int(0...5) {
        case 0, 1: return (base4 &+ UInt32(int(0...600)), (0, 0))
        case 2: return (nil, (base6.0, base6.1 &+ UInt64(int(0...600))))
        case 3: return (nil, (0, 0x0000_FFFF_0000_0000 | UInt64(base4 &+ UInt32(int(0...600)))))  // mapped
        case 4: return (nil, (0, UInt64(int(0...600))))  // near ::
        default:
            if chance(0.5) { return (v4Value(), (0, 0)) }
            let hi = UInt64.random(in: 0...UInt64.max, using: &rng)
            let lo = UInt64.random(in: 0...UInt64.max, using: &rng)
            return (nil, (hi, lo))
        }
    }

    mutating func text(_ a: (v4: UInt32?, v6: (UInt64, UInt64))) -> (String, String) {
        if let x = a.v4 { return (Self.v4Text(x), pick(["ipv4", "ipv4", "ipv4", "IPv4"])) }
        let (hi, lo) = a.v6
        var groups: [UInt16] = []
        for i in 0..<8 {
            let word: UInt64 = i < 4 ? hi : lo
            let shift = UInt64(48 - 16 * (i % 4))
            groups.append(UInt16(truncatingIfNeeded: word >> shift))
        }
        var t: String
        if hi == 0 && lo >> 32 == 0xFFFF && chance(0.5) {
            t = "::ffff:" + Self.v4Text(UInt32(truncatingIfNeeded: lo))
        } else {
            t = groups.map { String($0, radix: 16) }.joined(separator: ":")
        }
        return (t, pick(["ipv6", "ipv6", "ipv6", "IPV6"]))
    }

    mutating func blockList() -> GeneratedList {
        let base4 = pick([0x0A00_0000, 0xC0A8_0000, 0, 0xFFFF_FC00, v4Value()]) as UInt32
        let base6: (UInt64, UInt64) = pick([(0x2001_0DB8_0000_0000, 0), (0, 0), (0xFE80_0000_0000_0000, 0), (0, 0x0000_FFFF_0000_0000)])
        var ops: [RuleOp] = []
        for _ in 0..<int(0...25) {
            let (a, fa) = text(nearAddress(base4, base6))
            switch int(0...9) {
            case 0...2:
                ops.append(.address(a, chance(0.05) ? pick(["ipv5", "ipv6", "ipv4"]) : fa))
            case 3...5:
                let (b, fb) = text(nearAddress(base4, base6))
                if fa.lowercased() == fb.lowercased() || chance(0.2) {
                    ops.append(.range(a, b, fa))
                } else {
                    ops.append(.socketRange(a, fa, b, fb))
                }
            case 6...8:
                let v4 = fa.lowercased() == "ipv4"
                let prefix: Int
                if chance(0.05) {
                    prefix = pick([-1, 33, 129, 200])
                } else if chance(0.7) {
                    prefix = v4 ? int(22...32) : int(118...128)  // small subnets: checks hit and miss
                } else {
                    prefix = int(0...(v4 ? 32 : 128))
                }
                ops.append(.subnet(a, prefix, fa))
            default:
                let (b, fb) = text(nearAddress(base4, base6))
                ops.append(.socketRange(a, fa, b, fb))
            }
        }
        if chance(0.1) { ops.append(.subnet(pick(["::", "::ffff:0:0", "0.0.0.0"]), pick([0, 80, 96, 104]), pick(["ipv6", "ipv4"]))) }
        var checks: [(String, String)] = []
        for _ in 0..<400 {
            let (a, f) = text(nearAddress(base4, base6))
            if chance(0.03) {
                checks.append((mutate(a), f))
            } else if chance(0.02) {
                checks.append((a, pick(["ipv5", "", "IPv4", "IPV6"])))
            } else {
                checks.append((a, f))
            }
        }
        return GeneratedList(ops: ops, checks: checks)
    }
}

// MARK: - JSON

/// Writes JSON bytes directly (strings escaped as JSON requires), fast enough in a debug build.
struct JSONWriter {
    enum Value {
        case s(String)
        case i(Int)
    }

    var bytes: [UInt8] = []

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func value(_ v: Value) {
        switch v {
        case .s(let s): string(s)
        case .i(let i): raw(String(i))
        }
    }

    mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    mutating func array<T>(_ items: [T], _ each: (inout JSONWriter, T) -> Void) {
        bytes.append(0x5B)
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            each(&self, item)
        }
        bytes.append(0x5D)
    }
}
