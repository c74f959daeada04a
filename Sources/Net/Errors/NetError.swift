import CLibUV

/// An error as Node's `net` reports it: the same `code`, `message`, `name` and system fields, so that a
/// user can compare with Node byte for byte.
///
/// Synchronous argument errors are thrown (`throws(NetError)`); asynchronous failures arrive as `.error`
/// events. System errors carry libuv's negative `errno` (Node's `err.errno`) and the `syscall` that failed.
public struct NetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The fields, behind one reference: an error (and `NetError?`, which write and read callbacks pass
    /// on every operation, nearly always nil) is one pointer to copy instead of ten fields with seven
    /// strings. Immutable and shared; a setter replaces it (errors are seldom changed once made).
    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private struct Fields: Equatable, Sendable {
        var code: String
        var message: String
        var name: String
        var errno: Int32?
        var syscall: String?
        var address: String?
        var port: Int?
        var hostname: String?
        var localAddress: String?
        var localPort: Int?
        var errors: [NetError]?
    }

    private var storage: Storage

    private mutating func set<T>(_ field: WritableKeyPath<Fields, T>, _ value: T) {
        var fields = storage.fields
        fields[keyPath: field] = value
        storage = Storage(fields)
    }

    /// Node's `err.code`: `"ECONNREFUSED"`, `"ERR_SOCKET_BAD_PORT"`, …; `""` where Node's is `undefined`.
    public var code: String {
        get { storage.fields.code }
        set { set(\.code, newValue) }
    }
    /// Node's `err.message`, to the byte: `"connect ECONNREFUSED 127.0.0.1:1"`.
    public var message: String {
        get { storage.fields.message }
        set { set(\.message, newValue) }
    }
    /// Node's `err.name`: `"Error"`, `"TypeError"`, `"RangeError"` or `"AbortError"`.
    public var name: String {
        get { storage.fields.name }
        set { set(\.name, newValue) }
    }
    /// The libuv error number (negative, as Node's `err.errno`), for system errors.
    public var errno: Int32? {
        get { storage.fields.errno }
        set { set(\.errno, newValue) }
    }
    /// The system call that failed (`"connect"`, `"listen"`, `"read"`, `"getaddrinfo"`, …).
    public var syscall: String? {
        get { storage.fields.syscall }
        set { set(\.syscall, newValue) }
    }
    /// The address involved, for connect/listen/bind errors; the socket path for pipes.
    public var address: String? {
        get { storage.fields.address }
        set { set(\.address, newValue) }
    }
    /// The port involved, when it was greater than zero.
    public var port: Int? {
        get { storage.fields.port }
        set { set(\.port, newValue) }
    }
    /// The host name that failed to resolve (`getaddrinfo` errors), or Node's `host` on `ERR_INVALID_ADDRESS_FAMILY`.
    public var hostname: String? {
        get { storage.fields.hostname }
        set { set(\.hostname, newValue) }
    }
    /// The local address a failed connect was bound to (Node sets `err.localAddress` on a connect failure
    /// when both a local address and a nonzero local port were in use).
    public var localAddress: String? {
        get { storage.fields.localAddress }
        set { set(\.localAddress, newValue) }
    }
    /// The local port a failed connect was bound to (Node's `err.localPort`, set with ``localAddress``).
    public var localPort: Int? {
        get { storage.fields.localPort }
        set { set(\.localPort, newValue) }
    }

    /// The errors of an `AggregateError` (Node's `err.errors`): one per connection attempt when every
    /// attempt of an `autoSelectFamily` connect failed; nil for any other error.
    public var errors: [NetError]? {
        get { storage.fields.errors }
        set { set(\.errors, newValue) }
    }

    /// A user error, as `new Error(message)` with an optional `code` (`""` leaves it unset, as Node's `undefined`).
    public init(_ message: String, code: String = "", name: String = "Error") {
        storage = Storage(Fields(code: code, message: message, name: name))
    }

    /// Errors are equal when every field is.
    public static func == (lhs: NetError, rhs: NetError) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    /// Node's `err.toString()`: `"Error: connect ECONNREFUSED 127.0.0.1:1"`, or
    /// `"RangeError [ERR_SOCKET_BAD_PORT]: Port should be …"` for Node's own `ERR_*` errors.
    public var description: String {
        if code.hasPrefix("ERR_") || code == "ABORT_ERR" && name != "AbortError" {
            return "\(name) [\(code)]: \(message)"
        }
        return "\(name): \(message)"
    }

    /// The error as Node's `util.inspect` prints it without a stack: the `toString()` line followed by the
    /// own properties Node sets (`errno`, `code`, `syscall`, `address`, `port`, `hostname`).
    public var inspected: String {
        var fields: [String] = []
        if let errno { fields.append("errno: \(errno)") }
        if !code.isEmpty { fields.append("code: '\(code)'") }
        if let syscall { fields.append("syscall: '\(syscall)'") }
        if let hostname { fields.append("hostname: '\(hostname)'") }
        if let address { fields.append("address: '\(address)'") }
        if let port { fields.append("port: \(port)") }
        if let localAddress { fields.append("localAddress: '\(localAddress)'") }
        if let localPort { fields.append("localPort: \(localPort)") }
        if fields.isEmpty { return description }
        return description + " {\n  " + fields.joined(separator: ",\n  ") + "\n}"
    }
}

