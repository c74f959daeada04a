"""Checks the issue's targets against raw benchmark lines (results/raw/<stamp>.txt, written by run.sh) and
prints a Markdown section: how many targets the run meets, each missed one, and each met one that fewer
than three rounds in four meet (a noisy host puts those on either side from one run to the next).

usage: python3 targets.py results/raw/<stamp>.txt [more raw files…]

With one file it checks that run, as the issue asks (ratios of the medians over its rounds). With several it
pools their rounds, which estimates what a run meets on average on this host: `python3 targets.py
results/raw/*[0-9].txt` over every run kept here.

The targets (from the benchmark issue, raised by the cost issue): throughput rows (c2s, s2c, pipe,
s2c-onread) with chunks of 64 KiB or more at least 0.95x raw libuv, and 1.3x Node except s2c-onread; ping-pong
and connection rate at least 0.95x raw libuv; c2s-cork-buf-64 at least 0.9x raw libuv; echo round trips and
p50 at least 0.9x raw libuv; ahead of SwiftNIO (above 1x) on every row; at most 700 B of RSS per idle
connection; at most 8 memory allocations per connection (the cost rows, from cost.sh).

Besides the ratio of the medians, each check shows the median of the per-round ratios (the implementations
of a round run back to back), how many rounds meet the target on their own, and for targets against nio or
node the ratio raw libuv (the C program, on the same libuv as Net) reaches against that implementation.
"""
import re
import statistics
import sys
from typing import NamedTuple, Optional

from ratios import LOWER_IS_BETTER, ratio

LINE = re.compile(r"scenario=(\S+) impl=(\S+) ops_per_s=([0-9.eE+-]+) unit=(\S+)")


def read(paths):
    """One dict per file, (scenario, impl) -> its values in round order (rounds pair up by position
    within a file, so files stay apart); each scenario's unit; the scenarios in order of appearance."""
    runs, units, order = [], {}, []
    for path in paths:
        values = {}
        with open(path) as f:
            for line in f:
                m = LINE.search(line)
                if not m:
                    continue
                scenario, impl, value, unit = m.group(1), m.group(2), float(m.group(3)), m.group(4)
                values.setdefault((scenario, impl), []).append(value)
                units[scenario] = unit
                if scenario not in order:
                    order.append(scenario)
        runs.append(values)
    return runs, units, order


def chunk_length(scenario):
    m = re.match(r"(c2s|s2c|pipe)(-onread)?-(buf|asc|utf)-(\d+)$", scenario)
    return int(m.group(4)) if m else None


def checks(order):
    """(scenario, other, target, strictly_above) for every target the issues name (the cost issue's, which
    raised the benchmark issue's ping-pong, connection-rate and idle-memory targets)."""
    out = []
    for s in order:
        if s.startswith("cost-"):
            continue   # figures to read, not rates to beat; the allocation target is checked on its own
        length = chunk_length(s)
        if length is not None and length >= 65536:
            out.append((s, "libuv", 0.95, False))
            if "-onread" not in s:   # raw libuv itself reaches ~1.17x Node there: measured against libuv only
                out.append((s, "node", 1.3, False))
        if s.startswith("pingpong-"):
            out.append((s, "libuv", 0.95, False))
        if s.startswith("connrate-"):
            out.append((s, "libuv", 0.95, False))
        if s == "c2s-cork-buf-64":
            out.append((s, "libuv", 0.9, False))
        if re.match(r"echo\d+k-(rt|p50)$", s):
            out.append((s, "libuv", 0.9, False))
        out.append((s, "nio", 1.0, True))
    return out


def shown(value, target):
    """Two decimals, or as many more (up to four) as it takes not to print the target itself for a value
    that is not the target: 0.896 is not 0.90."""
    digits = 2
    while digits < 4 and value != target and f"{value:.{digits}f}" == f"{target:.{digits}f}":
        digits += 1
    return f"{value:.{digits}f}×"


def meets(value, target, strictly_above):
    return value > target if strictly_above else value >= target


