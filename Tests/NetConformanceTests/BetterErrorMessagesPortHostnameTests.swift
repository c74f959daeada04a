// Node: test/parallel/test-net-better-error-messages-port-hostname.js
import Net
import NetTestSupport
import Testing

/// A failed lookup reaches 'error' with the resolver's error as it is: `code`, `message`, `hostname`,
/// `syscall`, and no `port`/`host` added by net. As in v20, the lookup is the mock of `common/dns.js`
/// (`errorLookupMock`), which fails every host with ENOTFOUND, and the host is `something.invalid`.
/// Dropped: the mock's `errno` is the string `'ENOTFOUND'`; `NetError.errno` is a libuv number, so the
/// Swift mock leaves it unset and the test checks that net does not fill it in.
@Suite struct BetterErrorMessagesPortHostnameTests {
    @Test func lookupFailureKeepsTheResolverFieldsAndAddsNoPort() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            var options = ConnectOptions(port: 0, host: "something.invalid")
            options.lookup = Lookups.errorMock { trace.log("lookup") }
            let c: Socket
            do { c = try Net.createConnection(options) } catch {
                trace.log("FAIL threw \(error)")
                return
            }
            c.on(.connect) { trace.log("FAIL connect") }
            c.on(.error) { e in
                trace.log("error")
                check(e.port == nil, "port \(String(describing: e.port))")
                check(e.address == nil, "address \(String(describing: e.address))")
                check(e.errno == nil, "errno \(String(describing: e.errno))")
                check(e.code == "ENOTFOUND", "code \(e.code)")
                check(e.name == "Error", "name \(e.name)")
                check(e.message == "getaddrinfo ENOTFOUND something.invalid", "message \(e.message)")
                check(e.hostname == "something.invalid", "hostname \(String(describing: e.hostname))")
                check(e.syscall == "getaddrinfo", "syscall \(String(describing: e.syscall))")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["lookup", "error"])
    }
}
