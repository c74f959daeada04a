// Happy eyeballs as Node v20.19+/v22 (issue 21): `autoSelectFamily`, the attempt events, every resolved
// address, and the blockList check of each attempt. Node's lib/net.js: lookupAndConnectMultiple,
// internalConnectMultiple, afterConnectMultiple, internalConnectMultipleTimeout.

import CLibUV
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// MARK: Defaults

private let autoSelectFamilyDefault = Atomic<Bool>(true)
private let autoSelectFamilyAttemptTimeoutDefault = Atomic<Int>(250)

/// Node's `net.getDefaultAutoSelectFamily()`: the `autoSelectFamily` a connect uses when its options leave
/// it nil (true at start, as Node v20).
public func getDefaultAutoSelectFamily() -> Bool {
    autoSelectFamilyDefault.load(ordering: .relaxed)
}

/// Node's `net.setDefaultAutoSelectFamily(value)`, for every loop of the process.
public func setDefaultAutoSelectFamily(_ value: Bool) {
    autoSelectFamilyDefault.store(value, ordering: .relaxed)
}

/// Node's `net.getDefaultAutoSelectFamilyAttemptTimeout()`: 250 ms at start.
public func getDefaultAutoSelectFamilyAttemptTimeout() -> Int {
    autoSelectFamilyAttemptTimeoutDefault.load(ordering: .relaxed)
}

/// Node's `net.setDefaultAutoSelectFamilyAttemptTimeout(value)`: values under 10 become 10.
/// - Throws: `ERR_OUT_OF_RANGE` (`The value of "value" is out of range. It must be >= 1 && <= 2147483647.
///   Received 0`) outside 1…2147483647, as Node's `validateInt32(value, 'value', 1)`.
public func setDefaultAutoSelectFamilyAttemptTimeout(_ value: Int) throws(NetError) {
    try validateAttemptTimeout(value, name: "value")
    autoSelectFamilyAttemptTimeoutDefault.store(max(value, 10), ordering: .relaxed)
}

private func validateAttemptTimeout(_ value: Int, name: String) throws(NetError) {
    if value < 1 || value > 2_147_483_647 {
        throw .outOfRange(name, ">= 1 && <= 2147483647", .int(value))
    }
}

// MARK: Lookup with every address

/// One address a lookup answered: Node's `{ address, family }` of `dns.lookup(…, { all: true })`.
public struct LookupAddress: Sendable, Equatable {
    /// The IP address text.
    public var address: String
    /// 4 or 6.
    public var family: Int

    /// An answer.
    public init(address: String, family: Int) {
        self.address = address
        self.family = family
    }
}

/// A resolver that answers every address (Node's `lookup(hostname, { all: true }, callback(err, addresses))`).
public typealias LookupAllFunction = (String, LookupOptions, @escaping (NetError?, [LookupAddress]) -> Void) -> Void

/// Node's `dns.lookup` with `all: true`: every address `getaddrinfo` returns, in its order.
public func defaultLookupAll(_ host: String, _ options: LookupOptions, _ callback: @escaping (NetError?, [LookupAddress]) -> Void) {
    let loop = EventLoop.current
    let status = GetAddrInfo.lookup(loop: loop, host: host, family: options.family, hints: options.hints) { status, entries in
        if status < 0 {
            callback(.dns(status, syscall: "getaddrinfo", hostname: host), [])
        } else if entries.isEmpty {
            callback(.dns(UV_EAI_NODATA.rawValue, syscall: "getaddrinfo", hostname: host), [])
        } else {
            callback(nil, entries.map { LookupAddress(address: $0.address, family: $0.family) })
        }
    }
    if status < 0 {
        let error = NetError.dns(status, syscall: "getaddrinfo", hostname: host)
        loop.nextTick { callback(error, []) }
    }
}

// MARK: Events

/// The payload of `'connectionAttempt'` and `'connectionAttemptTimeout'`: Node's `(ip, port, family)`.
public struct ConnectionAttempt: Sendable, Equatable {
    /// The address tried (a socket path for a Unix domain socket).
    public var address: String
    /// The port (nil for a Unix domain socket).
    public var port: Int?
    /// 4 or 6 (nil for a Unix domain socket).
    public var family: Int?
}

/// The payload of `'connectionAttemptFailed'`: Node's `(ip, port, family, error)`.
public struct ConnectionAttemptFailure: Sendable, Equatable {
    /// The address tried.
    public var address: String
    /// The port (nil for a Unix domain socket).
    public var port: Int?
    /// 4 or 6 (nil for a Unix domain socket).
    public var family: Int?
    /// Why it failed.
    public var error: NetError
}

