// `make run`: a tour of what Net has so far — the event loop, its timers and the typed event emitter —
// in the shape of a Node script. It exits by itself when nothing ref'd is left, as `node script.js` does.
// (Once the TCP layer lands, `make run` serves the echo server of Node's docs on port 8124.)
import Net

/// A tiny emitter of our own, with typed events, as `class Ticker extends EventEmitter` in Node.
final class Ticker: EventEmitter {
    let eventListeners = EventListeners()
}

extension EventKey where Emitter == Ticker, Payload == Int {
    static var tick: Self { .init("tick") }
}

extension EventKey where Emitter == Ticker, Payload == Void {
    static var done: Self { .init("done") }
}

let ticker = Ticker()
ticker.on(.tick) { n in print("tick \(n)") }
ticker.once(.done) { print("ticker done") }
ticker.on(.error) { err in print("handled \(err)") }

print("main: start")
nextTick { print("nextTick: runs before any timer or immediate") }
setImmediate { print("setImmediate: runs after the first poll") }

var count = 0
var interval: Timer?
interval = setInterval(100) {
    count += 1
    ticker.emit(.tick, count)
    if count == 3 {
        clearInterval(interval)
        ticker.emit(.done)
        ticker.emit(.error, NetError.socketClosed)
    }
}

// An unref'd timer does not keep the program alive: it never fires here.
setTimeout(60_000) { print("never printed") }.unref()

// Node's docs retry `listen` after EADDRINUSE with a timer; the same shape works here.
let retry = setTimeout(1_000) { print("timeout: refreshed once, so this prints at ~1.5 s") }
setTimeout(500) { retry.refresh() }

print("main: end (the loop runs now)")
EventLoop.current.run()
print("loop finished: nothing ref'd is left")
