import Foundation
import Net
import Testing

/// A `BlockList` is a reference that threads may share (as Node shares one through `postMessage`): rules
/// added on some threads while others check addresses. Every rule lands, and checks see whole rules. Run
/// under ThreadSanitizer by `make test-tsan`.
@Suite struct BlockListThreadsTests {
    @Test func rulesAddedAndCheckedFromFourThreadsAtOnce() throws {
        let list = BlockList()
        let perThread = 500
        let group = DispatchGroup()
        for writer in 0..<2 {
            DispatchQueue.global().async(group: group) {
                for i in 0..<perThread {
                    try? list.addAddress("10.\(writer).\(i / 256).\(i % 256)")
                }
            }
        }
        final class Hits: @unchecked Sendable {
            let lock = NSLock()
            var count = 0
        }
        let hits = Hits()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                var seen = 0
                for i in 0..<perThread where list.check("10.0.\(i / 256).\(i % 256)") { seen += 1 }
                hits.lock.withLock { hits.count += seen }
            }
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(list.rules.count == 2 * perThread)
        #expect(list.check("10.1.1.243"))
        #expect(!list.check("10.2.0.0"))
        #expect(hits.count <= 2 * perThread)
    }
}