extension EventKey where Emitter == Socket, Payload == ConnectionAttempt {
    /// `'connectionAttempt'`: a connection to this address is being attempted.
    public static var connectionAttempt: Self { .init(.connectionAttempt) }
    /// `'connectionAttemptTimeout'`: an `autoSelectFamily` attempt took `autoSelectFamilyAttemptTimeout`
    /// and was given up for the next address (never for the last one).
    public static var connectionAttemptTimeout: Self { .init(.connectionAttemptTimeout) }
}

extension EventKey where Emitter == Socket, Payload == ConnectionAttemptFailure {
    /// `'connectionAttemptFailed'`: an attempt failed (the socket is destroyed with the error unless
    /// `autoSelectFamily` has another address to try).
    public static var connectionAttemptFailed: Self { .init(.connectionAttemptFailed) }
}

extension NetError {
    /// Node's `ERR_IP_BLOCKED`: `"IP(127.0.0.1) is blocked by net.BlockList"`.
    public static func ipBlocked(_ address: String) -> NetError {
        NetError("IP(\(address)) is blocked by net.BlockList", code: "ERR_IP_BLOCKED")
    }

    /// Node's `NodeAggregateError` when every `autoSelectFamily` attempt failed: name `AggregateError`,
    /// an empty message, the first attempt's `code`, and every attempt's error in ``errors``.
    static func aggregate(_ errors: [NetError]) -> NetError {
        var error = NetError("", code: errors.first?.code ?? "", name: "AggregateError")
        error.errors = errors
        return error
    }
}

// MARK: The connect

/// A connect's happy-eyeballs state (Node's `context`).
final class AutoSelectState {
    var attempted: [String] = []
    var addresses: [LookupAddress] = []
    var current = 0
    var port = 0
    var localPort: Int?
    var timeout = 250
    var timer: Timer?
    var errors: [NetError] = []
}

extension Socket {
    /// Node's `socket.autoSelectFamilyAttemptedAddresses`: `"address:port"` of each address tried by the
    /// last connect that used `autoSelectFamily` with more than one address; nil before any.
    public var autoSelectFamilyAttemptedAddresses: [String]? { checkThread(); return autoSelect?.attempted }

    /// lookupAndConnect's checks of the two options (Node's order: after the port).
    static func validateAutoSelectFamily(_ options: ConnectOptions) throws(NetError) {
        if let timeout = options.autoSelectFamilyAttemptTimeout {
            try validateAttemptTimeout(timeout, name: "options.autoSelectFamilyAttemptTimeout")
        }
    }

    func emitConnectionAttempt(_ address: String, _ port: Int?, _ family: Int?) {
        emit(.connectionAttempt, ConnectionAttempt(address: address, port: port, family: family))
    }

    func emitConnectionAttemptFailed(_ address: String, _ port: Int?, _ error: NetError) {
        let family = port == nil ? nil : isIP(address)
        emit(.connectionAttemptFailed, ConnectionAttemptFailure(address: address, port: port, family: family, error: error))
    }

    /// internalConnect's part after the bind: 'connectionAttempt', then the blockList (Node v22): a
    /// blocked address destroys the socket with ERR_IP_BLOCKED. Returns whether to connect.
    func beginAttempt(_ address: String, _ port: Int, _ family: Int) -> Bool {
        emitConnectionAttempt(address, port, family)
        if let blockList, blockList.check(address, type: family == 6 ? "ipv6" : "ipv4") {
            destroy(.ipBlocked(address))
            return false
        }
        return true
    }

    /// The host-name branch of lookupAndConnect when `autoSelectFamily` applies (no family 4/6, no
    /// localAddress): looks up every address and races them. Returns false when it does not apply.
    func lookupAndConnectMultiple(_ options: ConnectOptions, host: String, port: Int, _ lookupOptions: LookupOptions) -> Bool {
        let enabled = options.autoSelectFamily ?? getDefaultAutoSelectFamily()
        guard lookupOptions.family != 4, lookupOptions.family != 6, options.localAddress == nil, enabled else {
            if let lookupAll = options.lookupAll, options.lookup == nil {
                // A resolver of every address where one is wanted: its first answer.
                var single = options
                single.lookup = { host, lookupOptions, callback in
                    lookupAll(host, lookupOptions) { error, addresses in
                        callback(error, addresses.first?.address, addresses.first?.family)
                    }
                }
                single.lookupAll = nil
                lookupAndConnectSingle(single)
                return true
            }
            return false
        }
        var dnsOptions = lookupOptions
        dnsOptions.all = true
        let timeout = Swift.max(options.autoSelectFamilyAttemptTimeout ?? getDefaultAutoSelectFamilyAttemptTimeout(), 10)
        let localPort = options.localPort
        let answered: (NetError?, [LookupAddress]) -> Void = { [self] error, addresses in
            guard isConnecting else { return }
            if let error {
                emit(.lookup, LookupResult(error: error, address: nil, family: nil, host: host))
                loop.nextTick { [self] in destroy(error) }
                return
            }
            connectToAddresses(addresses, host: options.host, port: port, localPort: localPort, timeout: timeout, lookupHost: host)
        }
        if let lookupAll = options.lookupAll {
            lookupAll(host, dnsOptions, answered)
        } else if let lookup = options.lookup {
            lookup(host, dnsOptions) { error, ip, family in
                answered(error, ip.map { [LookupAddress(address: $0, family: family ?? 0)] } ?? [])
            }
        } else {
            defaultLookupAll(host, dnsOptions, answered)
        }
        return true
    }

