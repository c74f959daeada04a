/// Flags packed into one unsigned integer and read and written by mask: the one helper behind the
/// compact states' `Bool` properties (`ReadableState`, `WritableState`, `Socket`'s rare flags), so that
/// their flags share one word.
struct BitFlags<Storage: FixedWidthInteger & UnsignedInteger>: Equatable {
    /// The bits themselves.
    var raw: Storage

    /// Flags with the bits of `raw` set.
    @inline(__always) init(_ raw: Storage = 0) { self.raw = raw }

    /// Whether any bit of `mask` is set; setting sets or clears all of them.
    @inline(__always) subscript(mask: Storage) -> Bool {
        get { raw & mask != 0 }
        set { if newValue { raw |= mask } else { raw &= ~mask } }
    }

    /// A `Bool?` kept in two bits: nil while `setMask` is clear, else whether `valueMask` is set.
    @inline(__always) func optional(_ setMask: Storage, _ valueMask: Storage) -> Bool? {
        raw & setMask == 0 ? nil : raw & valueMask != 0
    }

    /// Stores a `Bool?` in the two bits `optional(_:_:)` reads.
    @inline(__always) mutating func setOptional(_ setMask: Storage, _ valueMask: Storage, _ value: Bool?) {
        raw &= ~(setMask | valueMask)
        if let value { raw |= setMask | (value ? valueMask : 0) }
    }
}
