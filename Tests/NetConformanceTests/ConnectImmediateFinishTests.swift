// Node: test/parallel/test-net-connect-immediate-finish.js
import Net
import NetTestSupport
import Testing

/// `end()` called while the socket is still looking its host up does not swallow the lookup's error:
/// 'error' (ENOTFOUND, with the resolver's fields and no port/host) still comes, and 'connect' never.
/// As in v20, the lookup is `common/dns.js`'s `errorLookupMock` on `something.invalid`.
/// Dropped: the mock's string `errno` (`NetError.errno` is a libuv number; left unset here).
@Suite struct ConnectImmediateFinishTests {
    @Test func endDuringAFailingLookupStillEmitsTheError() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            var options = ConnectOptions(port: 80, host: "something.invalid")
            options.lookup = Lookups.errorMock { trace.log("lookup") }
            let client = try! Net.connect(options) { trace.log("FAIL connect") }
            client.once(.error) { error in
                trace.log("error")
                check(error.port == nil, "port \(String(describing: error.port))")
                check(error.address == nil, "address \(String(describing: error.address))")
                check(error.code == "ENOTFOUND", "code \(error.code)")
                check(error.syscall == "getaddrinfo", "syscall \(String(describing: error.syscall))")
                check(error.hostname == "something.invalid", "hostname \(String(describing: error.hostname))")
                check(error.message == "getaddrinfo ENOTFOUND something.invalid", error.message)
            }
            client.end()
        }
        #expect(result.finished)
        #expect(result.trace == ["lookup", "error"])
    }
}