    /// The single-address lookup of lookupAndConnect, for a `lookupAll` used where one address is wanted.
    private func lookupAndConnectSingle(_ options: ConnectOptions) {
        var options = options
        options.autoSelectFamily = false
        let host = options.host.isEmpty ? "localhost" : options.host
        let lookup = options.lookup!
        var hints = options.hints
        if options.family != 4 && options.family != 6 && hints == 0 { hints = AI_ADDRCONFIG }
        let port = options.port ?? 0
        lookup(host, LookupOptions(family: options.family ?? 0, hints: hints)) { [self] error, ip, family in
            emit(.lookup, LookupResult(error: error, address: ip, family: family, host: host))
            guard isConnecting else { return }
            if let error {
                loop.nextTick { [self] in destroy(error) }
            } else if let ip, isIP(ip) != 0, let family, family == 4 || family == 6 {
                internalConnect(ip, port, family, options.localAddress, options.localPort)
            } else if let ip, isIP(ip) != 0 {
                let error = NetError.invalidAddressFamily("\(family ?? 0)", host: options.host, port: port)
                loop.nextTick { [self] in destroy(error) }
            } else {
                let error = NetError.invalidIPAddress(ip ?? "undefined")
                loop.nextTick { [self] in destroy(error) }
            }
        }
    }

    /// lookupAndConnectMultiple's callback: one 'lookup' per address, the valid ones grouped by family
    /// (the first address's family first, each address once), then interleaved.
    private func connectToAddresses(_ addresses: [LookupAddress], host: String, port: Int, localPort: Int?,
                                    timeout: Int, lookupHost: String) {
        var groups: [[LookupAddress]] = [[], []]
        var firstFamily: Int?
        for entry in addresses {
            emit(.lookup, LookupResult(error: nil, address: entry.address, family: entry.family, host: lookupHost))
            guard isConnecting else { return }
            guard isIP(entry.address) != 0, entry.family == 4 || entry.family == 6 else { continue }
            if firstFamily == nil { firstFamily = entry.family }
            let group = entry.family == firstFamily ? 0 : 1
            if !groups[group].contains(where: { $0.address == entry.address }) { groups[group].append(entry) }
        }
        guard firstFamily != nil else {
            // No valid address: fail on the first. No address at all (Node throws inside its callback, a
            // single-address lookup answering no address) fails as an undefined address would.
            guard let first = addresses.first else {
                loop.nextTick { [self] in destroy(.invalidIPAddress("undefined")) }
                return
            }
            let error: NetError = isIP(first.address) == 0
                ? .invalidIPAddress(first.address)
                : .invalidAddressFamily("\(first.family)", host: host, port: port)
            loop.nextTick { [self] in destroy(error) }
            return
        }
        var toAttempt: [LookupAddress] = []
        for i in 0..<Swift.max(groups[0].count, groups[1].count) {
            if i < groups[0].count { toAttempt.append(groups[0][i]) }
            if i < groups[1].count { toAttempt.append(groups[1][i]) }
        }
        if toAttempt.count == 1 {
            internalConnect(toAttempt[0].address, port, toAttempt[0].family, nil, localPort)
            return
        }
        let state = AutoSelectState()
        state.addresses = toAttempt
        state.port = port
        state.localPort = localPort
        state.timeout = timeout
        autoSelect = state
        connectMultiple(state)
    }

