@testable import Net
import NetTestSupport
import Testing

/// How many times the loop runs a task per `await` of the async API: what the executor costs a round trip.
@Suite(.timeLimit(.minutes(2))) struct AsyncJobCountTests {
    /// A task that prefers the loop resumes once per chunk it waited for, and not at all for a write that
    /// went straight to the kernel. Its code is nonisolated: were its jobs run isolated to the loop's serial
    /// executor, every async function it entered or returned to would enqueue it again (about nine jobs per
    /// chunk on Swift 6.3: 21 per round trip of this test in a debug build, 19 in the release benchmark).
    @Test func aRoundTripResumesEachEndOnce() async throws {
        let thread = EventLoopThread()
        let loop = thread.loop
        let roundTrips = 200
        let jobsPerRoundTrip = try await Task(executorPreference: loop) { () async throws -> Double in
            let server = createServer()
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let port = server.address()!.port!
            let bound = LoopBound(server, loop: loop)
            let serving = Task(executorPreference: loop) {
                try await bound.value.handleConnections { socket in
                    for try await chunk in socket { try await socket.writeAsync(chunk) }
                }
            }
            let socket = try await connectAsync(port: port, host: "127.0.0.1")
            let message = Buffer(repeating: UInt8(ascii: "x"), count: 64)
            // One round trip first: the server's connection task has started and is waiting.
            try await socket.writeAsync(message)
            var iterator = socket.makeAsyncIterator()
            var got = 0
            while got < 64, let chunk = try await iterator.next() { got += chunk.count }
            let before = loop.jobsRun
            for _ in 0..<roundTrips {
                try await socket.writeAsync(message)
                got = 0
                while got < 64, let chunk = try await iterator.next() { got += chunk.count }
                #expect(got == 64)
            }
            let jobs = loop.jobsRun - before
            socket.destroy()
            try await server.closeAsync()
            _ = try? await serving.value
            return Double(jobs) / Double(roundTrips)
        }.value
        // Two resumes per round trip (the client's read, the server's read); a little slack for a chunk
        // that arrives in two reads.
        #expect(jobsPerRoundTrip >= 1.9)
        #expect(jobsPerRoundTrip <= 2.5, "jobs per round trip: \(jobsPerRoundTrip)")
        await thread.shutdownGracefully()
    }

    /// An actor on the loop runs isolated to the loop's actor executor, on the loop's thread.
    @Test func anActorOnTheLoopIsIsolatedToIt() async throws {
        let thread = EventLoopThread()
        let actor = LoopActor(loop: thread.loop)
        #expect(await actor.isIsolatedOnLoop())
        // Code of a task that prefers the loop is on the loop's thread, and may assume the actor's isolation
        // there (the executor checks the thread).
        let loop = thread.loop
        #expect(await Task(executorPreference: loop) { actor.assumedIsolated() }.value)
        await thread.shutdownGracefully()
    }
}

extension LoopActor {
    /// Whether this actor's code runs on its loop's thread, with the runtime agreeing it is isolated.
    func isIsolatedOnLoop() -> Bool {
        preconditionIsolated()
        return loop.inEventLoop && #isolation === self
    }

    /// Whether the caller, synchronous code on the loop's thread, may assume this actor's isolation.
    nonisolated func assumedIsolated() -> Bool {
        assumeIsolated { $0.loop.inEventLoop }
    }
}
