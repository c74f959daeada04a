// isIPv4 for a small string: all of its bytes at once, in two registers.
//
// A Swift string of at most 15 UTF-8 bytes is "small": its two words hold the bytes themselves (bytes 0…7 in
// the first word and 8…14 in the second, least significant first, the unused ones 0) and, in the top byte of
// the second word, flags and the count. A dotted quad has 7…15 bytes, so every IPv4 address is a small string,
// and isIPv4 can check those two words, SWAR (eight bytes a word), instead of reading the bytes one by one
// through a pointer.
//
// A dotted quad has one of 81 shapes (1, 2 or 3 digits in each of four numbers). For each shape a table holds
// per-byte bounds: the byte at a dot must be '.'; a digit must be '0'…'9', but '1'…'9' when it leads a number
// of two or three digits (no leading zero) and '1'…'2' when it leads one of three; the bytes after the address
// must be 0, and the last byte, where the count is, the shape's length. What per-byte bounds cannot say, that
// a number of three digits starting with '2' is at most 255, a second check says: "255" minus each such
// number, in one subtraction across all 16 bytes, borrows past the number's first byte only when the number
// is larger.
//
// Which shape to check against comes from the bytes themselves: a digit has bit 4 set ('0' is 0x30), a dot
// (0x2E) and the zero bytes after the address do not. Those 16 bits, multiplied by a constant, give in their
// top 8 bits one of 256 slots, and under that constant the 81 shapes take 81 different slots; the other slots
// name a shape that no bytes match. Every input lands on some shape, and only an input of exactly that shape
// passes its bounds, so nothing needs confirming first, and the checks have no branches.

extension IPScan {
    /// Node's `isIPv4` for a small string, given the string's two words as `unsafeBitCast(_:to:)` reads them
    /// on a 64-bit little-endian platform. The caller has checked that the string is small.
    @inline(__always)
    static func isIPv4(smallStringWords word0: UInt64, _ word1: UInt64) -> Bool {
        assert(IPv4Shapes.tableIsDerived, "IPv4Shapes.table is not what IPv4Shapes.makeTable() builds")
        // Big-endian, so that a subtraction borrows from the byte before (a number's more significant digit):
        // bytes 0…7 in `head`, byte 0 in its top byte; bytes 8…14 in `tail`, then the count (the low four bits
        // of the second word's top byte, the flags above them cleared).
        let head = word0.byteSwapped
        let tail = (word1 & 0x0FFF_FFFF_FFFF_FFFF).byteSwapped
        let top: UInt64 = 0x8080_8080_8080_8080
        return IPv4Shapes.table.withUnsafeBufferPointer { table in
            let entry = Int(truncatingIfNeeded: table[IPv4Shapes.slotsOffset &+ IPv4Shapes.slot(head, tail)])
            // Each byte b against its bounds, with the top bit of every byte as a guard, so that no borrow
            // crosses into the next byte: the top bit of (b | 0x80) - minimum stays set when b >= minimum,
            // that of (maximum | 0x80) - b when b <= maximum. And b must be ASCII: a byte of 0x80 or more
            // could get past the guards.
            let aboveMinimum = ((head | top) &- table[entry]) & ((tail | top) &- table[entry &+ 1])
            let belowMaximum = (table[entry &+ 2] &- head) & (table[entry &+ 3] &- tail)
            let inBounds = aboveMinimum & belowMaximum & ~(head | tail) & top == top
            // The limit minus the bytes, as one 128-bit number: the limit is "255" (the '2' with its top bit
            // set) at each number of three digits and 0x7F at every other byte, which never borrows. The top
            // bit of a '2' is cleared only when the number's first digit, '1' or '2' by now, is a '2' and the
            // rest of the number borrows from it: the number is above 255.
            let limitHead = table[entry &+ 4], limitTail = table[entry &+ 5]
            let (tailDifference, borrow) = limitTail.subtractingReportingOverflow(tail)
            let headDifference = limitHead &- head &- (borrow ? 1 : 0)
            let atMost255 = (~headDifference & limitHead | ~tailDifference & limitTail) & top == 0
            return inBounds && atMost255
        }
    }
}

/// The 81 shapes of a dotted quad and the bounds of their bytes, for `IPScan.isIPv4(smallStringWords:_:)`.
enum IPv4Shapes {
    /// Multiplied by the digit bits of the 16 bytes (bit 4 of each), gives in its top 8 bits a different slot
    /// for each of the 81 shapes. Found by trying random odd multipliers; `makeTable()` traps if two shapes
    /// share a slot.
    static let multiplier: UInt64 = 0x4EDC_FAAF_9BEB_FE91

