// Node: test/parallel/test-net-socket-timeout.js
import Net
import NetTestSupport
import Testing

/// `setTimeout` range checks (ERR_OUT_OF_RANGE, a RangeError, for a negative delay; 0, 1 and 1e6 are
/// accepted) and, on a connection, that it returns the socket, that the 1 ms timeout fires once, and that
/// `setTimeout` on the destroyed socket is a no-op that still returns the socket.
///
/// n/a: the non-number delays ('100', true, undefined, null, {}, …), the fractional, infinite and NaN
/// delays (-0.001, ±Infinity, NaN, 0.001) and the non-function callbacks (1, '100', Symbol, …): `ms` is
/// an `Int` and `callback` a closure, so Swift cannot pass them. `Int.min` stands in for -Infinity.
@Suite struct SocketTimeoutTests {
    @Test func negativeDelaysThrowAndValidOnesAreAccepted() {
        let result = LoopThread.run { _, trace in
            let s = Socket()
            for delay in [-1, Int.min] {
                do throws(NetError) {
                    try s.setTimeout(delay) {}
                    trace.log("\(delay): did not throw")
                } catch {
                    trace.log("\(delay == -1 ? "-1" : "Int.min"): \(error.name) \(error.code)")
                    trace.log(error.message)
                }
            }
            for delay in [0, 1, 1_000_000] {
                do throws(NetError) {
                    let returned = try s.setTimeout(delay) {}
                    trace.log("\(delay): returns the socket \(returned === s)")
                } catch {
                    trace.log("\(delay): threw \(error)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "-1: RangeError ERR_OUT_OF_RANGE",
            "The value of \"msecs\" is out of range. It must be a non-negative finite number. Received -1",
            "Int.min: RangeError ERR_OUT_OF_RANGE",
            // As node v20.20.2 prints -9223372036854775808.
            "The value of \"msecs\" is out of range. It must be a non-negative finite number. Received -9_223_372_036_854_776_000",
            "0: returns the socket true",
            "1: returns the socket true",
            "1000000: returns the socket true",
        ])
    }

    @Test func timeoutFiresAndSetTimeoutAfterDestroyIsANoOp() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            try! server.listen(port: 0) {
                let socket = try! Net.createConnection(port: server.address()!.port!)
                let returned = try! socket.setTimeout(1) {
                    trace.log("timeout")
                    socket.destroy()
                    let again = try? socket.setTimeout(1) { trace.log("timeout after destroy (must not happen)") }
                    trace.log("after destroy returns the socket: \(again === socket)")
                    server.close()
                }
                trace.log("returns the socket: \(returned === socket)")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["returns the socket: true", "timeout", "after destroy returns the socket: true"])
    }
}
