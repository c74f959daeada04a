// Node: test/parallel/test-net-localerror.js
import Net
import NetTestSupport
import Testing

/// A `localAddress` that is not an IP address makes `connect` throw ERR_INVALID_IP_ADDRESS.
/// Dropped: `localPort: 'foobar'` (ERR_INVALID_ARG_TYPE), a JavaScript type error that `Int?` rules out.
@Suite struct LocalerrorTests {
    @Test func nonIPLocalAddressThrows() {
        let result = LoopThread.run { _, trace in
            do throws(NetError) {
                _ = try Net.connect(ConnectOptions(port: 0, host: "localhost", localAddress: "foobar"))
                trace.log("FAIL did not throw")
            } catch {
                trace.log("\(error.name) \(error.code) \(error.message)")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["TypeError ERR_INVALID_IP_ADDRESS Invalid IP address: foobar"])
    }
}
