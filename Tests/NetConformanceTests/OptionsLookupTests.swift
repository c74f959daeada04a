// Node: test/parallel/test-net-options-lookup.js
import Net
import NetTestSupport
import Testing

/// Any function is accepted as `lookup` (one that never answers included), and a lookup answering an
/// address family other than 4 or 6 fails the socket with ERR_INVALID_ADDRESS_FAMILY
/// (`Invalid address family: 100 localhost:0`, with Node's `host` — `NetError.hostname` — and `port`).
/// Dropped: `'foobar'`, `1`, `{}`, `[]` as `lookup` (ERR_INVALID_ARG_TYPE), which `LookupFunction` rules
/// out. The socket whose lookup never answers stays connecting, as in Node, whose process exits with it
/// pending; here it is destroyed once the other socket has closed, so that nothing outlives the test.
@Suite struct OptionsLookupTests {
    @Test func lookupAnsweringAnUnknownFamilyFails() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            // connectDoesNotThrow(() => {})
            var silent = ConnectOptions(port: 0, host: "localhost")
            silent.lookup = { _, _, _ in trace.log("silent lookup") }
            let pending: Socket
            do { pending = try Net.connect(silent) } catch {
                return trace.log("FAIL threw \(error)")
            }
            var options = ConnectOptions(port: 0, host: "localhost")
            options.lookup = { _, _, cb in cb(nil, "127.0.0.1", 100) }
            let s = try! Net.connect(options)
            s.on(.error) { e in
                trace.log("error \(e.code)")
                check(e.name == "RangeError", "name \(e.name)")
                check(e.hostname == "localhost", "host \(String(describing: e.hostname))")
                check(e.port == 0, "port \(String(describing: e.port))")
                check(e.message == "Invalid address family: 100 localhost:0", e.message)
            }
            s.on(.close) { _ in
                trace.log("pending connecting \(pending.connecting)")
                pending.destroy()
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["silent lookup", "error ERR_INVALID_ADDRESS_FAMILY", "pending connecting true"])
    }
}
