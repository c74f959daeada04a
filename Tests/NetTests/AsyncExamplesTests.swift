import Foundation
import NetTestSupport
import Testing

/// The async examples (Examples/async-echo, Examples/async-chat) against programs that are not ours:
/// `socat`, OpenBSD's `nc` and Node's `net`, as the `nc` example is tested (NetcatInteropTests).
@Suite(.serialized) struct AsyncExamplesTests {
    /// Runs `scenario` in bash with `$ECHO` and `$CHAT` pointing at the examples and helpers `free_port`,
    /// `wait_tcp PORT` and `sum FILE`; returns its output lines. The examples it starts die with it.
    func run(_ scenario: String) throws -> [String] {
        let script = """
            set -euo pipefail
            dir=$(mktemp -d)
            trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
            for tool in socat nc.openbsd node sha256sum; do
              command -v $tool >/dev/null || { echo "missing $tool: run make deps" >&2; exit 3; }
            done
            ECHO=\(Fixture.sibling("async-echo")); CHAT=\(Fixture.sibling("async-chat"))
            sum() { sha256sum "$1" | cut -d' ' -f1; }
            free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
            wait_tcp() { local hex; hex=$(printf '%04X' "$1")
              for _ in $(seq 200); do grep -qE ":$hex [0-9A-F]+:0000 0A" /proc/net/tcp /proc/net/tcp6 && return 0; sleep 0.05; done
              echo "nothing listens on $1" >&2; return 1; }
            \(scenario)
            """
        let output = try ChildProcess.run("/bin/bash", ["-c", script], timeout: 120)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        return output.stdout.split(separator: "\n").map(String.init)
    }

    @Test func echoServesSocatWith32MiB() throws {
        let lines = try run("""
            port=$(free_port); "$ECHO" "$port" > "$dir/log" & wait_tcp "$port"
            head -c \(32 << 20) /dev/urandom > "$dir/in"
            timeout -s KILL 60 socat -t 30 - TCP:127.0.0.1:"$port" < "$dir/in" > "$dir/out"
            echo "sent $(sum "$dir/in")"; echo "back $(sum "$dir/out")"; cat "$dir/log"
            """)
        let sums = lines.filter { $0.hasPrefix("sent ") || $0.hasPrefix("back ") }.map { $0.dropFirst(5) }
        #expect(sums.count == 2 && sums[0] == sums[1], "\(lines)")
        #expect(lines.contains { $0.hasPrefix("listening on ") })
    }

    @Test func echoServesOpenBSDNetcat() throws {
        let lines = try run("""
            port=$(free_port); "$ECHO" "$port" > /dev/null & wait_tcp "$port"
            printf 'hello from nc\\nsecond line\\n' | timeout -s KILL 30 nc.openbsd -N 127.0.0.1 "$port"
            """)
        #expect(lines == ["hello from nc", "second line"])
    }

    @Test func echoServesManyNodeClientsAtOnce() throws {
        let lines = try run("""
            port=$(free_port); "$ECHO" "$port" > /dev/null & wait_tcp "$port"
            timeout -s KILL 60 node -e '
              const net = require("net"), crypto = require("crypto");
              let done = 0, good = 0;
              for (let c = 0; c < 20; c++) {
                const data = crypto.randomBytes(1 << 20), parts = [];
                const s = net.connect(+process.argv[1], "127.0.0.1", () => s.end(data));
                s.on("data", d => parts.push(d));
                s.on("close", () => {
                  if (Buffer.concat(parts).equals(data)) good++;
                  if (++done === 20) console.log(`echoed ${good} of 20`);
                });
              }
            ' "$port"
            """)
        #expect(lines == ["echoed 20 of 20"])
    }

    @Test func chatRelaysLinesBetweenNodeClients() throws {
        let lines = try run("""
            port=$(free_port); "$CHAT" "$port" > /dev/null & wait_tcp "$port"
            timeout -s KILL 60 node -e '
              const net = require("net");
              const port = +process.argv[1];
              function client() {
                const s = net.connect(port, "127.0.0.1"); s.setEncoding("utf8");
                s.text = ""; s.waiters = [];
                s.on("data", d => { s.text += d; s.waiters = s.waiters.filter(([t, f]) => s.text.includes(t) ? (f(), false) : true); });
                s.until = t => new Promise(f => s.text.includes(t) ? f() : s.waiters.push([t, f]));
                return s;
              }
              (async () => {
                const a = client(); await a.until("welcome guest1\\n");
                const b = client(); await b.until("welcome guest2\\n");
                await a.until("guest2 joined\\n");
                a.write("hello from a\\n"); await b.until("guest1: hello from a\\n");
                b.write("hi a, b here\\r\\nand a second line\\n"); await a.until("guest1: x".slice(0, 0) + "guest2: and a second line\\n");
                b.end(); await a.until("guest2 left\\n");
                a.end();
                console.log(a.text.trim().split("\\n").join("|"));
                console.log(b.text.trim().split("\\n").join("|"));
              })();
            ' "$port"
            """)
        #expect(lines == [
            "welcome guest1|guest2 joined|guest2: hi a, b here|guest2: and a second line|guest2 left",
            "welcome guest2|guest1: hello from a",
        ])
    }

    @Test func chatWithOpenBSDNetcat() throws {
        let lines = try run("""
            port=$(free_port); "$CHAT" "$port" > /dev/null & wait_tcp "$port"
            { sleep 0.3; printf 'anyone here?\\n'; sleep 0.5; } | timeout -s KILL 30 nc.openbsd -N 127.0.0.1 "$port" > "$dir/first" &
            first=$!
            sleep 0.1
            { sleep 1; } | timeout -s KILL 30 nc.openbsd -N 127.0.0.1 "$port" > "$dir/second"
            wait $first || true
            cat "$dir/second"
            """)
        #expect(lines == ["welcome guest2", "guest1: anyone here?", "guest1 left"])
    }
}
