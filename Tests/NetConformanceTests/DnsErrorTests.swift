// Node: test/parallel/test-net-dns-error.js
import Net
import NetTestSupport
import Testing

/// A host name the resolver rejects (a 64-character label) fails the connection with ENOTFOUND (or
/// EAI_FAIL, which resolvers may answer for an over-long label): one 'lookup' carrying the error and no
/// address or family, one 'error', no 'connect'. Uses the machine's real `getaddrinfo`, as Node's test.
@Suite struct DnsErrorTests {
    @Test func unresolvableHostEmitsLookupErrorThenError() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            let host = String(repeating: "*", count: 64)
            let errCodes = ["ENOTFOUND", "EAI_FAIL"]
            let socket = try! Net.connect(port: 42, host: host) { trace.log("FAIL connect") }
            socket.on(.error) { err in
                trace.log("error")
                check(errCodes.contains(err.code), "error code \(err)")
            }
            socket.on(.lookup) { r in
                trace.log("lookup")
                check(r.error != nil, "lookup without error")
                check(errCodes.contains(r.error?.code ?? ""), "lookup code \(String(describing: r.error))")
                check(r.address == nil, "lookup address \(String(describing: r.address))")
                check(r.family == nil, "lookup family \(String(describing: r.family))")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["lookup", "error"])
    }
}
