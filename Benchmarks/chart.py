"""Draws results/latest.svg from results/latest.tsv (run.sh writes both): for every socket scenario, Net
compared with libuv, SwiftNIO and Node as a ratio where above 1 means Net is better (Net/other for rates,
other/Net for latency and memory), on a log scale, with the 1x line.

usage: python3 chart.py latest.tsv latest.svg "subtitle"
"""
import csv
import sys

import matplotlib

from ratios import ratio

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

OTHERS = [("libuv", "#4c72b0"), ("nio", "#dd8452"), ("node", "#55a868")]


def main(tsv_path, svg_path, subtitle):
    with open(tsv_path) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    labels, ratios = [], {name: [] for name, _ in OTHERS}
    for row in rows:
        net = float(row["net"]) if row.get("net") else None
        labels.append(f"{row['scenario']} ({row['unit']})")
        for name, _ in OTHERS:
            other = float(row[name]) if row.get(name) else None
            ratios[name].append(ratio(net, other, row["unit"]))

    height = 0.26
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(labels) + 1.6))
    for k, (name, color) in enumerate(OTHERS):
        ys = [i + (k - 1) * height for i in range(len(labels))]
        values = ratios[name]
        # Bars grow from 1x: right when Net is better, left when it is worse.
        ax.barh([y for y, v in zip(ys, values) if v], [v - 1 for v in values if v], height=height,
                left=1, color=color, label=f"Net vs {name}")
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=1)
    ticks = [0.1, 0.25, 0.5, 0.75, 1, 1.3, 2, 4]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}×" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ratio (> 1: Net better; Net/other for rates, other/Net for latency and memory)")
    ax.set_title(f"Net compared with raw libuv, SwiftNIO and Node ({subtitle}; medians)", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    # No timestamps or random ids in the file, so that an unchanged result gives an unchanged file.
    plt.rcParams["svg.hashsalt"] = "net-bench"
    fig.savefig(svg_path, metadata={"Date": None})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
