import CLibUV

/// A 30-bit number for the calling thread: how loop-confined objects remember the thread that made them
/// and check it at every public entry point (see ``EventListeners/checkThread(_:_:)``), in release builds
/// too.
///
/// It is the thread pointer, folded: reading it is one instruction (`net_thread_pointer`), with no
/// function call, no lazily made key and no reference counting, so the check is a compare. Two live
/// threads never share a thread pointer; folding 64 bits to 30 could in principle make two of them
/// share a token, and a thread made after another has exited may get its thread pointer back, so a
/// misuse between such threads would go unnoticed. A right use never fails the check.
enum ThreadToken {
    /// The bits a token can use: the top two of a 32-bit word are left to its holder (`EventListeners`
    /// keeps two flags there).
    static let mask: UInt32 = 0x3fff_ffff

    /// The calling thread's token (never 0).
    @inline(__always) static var current: UInt32 {
        let pointer = UInt64(net_thread_pointer())
        // The thread pointer is at least 64-byte aligned: drop those bits, fold the high half in.
        let folded = UInt32(truncatingIfNeeded: (pointer >> 6) ^ (pointer >> 37)) & mask
        return folded == 0 ? 1 : folded
    }
}
