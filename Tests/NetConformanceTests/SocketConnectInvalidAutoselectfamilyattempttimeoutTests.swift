// Node: test/parallel/test-net-socket-connect-invalid-autoselectfamilyattempttimeout.js
import Net
import NetTestSupport
import Testing

/// An attempt timeout below 1 throws ERR_OUT_OF_RANGE from `connect` and from
/// `setDefaultAutoSelectFamilyAttemptTimeout`; a default set below 10 reads back as 10.
@Suite struct SocketConnectInvalidAutoselectfamilyattempttimeoutTests {
    @Test func invalidTimeoutsThrowAndSmallOnesBecomeTen() {
        Lookups.autoSelectDefaults.withLock { _ in
            let result = LoopThread.run { _, trace in
                for timeout in [-10, 0] {
                    var options = ConnectOptions(port: 8080)
                    options.autoSelectFamily = true
                    options.autoSelectFamilyAttemptTimeout = timeout
                    do {
                        let socket = try Net.connect(options)
                        trace.log("FAIL connect did not throw")
                        socket.destroy()
                    } catch {
                        let error = error as! NetError; trace.log("connect \(timeout): \(error.code) \(error.message)")
                    }
                    do {
                        try setDefaultAutoSelectFamilyAttemptTimeout(timeout)
                        trace.log("FAIL set did not throw")
                    } catch {
                        trace.log("set \(timeout): \((error as! NetError).code)")
                    }
                }
                for timeout in [1, 9] {
                    try! setDefaultAutoSelectFamilyAttemptTimeout(timeout)
                    trace.log("default \(getDefaultAutoSelectFamilyAttemptTimeout())")
                }
                try! setDefaultAutoSelectFamilyAttemptTimeout(250)
            }
            #expect(result.finished)
            let range = "is out of range. It must be >= 1 && <= 2147483647."
            #expect(result.trace == [
                "connect -10: ERR_OUT_OF_RANGE The value of \"options.autoSelectFamilyAttemptTimeout\" \(range) Received -10",
                "set -10: ERR_OUT_OF_RANGE",
                "connect 0: ERR_OUT_OF_RANGE The value of \"options.autoSelectFamilyAttemptTimeout\" \(range) Received 0",
                "set 0: ERR_OUT_OF_RANGE",
                "default 10",
                "default 10",
            ])
        }
    }
}
