/// glibc's (and AddressSanitizer's) size of a heap block; `<malloc.h>` is not in the Glibc module.
@_silgen_name("malloc_usable_size") private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int

/// The malloc block size of the objects `make` returns: the smallest of 32 made at once. One alone may land
/// in a larger free block that malloc hands out whole (what is left of it too small to split), as the other
/// tests' frees leave the heap; 32 in a row do not all do so. For the tests that pin an object's size class.
public func blockSize<T: AnyObject>(_ make: () -> T) -> Int {
    let objects = (0..<32).map { _ in make() }
    return objects.map { mallocUsableSize(Unmanaged.passUnretained($0).toOpaque()) }.min()!
}
