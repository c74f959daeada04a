"""Groups a perf profile's self time by what the time goes to (stdin: `perf report --no-children
--sort dso,symbol -g none --percent-limit 0 --stdio`, demangled). Used by profile.sh."""
import re
import sys

CATEGORIES = [
    ("kernel (syscalls, TCP/IP, wakeups)", lambda dso, sym: "kernel" in dso),
    ("ARC: swift_retain/release (incl. slow paths via side tables)",
     lambda dso, sym: re.search(r"swift_(retain|release|bridgeObject|unknownObject)|RefCounts|"
                                r"swift::HeapObjectSideTableEntry|_swift_release_dealloc", sym)),
    ("exclusivity checks: swift_beginAccess/endAccess (+ TLS)",
     lambda dso, sym: re.search(r"swift_(begin|end)Access|AccessSet|__tls_get_addr", sym)),
    ("allocation: malloc/free, swift_allocObject, array storage",
     lambda dso, sym: re.search(r"malloc|_int_free|^free|cfree|__libc_free|swift_(allocObject|deallocObject|"
                                r"slowAlloc|slowDealloc|deallocClassInstance)|__deallocating_deinit|"
                                r"tcache|unlink_chunk|_int_realloc|realloc", sym)),
    ("memcpy/memmove", lambda dso, sym: re.search(r"mem(cpy|move|set)", sym)),
    ("dynamic casts and generic metadata",
     lambda dso, sym: re.search(r"swift_dynamicCast|swift_conformsTo|getGenericMetadata|"
                                r"swift_getAssociated|ConformanceCache|swift_checkMetadataState", sym)),
    ("libuv", lambda dso, sym: "libuv" in dso),
    ("Net's own code (NetBench binary)", lambda dso, sym: dso.startswith("NetBench")),
    ("other user space (libc, Swift runtime, vdso)", lambda dso, sym: True),
]


def main():
    totals = {name: 0.0 for name, _ in CATEGORIES}
    top = {name: [] for name, _ in CATEGORIES}
    for line in sys.stdin:
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), re.sub(r"\s{2,}.*$", "", m.group(3).strip())
        for name, test in CATEGORIES:
            if test(dso, sym):
                totals[name] += pct
                top[name].append((pct, sym))
                break
    for name, _ in CATEGORIES:
        best = sorted(top[name], reverse=True)[:3]
        examples = "; ".join(f"{s[:60]} {p:.1f}%" for p, s in best) if "kernel" not in name else ""
        print(f"{totals[name]:6.1f}%  {name}" + (f"  [{examples}]" if examples else ""))


if __name__ == "__main__":
    main()
