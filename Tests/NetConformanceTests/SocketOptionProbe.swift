// Support for the keep-alive and no-delay ports (not a port itself): where Node's tests spy on the
// internal TCPWrap methods, these read and write the socket options on the descriptor instead.
@testable import Net

#if canImport(Glibc)
import Glibc
#endif

/// getsockopt on the socket's descriptor as an Int32 (-1 when it has none or the call fails).
func sockopt(_ socket: Socket, _ level: Int32, _ name: Int32) -> Int32 {
    guard let fd = socket.handle?.fileDescriptor else { return -1 }
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(fd, level, name, &value, &length) == 0 ? value : -1
}

/// setsockopt on the socket's descriptor, behind Net's back (to tell whether Net touched it later).
func setsockopt(_ socket: Socket, _ level: Int32, _ name: Int32, _ value: Int32) {
    guard let fd = socket.handle?.fileDescriptor else { return }
    var v = value
    _ = Glibc.setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
}
