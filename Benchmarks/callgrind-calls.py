"""Counts the calls callgrind recorded into each function (by mangled name substring) and prints them per
unit of work: `python3 callgrind-calls.py callgrind.out <unit-function-substring> <divisor> [names…]`.
Used for PROFILE-NOTES.md: allocations, retains and exclusivity checks per round trip or per read."""
import re
import sys
from collections import Counter


def main(path, unit, divisor, names):
    ids, calls = {}, Counter()
    cfn = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if m:
                fid, name = m.group(1), m.group(2)
                if name:
                    ids[fid] = name.strip()
                cfn = ids.get(fid) if line.startswith("cfn=") else None
                continue
            m = re.match(r"calls=(\d+)", line)
            if m and cfn:
                calls[cfn] += int(m.group(1))
                cfn = None
    units = sum(n for name, n in calls.items() if unit in name) / float(divisor)
    print(f"units ({unit} / {divisor}): {units:.0f}")
    for want in names:
        total = sum(n for name, n in calls.items() if want in name)
        print(f"{want:40s} {total:10d} calls  {total / units if units else 0:8.2f} per unit")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
