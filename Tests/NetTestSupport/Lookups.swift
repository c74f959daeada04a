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
}
