#!/usr/bin/env python3
"""Fails when a public symbol of the Net or NetFoundation module has no DocC comment.

Reads the symbol graphs `make docs` emits (into the folder given as argument, .build-docs/symbol-graphs
by default). Fails as well when there is nothing
to read (no graph, or a graph without Net's symbols): a check that saw nothing must not report success.
"""
import glob
import json
import sys

GRAPHS = sys.argv[1] if len(sys.argv) > 1 else ".build-docs/symbol-graphs"
MODULES = ("Net", "NetFoundation")

missing = []
checked = 0
paths = [p for m in MODULES for p in glob.glob(f"{GRAPHS}/{m}.symbols.json") + glob.glob(f"{GRAPHS}/{m}@*.symbols.json")]
if not glob.glob(f"{GRAPHS}/Net.symbols.json"):
    sys.exit(f"doc-coverage: no symbol graph of Net (Net.symbols.json) in {GRAPHS}: nothing was checked")
for path in paths:
    with open(path, encoding="utf-8") as f:
        graph = json.load(f)
    for symbol in graph["symbols"]:
        where = symbol.get("location", {}).get("uri", "")
        if symbol["accessLevel"] in ("public", "open") and any(f"Sources/{m}/" in where for m in MODULES):
            checked += 1
            if not symbol.get("docComment"):
                missing.append(f"{where.split('Sources/')[-1]}: {'.'.join(symbol['pathComponents'])}")
if checked == 0:
    sys.exit(f"doc-coverage: the symbol graphs in {GRAPHS} hold no public symbol of Net: nothing was checked")
if missing:
    print("public symbols without a DocC comment:\n  " + "\n  ".join(sorted(set(missing))))
    sys.exit(1)
print(f"doc-coverage: all {checked} public symbols of {' and '.join(MODULES)} have a DocC comment "
      f"({len(paths)} symbol graphs)")
