// Node: test/parallel/test-net-listen-fd0.js
import Net
import NetTestSupport
import Testing

/// `listen({ fd: 0 })` fails asynchronously, not with an exception: 'error' with code EINVAL or
/// ENOTSOCK (which one depends on what stdin is), no connection, and the process exits.
///
/// Descriptor 0 is the process's own stdin, so the scenario runs in a child process (`net-fixture
/// listen-fd0`, whose stdin is a pipe: ENOTSOCK); the same scenario in JavaScript under Node v20, with
/// a pipe as stdin too, prints the same lines.
@Suite struct ListenFd0Tests {
    static let script = """
        const net = require('net');
        const server = net.createServer(() => console.log('connection'));
        server.on('error', (e) => console.log(`error ${e.code} ${e.message}`));
        try { server.listen({ fd: 0 }, () => console.log('listening')); } catch (e) { console.log(`threw ${e}`); }
        console.log('listen returned');
        process.on('exit', () => console.log('exit'));
        """

    @Test func stdinIsNotAListeningSocket() throws {
        let run = try Fixture.run("listen-fd0")
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "listen returned")
        #expect(lines.last == "exit")
        let error = lines.dropFirst().first ?? ""
        #expect(error.hasPrefix("error EINVAL listen EINVAL") || error.hasPrefix("error ENOTSOCK listen ENOTSOCK"))

        let node = try Node.run(Self.script)
        #expect(node.status == 0)
        #expect(run.stdout == node.stdout)
    }
}
