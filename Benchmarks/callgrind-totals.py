"""Totals of a callgrind profile, for the cost rows of `make bench` (cost.sh): the program's instructions,
and the calls into functions named exactly as given, from anywhere in the program.

    python3 callgrind-totals.py callgrind.out malloc calloc realloc accept4 ...

Prints `instructions=<n>` and `<name>=<calls>` for each name, on one line."""
import re
import sys


def main(path, names):
    wanted = set(names)
    ids, calls = {}, {name: 0 for name in names}
    total = 0
    target = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
            if m:
                kind, fid, name = m.groups()
                if name:
                    ids[fid] = name.strip()
                if kind == "cfn":
                    target = ids.get(fid)
                continue
            if line.startswith("calls="):
                if target in wanted:
                    calls[target] += int(line.split()[0][6:])
                target = None
                continue
            m = re.match(r"(?:summary|totals): (\d+)", line)
            if m:
                total = max(total, int(m.group(1)))
    print(" ".join([f"instructions={total}"] + [f"{n}={calls[n]}" for n in names]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
