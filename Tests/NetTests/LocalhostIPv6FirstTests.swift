import Foundation
import Net
import NetTestSupport
import Testing

/// `localhost` resolving to `::1` first, through `getaddrinfo` itself: node and the `net-fixture`
/// scenario each run in a user and mount namespace (`unshare -rm`) whose `/etc/hosts` is a copy listing
/// `::1` before `127.0.0.1`, against an IPv4-only server; their traces must match. With happy eyeballs
/// the connection succeeds after `::1` is refused; with `autoSelectFamily: false` it fails on `::1`.
@Suite struct LocalhostIPv6FirstTests {
    static let hosts: String = {
        let path = NSTemporaryDirectory() + "net-hosts-ipv6-first-\(getpid())"
        try? "::1 localhost\n127.0.0.1 localhost\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// `unshare` runs `command` with the copy bind-mounted on /etc/hosts.
    static func isolated(_ command: [String]) throws -> Node.Output {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try ChildProcess.run("/usr/bin/unshare", ["-rm", "sh", "-c", "mount --bind \(hosts) /etc/hosts && exec \(quoted)"])
    }

    static var namespacesWork: Bool {
        (try? ChildProcess.run("/usr/bin/unshare", ["-rm", "true"]).status) == 0
    }

    @Test(.enabled(if: namespacesWork, "needs unprivileged user namespaces (unshare -rm)"))
    func happyEyeballsReachesAnIPv4OnlyServer() throws {
        let js = """
            const net = require('net');
            const hide = (s) => String(s).replace(/\\d{3,5}/g, 'N');
            const server = net.createServer((s) => s.end());
            server.listen(0, '127.0.0.1', () => {
              const port = server.address().port;
              function attempt(tag, autoSelectFamily, then) {
                const c = net.connect({ port, host: 'localhost', autoSelectFamily });
                c.on('lookup', (e, a, f) => console.log(`${tag} lookup ${a} ${f}`));
                c.on('connectionAttempt', (a, p, f) => console.log(`${tag} attempt ${a} ${f}`));
                c.on('connectionAttemptFailed', (a, p, f, e) => console.log(`${tag} failed ${a} ${e.code}`));
                c.on('connect', () => console.log(`${tag} connect ${c.remoteAddress}`));
                c.on('error', (e) => console.log(`${tag} error ${e.code} ${hide(e.message)}`));
                c.on('close', () => { console.log(`${tag} close`); then(); });
                c.resume();
              }
              attempt('auto', true, () => attempt('single', false, () => server.close()));
            });
            """
        let node = try #require(Node.path, "the differential tests need node on PATH")
        let expected = try Self.isolated([node, "-e", js])
        let ours = try Self.isolated([Fixture.path, "localhost-ipv6-first"])
        #expect(expected.status == 0, "\(expected.stderr)")
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(expected.stdout.contains("auto connect 127.0.0.1"))
        #expect(expected.stdout.contains("single error ECONNREFUSED"))
        #expect(ours.stdout == expected.stdout)
    }
}