// MARK: - System errors (libuv)

extension NetError {
    /// libuv's name for an error number, which is Node's `code` (`"ECONNREFUSED"`, `"EAI_NONAME"`, …).
    public static func uvErrorName(_ err: Int32) -> String {
        // uv_err_name_r, not uv_err_name: the latter leaks a string for codes libuv does not know.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 80) { buffer in
            String(cString: uv_err_name_r(err, buffer.baseAddress, buffer.count))
        }
    }

    /// libuv's message for an error number, which is Node's (`"address already in use"`).
    public static func uvErrorMessage(_ err: Int32) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            String(cString: uv_strerror_r(err, buffer.baseAddress, buffer.count))
        }
    }

    /// Node's `ErrnoException`: `"read ECONNRESET"`, or `"<syscall> <code> <original>"`.
    public static func errno(_ err: Int32, syscall: String, original: String? = nil) -> NetError {
        let code = uvErrorName(err)
        let message = original.map { "\(syscall) \(code) \($0)" } ?? "\(syscall) \(code)"
        var error = NetError(message, code: code)
        error.errno = err
        error.syscall = syscall
        return error
    }

    /// Node's `ExceptionWithHostPort`, used for connect and bind failures:
    /// `"connect ECONNREFUSED 127.0.0.1:1"`, with `" - Local (addr:port)"` when a local address was bound.
    public static func withHostPort(
        _ err: Int32, syscall: String, address: String?, port: Int?, local: String? = nil
    ) -> NetError {
        var message = "\(syscall) \(uvErrorName(err))" + details(address: address, port: port)
        if let local { message += " - Local (\(local))" }
        return hostPortError(message, err, syscall: syscall, address: address, port: port)
    }

    /// Node's `UVExceptionWithHostPort`, used for listen failures:
    /// `"listen EADDRINUSE: address already in use :::8124"`.
    public static func uvWithHostPort(_ err: Int32, syscall: String, address: String?, port: Int?) -> NetError {
        let message = "\(syscall) \(uvErrorName(err)): \(uvErrorMessage(err))" + details(address: address, port: port)
        return hostPortError(message, err, syscall: syscall, address: address, port: port)
    }

    /// The fields both host/port constructors set, as Node's do.
    private static func hostPortError(_ message: String, _ err: Int32, syscall: String, address: String?, port: Int?) -> NetError {
        var error = NetError(message, code: uvErrorName(err))
        error.errno = err
        error.syscall = syscall
        error.address = address
        if let port, port != 0 { error.port = port }  // Node: `if (port)`
        return error
    }

    /// Node's `DNSException`: `"getaddrinfo ENOTFOUND example.invalid"`; `EAI_NODATA` and `EAI_NONAME`
    /// become `ENOTFOUND` as in Node, other codes keep libuv's name (`EAI_AGAIN`).
    public static func dns(_ err: Int32, syscall: String, hostname: String) -> NetError {
        let code = (err == UV_EAI_NODATA.rawValue || err == UV_EAI_NONAME.rawValue) ? "ENOTFOUND" : uvErrorName(err)
        var error = NetError("\(syscall) \(code) \(hostname)", code: code)
        error.errno = err
        error.syscall = syscall
        error.hostname = hostname
        return error
    }

    private static func details(address: String?, port: Int?) -> String {
        if let port, port > 0 { return " \(address ?? "undefined"):\(port)" }
        if let address { return " \(address)" }
        return ""
    }
}