    /// The slot of the bytes in `head` (bytes 0…7, big-endian) and `tail` (bytes 8…15).
    @inline(__always)
    static func slot(_ head: UInt64, _ tail: UInt64) -> Int {
        let bit4: UInt64 = 0x1010_1010_1010_1010
        let digits = head & bit4 | (tail & bit4) >> 1
        return Int(truncatingIfNeeded: (digits &* multiplier) >> 56)
    }

    /// Six words for each shape, each pair big-endian like the input (bytes 0…7, then 8…15): the minimum of
    /// every byte; its maximum with the top bit set; the limit ("255" at each number of three digits, the '2'
    /// with its top bit set, and 0x7F elsewhere). After the 81 shapes, one that no bytes fit (every minimum
    /// 0x7F, every maximum 0). Then the 256 slots: where in the table the entry of each slot's shape starts.
    ///
    /// A literal, which the compiler lays out in constant data (no initialisation, no check on access);
    /// `makeTable()` derives it, and debug builds check that the two agree.
    static let table: [UInt64] = [
        0x302E_302E_302E_3000, 0x0000_0000_0000_0007, 0xB9AE_B9AE_B9AE_B980, 0x8080_8080_8080_8087,  // d.d.d.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_302E_302E_3130, 0x0000_0000_0000_0008, 0xB9AE_B9AE_B9AE_B9B9, 0x8080_8080_8080_8088,  // d.d.d.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_302E_302E_3130, 0x3000_0000_0000_0009, 0xB9AE_B9AE_B9AE_B2B9, 0xB980_8080_8080_8089,  // d.d.d.ddd
        0x7F7F_7F7F_7F7F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x302E_302E_3130_2E30, 0x0000_0000_0000_0008, 0xB9AE_B9AE_B9B9_AEB9, 0x8080_8080_8080_8088,  // d.d.dd.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_302E_3130_2E31, 0x3000_0000_0000_0009, 0xB9AE_B9AE_B9B9_AEB9, 0xB980_8080_8080_8089,  // d.d.dd.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_302E_3130_2E31, 0x3030_0000_0000_000A, 0xB9AE_B9AE_B9B9_AEB2, 0xB9B9_8080_8080_808A,  // d.d.dd.ddd
        0x7F7F_7F7F_7F7F_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x302E_302E_3130_302E, 0x3000_0000_0000_0009, 0xB9AE_B9AE_B2B9_B9AE, 0xB980_8080_8080_8089,  // d.d.ddd.d
        0x7F7F_7F7F_B235_357F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_302E_3130_302E, 0x3130_0000_0000_000A, 0xB9AE_B9AE_B2B9_B9AE, 0xB9B9_8080_8080_808A,  // d.d.ddd.dd
        0x7F7F_7F7F_B235_357F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_302E_3130_302E, 0x3130_3000_0000_000B, 0xB9AE_B9AE_B2B9_B9AE, 0xB2B9_B980_8080_808B,  // d.d.ddd.ddd
        0x7F7F_7F7F_B235_357F, 0xB235_357F_7F7F_7F7F,
        0x302E_3130_2E30_2E30, 0x0000_0000_0000_0008, 0xB9AE_B9B9_AEB9_AEB9, 0x8080_8080_8080_8088,  // d.dd.d.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_2E30_2E31, 0x3000_0000_0000_0009, 0xB9AE_B9B9_AEB9_AEB9, 0xB980_8080_8080_8089,  // d.dd.d.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_2E30_2E31, 0x3030_0000_0000_000A, 0xB9AE_B9B9_AEB9_AEB2, 0xB9B9_8080_8080_808A,  // d.dd.d.ddd
        0x7F7F_7F7F_7F7F_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x302E_3130_2E31_302E, 0x3000_0000_0000_0009, 0xB9AE_B9B9_AEB9_B9AE, 0xB980_8080_8080_8089,  // d.dd.dd.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_2E31_302E, 0x3130_0000_0000_000A, 0xB9AE_B9B9_AEB9_B9AE, 0xB9B9_8080_8080_808A,  // d.dd.dd.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_2E31_302E, 0x3130_3000_0000_000B, 0xB9AE_B9B9_AEB9_B9AE, 0xB2B9_B980_8080_808B,  // d.dd.dd.ddd
        0x7F7F_7F7F_7F7F_7F7F, 0xB235_357F_7F7F_7F7F,
        0x302E_3130_2E31_3030, 0x2E30_0000_0000_000A, 0xB9AE_B9B9_AEB2_B9B9, 0xAEB9_8080_8080_808A,  // d.dd.ddd.d
        0x7F7F_7F7F_7FB2_3535, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_2E31_3030, 0x2E31_3000_0000_000B, 0xB9AE_B9B9_AEB2_B9B9, 0xAEB9_B980_8080_808B,  // d.dd.ddd.dd
        0x7F7F_7F7F_7FB2_3535, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_2E31_3030, 0x2E31_3030_0000_000C, 0xB9AE_B9B9_AEB2_B9B9, 0xAEB2_B9B9_8080_808C,  // d.dd.ddd.ddd
        0x7F7F_7F7F_7FB2_3535, 0x7FB2_3535_7F7F_7F7F,
        0x302E_3130_302E_302E, 0x3000_0000_0000_0009, 0xB9AE_B2B9_B9AE_B9AE, 0xB980_8080_8080_8089,  // d.ddd.d.d
        0x7F7F_B235_357F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_302E_302E, 0x3130_0000_0000_000A, 0xB9AE_B2B9_B9AE_B9AE, 0xB9B9_8080_8080_808A,  // d.ddd.d.dd
        0x7F7F_B235_357F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_302E_302E, 0x3130_3000_0000_000B, 0xB9AE_B2B9_B9AE_B9AE, 0xB2B9_B980_8080_808B,  // d.ddd.d.ddd
        0x7F7F_B235_357F_7F7F, 0xB235_357F_7F7F_7F7F,
        0x302E_3130_302E_3130, 0x2E30_0000_0000_000A, 0xB9AE_B2B9_B9AE_B9B9, 0xAEB9_8080_8080_808A,  // d.ddd.dd.d
        0x7F7F_B235_357F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_302E_3130, 0x2E31_3000_0000_000B, 0xB9AE_B2B9_B9AE_B9B9, 0xAEB9_B980_8080_808B,  // d.ddd.dd.dd
        0x7F7F_B235_357F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x302E_3130_302E_3130, 0x2E31_3030_0000_000C, 0xB9AE_B2B9_B9AE_B9B9, 0xAEB2_B9B9_8080_808C,  // d.ddd.dd.ddd
        0x7F7F_B235_357F_7F7F, 0x7FB2_3535_7F7F_7F7F,
        0x302E_3130_302E_3130, 0x302E_3000_0000_000B, 0xB9AE_B2B9_B9AE_B2B9, 0xB9AE_B980_8080_808B,  // d.ddd.ddd.d
        0x7F7F_B235_357F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x302E_3130_302E_3130, 0x302E_3130_0000_000C, 0xB9AE_B2B9_B9AE_B2B9, 0xB9AE_B9B9_8080_808C,  // d.ddd.ddd.dd
        0x7F7F_B235_357F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x302E_3130_302E_3130, 0x302E_3130_3000_000D, 0xB9AE_B2B9_B9AE_B2B9, 0xB9AE_B2B9_B980_808D,  // d.ddd.ddd.ddd
        0x7F7F_B235_357F_B235, 0x357F_B235_357F_7F7F,
        0x3130_2E30_2E30_2E30, 0x0000_0000_0000_0008, 0xB9B9_AEB9_AEB9_AEB9, 0x8080_8080_8080_8088,  // dd.d.d.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E30_2E30_2E31, 0x3000_0000_0000_0009, 0xB9B9_AEB9_AEB9_AEB9, 0xB980_8080_8080_8089,  // dd.d.d.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E30_2E30_2E31, 0x3030_0000_0000_000A, 0xB9B9_AEB9_AEB9_AEB2, 0xB9B9_8080_8080_808A,  // dd.d.d.ddd
        0x7F7F_7F7F_7F7F_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x3130_2E30_2E31_302E, 0x3000_0000_0000_0009, 0xB9B9_AEB9_AEB9_B9AE, 0xB980_8080_8080_8089,  // dd.d.dd.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E30_2E31_302E, 0x3130_0000_0000_000A, 0xB9B9_AEB9_AEB9_B9AE, 0xB9B9_8080_8080_808A,  // dd.d.dd.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E30_2E31_302E, 0x3130_3000_0000_000B, 0xB9B9_AEB9_AEB9_B9AE, 0xB2B9_B980_8080_808B,  // dd.d.dd.ddd
        0x7F7F_7F7F_7F7F_7F7F, 0xB235_357F_7F7F_7F7F,
        0x3130_2E30_2E31_3030, 0x2E30_0000_0000_000A, 0xB9B9_AEB9_AEB2_B9B9, 0xAEB9_8080_8080_808A,  // dd.d.ddd.d
        0x7F7F_7F7F_7FB2_3535, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E30_2E31_3030, 0x2E31_3000_0000_000B, 0xB9B9_AEB9_AEB2_B9B9, 0xAEB9_B980_8080_808B,  // dd.d.ddd.dd
        0x7F7F_7F7F_7FB2_3535, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E30_2E31_3030, 0x2E31_3030_0000_000C, 0xB9B9_AEB9_AEB2_B9B9, 0xAEB2_B9B9_8080_808C,  // dd.d.ddd.ddd
        0x7F7F_7F7F_7FB2_3535, 0x7FB2_3535_7F7F_7F7F,
        0x3130_2E31_302E_302E, 0x3000_0000_0000_0009, 0xB9B9_AEB9_B9AE_B9AE, 0xB980_8080_8080_8089,  // dd.dd.d.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_302E_302E, 0x3130_0000_0000_000A, 0xB9B9_AEB9_B9AE_B9AE, 0xB9B9_8080_8080_808A,  // dd.dd.d.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_302E_302E, 0x3130_3000_0000_000B, 0xB9B9_AEB9_B9AE_B9AE, 0xB2B9_B980_8080_808B,  // dd.dd.d.ddd
        0x7F7F_7F7F_7F7F_7F7F, 0xB235_357F_7F7F_7F7F,
        0x3130_2E31_302E_3130, 0x2E30_0000_0000_000A, 0xB9B9_AEB9_B9AE_B9B9, 0xAEB9_8080_8080_808A,  // dd.dd.dd.d
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_302E_3130, 0x2E31_3000_0000_000B, 0xB9B9_AEB9_B9AE_B9B9, 0xAEB9_B980_8080_808B,  // dd.dd.dd.dd
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_302E_3130, 0x2E31_3030_0000_000C, 0xB9B9_AEB9_B9AE_B9B9, 0xAEB2_B9B9_8080_808C,  // dd.dd.dd.ddd
        0x7F7F_7F7F_7F7F_7F7F, 0x7FB2_3535_7F7F_7F7F,
        0x3130_2E31_302E_3130, 0x302E_3000_0000_000B, 0xB9B9_AEB9_B9AE_B2B9, 0xB9AE_B980_8080_808B,  // dd.dd.ddd.d
        0x7F7F_7F7F_7F7F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x3130_2E31_302E_3130, 0x302E_3130_0000_000C, 0xB9B9_AEB9_B9AE_B2B9, 0xB9AE_B9B9_8080_808C,  // dd.dd.ddd.dd
        0x7F7F_7F7F_7F7F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x3130_2E31_302E_3130, 0x302E_3130_3000_000D, 0xB9B9_AEB9_B9AE_B2B9, 0xB9AE_B2B9_B980_808D,  // dd.dd.ddd.ddd
        0x7F7F_7F7F_7F7F_B235, 0x357F_B235_357F_7F7F,
        0x3130_2E31_3030_2E30, 0x2E30_0000_0000_000A, 0xB9B9_AEB2_B9B9_AEB9, 0xAEB9_8080_8080_808A,  // dd.ddd.d.d
        0x7F7F_7FB2_3535_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_3030_2E30, 0x2E31_3000_0000_000B, 0xB9B9_AEB2_B9B9_AEB9, 0xAEB9_B980_8080_808B,  // dd.ddd.d.dd
        0x7F7F_7FB2_3535_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_3030_2E30, 0x2E31_3030_0000_000C, 0xB9B9_AEB2_B9B9_AEB9, 0xAEB2_B9B9_8080_808C,  // dd.ddd.d.ddd
        0x7F7F_7FB2_3535_7F7F, 0x7FB2_3535_7F7F_7F7F,
        0x3130_2E31_3030_2E31, 0x302E_3000_0000_000B, 0xB9B9_AEB2_B9B9_AEB9, 0xB9AE_B980_8080_808B,  // dd.ddd.dd.d
        0x7F7F_7FB2_3535_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_3030_2E31, 0x302E_3130_0000_000C, 0xB9B9_AEB2_B9B9_AEB9, 0xB9AE_B9B9_8080_808C,  // dd.ddd.dd.dd
        0x7F7F_7FB2_3535_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_2E31_3030_2E31, 0x302E_3130_3000_000D, 0xB9B9_AEB2_B9B9_AEB9, 0xB9AE_B2B9_B980_808D,  // dd.ddd.dd.ddd
        0x7F7F_7FB2_3535_7F7F, 0x7F7F_B235_357F_7F7F,
        0x3130_2E31_3030_2E31, 0x3030_2E30_0000_000C, 0xB9B9_AEB2_B9B9_AEB2, 0xB9B9_AEB9_8080_808C,  // dd.ddd.ddd.d
        0x7F7F_7FB2_3535_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x3130_2E31_3030_2E31, 0x3030_2E31_3000_000D, 0xB9B9_AEB2_B9B9_AEB2, 0xB9B9_AEB9_B980_808D,  // dd.ddd.ddd.dd
        0x7F7F_7FB2_3535_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x3130_2E31_3030_2E31, 0x3030_2E31_3030_000E, 0xB9B9_AEB2_B9B9_AEB2, 0xB9B9_AEB2_B9B9_808E,  // dd.ddd.ddd.ddd
        0x7F7F_7FB2_3535_7FB2, 0x3535_7FB2_3535_7F7F,
        0x3130_302E_302E_302E, 0x3000_0000_0000_0009, 0xB2B9_B9AE_B9AE_B9AE, 0xB980_8080_8080_8089,  // ddd.d.d.d
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_302E_302E, 0x3130_0000_0000_000A, 0xB2B9_B9AE_B9AE_B9AE, 0xB9B9_8080_8080_808A,  // ddd.d.d.dd
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_302E_302E, 0x3130_3000_0000_000B, 0xB2B9_B9AE_B9AE_B9AE, 0xB2B9_B980_8080_808B,  // ddd.d.d.ddd
        0xB235_357F_7F7F_7F7F, 0xB235_357F_7F7F_7F7F,
        0x3130_302E_302E_3130, 0x2E30_0000_0000_000A, 0xB2B9_B9AE_B9AE_B9B9, 0xAEB9_8080_8080_808A,  // ddd.d.dd.d
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_302E_3130, 0x2E31_3000_0000_000B, 0xB2B9_B9AE_B9AE_B9B9, 0xAEB9_B980_8080_808B,  // ddd.d.dd.dd
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_302E_3130, 0x2E31_3030_0000_000C, 0xB2B9_B9AE_B9AE_B9B9, 0xAEB2_B9B9_8080_808C,  // ddd.d.dd.ddd
        0xB235_357F_7F7F_7F7F, 0x7FB2_3535_7F7F_7F7F,
        0x3130_302E_302E_3130, 0x302E_3000_0000_000B, 0xB2B9_B9AE_B9AE_B2B9, 0xB9AE_B980_8080_808B,  // ddd.d.ddd.d
        0xB235_357F_7F7F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x3130_302E_302E_3130, 0x302E_3130_0000_000C, 0xB2B9_B9AE_B9AE_B2B9, 0xB9AE_B9B9_8080_808C,  // ddd.d.ddd.dd
        0xB235_357F_7F7F_B235, 0x357F_7F7F_7F7F_7F7F,
        0x3130_302E_302E_3130, 0x302E_3130_3000_000D, 0xB2B9_B9AE_B9AE_B2B9, 0xB9AE_B2B9_B980_808D,  // ddd.d.ddd.ddd
        0xB235_357F_7F7F_B235, 0x357F_B235_357F_7F7F,
        0x3130_302E_3130_2E30, 0x2E30_0000_0000_000A, 0xB2B9_B9AE_B9B9_AEB9, 0xAEB9_8080_8080_808A,  // ddd.dd.d.d
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_2E30, 0x2E31_3000_0000_000B, 0xB2B9_B9AE_B9B9_AEB9, 0xAEB9_B980_8080_808B,  // ddd.dd.d.dd
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_2E30, 0x2E31_3030_0000_000C, 0xB2B9_B9AE_B9B9_AEB9, 0xAEB2_B9B9_8080_808C,  // ddd.dd.d.ddd
        0xB235_357F_7F7F_7F7F, 0x7FB2_3535_7F7F_7F7F,
        0x3130_302E_3130_2E31, 0x302E_3000_0000_000B, 0xB2B9_B9AE_B9B9_AEB9, 0xB9AE_B980_8080_808B,  // ddd.dd.dd.d
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_2E31, 0x302E_3130_0000_000C, 0xB2B9_B9AE_B9B9_AEB9, 0xB9AE_B9B9_8080_808C,  // ddd.dd.dd.dd
        0xB235_357F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_2E31, 0x302E_3130_3000_000D, 0xB2B9_B9AE_B9B9_AEB9, 0xB9AE_B2B9_B980_808D,  // ddd.dd.dd.ddd
        0xB235_357F_7F7F_7F7F, 0x7F7F_B235_357F_7F7F,
        0x3130_302E_3130_2E31, 0x3030_2E30_0000_000C, 0xB2B9_B9AE_B9B9_AEB2, 0xB9B9_AEB9_8080_808C,  // ddd.dd.ddd.d
        0xB235_357F_7F7F_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x3130_302E_3130_2E31, 0x3030_2E31_3000_000D, 0xB2B9_B9AE_B9B9_AEB2, 0xB9B9_AEB9_B980_808D,  // ddd.dd.ddd.dd
        0xB235_357F_7F7F_7FB2, 0x3535_7F7F_7F7F_7F7F,
        0x3130_302E_3130_2E31, 0x3030_2E31_3030_000E, 0xB2B9_B9AE_B9B9_AEB2, 0xB9B9_AEB2_B9B9_808E,  // ddd.dd.ddd.ddd
        0xB235_357F_7F7F_7FB2, 0x3535_7FB2_3535_7F7F,
        0x3130_302E_3130_302E, 0x302E_3000_0000_000B, 0xB2B9_B9AE_B2B9_B9AE, 0xB9AE_B980_8080_808B,  // ddd.ddd.d.d
        0xB235_357F_B235_357F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_302E, 0x302E_3130_0000_000C, 0xB2B9_B9AE_B2B9_B9AE, 0xB9AE_B9B9_8080_808C,  // ddd.ddd.d.dd
        0xB235_357F_B235_357F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_302E, 0x302E_3130_3000_000D, 0xB2B9_B9AE_B2B9_B9AE, 0xB9AE_B2B9_B980_808D,  // ddd.ddd.d.ddd
        0xB235_357F_B235_357F, 0x7F7F_B235_357F_7F7F,
        0x3130_302E_3130_302E, 0x3130_2E30_0000_000C, 0xB2B9_B9AE_B2B9_B9AE, 0xB9B9_AEB9_8080_808C,  // ddd.ddd.dd.d
        0xB235_357F_B235_357F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_302E, 0x3130_2E31_3000_000D, 0xB2B9_B9AE_B2B9_B9AE, 0xB9B9_AEB9_B980_808D,  // ddd.ddd.dd.dd
        0xB235_357F_B235_357F, 0x7F7F_7F7F_7F7F_7F7F,
        0x3130_302E_3130_302E, 0x3130_2E31_3030_000E, 0xB2B9_B9AE_B2B9_B9AE, 0xB9B9_AEB2_B9B9_808E,  // ddd.ddd.dd.ddd
        0xB235_357F_B235_357F, 0x7F7F_7FB2_3535_7F7F,
        0x3130_302E_3130_302E, 0x3130_302E_3000_000D, 0xB2B9_B9AE_B2B9_B9AE, 0xB2B9_B9AE_B980_808D,  // ddd.ddd.ddd.d
        0xB235_357F_B235_357F, 0xB235_357F_7F7F_7F7F,
        0x3130_302E_3130_302E, 0x3130_302E_3130_000E, 0xB2B9_B9AE_B2B9_B9AE, 0xB2B9_B9AE_B9B9_808E,  // ddd.ddd.ddd.dd
        0xB235_357F_B235_357F, 0xB235_357F_7F7F_7F7F,
        0x3130_302E_3130_302E, 0x3130_302E_3130_300F, 0xB2B9_B9AE_B2B9_B9AE, 0xB2B9_B9AE_B2B9_B98F,  // ddd.ddd.ddd.ddd
        0xB235_357F_B235_357F, 0xB235_357F_B235_357F,
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F, 0x8080_8080_8080_8080, 0x8080_8080_8080_8080,  // no shape
        0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F,
        // The slots.
        486, 486, 486, 486, 486, 486, 456, 486, 486, 216, 324, 486, 486, 150, 192,  12,
        486, 294, 402, 486, 198, 432, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486,
         48, 486, 486, 312, 420, 486, 486,  54, 486, 486, 102, 486, 486, 144, 486, 486,
        486, 486, 288, 396, 120, 486, 258, 366, 486, 486, 126, 486, 486, 486, 270, 486,
        378, 486, 486, 486, 480, 486, 486, 486, 486, 486, 486,  96, 486, 486, 486, 486,
        162, 486, 486, 486, 210, 486, 252, 486, 360, 486, 486, 486, 474, 228, 336, 486,
        486, 486,  18, 234, 342, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486,
        486, 444, 486, 486, 204, 486, 486, 486, 486, 138, 486, 486, 486, 486, 282, 390,
        486, 486, 486, 486, 486,  78, 468,   6, 486, 450, 156, 486, 486, 486, 300, 408,
        486,  72, 486, 486, 486, 486, 486, 486, 486,   0, 132, 486, 486, 486, 276, 384,
        486, 486, 246,  66, 354, 486, 306, 414, 486, 486, 486, 486, 486, 486, 186,  60,
        486, 486, 486, 264, 372, 486, 486, 486, 486, 486, 180, 486, 486, 486, 486, 486,
         42, 486, 486, 240, 348, 486, 486, 486, 486, 486, 486, 486,  36, 174, 486, 486,
        486, 486, 486, 486, 114, 486, 486, 486, 168, 486, 486, 462, 486, 486,  30, 486,
        108, 486, 486, 486, 486,  84, 486, 486, 486, 486,  24,  90, 486, 486, 486, 486,
        486, 486, 486, 486, 438, 486, 486, 486, 318, 426, 486, 486, 486, 222, 330, 486,
    ]