    /// Node's internalConnectMultiple: the next attempt, or the end of them all.
    private func connectMultiple(_ state: AutoSelectState, canceled: Bool = false) {
        state.timer?.cancel()
        state.timer = nil
        guard isConnecting, !destroyed, autoSelect === state else { return }
        if canceled || state.current == state.addresses.count {
            destroy(state.errors.isEmpty ? .socketConnectionTimeout : .aggregate(state.errors))
            return
        }
        let current = state.current
        state.current += 1
        if current > 0 {
            // A fresh handle for each attempt after the first; the old one is closed without a word.
            if let old = handle {
                old.owner = nil
                old.close()
            }
            do {
                adopt(try TCPHandle(loop: loop))
            } catch {
                destroy(error)
                return
            }
        }
        guard let tcp = handle as? TCPHandle else { return }
        let address = state.addresses[current].address, family = state.addresses[current].family
        let port = state.port
        var localAddress: String?
        if let localPort = state.localPort, localPort != 0 {
            let local = family == 4 ? "0.0.0.0" : "::"
            localAddress = local
            var status = SocketAddressStorage(ip: local, port: localPort).map { tcp.bind($0) } ?? UV_EINVAL.rawValue
            if status == 0 {
                let (error, bound) = tcp.sockname()
                if error != 0 { status = error } else if let bound, bound.port != localPort { status = UV_EADDRINUSE.rawValue }
            }
            if status < 0 {
                state.errors.append(.withHostPort(status, syscall: "bind", address: local, port: localPort))
                connectMultiple(state)
                return
            }
        }
        emitConnectionAttempt(address, port, family)
        if let blockList, blockList.check(address, type: family == 6 ? "ipv6" : "ipv4") {
            let error = NetError.ipBlocked(address)
            state.errors.append(error)
            emitConnectionAttemptFailed(address, port, error)
            connectMultiple(state)
            return
        }
        state.attempted.append("\(address):\(port)")
        guard let target = SocketAddressStorage(ip: address, port: port) else {
            destroy(.invalidIPAddress(address))
            return
        }
        let localPort = state.localPort
        let status = tcp.connect(target) { [self] status in
            afterConnectMultiple(state, current, status, tcp, address, port, localAddress, localPort)
        }
        if status < 0 {
            var details: String?
            if let local = tcp.localAddress() { details = "\(local.ip):\(local.port)" }
            let error = NetError.withHostPort(status, syscall: "connect", address: address, port: port, local: details)
            state.errors.append(error)
            emitConnectionAttemptFailed(address, port, error)
            connectMultiple(state)
            return
        }
        if current < state.addresses.count - 1 {
            state.timer = loop.setTimeout(state.timeout) { [self] in
                attemptTimedOut(state, tcp, address, port, family, localAddress, localPort)
            }
        }
    }

    /// Node's createConnectionError: the local details only with both a local address and port.
    private func attemptError(_ status: Int32, _ address: String, _ port: Int, _ localAddress: String?, _ localPort: Int?) -> NetError {
        guard let localAddress, let localPort, localPort != 0 else {
            return .withHostPort(status, syscall: "connect", address: address, port: port)
        }
        var error = NetError.withHostPort(status, syscall: "connect", address: address, port: port,
                                          local: "\(localAddress):\(localPort)")
        error.localAddress = localAddress
        error.localPort = localPort
        return error
    }

    /// Node's afterConnectMultiple.
    private func afterConnectMultiple(_ state: AutoSelectState, _ current: Int, _ status: Int32, _ tcp: TCPHandle,
                                      _ address: String, _ port: Int, _ localAddress: String?, _ localPort: Int?) {
        // An attempt given up (timed out, its handle closed) or a socket destroyed meanwhile: nothing.
        guard !destroyed, autoSelect === state, tcp === handle, current == state.current - 1 else { return }
        state.timer?.cancel()
        state.timer = nil
        if status != 0 {
            let error = attemptError(status, address, port, localAddress, localPort)
            state.errors.append(error)
            emitConnectionAttemptFailed(address, port, error)
            if isConnecting { connectMultiple(state, canceled: status == UV_ECANCELED.rawValue) }
            return
        }
        afterConnect(status, address, port, localAddress, localPort)
    }

    /// Node's internalConnectMultipleTimeout: the attempt is abandoned for the next address.
    private func attemptTimedOut(_ state: AutoSelectState, _ tcp: TCPHandle, _ address: String, _ port: Int,
                                 _ family: Int, _ localAddress: String?, _ localPort: Int?) {
        state.timer = nil
        guard !destroyed, autoSelect === state, tcp === handle else { return }
        emit(.connectionAttemptTimeout, ConnectionAttempt(address: address, port: port, family: family))
        state.errors.append(attemptError(UV_ETIMEDOUT.rawValue, address, port, localAddress, localPort))
        if isConnecting { connectMultiple(state) }
    }
}
