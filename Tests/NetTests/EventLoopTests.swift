import Foundation
import Net
import NetTestSupport
import Testing

/// A non-Sendable value handed to another thread on purpose, in tests that check `execute`.
struct Unchecked<T>: @unchecked Sendable { let value: T }

/// The loop's lifetime and ordering rules, against Node where Node defines them.
@Suite struct EventLoopTests {
    // MARK: Ordering: the same script in Node and in Swift must print the same trace.

    static let orderingJS = """
    const log = (s) => console.log(s);
    log('main start');
    process.nextTick(() => { log('tick1'); process.nextTick(() => log('tick nested')); });
    setTimeout(() => {
      log('t1');
      process.nextTick(() => log('t1 tick'));
      setImmediate(() => {
        log('i1');
        process.nextTick(() => log('i1 tick'));
        setImmediate(() => log('i1 nested immediate'));
      });
      setImmediate(() => log('i2'));
      let c;
      setImmediate(() => clearImmediate(c));
      c = setImmediate(() => log('cancelled immediate'));
      setTimeout(() => log('t3 after immediates'), 40);
    }, 1);
    process.nextTick(() => log('tick2'));
    log('main end');
    """

    static func orderingSwift(_ log: @escaping (String) -> Void) {
        log("main start")
        nextTick { log("tick1"); nextTick { log("tick nested") } }
        setTimeout(1) {
            log("t1")
            nextTick { log("t1 tick") }
            setImmediate {
                log("i1")
                nextTick { log("i1 tick") }
                setImmediate { log("i1 nested immediate") }
            }
            setImmediate { log("i2") }
            var c: Net.Timer?
            setImmediate { clearImmediate(c) }
            c = setImmediate { log("cancelled immediate") }
            setTimeout(40) { log("t3 after immediates") }
        }
        nextTick { log("tick2") }
        log("main end")
    }

    static let timersJS = """
    const log = (s) => console.log(s);
    setTimeout(() => {
      let n = 0;
      const iv = setInterval(() => { log('interval ' + (++n)); if (n === 3) clearInterval(iv); }, 10);
      const t = setTimeout(() => log('refreshed timeout'), 250);
      setTimeout(() => { log('refresh at 160'); t.refresh(); }, 160);
      setTimeout(() => log('at 300'), 300);
      const u = setTimeout(() => log('unref timeout never runs'), 5000);
      u.unref();
      const f = setTimeout(() => { log('fired once'); }, 80);
      setTimeout(() => { log('refresh after fire'); f.refresh(); }, 120);
      const cancelled = setTimeout(() => log('cancelled'), 10);
      clearTimeout(cancelled);
      cancelled.refresh();
      setImmediate(() => log('immediate'));
    }, 1);
    """

    static func timersSwift(_ log: @escaping (String) -> Void) {
        setTimeout(1) {
            var n = 0
            var iv: Net.Timer?
            iv = setInterval(10) {
                n += 1
                log("interval \(n)")
                if n == 3 { clearInterval(iv) }
            }
            let t = setTimeout(250) { log("refreshed timeout") }
            setTimeout(160) { log("refresh at 160"); t.refresh() }
            setTimeout(300) { log("at 300") }
            setTimeout(5000) { log("unref timeout never runs") }.unref()
            let f = setTimeout(80) { log("fired once") }
            setTimeout(120) { log("refresh after fire"); f.refresh() }
            let cancelled = setTimeout(10) { log("cancelled") }
            clearTimeout(cancelled)
            cancelled.refresh()
            setImmediate { log("immediate") }
        }
    }

    static func compareWithNode(_ js: String, _ swift: @escaping @Sendable (@escaping (String) -> Void) -> Void) throws -> [String] {
        let node = try Node.run(js)
        #expect(node.status == 0, "\(node.stderr)")
        let nodeTrace = node.stdout.split(separator: "\n").map(String.init)
        let ours = LoopThread.run { _, trace in swift { trace.log($0) } }
        #expect(ours.finished)
        #expect(ours.trace == nodeTrace)
        return ours.trace
    }

