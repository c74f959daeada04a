"""The async rows of a `make bench` run (results/raw/<stamp>.txt): Net's async API (net-async) next to
Net's callbacks (net) and SwiftNIO's NIOAsyncChannel (nio-async), medians over the rounds and the median
of the per-round ratios, as a Markdown section. The issue's goals: async ping-pong ≥ 0.8× callbacks and
≥ 1.2× NIOAsyncChannel; c2s through the chunk sequence at 64 KiB ≥ 0.9× callbacks.

usage: python3 async-table.py results/raw/<stamp>.txt"""
import collections
import re
import statistics
import sys

GOALS = {"pingpong-1": (0.8, 1.2), "pingpong-100": (0.8, 1.2), "c2s-buf-65536": (0.9, None)}


def main(path):
    values = collections.defaultdict(list)
    order = []
    with open(path) as f:
        for line in f:
            m = re.search(r"scenario=(\S+) impl=(\S+) ops_per_s=(\S+) unit=(\S+)", line)
            if not m:
                continue
            values[(m[1], m[2])].append(float(m[3]))
            if m[2] == "net-async" and m[1] not in order:
                order.append(m[1])
    if not order:
        return
    print("## The async API (net-async) next to the callbacks (net) and NIOAsyncChannel (nio-async)")
    print()
    print("Medians over the rounds; goals are checked on the ratio of the medians, as targets.py does; the")
    print("per-round ratio is the median of each round's own ratio (the three run back to back). For latency")
    print("rows (us) a ratio above 1 means the async version is slower.")
    print()
    print("| scenario | net | net-async | nio-async | async / net | per round | async / nio-async | goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for s in order:
        net, asy, nio = (values.get((s, i), []) for i in ("net", "net-async", "nio-async"))
        if not net or not asy:
            continue
        mn, ma = statistics.median(net), statistics.median(asy)
        mo = statistics.median(nio) if nio else None
        per = statistics.median(a / b for a, b in zip(asy, net))
        goal = GOALS.get(s)
        text = ""
        if goal:
            ok = ma / mn >= goal[0] and (goal[1] is None or (mo and ma / mo >= goal[1]))
            text = f"≥ {goal[0]}× net" + (f", ≥ {goal[1]}× nio-async" if goal[1] else "") + (": met" if ok else ": **missed**")
        fmt = (lambda x: f"{x:.2f}") if max(mn, ma) < 1000 else (lambda x: f"{x / 1000:.1f}k")
        print(f"| {s} | {fmt(mn)} | {fmt(ma)} | {fmt(mo) if mo else '–'} | {ma / mn:.2f}× | {per:.2f}× | "
              f"{(f'{ma / mo:.2f}×') if mo else '–'} | {text} |")
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
