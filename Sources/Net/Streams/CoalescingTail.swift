// The block that a socket's small buffered writes are copied into (`WritableState.coalesce`).

#if canImport(Glibc)
import Glibc
#endif

/// The bytes of small callback-less writes appended behind a writable's last buffered entry while the
/// stream is corked or a write is in flight: one block, a header and then the bytes, that
/// `WritableState.sealTail` makes part of that entry when the queue is next read.
///
/// A block, not the entry's own `[UInt8]`: appending to an array checks its uniqueness and capacity
/// through generic code (about 85 instructions per 64-byte write, with the queue access that reaches the
/// entry in place), where appending here is a bounds check and a `memcpy`. The block grows four-fold from
/// 1 KiB, so a corked batch of 64-byte writes up to the 16 KiB high-water mark reallocates twice, and it
/// never holds more than four times its bytes (or 1 KiB). Sealing copies the bytes once more, into the
/// entry's chunk; it is freed then.
struct CoalescingTail {
    private struct Header {
        /// Bytes held.
        var count: Int
        /// Bytes the block has room for.
        var capacity: Int
        /// How many writes the bytes are.
        var writes: Int
        /// The bytes of the entry the tail follows: the two together stay within
        /// `WritableState.coalescedChunkLimit`.
        var behind: Int
    }

    private var header: UnsafeMutablePointer<Header>

    /// An empty tail behind an entry of `behind` bytes, with room for `capacity` bytes.
    init(behind: Int, capacity: Int) {
        header = Self.reallocate(nil, capacity)
        header.initialize(to: Header(count: 0, capacity: capacity, writes: 0, behind: behind))
    }

    /// `malloc`/`realloc` (which may grow the block where it is): a header and `capacity` bytes.
    private static func reallocate(_ block: UnsafeMutablePointer<Header>?, _ capacity: Int) -> UnsafeMutablePointer<Header> {
        guard let raw = realloc(block, MemoryLayout<Header>.stride + capacity) else {
            fatalError("Writable: out of memory for \(capacity) bytes of coalesced writes")
        }
        return raw.bindMemory(to: Header.self, capacity: 1)
    }

    /// The bytes held.
    var bytes: UnsafeRawPointer { UnsafeRawPointer(header + 1) }
    /// How many bytes it holds.
    var count: Int { header.pointee.count }
    /// How many writes it holds.
    var writes: Int { header.pointee.writes }
    /// How many bytes it has room for without growing.
    var capacity: Int { header.pointee.capacity }

    /// Whether `count` more bytes fit without growing.
    @inline(__always)
    func hasRoom(for count: Int) -> Bool {
        header.pointee.count + count <= header.pointee.capacity
    }

    /// Appends one write's bytes, which fit (`hasRoom`). Non-mutating: the block stays where it is.
    @inline(__always)
    func copyIn(_ added: UnsafeRawBufferPointer) {
        let count = header.pointee.count
        if let source = added.baseAddress {
            UnsafeMutableRawPointer(header + 1).advanced(by: count).copyMemory(from: source, byteCount: added.count)
        }
        header.pointee.count = count + added.count
        header.pointee.writes += 1
    }

    /// Appends one write's bytes, growing the block when needed; false when the entry and its tail would
    /// pass `WritableState.coalescedChunkLimit` (the tail is left as it was).
    @inline(__always)
    mutating func append(_ added: UnsafeRawBufferPointer) -> Bool {
        let needed = header.pointee.count + added.count
        if needed > header.pointee.capacity {
            guard header.pointee.behind + needed <= WritableState.coalescedChunkLimit else { return false }
            grow(toHold: needed)
        }
        copyIn(added)
        return true
    }

    /// Four times the capacity (at least `needed`, at most what the limit leaves).
    @inline(never)
    private mutating func grow(toHold needed: Int) {
        let old = header.pointee
        let capacity = min(WritableState.coalescedChunkLimit - old.behind, max(needed, 4 * old.capacity))
        header = Self.reallocate(header, capacity)
        header.pointee.capacity = capacity
    }

    /// Frees the block.
    func deallocate() {
        free(header)
    }
}
