#!/usr/bin/env python3
"""Fails when a public symbol of the Net module has no DocC comment (reads the symbol graphs `make docs` emits)."""
import glob
import json
import sys

missing = []
for path in glob.glob(".build/symbol-graphs/Net*.symbols.json"):
    with open(path, encoding="utf-8") as f:
        graph = json.load(f)
    for symbol in graph["symbols"]:
        where = symbol.get("location", {}).get("uri", "")
        if symbol["accessLevel"] in ("public", "open") and "Sources/Net/" in where and not symbol.get("docComment"):
            missing.append(f"{where.split('Sources/')[-1]}: {'.'.join(symbol['pathComponents'])}")
if missing:
    print("public symbols without a DocC comment:\n  " + "\n  ".join(sorted(set(missing))))
    sys.exit(1)
print("every public symbol of Net has a DocC comment")
