import Synchronization
import Net

/// Lookup functions Node's tests share through `test/common/dns.js`.
public enum Lookups {
    /// Node's `errorLookupMock`: fails every host with ENOTFOUND (`getaddrinfo ENOTFOUND <host>`, syscall
    /// `getaddrinfo`, `hostname` set). Node's mock also sets a string `errno`; `NetError.errno` is a libuv
    /// number, so it stays unset. `onCall` runs first, for tests that count lookups.
    public static func errorMock(onCall: @escaping () -> Void = {}) -> LookupFunction {
        { hostname, _, callback in
            onCall()
            var error = NetError("getaddrinfo ENOTFOUND \(hostname)", code: "ENOTFOUND")
            error.syscall = "getaddrinfo"
            error.hostname = hostname
            callback(error, nil, nil)
        }
    }

    /// Node's `createMockedLookup(...addresses)` (test/common/dns.js): answers every address with
    /// `all: true` (the family each one's `isIP`), else the first.
    public static func mocked(_ addresses: String...) -> LookupAllFunction {
        let answers = addresses.map { LookupAddress(address: $0, family: isIP($0)) }
        return { _, _, callback in callback(nil, answers) }
    }

    /// ``mocked(_:)`` answering on the next tick, as a resolver does: listeners added after
    /// `createConnection` returns then see the first attempt's events too.
    public static func mockedLater(_ addresses: String...) -> LookupAllFunction {
        let answers = addresses.map { LookupAddress(address: $0, family: isIP($0)) }
        return { _, _, callback in nextTick { callback(nil, answers) } }
    }

    /// Held by the tests that change or read the process-wide `autoSelectFamily` defaults, which Swift
    /// Testing would otherwise run at the same time.
    public static let autoSelectDefaults = Mutex(())
}
