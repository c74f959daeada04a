// BlockList's rules as Node's strings and back (Node v22.13+/v23.4+: `toJSON`, `fromJSON`,
// `BlockList.isBlockList`), issue 21.

extension BlockList {
    /// Node's `BlockList.isBlockList(value)`: whether `value` is a ``BlockList``.
    public static func isBlockList(_ value: Any?) -> Bool { value is BlockList }

    /// Node's `blockList.toJSON()`: the rules as ``rules`` gives them, newest first
    /// (`"Address: IPv4 1.1.1.1"`, `"Range: IPv4 10.0.0.1-10.0.0.10"`, `"Subnet: IPv6 8592:757c:efae:4e45::/64"`).
    public func toJSON() -> [String] { rules }

    /// Node's `blockList.fromJSON(data)` with an array: adds each rule written as ``rules`` writes it.
    /// The array is read oldest last (as ``toJSON()`` writes it), so `fromJSON(other.toJSON())` gives the
    /// same ``rules``. A line that is not a rule is skipped, as Node skips it.
    /// - Throws: what `addAddress`/`addRange`/`addSubnet` throw for an address or prefix they refuse.
    public func fromJSON(_ rules: [String]) throws(NetError) {
        for line in rules.reversed() { try add(ruleText: line) }
    }

    /// Node's `blockList.fromJSON(data)` with a string: `data` is a JSON array of rule strings.
    /// - Throws: a `SyntaxError` when `data` is not a JSON array of strings, then as ``fromJSON(_:)-([String])``.
    public func fromJSON(_ json: String) throws(NetError) {
        guard let lines = JSONStrings.parse(json) else {
            throw NetError("Unexpected token in JSON: not an array of strings", name: "SyntaxError")
        }
        try fromJSON(lines)
    }

    /// Adds one rule from its text: `"<Kind>: <IPv4|IPv6> <rule>"`.
    private func add(ruleText line: String) throws(NetError) {
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[1] == "IPv4" || parts[1] == "IPv6" else { return }
        let type = parts[1].lowercased(), body = parts[2]
        switch parts[0] {
        case "Address:":
            try addAddress(body, type: type)
        case "Range:":
            let ends = body.split(separator: "-", maxSplits: 1).map(String.init)
            guard ends.count == 2 else { return }
            // A range's family is its start's; an end of the other family is a mapped-address range.
            let endType = ends[1].contains(":") ? "ipv6" : "ipv4"
            try addRange(try SocketAddress(address: ends[0], family: type),
                         try SocketAddress(address: ends[1], family: endType))
        case "Subnet:":
            let pieces = body.split(separator: "/", maxSplits: 1).map(String.init)
            guard pieces.count == 2, let prefix = Int(pieces[1]) else { return }
            try addSubnet(pieces[0], prefix: prefix, type: type)
        default:
            return
        }
    }
}

/// A JSON array of strings, parsed without Foundation (all `fromJSON` accepts).
enum JSONStrings {
    static func parse(_ text: String) -> [String]? {
        var scalars = Array(text.unicodeScalars)[...]
        func skipSpace() { while let c = scalars.first, c == " " || c == "\n" || c == "\r" || c == "\t" { scalars.removeFirst() } }
        func string() -> String? {
            guard scalars.first == "\"" else { return nil }
            scalars.removeFirst()
            var out = String.UnicodeScalarView()
            while let c = scalars.popFirst() {
                switch c {
                case "\"": return String(out)
                case "\\":
                    guard let e = scalars.popFirst() else { return nil }
                    switch e {
                    case "\"", "\\", "/": out.append(e)
                    case "b": out.append("\u{8}")
                    case "f": out.append("\u{C}")
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "u":
                        guard scalars.count >= 4, let v = UInt32(String(String.UnicodeScalarView(scalars.prefix(4))), radix: 16),
                              let s = Unicode.Scalar(v) else { return nil }
                        scalars.removeFirst(4)
                        out.append(s)
                    default: return nil
                    }
                default:
                    if c.value < 0x20 { return nil }
                    out.append(c)
                }
            }
            return nil
        }
        skipSpace()
        guard scalars.popFirst() == "[" else { return nil }
        var result: [String] = []
        skipSpace()
        if scalars.first == "]" {
            scalars.removeFirst()
        } else {
            while true {
                skipSpace()
                guard let s = string() else { return nil }
                result.append(s)
                skipSpace()
                guard let c = scalars.popFirst() else { return nil }
                if c == "]" { break }
                guard c == "," else { return nil }
            }
        }
        skipSpace()
        return scalars.isEmpty ? result : nil
    }
}
