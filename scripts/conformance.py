#!/usr/bin/env python3
"""Keeps CONFORMANCE.md honest: recounts it from scripts/node-tests.tsv and Tests/NetConformanceTests/.

CONFORMANCE.md has one row per Node test file listed in node-tests.tsv. A row says whether the test is
ported (and passes, or is known to fail), not applicable in Swift, or still to do. This script checks the
table against the list of Node tests and against the Swift test tree, so that the table cannot drift:

  python3 scripts/conformance.py --check     # what `make conformance` and CI run; exit 1 on any problem
  python3 scripts/conformance.py --write     # regenerate the totals line, then check
  python3 scripts/conformance.py --summary   # counts per bucket and status

A Swift file under Tests/NetConformanceTests/ declares which Node tests it ports with lines such as
`// Node: test/parallel/test-net-pingpong.js` in its header (the comment and import lines before the
first line of code). Python standard library only.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

STATUSES = ("ported-pass", "ported-fail", "n/a", "todo")
PORTED = ("ported-pass", "ported-fail")
HEADER = ["Node test", "bucket", "status", "Swift test file", "note"]
NO_FILE = "—"
COUNTS_MARKER = "<!-- counts -->"
TESTS_DIR = "Tests/NetConformanceTests"
TSV_COPY = "scripts/node-tests.tsv"
TSV_SHARED = "../shared/conformance/node-tests.tsv"
NODE_DECL = re.compile(r"^\s*//\s*Node:\s*(\S+)\s*$")
NODE_PATH = re.compile(r"^test/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\.m?js$")
KNOWN_ISSUE = re.compile(r"\bwithKnownIssue\b")


# ----------------------------------------------------------------------------------------------------
# Inputs


@dataclass
class TsvEntry:
    """One line of node-tests.tsv. `names` are the Node test paths (with the `test/` prefix) the line
    stands for; a name with `*` is a pattern that must match at least one row of the table."""

    line: int
    raw: str
    bucket: str
    section: int
    names: list[str]


def read_tsv(path: str) -> list[TsvEntry]:
    """Parses node-tests.tsv: a header line, then `file<TAB>bucket<TAB>gist` lines; `#` lines open a
    new section. A file cell may list several files separated by `, `; a later one without a directory
    takes the directory of the first."""
    entries: list[TsvEntry] = []
    section = 0
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                if entries:
                    section += 1
                continue
            cells = line.split("\t")
            if cells[0] == "file":
                continue
            raw = cells[0].strip()
            bucket = cells[1].strip() if len(cells) > 1 else ""
            names: list[str] = []
            directory = ""
            for piece in (p.strip() for p in raw.split(",")):
                if not piece:
                    continue
                if "/" in piece:
                    directory = piece.rsplit("/", 1)[0]
                elif directory:
                    piece = f"{directory}/{piece}"
                names.append(piece if piece.startswith("test/") else f"test/{piece}")
            entries.append(TsvEntry(number, raw, bucket, section, names))
    return entries


@dataclass
class Row:
    line: int
    table: int  # index of the table (section) the row is in, from 0
    test: str
    bucket: str
    status: str
    swift_file: str  # "" when the cell is NO_FILE
    note: str


@dataclass
class Doc:
    lines: list[str]
    rows: list[Row] = field(default_factory=list)
    counts_line: int | None = None  # index into lines of the totals line
    problems: list[str] = field(default_factory=list)


def _cell(text: str) -> str:
    text = text.strip().replace("\\|", "|")
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        text = text[1:-1].strip()
    return text


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [_cell(c) for c in re.split(r"(?<!\\)\|", body)]


def read_doc(path: str) -> Doc:
    with open(path, encoding="utf-8") as f:
        doc = Doc(lines=f.read().split("\n"))
    table = -1
    in_table = False
    for index, line in enumerate(doc.lines):
        number = index + 1
        if line.strip() == COUNTS_MARKER:
            if doc.counts_line is not None:
                doc.problems.append(f"CONFORMANCE.md:{number}: a second {COUNTS_MARKER} marker")
            doc.counts_line = index + 1
            continue
        if not line.lstrip().startswith("|"):
            in_table = False
            continue
        cells = _split_row(line)
        if not in_table:
            in_table = True
            table += 1
            if cells != HEADER:
                doc.problems.append(
                    f"CONFORMANCE.md:{number}: table header must be `| {' | '.join(HEADER)} |`")
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        if len(cells) != len(HEADER):
            doc.problems.append(
                f"CONFORMANCE.md:{number}: row has {len(cells)} cells, expected {len(HEADER)}")
            continue
        test, bucket, status, swift_file, note = cells
        doc.rows.append(Row(number, table, test, bucket, status,
                            "" if swift_file in (NO_FILE, "") else swift_file, note))
    if doc.counts_line is None:
        doc.problems.append(f"CONFORMANCE.md: no {COUNTS_MARKER} marker (the totals line follows it)")
    elif doc.counts_line >= len(doc.lines):
        doc.problems.append(f"CONFORMANCE.md: nothing after {COUNTS_MARKER} (the totals line goes there)")
    return doc


def swift_declarations(root: str) -> tuple[dict[str, list[str]], dict[str, str], list[str]]:
    """Scans the conformance test tree. Returns (declared Node tests per Swift file, source of each
    Swift file with line comments removed, problems)."""
    declared: dict[str, list[str]] = {}
    code: dict[str, str] = {}
    problems: list[str] = []
    base = os.path.join(root, TESTS_DIR)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".swift"):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            with open(full, encoding="utf-8") as f:
                lines = f.read().split("\n")
            in_header = True
            tests: list[str] = []
            for number, line in enumerate(lines, start=1):
                stripped = line.strip()
                if in_header and not (stripped == "" or stripped.startswith("//")
                                      or re.match(r"^(@testable\s+)?import\s", stripped)):
                    in_header = False
                match = NODE_DECL.match(line)
                if not match:
                    continue
                if not in_header:
                    problems.append(f"{rel}:{number}: `// Node:` line after the first line of code; "
                                    "declare ported Node tests in the file's header")
                elif not NODE_PATH.match(match.group(1)):
                    problems.append(f"{rel}:{number}: `{match.group(1)}` is not a Node test path "
                                    "like test/parallel/test-net-pingpong.js")
                elif match.group(1) in tests:
                    problems.append(f"{rel}:{number}: {match.group(1)} declared twice")
                else:
                    tests.append(match.group(1))
            declared[rel] = tests
            code[rel] = "\n".join(re.sub(r"//.*$", "", line) for line in lines)
    return declared, code, problems


# ----------------------------------------------------------------------------------------------------
# Checks


def totals_line(rows: list[Row]) -> str:
    counts = Counter(row.status for row in rows)
    parts = [f"{len(rows)} tests"] + [f"{counts.get(s, 0)} {s}" for s in STATUSES]
    return "**Totals:** " + " · ".join(parts)


def check(root: str, doc: Doc, entries: list[TsvEntry]) -> list[str]:
    problems = list(doc.problems)
    where = lambda row: f"CONFORMANCE.md:{row.line}"  # noqa: E731

    # 1. One row per file of the TSV, none for a file not in it; same bucket, section and order.
    exact: dict[str, TsvEntry] = {}
    patterns: list[tuple[str, TsvEntry]] = []
    for entry in entries:
        for name in entry.names:
            if "*" in name or "?" in name:
                patterns.append((name, entry))
            elif name in exact:
                problems.append(f"node-tests.tsv:{entry.line}: {name} listed twice")
            else:
                exact[name] = entry
    order = {id(e): i for i, e in enumerate(entries)}
    rows_by_test: dict[str, list[Row]] = {}
    for row in doc.rows:
        rows_by_test.setdefault(row.test, []).append(row)
    pattern_hits = Counter()
    previous: tuple[int, str] | None = None  # (TSV position, test) of the row above
    extra_table = max((e.section for e in entries), default=0) + 1
    for row in doc.rows:
        if row.table >= extra_table:
            # The last table lists other Node tests ported here (EventEmitter, …): not in the TSV.
            if row.test in exact:
                problems.append(f"{where(row)}: {row.test} is in node-tests.tsv; its row belongs above")
            continue
        entry = exact.get(row.test)
        if entry is None:
            for pattern, candidate in patterns:
                if fnmatch.fnmatchcase(row.test, pattern):
                    entry = candidate
                    pattern_hits[pattern] += 1
                    break
        if entry is None:
            problems.append(f"{where(row)}: {row.test} is not in node-tests.tsv")
            continue
        if row.bucket != entry.bucket:
            problems.append(f"{where(row)}: {row.test} has bucket '{row.bucket}', "
                            f"node-tests.tsv says '{entry.bucket}'")
        if row.table != entry.section:
            problems.append(f"{where(row)}: {row.test} is in table {row.table + 1}, but node-tests.tsv "
                            f"puts it in section {entry.section + 1}")
        if previous is not None and order[id(entry)] < previous[0]:
            problems.append(f"{where(row)}: {row.test} is out of node-tests.tsv's order "
                            f"(node-tests.tsv lists it before {previous[1]})")
        previous = (order[id(entry)], row.test)
    for test, rows in rows_by_test.items():
        if len(rows) > 1:
            problems.append(f"CONFORMANCE.md: {test} has {len(rows)} rows (lines "
                            f"{', '.join(str(r.line) for r in rows)}); it needs exactly one")
    for name, entry in exact.items():
        if name not in rows_by_test:
            problems.append(f"CONFORMANCE.md: no row for {name} (node-tests.tsv:{entry.line})")
    for pattern, entry in patterns:
        if pattern_hits[pattern] == 0:
            problems.append(f"CONFORMANCE.md: no row matches {pattern} (node-tests.tsv:{entry.line}); "
                            "give each file it stands for a row")

    # 2. The test tree and the ported rows agree.
    declared, code, tree_problems = swift_declarations(root)
    problems += tree_problems
    for swift_file, tests in declared.items():
        for test in tests:
            rows = rows_by_test.get(test, [])
            if not rows:
                problems.append(f"{swift_file}: declares {test}, which has no row in CONFORMANCE.md")
                continue
            row = rows[0]
            if row.status not in PORTED or row.swift_file != swift_file:
                problems.append(f"{where(row)}: {test} is ported by {swift_file}; its row must say "
                                f"ported-pass or ported-fail and name that file "
                                f"(it says {row.status}, {row.swift_file or NO_FILE})")
    for row in doc.rows:
        if row.status not in STATUSES:
            problems.append(f"{where(row)}: status '{row.status}' is not one of {', '.join(STATUSES)}")
            continue
        if row.status not in PORTED:
            if row.swift_file:
                problems.append(f"{where(row)}: a {row.status} row names no Swift file (use {NO_FILE})")
            continue
        if not row.swift_file:
            problems.append(f"{where(row)}: a {row.status} row must name its Swift test file")
            continue
        if not row.swift_file.startswith(TESTS_DIR + "/") or not row.swift_file.endswith(".swift"):
            problems.append(f"{where(row)}: {row.swift_file} is not a .swift file under {TESTS_DIR}/")
            continue
        if row.swift_file not in declared:
            problems.append(f"{where(row)}: {row.swift_file} does not exist")
            continue
        if row.test not in declared[row.swift_file]:
            problems.append(f"{where(row)}: {row.swift_file} has no `// Node: {row.test}` line")
        known_issue = bool(KNOWN_ISSUE.search(code[row.swift_file]))
        if row.status == "ported-fail" and not known_issue:
            problems.append(f"{where(row)}: {row.test} is ported-fail, but {row.swift_file} has no "
                            "withKnownIssue around the failing part")
        if row.status == "ported-pass" and known_issue:
            problems.append(f"{where(row)}: {row.test} is ported-pass, but {row.swift_file} uses "
                            "withKnownIssue (mark it ported-fail)")

    # 3. Rows that are not ported say why, or who ports them.
    for row in doc.rows:
        if row.status in ("n/a", "todo") and not row.note:
            reason = "why it is not applicable" if row.status == "n/a" else "which issue ports it"
            problems.append(f"{where(row)}: {row.test} is {row.status} with an empty note (say {reason})")

    # 4. The totals line matches the rows.
    if doc.counts_line is not None and doc.counts_line < len(doc.lines):
        expected = totals_line(doc.rows)
        actual = doc.lines[doc.counts_line].strip()
        if actual != expected:
            problems.append(f"CONFORMANCE.md:{doc.counts_line + 1}: totals line says\n      {actual}\n"
                            f"    but the rows count\n      {expected}\n"
                            "    (run python3 scripts/conformance.py --write)")
    return problems


# ----------------------------------------------------------------------------------------------------
# Commands


def load(root: str) -> tuple[Doc, list[TsvEntry], list[str]]:
    warnings: list[str] = []
    tsv = os.path.join(root, TSV_COPY)
    shared = os.path.normpath(os.path.join(root, TSV_SHARED))
    if not os.path.exists(tsv):
        raise SystemExit(f"conformance: {TSV_COPY} is missing (copy it from {TSV_SHARED})")
    if os.path.exists(shared):
        with open(tsv, encoding="utf-8") as a, open(shared, encoding="utf-8") as b:
            if a.read() != b.read():
                warnings.append(f"warning: {TSV_COPY} differs from {TSV_SHARED}; "
                                f"copy the shared list over it if the shared one is newer")
    doc_path = os.path.join(root, "CONFORMANCE.md")
    if not os.path.exists(doc_path):
        raise SystemExit("conformance: CONFORMANCE.md is missing")
    return read_doc(doc_path), read_tsv(tsv), warnings


def summary(doc: Doc) -> str:
    buckets = sorted({row.bucket for row in doc.rows})
    counts = Counter((row.bucket, row.status) for row in doc.rows)
    width = max(len(s) for s in STATUSES)
    out = ["bucket " + " ".join(s.rjust(width) for s in STATUSES) + " " + "total".rjust(width)]
    for bucket in buckets:
        cells = [counts[(bucket, s)] for s in STATUSES]
        out.append(bucket.ljust(6) + " " + " ".join(str(c).rjust(width) for c in cells)
                   + " " + str(sum(cells)).rjust(width))
    totals = [sum(counts[(b, s)] for b in buckets) for s in STATUSES]
    out.append("all".ljust(6) + " " + " ".join(str(c).rjust(width) for c in totals)
               + " " + str(sum(totals)).rjust(width))
    out.append(totals_line(doc.rows))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check CONFORMANCE.md against the Node test list "
                                     "and the Swift conformance tests.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 listing every inconsistency")
    mode.add_argument("--write", action="store_true", help="regenerate the totals line, then check")
    mode.add_argument("--summary", action="store_true", help="print counts per bucket and status")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="repository root (default: the parent of scripts/)")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)

    doc, entries, warnings = load(root)
    for warning in warnings:
        print(warning, file=sys.stderr)

    if args.summary:
        print(summary(doc))
        return 0

    if args.write and doc.counts_line is not None:
        line = totals_line(doc.rows)
        if doc.counts_line < len(doc.lines):
            if doc.lines[doc.counts_line].startswith("**Totals:**"):
                doc.lines[doc.counts_line] = line
            else:
                doc.lines.insert(doc.counts_line, line)
        else:
            doc.lines.append(line)
        with open(os.path.join(root, "CONFORMANCE.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(doc.lines))
        doc, entries, _ = load(root)

    problems = check(root, doc, entries)
    if problems:
        print(f"CONFORMANCE.md disagrees with the Node test list or the Swift tests "
              f"({len(problems)} problem{'s' if len(problems) != 1 else ''}):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"CONFORMANCE.md is consistent: {totals_line(doc.rows).replace('**', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
