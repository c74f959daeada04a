// Node: test/parallel/test-net-server-async-dispose.mjs
import Net
import NetTestSupport
import Testing

/// `server[Symbol.asyncDispose]()` closes the server and resolves, and resolves too when the server is
/// already closed.
///
/// Mapping: Node's `await using server = …` / `server[Symbol.asyncDispose]()` is `Net.withServer`, which
/// closes the server it made when its body returns and waits for the close callback. "Resolves" is
/// `withServer` returning without throwing; the second dispose of an already closed server is the body
/// closing the server itself before `withServer` disposes of it. The never-firing timer that keeps Node's
/// process alive has no counterpart: `EventLoop.run` keeps the loop for the body.
@Suite struct ServerAsyncDisposeTests {
    @Test func disposingClosesTheServer() async throws {
        let (address, closes, afterBody) = try await EventLoop.run { _ -> (ServerAddress?, Int, Bool) in
            var closes = 0
            var kept: Server?
            let listeningInBody = try await Net.withServer(port: 0) { server in
                kept = server
                server.on(.close) { closes += 1 }
                return server.listening
            }
            return (kept?.address(), closes, listeningInBody)
        }
        #expect(afterBody, "the body ran while the server listened")
        #expect(address == nil)
        #expect(closes == 1)
    }

    @Test func disposingAnAlreadyClosedServerStillResolves() async throws {
        let (closes, disposed) = try await EventLoop.run { _ -> (Int, Bool) in
            var closes = 0
            try await Net.withServer(port: 0) { server in
                server.on(.close) { closes += 1 }
                try await server.closeAsync()   // the first dispose
            }
            return (closes, true)   // the second: withServer returned without throwing
        }
        #expect(disposed)
        #expect(closes == 1)
    }
}
