@testable import Net
import Foundation
import NetTestSupport
import Testing

/// The retention list behind listener lifetime (`ListenerRetention`, `docs/design/listener-lifetime.md`):
/// closed emitters keep their listeners while among the loop's most recent, pinned, or opted in; the
/// others are retired, which frees those whose listeners capture them; reviving a retired one warns.
@Suite struct ListenerRetentionTests {
    /// Weak references to watch objects from the test's thread.
    final class Watch: @unchecked Sendable {
        var sockets: [Weak] = []
        weak var server: Server?
        final class Weak { weak var socket: Socket?; init(_ s: Socket) { socket = s } }
        var alive: Int { sockets.filter { $0.socket != nil }.count }
    }

    /// Connects `count` clients one after another to `port`, each with listeners that capture it (the
    /// client-per-request pattern), then calls `done`.
    static func clientsInSequence(_ count: Int, port: Int, watch: Watch?, done: @escaping () -> Void) {
        var left = count
        func next() {
            guard left > 0 else { return done() }
            left -= 1
            let c = try! Net.connect(port: port, host: "127.0.0.1")
            watch?.sockets.append(.init(c))
            c.on(.data) { _ in c.end() }
            c.on(.end) { _ = c.bytesRead }
            c.on(.error) { _ in c.destroy() }
            c.on(.close) { _ in _ = c.remotePort; next() }
        }
        next()
    }

