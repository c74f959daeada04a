@testable import Net
import CLibUV
import NetTestSupport
import Testing

/// The handle layer's lifetime rules, exercised on real libuv handles (run under AddressSanitizer in CI,
/// which turns any use after free or leak into a failure).
@Suite struct HandleLifetimeTests {
    /// The loop is freed when its thread's work ends, even with an unref'd immediate still queued that
    /// holds a socket: sockets refer to their loop without owning it (a strong reference made the cycle
    /// loop → immediate → socket → loop, which leaked the loop).
    @Test func aSocketInAPendingImmediateDoesNotKeepItsLoopAlive() {
        final class Weak: @unchecked Sendable { weak var loop: EventLoop?; weak var socket: Socket? }
        let refs = Weak()
        let result = LoopThread.run { loop, _ in
            let socket = Socket()
            refs.socket = socket
            refs.loop = loop
            loop.setImmediate { _ = socket.destroyed }.unref()
        }
        #expect(result.finished)
        #expect(refs.socket == nil)
        #expect(refs.loop == nil)
    }

    /// A loop whose thread ends with a server listening and a connection open (all unref'd) frees them,
    /// although each one's listeners capture it: the loop closes their handles, and they drop their
    /// listeners then (nothing is emitted any more, as after Node's process exits).
    @Test func openSocketsAndServersAreFreedWhenTheirLoopShutsDown() {
        final class Weak: @unchecked Sendable { weak var client: Socket?; weak var peer: Socket?; weak var server: Server? }
        let refs = Weak()
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { peer in
                refs.peer = peer
                peer.on(.data) { peer.write($0) }
                peer.unref()
                trace.log("accepted")
            }
            refs.server = server
            try! server.listen(port: 0)
            server.on(.listening) {
                server.unref()
                let client = try! Net.createConnection(port: server.address()!.port!, host: "127.0.0.1")
                refs.client = client
                client.on(.data) { _ in _ = client.bytesRead }
                client.on(.connect) {
                    trace.log("connected")
                    client.unref()
                }
            }
        }
        #expect(result.finished)
        #expect(Set(result.trace) == ["accepted", "connected"])
        #expect(refs.client == nil)
        #expect(refs.peer == nil)
        #expect(refs.server == nil)
    }

    @Test func closeFromInsideItsOwnCallbackIsSafeAndIdempotent() {
        let result = LoopThread.run { loop, trace in
            var handle: TimerHandle?
            handle = try? TimerHandle(loop: loop) { h in
                trace.log("fired")
                h.close()
                h.close()   // idempotent
                #expect(h.isClosing && !h.isClosed)
                h.start(1, repeat: 0)   // ignored: never call into a closing handle
                h.hasRef = true         // likewise
                #expect(!h.isActive)
            }
            handle?.start(5, repeat: 5)
            handle = nil   // the handle keeps itself alive until its close callback
        }
        #expect(result.finished)
        #expect(result.trace == ["fired"])
    }

    @Test func didCloseRunsOnceAfterCallbacksAndTicksDrainAfterIt() {
        final class Probe: Handle {
            let trace: Trace
            init(loop: EventLoop, trace: Trace) throws(NetError) {
                self.trace = trace
                try super.init(loop: loop, type: UV_IDLE) { uv_idle_init(loop.uv, $0.assumingMemoryBound(to: uv_idle_t.self)) }
            }
            override func didClose() {
                trace.log("didClose closed=\(isClosed)")
                loop.nextTick { self.trace.log("tick after didClose") }
            }
        }
        let result = LoopThread.run { loop, trace in
            let probe = try? Probe(loop: loop, trace: trace)
            probe?.close()
            probe?.close()
            trace.log("close requested")
        }
        #expect(result.trace == ["close requested", "didClose closed=true", "tick after didClose"])
    }

    @Test func requestBoxLivesUntilCompletedRefusedOrDropped() {
        final class Payload { let trace: Trace; init(_ t: Trace) { trace = t }; deinit { trace.log("payload freed") } }
        let trace = Trace()
        do {
            var raw: UnsafeMutableRawPointer?
            do {
                let box = Request<uv_write_t, Payload>.make(Payload(trace))
                // The request's memory starts zeroed (libuv expects that of a fresh request).
                let bytes = UnsafeRawBufferPointer(start: box.req, count: MemoryLayout<uv_write_t>.size)
                #expect(bytes.allSatisfy { $0 == 0 })
                // Simulate libuv accepting the request: the box must outlive the last Swift reference.
                let status = box.submit { req in raw = UnsafeMutableRawPointer(req); return 0 }
                #expect(status == 0)
            }
            trace.log("submitted")
            // Simulate libuv calling back: the callback takes the retain back.
            let completed = Request<uv_write_t, Payload>.complete(raw!)
            completed.context.trace.log("completed")
        }
        do {
            // A request libuv refuses at once: its retain is given back by `submit`.
            let refused = Request<uv_shutdown_t, Payload>.make(Payload(trace))
            #expect(refused.submit { _ in UV_EINVAL.rawValue } == UV_EINVAL.rawValue)
        }
        trace.log("refused")
        // One never submitted goes with its last reference.
        _ = Request<uv_shutdown_t, Payload>.make(Payload(trace))
        #expect(trace.lines == ["submitted", "completed", "payload freed", "payload freed", "refused", "payload freed"])
    }

    /// The libuv handle is the first stored property of its Swift object: one allocation, at the address
    /// `raw` computes, and libuv sees it as the handle it initialised.
    @Test func theLibuvHandleLivesInsideItsObject() {
        let result = LoopThread.run { loop, trace in
            guard let tcp = try? TCPHandle(loop: loop) else { trace.log("no handle"); return }
            let object = UnsafeRawPointer(Unmanaged.passUnretained(tcp).toOpaque())
            let handle = UnsafeRawPointer(tcp.handle)
            trace.log("offset \(handle - object)")
            trace.log("inside \(handle - object + MemoryLayout<uv_tcp_t>.size <= allocatedSize(tcp))")
            trace.log("type \(String(cString: uv_handle_type_name(tcp.handle.pointee.type)))")
            trace.log("loop \(tcp.handle.pointee.loop == loop.uv)")
            trace.log("data \(tcp.handle.pointee.data == UnsafeMutableRawPointer(mutating: object))")
            tcp.close()
        }
        #expect(result.trace == ["offset 16", "inside true", "type tcp", "loop true", "data true"])
    }

    /// A TCP handle's object is every idle connection's largest block: its one-byte fields sit in the bytes
    /// `Handle`'s flags leave before the next 8-byte boundary, its owner is one word, and the loop, a
    /// listening handle's connection callback and an `onread` buffer are asked of libuv and of the owner
    /// instead of stored, so it is a block of 296 usable bytes (a 304-byte malloc chunk; 344 usable, a
    /// 352-byte chunk, before). The owner comes back as set, a socket or any other.
    @Test func aTCPHandleIsOneBlockOf296BytesAndKeepsItsOwner() {
        final class Other: StreamHandleOwner {
            func handleRead(_ event: StreamHandle.ReadEvent, from stream: StreamHandle) {}
            func handleDidClose(hadError: Bool) {}
            func handleClosedUnannounced(_ handle: StreamHandle) {}
        }
        let result = LoopThread.run { loop, trace in
            guard let tcp = try? TCPHandle(loop: loop) else { trace.log("no handle"); return }
            // `blockSize` takes the smallest of 32: one alone may land in a larger free block. Each handle
            // lives until it is closed, so they are kept to be closed here.
            var measured: [TCPHandle] = []
            let size = blockSize { () -> TCPHandle in
                let handle = try! TCPHandle(loop: loop)
                measured.append(handle)
                return handle
            }
            trace.log("fits \(size <= 296)")
            for handle in measured { handle.close() }
            trace.log("loop \(tcp.loop === loop)")
            trace.log("none \(tcp.owner == nil)")
            let socket = Socket()
            tcp.owner = socket
            trace.log("socket \(tcp.owner === socket)")
            let other = Other()
            tcp.owner = other
            trace.log("other \(tcp.owner === other && tcp.owner?.readBuffer == nil)")
            tcp.owner = nil
            trace.log("cleared \(tcp.owner == nil)")
            tcp.close()
            socket.destroy()
        }
        #expect(result.trace == ["fits true", "loop true", "none true", "socket true", "other true", "cleared true"])
    }

    @Test func failedInitThrowsAndFreesAtOnce() {
        let result = LoopThread.run { loop, trace in
            do {
                _ = try TimerHandleFailing(loop: loop)
                trace.log("no error")
            } catch let error as NetError {
                trace.log("\(error.code) \(error.syscall ?? "")")
            } catch {
                trace.log("untyped \(error)")
            }
        }
        #expect(result.trace == ["EINVAL uv_timer_init"])
    }

    final class TimerHandleFailing: Handle {
        init(loop: EventLoop) throws(NetError) {
            try super.init(loop: loop, type: UV_TIMER) { _ in UV_EINVAL.rawValue }
        }
    }
}

/// The usable size of the memory an object was allocated in (glibc's `malloc_usable_size`, which
/// <malloc.h> declares and Swift's Glibc module does not import).
private func allocatedSize(_ object: AnyObject) -> Int {
    mallocUsableSize(Unmanaged.passUnretained(object).toOpaque())
}

@_silgen_name("malloc_usable_size")
private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int
