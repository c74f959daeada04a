@testable import Net
import NetTestSupport
import Testing

/// `once` listeners without an object each: Node's `fired` flag lives in a per-thread record of the
/// `once` listeners fired while a snapshot emit runs (`OnceRecord`), and in an `Extra` only for those
/// `rawListeners` wrapped. The edge cases where a copy of a `once` listener outlives its removal, run in
/// `node` and in Swift with equal traces.
@Suite struct OnceListenerTests {
    final class Emitter: EventEmitter {
        let eventListeners = EventListeners()
    }

    /// With one of Node's own names ("connect": a slot without an `Extra`, the case the record is for)
    /// and with a custom one (whose slot has an `Extra` for its name, and so the flag).
    @Test(arguments: ["connect", "x"])
    func aOnceListenerFiresOnceWhereverItsCopiesAre(name: String) throws {
        #expect((EventName(name).tag == .custom) == (name == "x"))
        try SocketDifferentialTests.compare("""
            const EventEmitter = require('events');
            // 1. nested emits: the innermost fires the once; the outer snapshots, which still hold it, skip it
            { const e = new EventEmitter(); let n = 0;
              e.on('x', () => { log('1: a'); if (++n < 5) e.emit('x'); });
              e.once('x', () => log('1: once'));
              e.emit('x'); log('1: count ' + e.listenerCount('x')); }
            // 2. a once removed (not fired) during an emit still runs in that emit
            { const e = new EventEmitter(); const o = () => log('2: once');
              e.on('x', () => { log('2: a'); e.removeListener('x', o); });
              e.once('x', o); e.emit('x'); e.emit('x'); log('2: count ' + e.listenerCount('x')); }
            // 3. the rawListeners wrapper fires it during the emit, before the snapshot gets to it
            { const e = new EventEmitter(); let w;
              e.on('x', () => { log('3: a'); w[1](); });
              e.once('x', () => log('3: once'));
              w = e.rawListeners('x'); e.emit('x'); w[1](); log('3: count ' + e.listenerCount('x')); }
            // 4. a wrapper taken before the emit does nothing after it
            { const e = new EventEmitter(); e.once('x', () => log('4: once'));
              const w = e.rawListeners('x'); e.emit('x'); w[0](); log('4: count ' + e.listenerCount('x')); }
            // 5. two once listeners, the first emits again: each runs once
            { const e = new EventEmitter();
              e.once('x', () => { log('5: o1'); e.emit('x'); });
              e.once('x', () => log('5: o2'));
              e.emit('x'); e.emit('x'); log('5: count ' + e.listenerCount('x')); }
            // 6. a once added from a once during a snapshot emit waits for the next emit
            { const e = new EventEmitter(); const o = () => log('6: once');
              e.on('x', () => log('6: a'));
              e.once('x', () => { log('6: o'); e.once('x', o); });
              e.emit('x'); e.emit('x'); log('6: count ' + e.listenerCount('x')); }
            // 7. the wrapper fired first, then a nested emit: the snapshot skips it
            { const e = new EventEmitter(); let w;
              e.on('x', () => { log('7: a'); w[1](); });
              e.once('x', () => log('7: once'));
              w = e.rawListeners('x'); w[1](); e.emit('x'); log('7: count ' + e.listenerCount('x')); }
            """) { log in
            let x = EventKey<Emitter, Void>(name)
            do {
                let e = Emitter()
                var n = 0
                e.on(x) { log("1: a"); n += 1; if n < 5 { e.emit(x) } }
                e.once(x) { log("1: once") }
                e.emit(x); log("1: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
            }
            do {
                let e = Emitter()
                var token: ListenerToken?
                e.on(x) { log("2: a"); e.off(x, token!) }
                token = e.once(x) { log("2: once") }
                e.emit(x); e.emit(x); log("2: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
            }
            do {
                let e = Emitter()
                var w: [(()) -> Void] = []
                e.on(x) { log("3: a"); w[1](()) }
                e.once(x) { log("3: once") }
                w = e.rawListeners(x); e.emit(x); w[1](()); log("3: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
                w = []   // and `w` holds the first listener, which captures `w`
            }
            do {
                let e = Emitter()
                e.once(x) { log("4: once") }
                let w = e.rawListeners(x); e.emit(x); w[0](()); log("4: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
            }
            do {
                let e = Emitter()
                e.once(x) { log("5: o1"); e.emit(x) }
                e.once(x) { log("5: o2") }
                e.emit(x); e.emit(x); log("5: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
            }
            do {
                let e = Emitter()
                e.on(x) { log("6: a") }
                e.once(x) { log("6: o"); e.once(x) { log("6: once") } }
                e.emit(x); e.emit(x); log("6: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
            }
            do {
                let e = Emitter()
                var w: [(()) -> Void] = []
                e.on(x) { log("7: a"); if w.count > 1 { w[1](()) } }
                e.once(x) { log("7: once") }
                w = e.rawListeners(x); w[1](()); e.emit(x); log("7: count \(e.listenerCount(x))")
                e.removeAllListeners()   // the listeners capture `e` (or wrappers that do): break the cycle
                w = []   // and `w` holds the first listener, which captures `w`
            }
        }
    }

    /// The record is empty again once the outermost snapshot emit has ended, and a `once` listener fired
    /// outside any snapshot is not recorded at all.
    @Test func theRecordIsEmptyBetweenEmits() {
        let x = EventKey<Emitter, Void>("connect")
        let e = Emitter()
        var calls = 0
        e.on(x) { calls += 1; if calls == 1 { e.emit(x) } }
        e.once(x) { calls += 10 }
        e.once(x) { calls += 100 }
        e.emit(x)
        #expect(calls == 112)
        #expect(OnceRecord.current.snapshots == 0 && OnceRecord.current.fired.isEmpty)
        e.once(x) { calls += 1000 }
        e.removeAllListeners(x)
        e.once(x) { calls += 1000 }
        e.emit(x)
        #expect(calls == 1112 && OnceRecord.current.fired.isEmpty)
        e.removeAllListeners()   // the first listener captures `e`
    }
}
