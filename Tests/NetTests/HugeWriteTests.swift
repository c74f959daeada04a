import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import Net
import NetTestSupport
import Testing

/// Writes of 4 GiB and more, whose length no `uv_buf_init` can take: split into pieces libuv accepts and
/// delivered whole and in order (a `Buffer`, a `String`, and a `writev` of buffers whose total passes
/// 4 GiB). A Node reader counts the bytes and checks every one against the expected pattern. Long (a few
/// seconds each, 4 GiB of memory while one runs), so the cases run one at a time.
@Suite(.serialized) struct HugeWriteTests {
    static let oneMiB = 1 << 20
    static let oneGiB = 1 << 30
    /// 4 GiB + 16 bytes: past `UInt32.max`.
    static let total = (1 << 32) + 16

    enum Shape: String, CaseIterable, Sendable {
        /// One `Buffer` of `total` bytes.
        case buffer
        /// One `String` of `total` ASCII bytes.
        case string
        /// Corked: the same 1 GiB buffer four times and its first 16 bytes, one `_writev` at `uncork()`.
        case writev
    }

    /// The pattern's 1 MiB block: printable ASCII that does not repeat within the block.
    static let base: [UInt8] = (0..<oneMiB).map { k in UInt8(32 + (k + (k >> 12) * 13) % 95) }

    /// Fills `memory` with the stream's bytes from offset 0: each 1 MiB block is `base` with the block's
    /// index as 8 hex digits at its start, so a piece out of place or missing shows.
    static func fill(_ memory: UnsafeMutableRawBufferPointer) {
        var offset = 0, index = 0
        base.withUnsafeBytes { base in
            while offset < memory.count {
                let n = min(oneMiB, memory.count - offset)
                memory.baseAddress!.advanced(by: offset).copyMemory(from: base.baseAddress!, byteCount: n)
                let header = Array(String(index, radix: 16).leftPadded(to: 8).utf8)
                for (i, byte) in header.prefix(n).enumerated() { memory[offset + i] = byte }
                offset += n
                index += 1
            }
        }
    }

    /// Reads everything from the client and prints the count and the number of pieces that differ from
    /// the pattern (with `wrap`, the pattern starts over every `wrap` bytes, as the writev case sends).
    static let readerJS = """
        const net = require('net');
        const path = process.argv[1], wrap = Number(process.argv[2]);
        const MB = 1 << 20;
        const base = Buffer.alloc(MB);
        for (let k = 0; k < MB; k++) base[k] = 32 + (k + (k >> 12) * 13) % 95;
        const block = (i) => { const b = Buffer.from(base); b.write(i.toString(16).padStart(8, '0'), 0, 'latin1'); return b; };
        let offset = 0, bad = 0, current = -1, expected;
        const server = net.createServer((s) => {
          s.on('data', (d) => {
            let pos = 0;
            while (pos < d.length) {
              const x = wrap ? offset % wrap : offset;
              const index = Math.floor(x / MB), within = x % MB;
              if (index !== current) { current = index; expected = block(index); }
              const n = Math.min(d.length - pos, MB - within, wrap ? wrap - x : Infinity);
              if (d.compare(expected, within, within + n, pos, pos + n) !== 0) bad++;
              pos += n; offset += n;
            }
          });
          s.on('end', () => { console.log('count ' + offset + ' bad ' + bad); server.close(); });
        });
        server.listen(path, () => console.error('listening'));
        """

    @Test(.timeLimit(.minutes(3)), arguments: Shape.allCases)
    func aWriteOfMoreThan4GiBArrivesWholeAndInOrder(shape: Shape) throws {
        let node = try #require(Node.path, "node is not on PATH: this test's reader is Node v20")
        let path = Pipes.path("huge")
        defer { Pipes.remove(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = ["-e", Self.readerJS, path, shape == .writev ? String(Self.oneGiB) : "0"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var waited = 0
        while access(path, F_OK) != 0 && waited < 200 { usleep(50_000); waited += 1 }
        #expect(access(path, F_OK) == 0, "the Node reader did not listen")

        let ours = LoopThread.run(timeout: 150) { _, trace in
            var c: Socket!
            c = Net.connect(path: path) {
                let done: (NetError?) -> Void = { e in trace.log("write callback \(e?.code ?? "null")") }
                switch shape {
                case .buffer:
                    let data = Buffer(unsafeUninitializedCapacity: Self.total) { memory, count in
                        Self.fill(UnsafeMutableRawBufferPointer(memory))
                        count = Self.total
                    }
                    c.write(data, done)
                case .string:
                    let text = String(unsafeUninitializedCapacity: Self.total) { memory in
                        Self.fill(UnsafeMutableRawBufferPointer(memory))
                        return Self.total
                    }
                    c.write(text, done)
                case .writev:
                    let gig = Buffer(unsafeUninitializedCapacity: Self.oneGiB) { memory, count in
                        Self.fill(UnsafeMutableRawBufferPointer(memory))
                        count = Self.oneGiB
                    }
                    c.cork()
                    for _ in 0..<4 { c.write(gig) }
                    c.write(Buffer(gig.bytes[0..<16]), done)
                    c.uncork()
                }
                c.end()
            }
            c.resume()
            c.on(.error) { e in trace.log("error \(e.code)") }
            c.on(.close) { hadError in trace.log("close \(hadError)") }
        }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(ours.finished)
        #expect(ours.trace == ["write callback null", "close false"])
        #expect(output == "count \(Self.total) bad 0\n")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