    @Test func tickTimerImmediateOrderMatchesNode() throws {
        let trace = try Self.compareWithNode(Self.orderingJS, Self.orderingSwift)
        #expect(trace == [
            "main start", "main end", "tick1", "tick2", "tick nested",
            "t1", "t1 tick",
            "i1", "i1 tick", "i2", "i1 nested immediate", "t3 after immediates",
        ])
    }

    @Test func intervalsRefreshAndUnrefMatchNode() throws {
        let trace = try Self.compareWithNode(Self.timersJS, Self.timersSwift)
        #expect(trace == [
            "immediate", "interval 1", "interval 2", "interval 3", "fired once", "refresh after fire",
            "refresh at 160", "fired once", "at 300", "refreshed timeout",
        ])
    }

    /// Timers started in one callback with the same delay share libuv's due time: they fire in start
    /// order in one timers phase, with ticks drained between them, before the check phase.
    @Test func sameDelayTimersFireTogetherBeforeImmediates() {
        let result = LoopThread.run { loop, trace in
            loop.setImmediate {
                loop.setTimeout(30) { trace.log("a"); loop.nextTick { trace.log("a tick") } }
                loop.setTimeout(30) { trace.log("b"); loop.setImmediate { trace.log("immediate") } }
                loop.setTimeout(30) { trace.log("c") }
            }
        }
        #expect(result.trace == ["a", "a tick", "b", "c", "immediate"])
    }

    // MARK: ref/unref decide when run() returns

    @Test func refedTimerKeepsRunAlive() {
        let result = LoopThread.run { loop, trace in
            loop.setTimeout(80) { trace.log("fired") }
        }
        #expect(result.finished)
        #expect(result.trace == ["fired"])
        #expect(result.seconds >= 0.07)
    }

    @Test func unrefedTimerDoesNotKeepRunAlive() {
        let result = LoopThread.run { loop, trace in
            loop.setTimeout(10_000) { trace.log("fired") }.unref()
            #expect(loop.isAlive == false)
        }
        #expect(result.finished)
        #expect(result.trace.isEmpty)
        #expect(result.seconds < 5)
    }

    @Test func refAgainRestoresKeepAlive() {
        let result = LoopThread.run { loop, trace in
            let t = loop.setTimeout(50) { trace.log("fired") }
            t.unref()
            #expect(!t.hasRef())
            t.ref()
            #expect(t.hasRef())
        }
        #expect(result.trace == ["fired"])
    }

    @Test func unrefedTimerStillFiresWhileLoopRunsForOtherWork() {
        let result = LoopThread.run { loop, trace in
            loop.setTimeout(20) { trace.log("unref fired") }.unref()
            loop.setTimeout(200) { trace.log("ref fired") }
        }
        #expect(result.trace == ["unref fired", "ref fired"])
    }

    @Test func unrefedImmediateAloneDoesNotRun() {
        let result = LoopThread.run { loop, trace in
            loop.setImmediate { trace.log("ran") }.unref()
        }
        #expect(result.finished)
        #expect(result.trace.isEmpty)
    }

    @Test func cancelledTimerLetsRunReturn() {
        let result = LoopThread.run { loop, trace in
            let t = loop.setTimeout(10_000) { trace.log("fired") }
            #expect(t.isActive)
            loop.setTimeout(10) { t.cancel(); trace.log("cancelled") }
        }
        #expect(result.finished)
        #expect(result.trace == ["cancelled"])
        #expect(result.seconds < 5)
    }

    @Test func outOfRangeDelaysBecomeOneMillisecond() {
        let result = LoopThread.run { loop, trace in
            loop.setTimeout(-5) { trace.log("negative") }
            loop.setTimeout(Int.max) { trace.log("huge") }
            loop.setTimeout(30) { trace.log("thirty") }
        }
        #expect(result.trace == ["negative", "huge", "thirty"])
    }

    // MARK: Threads

    @Test func executeFromAnotherThreadWakesTheLoop() {
        let result = LoopThread.run { loop, trace in
            let keepAlive = Unchecked(value: loop.setTimeout(30_000) { trace.log("timer fired") })
            Thread {
                usleep(50_000)
                loop.execute {
                    #expect(EventLoop.current === loop)
                    trace.log("executed on loop")
                    keepAlive.value.cancel()
                }
            }.start()
        }
        #expect(result.finished)
        #expect(result.trace == ["executed on loop"])
        #expect(result.seconds < 10)
    }

    @Test func executeBeforeRunRunsWhenRunStarts() {
        let result = LoopThread.run { loop, trace in
            let done = DispatchSemaphore(value: 0)
            Thread {
                loop.execute { trace.log("queued before run") }
                done.signal()
            }.start()
            done.wait()
            loop.nextTick { trace.log("tick") }
        }
        #expect(result.trace == ["queued before run", "tick"])
    }

    /// Loop A sits in run() on a 30 s timer while loop B, on another thread, runs its own timers to the
    /// end; only then does B release A through `execute`. Neither loop can block or drive the other.
    @Test func twoLoopsOnTwoThreadsRunIndependently() {
        final class Shared: @unchecked Sendable {
            let ready = DispatchSemaphore(value: 0)
            /// Signalled after `resultA` is written: the wait orders that write before the reads below
            /// (polling `Thread.isFinished` does not, for ThreadSanitizer).
            let finishedA = DispatchSemaphore(value: 0)
            var loopA: EventLoop?
            var timerA: Unchecked<Net.Timer>?
            var resultA: LoopThread.Result?
        }
        let shared = Shared()
        let threadA = Thread {
            shared.resultA = LoopThread.run { loop, trace in
                shared.loopA = loop
                shared.timerA = Unchecked(value: loop.setTimeout(30_000) { trace.log("A timed out") })
                loop.nextTick { shared.ready.signal() }   // runs once A's run() has started
            }
            shared.finishedA.signal()
        }
        threadA.start()
        shared.ready.wait()
        let b = LoopThread.run { loop, trace in
            #expect(loop !== shared.loopA)
            var count = 0
            var iv: Net.Timer?
            iv = loop.setInterval(2) {
                count += 1
                guard count == 10 else { return }
                clearInterval(iv)
                trace.log("B done")
                let timerA = shared.timerA!
                shared.loopA!.execute {
                    timerA.value.cancel()
                    #expect(EventLoop.current === shared.loopA)
                }
            }
        }
        shared.finishedA.wait()
        #expect(b.finished && b.trace == ["B done"])
        #expect(shared.resultA?.finished == true)
        #expect(shared.resultA?.trace == [], "A returned because B cancelled its timer, not by timing out")
    }

    @Test func currentIsPerThreadAndStable() {
        let result = LoopThread.run { loop, trace in
            trace.log(EventLoop.current === loop ? "same" : "different")
            #expect(loop.inEventLoop)
        }
        #expect(result.trace == ["same"])
    }

    // MARK: Uncaught errors (child processes: the default handler ends the process)

    @Test func unhandledErrorEndsProcessLikeNode() throws {
        let ours = try Fixture.run("uncaught-error")
        let node = try Node.run("""
            console.log('before');
            setTimeout(() => { new (require('events'))().emit('error', new Error('x')); console.log('not reached'); }, 1);
            """)
        #expect(ours.status == node.status)
        #expect(ours.status == 1)
        #expect(ours.stdout == node.stdout)
        #expect(ours.stdout == "before\n")
        #expect(ours.stderr.contains("""
            Error: connect ECONNREFUSED 127.0.0.1:1 {
              errno: -111,
              code: 'ECONNREFUSED',
              syscall: 'connect',
              address: '127.0.0.1',
              port: 1
            }
            """))
    }

    @Test func customUncaughtHandlerKeepsRunning() throws {
        let ours = try Fixture.run("handled-error")
        #expect(ours.status == 0)
        #expect(ours.stdout == "handled: boom\nstill running\n")
    }

    @Test func processWithOnlyUnrefedTimerExits() throws {
        let ours = try Fixture.run("unref-timer")
        #expect(ours.status == 0)
        #expect(ours.stdout == "tick\nexit\n")
    }
}
