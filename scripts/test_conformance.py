"""Self-test of scripts/conformance.py: builds small fake repositories and checks that each rule fires.

Run from the repository root: python3 -m unittest scripts/test_conformance.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "conformance.py")

_spec = importlib.util.spec_from_file_location("conformance", SCRIPT)
conformance = importlib.util.module_from_spec(_spec)
sys.modules["conformance"] = conformance  # dataclasses look their module up by name
_spec.loader.exec_module(conformance)

TSV = textwrap.dedent("""\
    file\tbucket\tgist
    parallel/test-net-pingpong.js\te\tping pong
    parallel/test-net-binary.js\te\tlatin1
    parallel/test-net-perf_hooks.js\tm\tperf hooks
    parallel/test-net-reconnect.js\tf\treconnect
    # adjacent files
    internet/test-net-events-*.js, test-net-timeout-close.js\td\tglob line
    # added after v20
    parallel/test-net-reuseport.js\tc\treusePort
    """)

ROWS = [
    # (section, test, bucket, status, swift file, note)
    (0, "test/parallel/test-net-pingpong.js", "e", "ported-pass",
     "Tests/NetConformanceTests/PingPongTests.swift", ""),
    (0, "test/parallel/test-net-binary.js", "e", "ported-fail",
     "Tests/NetConformanceTests/BinaryTests.swift", "latin1 decoding differs"),
    (0, "test/parallel/test-net-perf_hooks.js", "m", "n/a", "—", "perf_hooks"),
    (0, "test/parallel/test-net-reconnect.js", "f", "todo", "—", "issue 4 (TCP)"),
    (1, "test/internet/test-net-events-failure.js", "d", "todo", "—", "a later issue (happy eyeballs)"),
    (1, "test/internet/test-net-events-timeout.js", "d", "todo", "—", "a later issue (happy eyeballs)"),
    (1, "test/internet/test-net-timeout-close.js", "d", "todo", "—", "a later issue (happy eyeballs)"),
    (2, "test/parallel/test-net-reuseport.js", "c", "todo", "—", "issue 4 (TCP)"),
]

SWIFT = {
    "Tests/NetConformanceTests/PingPongTests.swift": textwrap.dedent("""\
        // Node: test/parallel/test-net-pingpong.js
        import Testing
        @testable import Net

        @Test func pingPong() {}
        // A comment that mentions withKnownIssue does not count.
        """),
    "Tests/NetConformanceTests/BinaryTests.swift": textwrap.dedent("""\
        // Port of Node's binary test.
        // Node: test/parallel/test-net-binary.js
        import Testing

        @Test func binary() {
            withKnownIssue { }
        }
        """),
}


def render(rows, totals=None) -> str:
    lines = ["# Conformance", "", "<!-- counts -->"]
    lines.append(totals if totals is not None else conformance.totals_line(
        [conformance.Row(0, 0, "", r[2], r[3], "", "") for r in rows]))
    section = -1
    for row in rows:
        if row[0] != section:
            section = row[0]
            lines += ["", f"## Section {section}", "",
                      "| Node test | bucket | status | Swift test file | note |", "|---|---|---|---|---|"]
        _, test, bucket, status, swift, note = row
        lines.append(f"| `{test}` | {bucket} | {status} | {swift if swift == '—' else f'`{swift}`'} | {note} |")
    return "\n".join(lines) + "\n"


class FakeRepo:
    def __init__(self, rows=ROWS, swift=SWIFT, tsv=TSV, totals=None, shared_tsv=None):
        self.base = tempfile.mkdtemp(prefix="conformance-test-")
        self.root = os.path.join(self.base, "repo")
        os.makedirs(os.path.join(self.root, "scripts"))
        os.makedirs(os.path.join(self.root, "Tests", "NetConformanceTests"))
        self.write("scripts/node-tests.tsv", tsv)
        self.write("CONFORMANCE.md", render(rows, totals))
        for path, text in swift.items():
            self.write(path, text)
        if shared_tsv is not None:
            os.makedirs(os.path.join(self.base, "shared", "conformance"))
            with open(os.path.join(self.base, "shared", "conformance", "node-tests.tsv"), "w") as f:
                f.write(shared_tsv)

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def read(self, path):
        with open(os.path.join(self.root, path), encoding="utf-8") as f:
            return f.read()

    def run(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = conformance.main(list(args) + ["--root", self.root])
        return status, out.getvalue(), err.getvalue()

    def cleanup(self):
        shutil.rmtree(self.base)


def replace_row(index, **changes):
    rows = list(ROWS)
    fields = ["section", "test", "bucket", "status", "swift", "note"]
    row = list(rows[index])
    for key, value in changes.items():
        row[fields.index(key)] = value
    rows[index] = tuple(row)
    return rows


class ConformanceScriptTests(unittest.TestCase):
    def repo(self, **kwargs) -> FakeRepo:
        repo = FakeRepo(**kwargs)
        self.addCleanup(repo.cleanup)
        return repo

    def assertFails(self, repo, *fragments):
        status, _, err = repo.run("--check")
        self.assertEqual(status, 1, err)
        for fragment in fragments:
            self.assertIn(fragment, err)
        return err

    # A consistent tree passes.

    def test_consistent_tree_passes(self):
        status, out, err = self.repo().run("--check")
        self.assertEqual(status, 0, err)
        self.assertIn("consistent", out)

    def test_runs_from_repo_root_as_make_does(self):
        repo = self.repo()
        shutil.copy(SCRIPT, os.path.join(repo.root, "scripts", "conformance.py"))
        result = subprocess.run([sys.executable, "scripts/conformance.py", "--check"], cwd=repo.root,
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        repo.write("CONFORMANCE.md", render(ROWS[1:]))
        result = subprocess.run([sys.executable, "scripts/conformance.py", "--check"], cwd=repo.root,
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 1)
        self.assertIn("no row for test/parallel/test-net-pingpong.js", result.stderr)

    # Rule 1: one row per TSV file, no extra rows.

    def test_missing_row(self):
        rows = [r for r in ROWS if "reconnect" not in r[1]]
        self.assertFails(self.repo(rows=rows), "no row for test/parallel/test-net-reconnect.js")

    def test_row_not_in_tsv(self):
        rows = ROWS + [(2, "test/parallel/test-net-made-up.js", "c", "todo", "—", "issue 4")]
        self.assertFails(self.repo(rows=rows), "test/parallel/test-net-made-up.js is not in node-tests.tsv")

    def test_duplicate_row(self):
        rows = ROWS[:4] + [ROWS[3]] + ROWS[4:]
        self.assertFails(self.repo(rows=rows), "test/parallel/test-net-reconnect.js has 2 rows")

    def test_glob_line_needs_a_row(self):
        rows = [r for r in ROWS if "events" not in r[1]]
        self.assertFails(self.repo(rows=rows), "no row matches test/internet/test-net-events-*.js")

    def test_glob_line_second_name_takes_first_directory(self):
        rows = [r for r in ROWS if "timeout-close" not in r[1]]
        self.assertFails(self.repo(rows=rows), "no row for test/internet/test-net-timeout-close.js")

    def test_bucket_must_match(self):
        self.assertFails(self.repo(rows=replace_row(3, bucket="e")), "has bucket 'e', node-tests.tsv says 'f'")

    def test_section_must_match(self):
        self.assertFails(self.repo(rows=replace_row(7, section=1)), "is in table 2")

    def test_order_must_match(self):
        rows = [ROWS[1], ROWS[0]] + ROWS[2:]
        self.assertFails(self.repo(rows=rows), "test/parallel/test-net-pingpong.js is out of node-tests.tsv's order")

    def test_bad_status(self):
        self.assertFails(self.repo(rows=replace_row(3, status="done")), "status 'done' is not one of")

    # Rule 2: the test tree and the ported rows agree.

    def test_declared_port_needs_ported_row(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/ReconnectTests.swift"] = "// Node: test/parallel/test-net-reconnect.js\n"
        self.assertFails(self.repo(swift=swift),
                         "test/parallel/test-net-reconnect.js is ported by "
                         "Tests/NetConformanceTests/ReconnectTests.swift")

    def test_declared_port_of_unknown_test(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/Extra.swift"] = "// Node: test/parallel/test-net-made-up.js\n"
        self.assertFails(self.repo(swift=swift), "declares test/parallel/test-net-made-up.js, which has no row")

    def test_row_must_name_the_declaring_file(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/Other.swift"] = "// Node: test/parallel/test-net-pingpong.js\n"
        self.assertFails(self.repo(swift=swift), "is ported by Tests/NetConformanceTests/Other.swift")

    def test_ported_row_file_must_exist(self):
        swift = {k: v for k, v in SWIFT.items() if "PingPong" not in k}
        self.assertFails(self.repo(swift=swift), "Tests/NetConformanceTests/PingPongTests.swift does not exist")

    def test_ported_row_file_must_declare_the_test(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/PingPongTests.swift"] = "import Testing\n@Test func t() {}\n"
        self.assertFails(self.repo(swift=swift), "has no `// Node: test/parallel/test-net-pingpong.js` line")

    def test_ported_row_must_name_a_file(self):
        self.assertFails(self.repo(rows=replace_row(0, swift="—")), "must name its Swift test file")

    def test_ported_row_file_must_be_under_conformance_tests(self):
        self.assertFails(self.repo(rows=replace_row(0, swift="Tests/NetTests/PingPongTests.swift")),
                         "is not a .swift file under Tests/NetConformanceTests/")

    def test_unported_row_names_no_file(self):
        self.assertFails(self.repo(rows=replace_row(3, swift="Tests/NetConformanceTests/PingPongTests.swift")),
                         "a todo row names no Swift file")

    def test_declaration_after_code_is_reported(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/PingPongTests.swift"] = (
            "// Node: test/parallel/test-net-pingpong.js\nimport Testing\n@Test func t() {}\n"
            "// Node: test/parallel/test-net-reconnect.js\n")
        self.assertFails(self.repo(swift=swift), "`// Node:` line after the first line of code")

    def test_several_node_tests_in_one_file(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/PingPongTests.swift"] = (
            "// Node: test/parallel/test-net-pingpong.js\n// Node: test/parallel/test-net-reconnect.js\n"
            "import Testing\n")
        rows = replace_row(3, status="ported-pass", swift="Tests/NetConformanceTests/PingPongTests.swift",
                           note="")
        status, _, err = self.repo(rows=rows, swift=swift).run("--check")
        self.assertEqual(status, 0, err)

    def test_ported_fail_needs_known_issue(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/BinaryTests.swift"] = "// Node: test/parallel/test-net-binary.js\n"
        self.assertFails(self.repo(swift=swift), "is ported-fail, but Tests/NetConformanceTests/BinaryTests.swift "
                                                 "has no withKnownIssue")

    def test_ported_pass_must_not_have_known_issue(self):
        swift = dict(SWIFT)
        swift["Tests/NetConformanceTests/PingPongTests.swift"] += "@Test func t() { withKnownIssue { } }\n"
        self.assertFails(self.repo(swift=swift), "is ported-pass, but Tests/NetConformanceTests/PingPongTests.swift "
                                                 "uses withKnownIssue")

    # Rule 3: n/a and todo rows have notes.

    def test_na_needs_note(self):
        self.assertFails(self.repo(rows=replace_row(2, note="")), "is n/a with an empty note")

    def test_todo_needs_note(self):
        self.assertFails(self.repo(rows=replace_row(3, note="")), "is todo with an empty note")

    # Rule 4: the totals line matches the rows.

    def test_totals_must_match(self):
        repo = self.repo(totals="**Totals:** 8 tests · 9 ported-pass · 0 ported-fail · 1 n/a · 5 todo")
        self.assertFails(repo, "totals line says", "1 ported-pass · 1 ported-fail · 1 n/a · 5 todo")

    def test_totals_marker_required(self):
        repo = self.repo()
        repo.write("CONFORMANCE.md", repo.read("CONFORMANCE.md").replace("<!-- counts -->\n", ""))
        self.assertFails(repo, "no <!-- counts --> marker")

    def test_write_regenerates_only_the_totals_line(self):
        repo = self.repo(totals="**Totals:** stale")
        before = repo.read("CONFORMANCE.md")
        status, _, err = repo.run("--write")
        self.assertEqual(status, 0, err)
        after = repo.read("CONFORMANCE.md")
        expected = "**Totals:** 8 tests · 1 ported-pass · 1 ported-fail · 1 n/a · 5 todo"
        self.assertEqual(after, before.replace("**Totals:** stale", expected))

    def test_write_still_reports_other_problems(self):
        repo = self.repo(rows=replace_row(3, note=""), totals="**Totals:** stale")
        status, _, err = repo.run("--write")
        self.assertEqual(status, 1)
        self.assertIn("is todo with an empty note", err)
        self.assertNotIn("totals line says", err)

    # The TSV copy and the shared list.

    def test_differing_shared_tsv_warns_but_passes(self):
        repo = self.repo(shared_tsv=TSV + "parallel/test-net-new.js\tc\tnew\n")
        status, _, err = repo.run("--check")
        self.assertEqual(status, 0, err)
        self.assertIn("warning: scripts/node-tests.tsv differs from ../shared/conformance/node-tests.tsv", err)

    def test_identical_shared_tsv_is_silent(self):
        status, _, err = self.repo(shared_tsv=TSV).run("--check")
        self.assertEqual(status, 0, err)
        self.assertNotIn("warning", err)

    # --summary

    def test_summary_counts_per_bucket_and_status(self):
        status, out, _ = self.repo().run("--summary")
        self.assertEqual(status, 0)
        lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:-1]}
        self.assertEqual(lines["e"], ["1", "1", "0", "0", "2"])
        self.assertEqual(lines["d"], ["0", "0", "0", "3", "3"])
        self.assertEqual(lines["all"], ["1", "1", "1", "5", "8"])

    # The real table of this repository.

    def test_repository_table_is_consistent(self):
        root = os.path.dirname(HERE)
        if not os.path.exists(os.path.join(root, "CONFORMANCE.md")):
            self.skipTest("no CONFORMANCE.md next to scripts/")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = conformance.main(["--check", "--root", root])
        self.assertEqual(status, 0, err.getvalue())


if __name__ == "__main__":
    unittest.main()
