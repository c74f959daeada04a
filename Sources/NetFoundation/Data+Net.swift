// Foundation's `Data` in and out of Net, in a module of its own: a program that imports only `Net`
// links no Foundation. `FoundationEssentials` (where `Data` lives in Swift 6's Foundation) is preferred
// where it exists, so this module does not pull in ICU and the internationalization tables either.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Net

extension Buffer {
    /// A buffer holding a copy of the bytes of `data` (Node's `Buffer.from(arrayBuffer)`).
    public init(_ data: Data) {
        self.init(unsafeUninitializedCapacity: data.count) { bytes, count in
            count = data.copyBytes(to: bytes)
        }
    }
}

extension Data {
    /// The bytes of `buffer`, copied once.
    public init(_ buffer: Buffer) {
        self = buffer.withUnsafeBytes { Data($0) }
    }
}

extension Chunk {
    /// The chunk's bytes as `Data`: a buffer's bytes, or a string's UTF-8 (what `setEncoding` decoded).
    public var data: Data { Data(buffer) }
}

extension Writable {
    /// Writes the bytes of `data`, as ``Net/Writable/write(_:_:)-(Buffer,_)`` does with a ``Buffer``.
    @discardableResult
    public func write(_ data: Data, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        write(Buffer(data), callback)
    }

    /// Writes the bytes of `data`, then ends the writable side (Node's `end(chunk)`).
    @discardableResult
    public func end(_ data: Data, _ callback: ((NetError?) -> Void)? = nil) -> Self {
        end(Buffer(data), callback)
    }
}

extension Socket {
    /// Writes the bytes of `data`: the socket's own `write(_:_:)` with a ``Buffer`` (small writes gathered,
    /// queued while connecting), not the generic stream's.
    @discardableResult
    public func write(_ data: Data, _ callback: ((NetError?) -> Void)? = nil) -> Bool {
        write(Buffer(data), callback)
    }

    /// Writes the bytes of `data`, then ends the writable side (Node's `socket.end(data)`).
    @discardableResult
    public func end(_ data: Data, _ callback: ((NetError?) -> Void)? = nil) -> Socket {
        end(Buffer(data), callback)
    }
}
