// LatencyStats <samples-file> <scenario> <impl>
//
// The p50 and p99 of the many-connection echo scenarios. c/loadgen.c keeps every round-trip time of its
// measuring window in memory (nanoseconds) and, once the window is over, writes them to <samples-file> as raw
// little-endian UInt64s. This records them in an HdrHistogram (nanoseconds, 3 significant digits) and prints
//
//     scenario=<scenario>-p50 impl=<impl> ops_per_s=<microseconds> unit=us
//     scenario=<scenario>-p99 impl=<impl> ops_per_s=<microseconds> unit=us
//
// in the format of every other benchmark line (`%.6g`, like print_line in c/common.h), for run.sh's tables.
// It runs after the load generator, so the histogram costs the measured server nothing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Histogram

func fail(_ message: String) -> Never {
    let line = "LatencyStats: \(message)\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(1)
}

/// The whole file as UInt64s in the host's byte order.
func readSamples(_ path: String) -> [UInt64] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { fail("\(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { fail("\(path): \(String(cString: strerror(errno)))") }
    let size = Int(info.st_size)
    guard size % MemoryLayout<UInt64>.size == 0 else {
        fail("\(path): \(size) bytes is not a whole number of UInt64 samples")
    }
    var samples = [UInt64](repeating: 0, count: size / MemoryLayout<UInt64>.size)
    samples.withUnsafeMutableBytes { bytes in
        var done = 0
        while done < size {
            let n = read(fd, bytes.baseAddress! + done, size - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { fail("\(path): short read (\(done) of \(size) bytes)") }
            done += n
        }
    }
    for i in samples.indices { samples[i] = UInt64(littleEndian: samples[i]) }
    return samples
}

/// `%.6g`, the format c/common.h's print_line writes values in.
func formatted(_ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.6g", $0) }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else { fail("usage: LatencyStats <samples-file> <scenario> <impl>") }
let (path, scenario, impl) = (arguments[1], arguments[2], arguments[3])

let samples = readSamples(path)
guard !samples.isEmpty else { fail("\(path): no round trips recorded") }

// Auto-resizing, so that no sample is out of range whatever the longest round trip was.
var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
for ns in samples { histogram.record(ns) }

for percentile in [50, 99] {
    let microseconds = Double(histogram.valueAtPercentile(Double(percentile))) / 1000
    print("scenario=\(scenario)-p\(percentile) impl=\(impl) ops_per_s=\(formatted(microseconds)) unit=us")
}
