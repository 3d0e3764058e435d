#!/usr/bin/env python3
"""The include graph between the source folders (docs/architecture.md).

Resolves every `#include "x.h"` of model/, adapter/ and helper/ to the file
it names (header names are unique across those folders), prints which
folder includes which, and exits 1 if the folders include each other in a
circle.  Run by ctest as `layers`."""
import os
import re
import sys

ROOTS = ("model", "adapter", "helper")
INCLUDE = re.compile(r'\s*#\s*include\s+"([^"]+)"')


def sources(top):
    for root in ROOTS:
        for d, _, files in os.walk(os.path.join(top, root)):
            for f in files:
                if f.endswith((".c", ".h", ".cc")):
                    yield os.path.relpath(os.path.join(d, f), top)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    files = sorted(sources(top))
    where = {}
    for f in files:
        name = os.path.basename(f)
        if name.endswith(".h") and name in where:
            print(f"two headers named {name}: {where[name]}, {f}")
            return 1
        where[name] = f
    edges = {}
    for f in files:
        with open(os.path.join(top, f), encoding="utf-8") as src:
            for line in src:
                m = INCLUDE.match(line)
                if not m or os.path.basename(m.group(1)) not in where:
                    continue
                a, b = os.path.dirname(f), os.path.dirname(where[os.path.basename(m.group(1))])
                if a != b:
                    edges.setdefault(a, {}).setdefault(b, f"{f} -> {m.group(1)}")
    for a in sorted(edges):
        print(f"{a} -> {', '.join(sorted(edges[a]))}")
    # A circle between folders: some folder reaches itself.
    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for b in edges.get(todo.pop(), {}):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen
    bad = 0
    for a in sorted(edges):
        for b in sorted(edges[a]):
            if a in reach(b):
                print(f"circle: {a} -> {b} ({edges[a][b]}) and {b} reaches {a} back")
                bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
