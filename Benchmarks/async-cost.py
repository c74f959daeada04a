"""Per-round-trip cost of a ping-pong from two callgrind profiles of different lengths (async-cost.sh):
the differences divided by the round trips in between, so start-up drops out. Prints the instructions
per round trip, split by the object they ran in (Net's code is in the NetBench binary), and the calls per
round trip of the Swift-concurrency runtime functions an `await` costs.

    python3 async-cost.py short.callgrind long.callgrind"""
import collections
import re
import sys

# Runtime functions whose calls per round trip say how an await's cost is made up.
CALLS = [
    ("swift_task_switch", "executor switches (swift_task_switch)"),
    ("swift::AsyncTask::getPreferredTaskExecutor(bool)", "task-executor lookups (each takes the status-record lock)"),
    ("pthread_mutex_lock@@GLIBC_2.2.5", "mutex locks"),
    ("swift_task_enqueue", "task enqueues (a resume)"),
    ("swift_task_addCancellationHandler", "cancellation handlers added"),
    ("swift_continuation_init", "continuations"),
    ("swift_retain", "retains"),
    ("swift_release", "releases"),
]
WRITES = {"write", "writev", "send", "sendmsg"}


def profile(path):
    """Self instructions per object, and calls per callee name."""
    obs, fns = {}, {}
    ob = None
    callee = None
    skip = False
    by_ob = collections.Counter()
    calls = collections.Counter()

    def name(table, m):
        key, text = m.group(1), m.group(2)
        if text:
            table[key] = text.strip()
        return table.get(key)

    for line in open(path, errors="replace"):
        head = line[:4]
        if head in ("ob=(", "cob="):
            m = re.match(r"c?ob=\((\d+)\)(?: (.*))?", line)
            value = name(obs, m)
            if head == "ob=(":
                ob = value
            continue
        if head in ("fn=(", "cfn="):
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            value = name(fns, m)
            if head == "cfn=":
                callee = value
            continue
        if line.startswith("calls="):
            calls[callee] += int(line.split()[0][6:])
            skip = True
            continue
        if line[:1].isdigit() or line[:1] in "+-*":
            parts = line.split()
            if len(parts) >= 2:
                if skip:
                    skip = False
                    continue
                by_ob[(ob or "?").split("/")[-1]] += int(parts[1])
    return by_ob, calls


def main(short_path, long_path):
    short_ob, short_calls = profile(short_path)
    long_ob, long_calls = profile(long_path)
    trips = (sum(long_calls[w] for w in WRITES) - sum(short_calls[w] for w in WRITES)) / 2
    if trips <= 0:
        sys.exit("no round trips counted")
    objects = collections.Counter({k: long_ob[k] - short_ob[k] for k in long_ob})
    total = sum(objects.values())
    print(f"round trips {trips:.0f}; instructions per round trip {total / trips:.0f}")
    for obj, cost in objects.most_common():
        if cost / trips >= 1:
            label = "NetBench (Net and the benchmark)" if obj.startswith("NetBench") else obj
            print(f"  {cost / trips:8.0f}  {label}")
    print("calls per round trip:")
    for fn, label in CALLS:
        n = sum(long_calls[k] - short_calls[k] for k in long_calls if k == fn or k.startswith(fn + "'"))
        print(f"  {n / trips:8.2f}  {label}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
