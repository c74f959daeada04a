// Node: test/parallel/test-net-connect-no-arg.js
import Net
import NetTestSupport
import Testing

/// Connecting with neither a port nor a path throws ERR_MISSING_ARGS with Node's any-of message.
/// Node's `net.connect()` and `new net.Socket().connect()` (no argument at all) have no Swift spelling:
/// every Swift `connect` takes options, a port or a path, so the `{}` forms stand for them
/// (`ConnectOptions()`, whose port and path are nil).
@Suite struct ConnectNoArgTests {
    static let message = #"The "options" or "port" or "path" argument must be specified"#

    @Test func connectWithoutPortOrPathThrowsMissingArgs() {
        let result = LoopThread.run { _, trace in
            func expectMissingArgs(_ label: String, _ body: () throws(NetError) -> Socket) {
                do {
                    _ = try body()
                    trace.log("FAIL \(label) did not throw")
                } catch {
                    trace.log("\(label): \(error.name) \(error.code) \(error.message == Self.message)")
                }
            }
            expectMissingArgs("net.connect({})") { () throws(NetError) in try Net.connect(ConnectOptions()) }
            expectMissingArgs("new Socket().connect({})") { () throws(NetError) in try Socket().connect(ConnectOptions()) }
            expectMissingArgs("net.createConnection({})") { () throws(NetError) in try Net.createConnection(ConnectOptions()) }
            expectMissingArgs("net.connect({host})") { () throws(NetError) in try Net.connect(ConnectOptions(host: "localhost")) }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "net.connect({}): TypeError ERR_MISSING_ARGS true",
            "new Socket().connect({}): TypeError ERR_MISSING_ARGS true",
            "net.createConnection({}): TypeError ERR_MISSING_ARGS true",
            "net.connect({host}): TypeError ERR_MISSING_ARGS true",
        ])
    }
}
