// Node: test/parallel/test-net-timeout-no-handle.js
@testable import Net
import NetTestSupport
import Testing

/// The idle timeout of a socket that never connected (no handle) still fires, with no handle and no
/// 'connect'; the timer is unref'd, so a 200 ms timer keeps the process up long enough.
@Suite struct TimeoutNoHandleTests {
    @Test func timeoutFiresOnASocketWithoutHandle() {
        let result = LoopThread.run { loop, trace in
            let socket = Socket()
            try! socket.setTimeout(50)
            socket.on(.timeout) { [unowned socket] in
                trace.log("timeout, handle \(socket.handle == nil ? "null" : "set")")
            }
            socket.on(.connect) { trace.log("connect (must not happen)") }
            // Since the timeout is unref'd, the loop would end without this. Holding the socket here
            // keeps it alive as Node's module-level `const socket` does (the socket never closes, so a
            // listener capturing it strongly would be a cycle).
            loop.setTimeout(200) { withExtendedLifetime(socket) {} }
        }
        #expect(result.finished)
        #expect(result.trace == ["timeout, handle null"])
    }
}
