/// glibc's (and AddressSanitizer's) size of a heap block; `<malloc.h>` is not in the Glibc module.
@_silgen_name("malloc_usable_size") private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int

/// The malloc block size of the objects `make` returns: the smallest of 1,024 made at once. One alone may
/// land in a larger free block that malloc hands out whole (what is left of it too small to split), as the
/// other tests' frees leave the heap; in one CI run all of 32 made in a row did (a 40-byte object measured
/// 56), so it takes enough to use up such blocks. The smallest is still an upper bound: a block is never
/// smaller than what was asked. For the tests that pin an object's size class.
public func blockSize<T: AnyObject>(_ make: () -> T) -> Int {
    let objects = (0..<1024).map { _ in make() }
    return objects.map { mallocUsableSize(Unmanaged.passUnretained($0).toOpaque()) }.min()!
}