    /// Where the slots start in `table`.
    static let slotsOffset = 82 * 6

    /// Whether `table` is what `makeTable()` builds (checked once, by debug builds).
    static let tableIsDerived = table == makeTable()

    /// Builds `table` from the 81 shapes.
    static func makeTable() -> [UInt64] {
        let dot = UInt8(ascii: "."), zero = UInt8(ascii: "0")
        func words(_ bytes: [UInt8]) -> (head: UInt64, tail: UInt64) {
            var head: UInt64 = 0, tail: UInt64 = 0
            for i in 0..<8 {
                head = head << 8 | UInt64(bytes[i])
                tail = tail << 8 | UInt64(bytes[8 + i])
            }
            return (head, tail)
        }
        let top: UInt64 = 0x8080_8080_8080_8080
        var entries: [UInt64] = []
        var slots = [Int](repeating: 81, count: 256)
        for shape in 0..<81 {
            let lengths = [shape / 27 + 1, shape / 9 % 3 + 1, shape / 3 % 3 + 1, shape % 3 + 1]
            var minimum = [UInt8](repeating: 0, count: 16)
            var maximum = [UInt8](repeating: 0, count: 16)
            var limit = [UInt8](repeating: 0x7F, count: 16)
            var sample = [UInt8](repeating: 0, count: 16)  // an address of this shape (all digits '0')
            var i = 0
            for (k, length) in lengths.enumerated() {
                if k > 0 {
                    (minimum[i], maximum[i], sample[i]) = (dot, dot, dot)
                    i += 1
                }
                for j in 0..<length {
                    minimum[i] = j == 0 && length > 1 ? zero + 1 : zero
                    maximum[i] = j == 0 && length == 3 ? zero + 2 : zero + 9
                    if length == 3 { limit[i] = j == 0 ? 0x80 | (zero + 2) : zero + 5 }
                    sample[i] = zero
                    i += 1
                }
            }
            (minimum[15], maximum[15], sample[15]) = (UInt8(i), UInt8(i), UInt8(i))
            let s = slot(words(sample).head, words(sample).tail)
            precondition(slots[s] == 81, "two shapes of a dotted quad share slot \(s)")
            slots[s] = shape
            entries += [words(minimum).head, words(minimum).tail, words(maximum).head | top, words(maximum).tail | top]
            entries += [words(limit).head, words(limit).tail]
        }
        let none: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        entries += [none, none, top, top, none, none]
        return entries + slots.map { UInt64($0 * 6) }
    }
}
