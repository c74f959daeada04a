@testable import Net
import Testing

/// The loop's tick ring: first in, first out across wrap-around and growth, and what it holds is released
/// when it is popped or when the queue goes.
@Suite struct TickQueueTests {
    final class Target: TickTarget {
        var ran: [UInt8] = []
        func runTick(_ code: UInt8) { ran.append(code) }
    }

    @Test func keepsOrderAcrossWrapAroundAndGrowth() {
        var queue = TickQueue(capacity: 4)
        let target = Target()
        var next: UInt8 = 0
        var expected: [String] = []
        var seen: [String] = []
        func drain(_ n: Int) {
            for _ in 0..<n {
                switch queue.popFirst() {
                case .target(let t, let code)?: t.runTick(code); seen.append("t\(code)")
                case .closure(let c)?: c()
                case .pinned?: Issue.record("no pinned tick was queued")
                case nil: Issue.record("queue empty too early")
                }
            }
        }
        // Three in, two out: the head moves, so the later growth happens with the ring wrapped.
        for round in 0..<10 {
            for _ in 0..<3 {
                let code = next
                next &+= 1
                if code % 2 == 0 {
                    queue.append(.target(target, code))
                    expected.append("t\(code)")
                } else {
                    queue.append(.closure { seen.append("c\(code)") })
                    expected.append("c\(code)")
                }
            }
            drain(2)
            let queued = queue.count
            #expect(queued == round + 1)
        }
        drain(queue.count)
        let empty = queue.isEmpty
        let nothing = queue.popFirst() == nil
        #expect(empty && nothing)
        #expect(seen == expected)
        #expect(target.ran == target.ran.sorted())
    }

    @Test func releasesWhatItHoldsWhenPoppedOrDropped() {
        weak var popped: Target?
        weak var left: Target?
        do {
            var queue = TickQueue(capacity: 2)
            do {
                let a = Target(), b = Target()
                popped = a
                left = b
                queue.append(.target(a, 1))
                queue.append(.target(b, 2))
                queue.append(.closure {})   // grows with two queued
            }
            #expect(popped != nil && left != nil)
            if case .target(let t, _)? = queue.popFirst() { #expect(t === popped) }
            #expect(popped == nil)
            #expect(left != nil)
        }
        #expect(left == nil)
    }

    /// `keepOnly` (the retention list's compaction) drops what it refuses, releasing it, and keeps the
    /// rest in order, here across the ring's end.
    @Test func keepOnlyDropsWhatItRefusesAndKeepsTheOrder() {
        final class Box {
            let n: Int
            init(_ n: Int) { self.n = n }
        }
        weak var dropped: Box?
        var queue = RingQueue<Box>(capacity: 8)
        for i in 0..<6 { queue.append(Box(i)) }
        for _ in 0..<4 { _ = queue.popFirst() }
        for i in 6..<11 { queue.append(Box(i)) }
        do {
            let odd = Box(101)
            dropped = odd
            queue.append(odd)   // the eighth: the ring is full and wrapped
        }
        queue.keepOnly { $0.n % 2 == 0 }
        #expect(dropped == nil)
        #expect(queue.count == 4)
        var seen: [Int] = []
        while let box = queue.popFirst() { seen.append(box.n) }
        #expect(seen == [4, 6, 8, 10])
    }

    /// Revived emitters leave stale entries in the retention list; once they are most of it, they are
    /// dropped, and the live ones still retire oldest first.
    @Test func theRetentionListDropsStaleEntriesAndRetiresInClosingOrder() {
        let retention = ListenerRetention()
        let stores = (0..<150).map { _ in EventListeners() }
        for store in stores { retention.add(store) }
        for store in stores[..<140] { retention.remove(store) }   // revived: 140 stale entries
        #expect(retention.count == 10)
        let last = EventListeners()
        retention.add(last)   // 151 entries, 11 live: compacted
        #expect(retention.count == 11)
        retention.limit = 2
        retention.retireExcess()
        #expect(retention.count == 2)
        #expect(stores[140...148].allSatisfy { $0.retentionSeq == 0 })
        #expect(stores[149].retentionSeq != 0)
        #expect(last.retentionSeq != 0)
        #expect(stores[..<140].allSatisfy { $0.retentionSeq == 0 })
    }
}
