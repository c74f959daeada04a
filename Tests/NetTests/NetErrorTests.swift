import Foundation
import Net
import NetTestSupport
import Testing

/// NetError's messages against Node's own error constructors (`node --expose-internals`), byte for byte.
@Suite struct NetErrorTests {
    struct Expectation: Decodable { var name: String; var code: String; var message: String; var errno: Int32?; var syscall: String?; var address: String?; var port: Int?; var hostname: String? }

    static let script = #"""
    const e = require('internal/errors'); const { codes } = e;
    const pick = (x) => ({ name: x.name, code: x.code ?? '', message: x.message, errno: x.errno, syscall: x.syscall, address: x.address, port: x.port, hostname: x.hostname ?? x.host });
    const out = [
      new codes.ERR_SOCKET_BAD_PORT('Port', 65536),
      new codes.ERR_SOCKET_BAD_PORT('Port', -1),
      new codes.ERR_SOCKET_BAD_PORT('options.port', 'abc', false),
      new codes.ERR_SOCKET_BAD_PORT('Port', NaN),
      new codes.ERR_SOCKET_BAD_PORT('Port', 'a string that is much longer than twenty-eight'),
      new codes.ERR_SERVER_ALREADY_LISTEN(),
      new codes.ERR_SERVER_NOT_RUNNING(),
      new codes.ERR_SOCKET_CLOSED(),
      new codes.ERR_SOCKET_CLOSED_BEFORE_CONNECTION(),
      new codes.ERR_STREAM_WRITE_AFTER_END(),
      new codes.ERR_STREAM_DESTROYED('write'),
      new codes.ERR_STREAM_ALREADY_FINISHED('end'),
      new codes.ERR_INVALID_ARG_VALUE('options', 5),
      new codes.ERR_INVALID_ARG_VALUE('options.family', 'x', 'must be one of: "ipv4", "ipv6"'),
      new codes.ERR_OUT_OF_RANGE('msecs', 'a non-negative finite number', -1),
      new codes.ERR_OUT_OF_RANGE('x', 'y', 12345678901),
      new codes.ERR_OUT_OF_RANGE('x', 'y', -Infinity),
      new codes.ERR_MISSING_ARGS('options', 'port', 'path'),
      new codes.ERR_MISSING_ARGS('a', 'b'),
      new codes.ERR_MISSING_ARGS('a'),
      new codes.ERR_MISSING_ARGS(['options', 'port', 'path']),
      new codes.ERR_INVALID_ADDRESS_FAMILY('IPv5', 'localhost', 80),
      new codes.ERR_INVALID_IP_ADDRESS('1.2.3'),
      new codes.ERR_INVALID_HANDLE_TYPE(),
      new codes.ERR_INVALID_FD_TYPE('FILE'),
      new codes.ERR_SOCKET_CONNECTION_TIMEOUT(),
      new e.AbortError(),
      new e.ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 1),
      new e.ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 1, '127.0.0.1:5000'),
      new e.UVExceptionWithHostPort(-98, 'listen', '::', 8124),
      new e.UVExceptionWithHostPort(-13, 'listen', '/tmp/x.sock', -1),
      new e.ErrnoException(-104, 'read'),
      new e.ErrnoException(-32, 'write'),
      new e.DNSException(-3008, 'getaddrinfo', 'nope.invalid'),
      new e.DNSException(-3001, 'getaddrinfo', 'nope.invalid'),
    ].map(pick);
    console.log(JSON.stringify(out));
    """#

    static let ours: [NetError] = [
        .socketBadPort("Port", .int(65536)),
        .socketBadPort("Port", .int(-1)),
        .socketBadPort("options.port", .string("abc"), allowZero: false),
        .socketBadPort("Port", .number(.nan)),
        .socketBadPort("Port", .string("a string that is much longer than twenty-eight")),
        .serverAlreadyListen,
        .serverNotRunning,
        .socketClosed,
        .socketClosedBeforeConnection,
        .streamWriteAfterEnd,
        .streamDestroyed("write"),
        .streamAlreadyFinished("end"),
        .invalidArgValue("options", .int(5)),
        .invalidArgValue("options.family", .string("x"), reason: "must be one of: \"ipv4\", \"ipv6\""),
        .outOfRange("msecs", "a non-negative finite number", .int(-1)),
        .outOfRange("x", "y", .int(12_345_678_901)),
        .outOfRange("x", "y", .number(-.infinity)),
        .missingArgs("options", "port", "path"),
        .missingArgs("a", "b"),
        .missingArgs("a"),
        .missingArgs(anyOf: ["options", "port", "path"]),
        .invalidAddressFamily("IPv5", host: "localhost", port: 80),
        .invalidIPAddress("1.2.3"),
        .invalidHandleType,
        .invalidFDType("FILE"),
        .socketConnectionTimeout,
        .abortError,
        .withHostPort(-111, syscall: "connect", address: "127.0.0.1", port: 1),
        .withHostPort(-111, syscall: "connect", address: "127.0.0.1", port: 1, local: "127.0.0.1:5000"),
        .uvWithHostPort(-98, syscall: "listen", address: "::", port: 8124),
        .uvWithHostPort(-13, syscall: "listen", address: "/tmp/x.sock", port: -1),
        .errno(-104, syscall: "read"),
        .errno(-32, syscall: "write"),
        .dns(-3008, syscall: "getaddrinfo", hostname: "nope.invalid"),
        .dns(-3001, syscall: "getaddrinfo", hostname: "nope.invalid"),
    ]

    @Test func matchesNodeByteForByte() throws {
        let run = try Node.run(Self.script, flags: ["--expose-internals"])
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try JSONDecoder().decode([Expectation].self, from: Data(run.stdout.utf8))
        try #require(expected.count == Self.ours.count)
        for (node, ours) in zip(expected, Self.ours) {
            #expect(ours.message == node.message)
            #expect(ours.code == node.code, "\(ours.message)")
            #expect(ours.name == node.name, "\(ours.message)")
            #expect(ours.errno == node.errno, "\(ours.message)")
            #expect(ours.syscall == node.syscall, "\(ours.message)")
            #expect(ours.address == node.address, "\(ours.message)")
            #expect(ours.port == node.port, "\(ours.message)")
            #expect(ours.hostname == node.hostname, "\(ours.message)")
        }
    }

    @Test func toStringAndInspectAsNode() {
        #expect(NetError.serverNotRunning.description == "Error [ERR_SERVER_NOT_RUNNING]: Server is not running.")
        #expect(NetError.abortError.description == "AbortError: The operation was aborted")
        let refused = NetError.withHostPort(-111, syscall: "connect", address: "127.0.0.1", port: 1)
        #expect(refused.description == "Error: connect ECONNREFUSED 127.0.0.1:1")
        #expect(refused.inspected == """
            Error: connect ECONNREFUSED 127.0.0.1:1 {
              errno: -111,
              code: 'ECONNREFUSED',
              syscall: 'connect',
              address: '127.0.0.1',
              port: 1
            }
            """)
        #expect(NetError("boom").code == "")
    }
}


/// Every libuv error Node knows: NetError's code (libuv's name) and message text (libuv's strerror, which
/// Node's `util.getSystemErrorMap()` carries) must be Node's. Node bundles a newer libuv than Debian's
/// 1.44; codes that 1.44 does not know are listed, not compared.
@Suite struct SystemErrorMapTests {
    @Test func everyLibuvErrorMatchesNodesMap() throws {
        let run = try Node.run("console.log(JSON.stringify([...require('util').getSystemErrorMap()]))")
        #expect(run.status == 0, "\(run.stderr)")
        let entries = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [[Any]]
        var compared = 0
        var unknownToThisLibuv: [String] = []
        for entry in entries {
            let errno = Int32(entry[0] as! Int)
            let pair = entry[1] as! [String]
            let ours = NetError.uvErrorName(errno)
            if ours.hasPrefix("Unknown system error") {
                unknownToThisLibuv.append(pair[0])
                continue
            }
            #expect(ours == pair[0], "errno \(errno)")
            #expect(NetError.uvErrorMessage(errno) == pair[1], "\(pair[0])")
            #expect(NetError.errno(errno, syscall: "read").message == "read \(pair[0])")
            compared += 1
        }
        #expect(compared >= 80, "compared \(compared); unknown to libuv 1.44: \(unknownToThisLibuv)")
        #expect(unknownToThisLibuv.count <= 5, "\(unknownToThisLibuv)")
    }
}
