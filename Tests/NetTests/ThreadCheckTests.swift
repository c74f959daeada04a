import Foundation
@testable import Net
import NetTestSupport
import Testing

/// Runs `body` on a new thread and waits for it: how these tests touch an object from the wrong thread.
/// The object crosses through `nonisolated(unsafe)`, the deliberate misuse the checks exist to stop.
private func onAnotherThread(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.start()
    done.wait()
}

/// Every public entry point of a loop-confined object checks the calling thread, in release builds too
/// (issue 22): a use from another thread stops the program with a message that names `loop.execute`,
/// instead of racing. Each misuse runs in a child process (an exit test) whose standard error is read.
@Suite struct ThreadCheckTests {
    private static func expectStop(_ stderr: [UInt8], naming call: String) {
        let text = String(decoding: stderr, as: UTF8.self)
        #expect(text.contains(call), "\(text)")
        #expect(text.contains("loop.execute"), "\(text)")
    }

    @Test func writingToASocketFromAnotherThreadStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let socket = Socket()
            onAnotherThread { socket.write("x") }
        }
        if let result { Self.expectStop(result.standardErrorContent, naming: "Socket.write(") }
    }

    @Test func addingAListenerFromAnotherThreadStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let socket = Socket()
            onAnotherThread { socket.on(.data) { _ in } }
        }
        if let result { Self.expectStop(result.standardErrorContent, naming: "Socket.on(") }
    }

    @Test func readingASocketPropertyFromAnotherThreadStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let socket = Socket()
            onAnotherThread { _ = socket.writableLength }
        }
        if let result { Self.expectStop(result.standardErrorContent, naming: "Socket.writableLength") }
    }

    @Test func listeningAndClosingAServerFromAnotherThreadStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let server = Server()
            onAnotherThread { _ = try? server.listen(port: 0) }
        }
        if let result { Self.expectStop(result.standardErrorContent, naming: "Server.listen(") }
        let closing = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let server = Server()
            onAnotherThread { server.close() }
        }
        if let closing { Self.expectStop(closing.standardErrorContent, naming: "Server.close(") }
    }

    @Test func cancellingATimerFromAnotherThreadStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) let timer = setTimeout(1000) {}
            onAnotherThread { timer.cancel() }
        }
        if let result { Self.expectStop(result.standardErrorContent, naming: "Timer.cancel()") }
    }

    @Test func queueingATickOnAnotherThreadsLoopStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let loop = EventLoop.current
            onAnotherThread { loop.nextTick {} }
        }
        if let result { Self.expectStop(result.standardErrorContent, naming: "EventLoop.nextTick(") }
    }

    /// The way across works: the same calls through `execute`, on the socket's own loop thread.
    @Test func theSameCallsThroughExecuteWork() {
        let outcome = LoopThread.run { loop, trace in
            let socket = LoopBound(Socket())
            let timer = LoopBound(setTimeout(10_000) {})
            onAnotherThread {
                _ = loop.execute {
                    socket.value.on(.data) { _ in }
                    trace.log("length \(socket.value.writableLength)")
                    socket.value.destroy()
                    timer.value.cancel()
                    trace.log("done")
                }
            }
        }
        #expect(outcome.finished)
        #expect(outcome.trace == ["length 0", "done"])
    }
}