// MARK: - Node's ERR_* errors used by net, with Node's exact messages

extension NetError {
    /// `ERR_SOCKET_BAD_PORT` (RangeError): `"Port should be >= 0 and < 65536. Received type number (65536)."`;
    /// with `allowZero: false` the bound reads `> 0`.
    public static func socketBadPort(_ name: String = "Port", _ value: JSValue, allowZero: Bool = true) -> NetError {
        let op = allowZero ? ">=" : ">"
        return NetError(
            "\(name) should be \(op) 0 and < 65536. Received \(value.specificType).",
            code: "ERR_SOCKET_BAD_PORT", name: "RangeError")
    }

    /// `ERR_SERVER_ALREADY_LISTEN`.
    public static var serverAlreadyListen: NetError {
        NetError("Listen method has been called more than once without closing.", code: "ERR_SERVER_ALREADY_LISTEN")
    }

    /// `ERR_SERVER_NOT_RUNNING`.
    public static var serverNotRunning: NetError {
        NetError("Server is not running.", code: "ERR_SERVER_NOT_RUNNING")
    }

    /// `ERR_SOCKET_CLOSED`.
    public static var socketClosed: NetError { NetError("Socket is closed", code: "ERR_SOCKET_CLOSED") }

    /// `ERR_SOCKET_CLOSED_BEFORE_CONNECTION`.
    public static var socketClosedBeforeConnection: NetError {
        NetError("Socket closed before the connection was established", code: "ERR_SOCKET_CLOSED_BEFORE_CONNECTION")
    }

    /// `ERR_SOCKET_CONNECTION_TIMEOUT`.
    public static var socketConnectionTimeout: NetError {
        NetError("Socket connection timeout", code: "ERR_SOCKET_CONNECTION_TIMEOUT")
    }

    /// `ERR_STREAM_WRITE_AFTER_END`.
    public static var streamWriteAfterEnd: NetError { NetError("write after end", code: "ERR_STREAM_WRITE_AFTER_END") }

    /// `ERR_STREAM_DESTROYED`: `"Cannot call write after a stream was destroyed"`.
    public static func streamDestroyed(_ method: String) -> NetError {
        NetError("Cannot call \(method) after a stream was destroyed", code: "ERR_STREAM_DESTROYED")
    }

    /// `ERR_STREAM_ALREADY_FINISHED`: `"Cannot call end after a stream was finished"`.
    public static func streamAlreadyFinished(_ method: String) -> NetError {
        NetError("Cannot call \(method) after a stream was finished", code: "ERR_STREAM_ALREADY_FINISHED")
    }

    /// `ERR_STREAM_PUSH_AFTER_EOF`.
    public static var streamPushAfterEOF: NetError { NetError("stream.push() after EOF", code: "ERR_STREAM_PUSH_AFTER_EOF") }

    /// `ERR_MULTIPLE_CALLBACK`.
    public static var multipleCallback: NetError { NetError("Callback called multiple times", code: "ERR_MULTIPLE_CALLBACK") }

