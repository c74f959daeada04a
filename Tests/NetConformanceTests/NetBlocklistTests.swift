// Node: test/parallel/test-net-blocklist.js
import Net
import NetTestSupport
import Testing

/// Connecting to an address the socket's `blockList` blocks fails with ERR_IP_BLOCKED, whether the host
/// is an IP literal, one address from a lookup, or one or several addresses with `autoSelectFamily`
/// (Node v22's `net.connect({ blockList })`; node v20 has not the option, so this follows Node's test).
@Suite struct NetBlocklistTests {
    @Test func connectingToABlockedAddressFailsWithIPBlocked() throws {
        let blockList = BlockList()
        try blockList.addAddress("127.0.0.1")
        try blockList.addAddress("127.0.0.2")
        let result = LoopThread.run { _, trace in
            func connect(_ label: String, _ configure: (inout ConnectOptions) -> Void) {
                var options = ConnectOptions(port: 9999, host: "localhost")
                options.blockList = blockList
                configure(&options)
                let socket = try! Net.connect(options)
                socket.on(.connect) { trace.log("FAIL \(label) connected") }
                socket.on(.error) { e in trace.log("\(label) \(e.code) \(e.message)") }
            }
            connect("ip") { $0.host = "127.0.0.1" }
            connect("single") {
                $0.lookup = { _, _, cb in cb(nil, "127.0.0.1", 4) }
                $0.autoSelectFamily = false
            }
            connect("auto-single") {
                $0.lookupAll = Lookups.mocked("127.0.0.1")
                $0.autoSelectFamily = true
            }
            connect("auto-multiple") {
                $0.lookupAll = Lookups.mocked("127.0.0.1", "127.0.0.2")
                $0.autoSelectFamily = true
            }
        }
        #expect(result.finished)
        #expect(Set(result.trace) == [
            "ip ERR_IP_BLOCKED IP(127.0.0.1) is blocked by net.BlockList",
            "single ERR_IP_BLOCKED IP(127.0.0.1) is blocked by net.BlockList",
            "auto-single ERR_IP_BLOCKED IP(127.0.0.1) is blocked by net.BlockList",
            // Every attempt blocked: Node's AggregateError, whose code is the first attempt's.
            "auto-multiple ERR_IP_BLOCKED ",
        ])
        #expect(result.trace.count == 4)
    }
}