class Check(NamedTuple):
    scenario: str
    other: str
    target: float
    strictly_above: bool
    ratio: float              # of the medians
    per_round: float          # the median of the rounds' own ratios
    rounds_met: int
    rounds: int
    libuv_ratio: Optional[float]   # raw libuv against `other`, when `other` is not libuv

    @property
    def met(self):
        return meets(self.ratio, self.target, self.strictly_above)

    @property
    def firm(self):
        """Met by at least three rounds in four."""
        return self.rounds_met * 4 >= self.rounds * 3


def main(paths):
    runs, units, order = read(paths)
    rows = []
    for s, other, target, strict in checks(order):
        unit = units[s]
        nets, others, per_round = [], [], []
        for values in runs:
            n, o = values.get((s, "net"), []), values.get((s, other), [])
            nets += n
            others += o
            per_round += [r for r in (ratio(a, b, unit) for a, b in zip(n, o)) if r is not None]
        if not nets or not others:
            continue   # the comparator has no such scenario (libuv has no strings)
        r = ratio(statistics.median(nets), statistics.median(others), unit)
        if r is None:
            continue
        met_rounds = sum(1 for x in per_round if meets(x, target, strict))
        # What raw libuv itself reaches against the same comparator: the floor of what a libuv program
        # does on this host (Net is built on it), so a target raw libuv misses asks for more than it.
        floor = None
        if other != "libuv":
            cs = [v for values in runs for v in values.get((s, "libuv"), [])]
            if cs:
                floor = ratio(statistics.median(cs), statistics.median(others), unit)
        rows.append(Check(s, other, target, strict, r, statistics.median(per_round), met_rounds, len(per_round),
                          floor))

    rss = []
    allocs = []
    for values in runs:
        rss += values.get(("idle10k-rss", "net"), [])
        allocs += values.get(("cost-conn-allocations", "net"), [])

    total = len(rows) + (1 if rss else 0) + (1 if allocs else 0)
    missed = [row for row in rows if not row.met]
    shaky = [row for row in rows if row.met and not row.firm]
    rss_ok = not rss or statistics.median(rss) <= 700
    allocs_ok = not allocs or statistics.median(allocs) <= 8
    met = total - len(missed) - (0 if rss_ok else 1) - (0 if allocs_ok else 1)

    pooled = len(paths) > 1
    print("## Targets" + (f" (pooled over {len(paths)} runs)" if pooled else ""))
    print()
    print(f"**{met} of {total} targets met**" + (" by the pooled rounds" if pooled else " in this run") +
          " (ratio of the medians; for rows marked ↓ other/Net). Per-round ratio: the median of the rounds'"
          " own ratios; rounds met: how many rounds meet the target alone; raw libuv's ratio: the C program"
          " against the same implementation, the same way.")
    print()
    if rss:
        print(f"Idle RSS: {statistics.median(rss):.0f} B per connection (target ≤ 700): "
              + ("met." if rss_ok else "**missed**."))
        print()
    if allocs:
        print(f"Memory allocations per connection: {statistics.median(allocs):.1f} (target ≤ 8): "
              + ("met." if allocs_ok else "**missed**."))
        print()

    def table(title, selected):
        if not selected:
            return
        print(title)
        print()
        print("| scenario | vs | target | ratio | per-round ratio | rounds met | raw libuv's ratio |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for c in selected:
            arrow = " ↓" if units[c.scenario] in LOWER_IS_BETTER else ""
            goal = f"> {c.target:.2f}×" if c.strictly_above else f"≥ {c.target:.2f}×"
            own = "–" if c.libuv_ratio is None else f"{c.libuv_ratio:.2f}×"
            print(f"| {c.scenario}{arrow} | {c.other} | {goal} | {shown(c.ratio, c.target)} "
                  f"| {shown(c.per_round, c.target)} | {c.rounds_met} of {c.rounds} | {own} |")
        print()

    table("Missed:", missed)
    table("Met, but by fewer than three rounds in four:", shaky)
    if not missed and not shaky:
        print("Every target is met, each by at least three rounds in four.")
        print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