    /// `ERR_INVALID_ARG_VALUE` (TypeError): `"The argument 'options' is invalid. Received 5"`, or, for a
    /// dotted property name, `"The property 'options.family' must be one of: …. Received 'x'"` when a reason is given.
    public static func invalidArgValue(_ name: String, _ value: JSValue, reason: String = "is invalid") -> NetError {
        let kind = name.contains(".") ? "property" : "argument"
        return NetError(
            "The \(kind) '\(name)' \(reason). Received \(value.inspected)",
            code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
    }

    /// `ERR_OUT_OF_RANGE` (RangeError): `"The value of \"msecs\" is out of range. It must be … Received -1"`.
    public static func outOfRange(_ name: String, _ range: String, _ value: JSValue) -> NetError {
        NetError(
            "The value of \"\(name)\" is out of range. It must be \(range). Received \(value.rangeReceived)",
            code: "ERR_OUT_OF_RANGE", name: "RangeError")
    }

    /// `ERR_MISSING_ARGS` (TypeError): `"The \"options\", \"port\", and \"path\" arguments must be specified"`.
    public static func missingArgs(_ names: String...) -> NetError {
        let quoted = names.map { "\"\($0)\"" }
        let list: String
        switch quoted.count {
        case 0: list = ""
        case 1: list = quoted[0] + " argument"
        case 2: list = "\(quoted[0]) and \(quoted[1]) arguments"
        default: list = quoted.dropLast().joined(separator: ", ") + ", and \(quoted.last!) arguments"
        }
        return NetError("The \(list) must be specified", code: "ERR_MISSING_ARGS", name: "TypeError")
    }

    /// `ERR_MISSING_ARGS` (TypeError) when any one of several arguments would do, as Node's
    /// `new ERR_MISSING_ARGS(['options', 'port', 'path'])`:
    /// `"The \"options\" or \"port\" or \"path\" argument must be specified"` (one argument, so singular).
    public static func missingArgs(anyOf names: [String]) -> NetError {
        let list = names.map { "\"\($0)\"" }.joined(separator: " or ")
        return NetError("The \(list) argument must be specified", code: "ERR_MISSING_ARGS", name: "TypeError")
    }

    /// `ERR_INVALID_ADDRESS_FAMILY` (RangeError): `"Invalid address family: IPv5 localhost:80"`.
    public static func invalidAddressFamily(_ family: String, host: String, port: Int) -> NetError {
        var error = NetError("Invalid address family: \(family) \(host):\(port)",
                             code: "ERR_INVALID_ADDRESS_FAMILY", name: "RangeError")
        error.hostname = host  // Node sets `host` and `port` on this error
        error.port = port
        return error
    }

    /// `ERR_INVALID_IP_ADDRESS` (TypeError): `"Invalid IP address: 1.2.3"`.
    public static func invalidIPAddress(_ address: String) -> NetError {
        NetError("Invalid IP address: \(address)", code: "ERR_INVALID_IP_ADDRESS", name: "TypeError")
    }

    /// `ERR_INVALID_ADDRESS`: `"Invalid socket address"`.
    public static var invalidAddress: NetError { NetError("Invalid socket address", code: "ERR_INVALID_ADDRESS") }

    /// `ERR_INVALID_HANDLE_TYPE` (TypeError): `"This handle type cannot be sent"`.
    public static var invalidHandleType: NetError {
        NetError("This handle type cannot be sent", code: "ERR_INVALID_HANDLE_TYPE", name: "TypeError")
    }

    /// `ERR_INVALID_FD_TYPE` (TypeError): `"Unsupported fd type: FILE"`.
    public static func invalidFDType(_ type: String) -> NetError {
        NetError("Unsupported fd type: \(type)", code: "ERR_INVALID_FD_TYPE", name: "TypeError")
    }

    /// Node's `AbortError`: name `"AbortError"`, code `"ABORT_ERR"`, `"The operation was aborted"`.
    public static var abortError: NetError {
        NetError("The operation was aborted", code: "ABORT_ERR", name: "AbortError")
    }
}

/// A value as Node's error messages print it (`Received type number (65536)`, `Received 'x'`).
///
/// Swift's types rule out most of what JavaScript can pass; this covers the values that still reach a
/// message: numbers (including NaN and ±Infinity), strings, booleans and absence.
public enum JSValue: Sendable, Equatable {
    /// A JavaScript number.
    case number(Double)
    /// A JavaScript string.
    case string(String)
    /// A JavaScript boolean.
    case bool(Bool)
    /// `undefined`.
    case undefined
    /// `null`.
    case null