    @Test func closedClientsBeyondTheLimitAreFreedAndTheRecentOnesKeepTheirListeners() {
        let watch = Watch()
        let r = LoopThread.run { loop, trace in
            loop.listenerRetentionLimit = 4
            let server = Net.createServer { c in c.end("hi") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                Self.clientsInSequence(40, port: server.address()!.port!, watch: watch) {
                    setImmediate {
                        let last = watch.sockets.last!.socket
                        trace.log("first freed \(watch.sockets[0].socket == nil)")
                        trace.log("alive at most the limit \(watch.alive <= 4)")
                        trace.log("last kept close=\(last?.listenerCount(.close) ?? -1) data=\(last?.listenerCount(.data) ?? -1)")
                        trace.log("held \(loop.retention.count)")
                        server.close()
                    }
                }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["first freed true", "alive at most the limit true", "last kept close=1 data=1", "held 4"])
        #expect(watch.alive == 0, "the loop's shutdown retires the rest")
    }

    @Test func aReconnectTimerSetInClosePinsTheSocketThroughChurn() {
        let r = LoopThread.run { loop, trace in
            loop.listenerRetentionLimit = 2
            var served = 0
            let server = Net.createServer { c in served += 1; c.end("n\(served)") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let a = Socket()
                var round = 0
                a.eventListeners.onWarning = { trace.log("warning: \($0)") }
                a.on(.data) { d in trace.log("A data round \(round + 1)") }
                a.on(.close) { _ in
                    round += 1
                    guard round < 2 else { server.close(); return }
                    // Pinned: made by a 'close' listener. Meanwhile 30 other sockets close.
                    setTimeout(150) { try! a.connect(port: port, host: "127.0.0.1") }
                    Self.clientsInSequence(30, port: port, watch: nil) { trace.log("churn done") }
                }
                try! a.connect(port: port, host: "127.0.0.1")
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["A data round 1", "churn done", "A data round 2"])
    }

    @Test func revivingARetiredSocketWarnsAndPutsItsEndListenerBack() {
        let r = LoopThread.run { loop, trace in
            loop.listenerRetentionLimit = 0
            let server = Net.createServer { c in c.end("x") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let a = Socket()
                a.eventListeners.onWarning = { trace.log($0.contains("ListenersRetiredWarning: connect() on a Socket whose listeners were dropped") ? "warned" : $0) }
                a.on(.data) { _ in trace.log("data") }
                a.on(.close) { _ in trace.log("close") }
                try! a.connect(port: port, host: "127.0.0.1")
                // Not pinned: scheduled before 'close', from outside its listeners.
                setTimeout(200) {
                    trace.log("before: close=\(a.listenerCount(.close)) end=\(a.listenerCount(.end))")
                    try! a.connect(port: port, host: "127.0.0.1")
                    trace.log("after: end=\(a.listenerCount(.end))")
                    a.on(.close) { _ in trace.log("close 2"); server.close() }
                    a.resume()
                }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["data", "close", "before: close=0 end=0", "warned", "after: end=1", "close 2"])
    }

    @Test func keepsListenersAfterCloseKeepsThemBeyondTheLimit() {
        let r = LoopThread.run { loop, trace in
            loop.listenerRetentionLimit = 0
            let server = Net.createServer { c in c.end("x") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let a = Socket()
                a.keepsListenersAfterClose = true
                a.eventListeners.onWarning = { trace.log("warning: \($0)") }
                var round = 0
                a.on(.data) { _ in trace.log("data \(round + 1)") }
                a.on(.close) { _ in
                    round += 1
                    if round == 2 { server.close() }
                }
                try! a.connect(port: port, host: "127.0.0.1")
                Self.clientsInSequence(5, port: port, watch: nil) {}
                setTimeout(200) { try! a.connect(port: port, host: "127.0.0.1") }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["data 1", "data 2"])
    }

    @Test func aRetiredServerListenedAgainWarns() {
        let r = LoopThread.run { loop, trace in
            loop.listenerRetentionLimit = 0
            let server = Net.createServer { c in c.end("x") }
            server.eventListeners.onWarning = { trace.log($0.contains("ListenersRetiredWarning: listen() on a Server") ? "warned" : $0) }
            server.on(.listening) { trace.log("listening") }
            try! server.listen(port: 0, host: "127.0.0.1") { server.close() }
            setTimeout(100) {
                trace.log("listening listeners \(server.listenerCount(.listening))")
                try! server.listen(port: 0, host: "127.0.0.1") { trace.log("listen cb"); server.close() }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["listening", "listening listeners 0", "warned", "listen cb"])
    }

    @Test func loweringTheLimitRetiresAtOnceButNotThePinned() {
        let watch = Watch()
        let r = LoopThread.run { loop, trace in
            let server = Net.createServer { c in c.end("hi") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                Self.clientsInSequence(10, port: server.address()!.port!, watch: watch) {
                    // Scheduled from the last client's 'close' listener: pins that client.
                    setImmediate {
                        loop.listenerRetentionLimit = 0
                        trace.log("from pinned work: alive \(watch.alive) held \(loop.retention.count)")
                        loop.listenerRetentionLimit = 1024   // the pinned one stays, unpinned, after this
                    }
                }
                // Made before any 'close': pins nothing.
                setTimeout(300) {
                    trace.log("kept \(watch.alive)")
                    loop.listenerRetentionLimit = 0
                    trace.log("none kept \(watch.alive == 0) held \(loop.retention.count)")
                    server.close()
                }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["from pinned work: alive 1 held 1", "kept 1", "none kept true held 0"])
    }

    /// The echo server of the README with listeners that capture the accepted socket, `pipe` included:
    /// beyond the limit, closed connections are freed while the server runs.
    @Test func selfCapturingAcceptedSocketsAreFreedBeyondTheLimit() {
        let watch = Watch()
        let r = LoopThread.run { loop, trace in
            loop.listenerRetentionLimit = 3
            let server = Net.createServer { c in
                watch.sockets.append(.init(c))
                c.on(.end) { _ = c.remoteAddress }
                c.pipe(c)
            }
            watch.server = server
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                var left = 30
                func next() {
                    guard left > 0 else {
                        // The server's side of the last connection closes shortly after the client's.
                        setTimeout(50) {
                            trace.log("accepted 30 alive at most 3: \(watch.sockets.count == 30 && watch.alive <= 3)")
                            server.close()
                        }
                        return
                    }
                    left -= 1
                    let c = try! Net.connect(port: port, host: "127.0.0.1")
                    c.on(.connect) { c.end("ping") }
                    c.on(.data) { _ in }
                    c.on(.close) { _ in next() }
                }
                next()
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["accepted 30 alive at most 3: true"])
        #expect(watch.alive == 0)
        #expect(watch.server == nil)
    }
    /// A revival that comes from another thread through `loop.execute`, after 'close': the socket's
    /// listeners are all there.
    @Test func reconnectFromALoopExecuteBlockOfAnotherThread() {
        final class Box: @unchecked Sendable { var reconnect: (() -> Void)? }
        let box = Box()
        let r = LoopThread.run { loop, trace in
            let server = Net.createServer { c in c.end("x") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let a = Socket()
                var round = 0
                // Keeps the loop alive while the other thread waits.
                let keepAlive = setTimeout(5000) {}
                a.on(.data) { _ in trace.log("data \(round + 1)") }
                a.on(.close) { _ in
                    round += 1
                    trace.log("close \(round)")
                    if round == 2 { server.close(); keepAlive.cancel(); return }
                    box.reconnect = { try! a.connect(port: port, host: "127.0.0.1") }
                    // Another thread asks for the reconnect a little later.
                    Thread.detachNewThread {
                        usleep(50_000)
                        loop.execute { box.reconnect?(); box.reconnect = nil }
                    }
                }
                try! a.connect(port: port, host: "127.0.0.1")
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["data 1", "close 1", "data 2", "close 2"])
    }
}