    /// An integer value.
    public static func int(_ value: Int) -> JSValue { .number(Double(value)) }

    /// Node's `inspect(value)` for primitives: `5`, `-0`, `'abc'`, `NaN`, `true`, `undefined`.
    public var inspected: String {
        switch self {
        case .number(let n): return Self.format(n)
        case .string(let s):
            let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
            var out = String(quote)
            // Scalar by scalar: "\r\n" is one Swift Character but two escapes in Node.
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case "\u{8}": out += "\\b"
                case "\u{C}": out += "\\f"
                case "\\": out += "\\\\"
                case _ where Character(scalar) == quote: out += "\\\(quote)"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    // Other C0 controls and DEL as Node's strEscape writes them: `\x00`, `\x1B`, `\x7F`.
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out.append(quote)
            return out
        case .bool(let b): return b ? "true" : "false"
        case .undefined: return "undefined"
        case .null: return "null"
        }
    }

    /// Node's `determineSpecificType`: `type number (65536)`, `type string ('abc')`, `undefined`.
    public var specificType: String {
        switch self {
        case .number: return "type number (\(inspected))"
        case .string(let s):
            var shown = inspected
            if s.count > 28 { shown = String(JSValue.string(String(s.prefix(25))).inspected.dropLast()) + "...'" }
            return "type string (\(shown))"
        case .bool: return "type boolean (\(inspected))"
        case .undefined, .null: return inspected
        }
    }

    /// What `ERR_OUT_OF_RANGE` prints: an integer above 2³² in magnitude as `String(n)` with Node's
    /// `addNumericalSeparator` (`-9_223_372_036_854_776_000` for `Int.min`), anything else inspected.
    var rangeReceived: String {
        guard case .number(let n) = self, n.isFinite, n == n.rounded(), abs(n) > 4_294_967_296 else {
            return inspected
        }
        // addNumericalSeparator: an `_` before every group of three characters from the right, keeping at
        // least one character (after a sign) in front; applied to the text whatever it is, as Node does.
        let text = Array(Self.format(n))
        var end = text.count
        let start = text.first == "-" ? 1 : 0
        var grouped = ""
        while end >= start + 4 {
            grouped = "_" + String(text[(end - 3)..<end]) + grouped
            end -= 3
        }
        return String(text[0..<end]) + grouped
    }

    /// A number as JavaScript prints it (`Number.prototype.toString`, with `-0` as `inspect` shows it):
    /// the shortest digits that read back as `n`, positional from 1e-7 up to 1e21
    /// (`9223372036854776000` for 2⁶³), exponential outside (`1e+21`, `1.5e-7`).
    static func format(_ n: Double) -> String {
        if n.isNaN { return "NaN" }
        if n.isInfinite { return n < 0 ? "-Infinity" : "Infinity" }
        if n == 0 { return n.sign == .minus ? "-0" : "0" }
        // Swift's description has the same shortest round-trip digits; only the layout differs.
        let described = "\(n.magnitude)"
        let parts = described.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        var digits = Array(mantissa[0]) + (mantissa.count > 1 ? Array(mantissa[1]) : [])
        // The value is 0.d₁d₂…d_k × 10^point, as ECMAScript's Number::toString states it.
        var point = mantissa[0].count + (parts.count > 1 ? Int(parts[1])! : 0)
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let text: String
        if k <= point && point <= 21 {
            text = String(digits) + String(repeating: "0", count: point - k)
        } else if 0 < point && point <= 21 {
            text = String(digits[0..<point]) + "." + String(digits[point...])
        } else if -6 < point && point <= 0 {
            text = "0." + String(repeating: "0", count: -point) + String(digits)
        } else {
            let exponent = point - 1
            let sign = exponent < 0 ? "-" : "+"
            let lead = k == 1 ? String(digits) : String(digits[0]) + "." + String(digits[1...])
            text = lead + "e" + sign + String(abs(exponent))
        }
        return (n < 0 ? "-" : "") + text
    }
}
