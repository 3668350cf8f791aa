"""Prints criterion medians as markdown tables: one row per benchmark group (kernel/size),
one column per contender, each cell the median time and the ratio to native Rust."""
import json, os, sys

root = sys.argv[1]
rows = {}
for dirpath, _, files in os.walk(root):
    if "estimates.json" in files and os.path.basename(dirpath) == "new":
        rel = os.path.relpath(os.path.dirname(dirpath), root).split(os.sep)
        if len(rel) != 3:
            continue
        kernel, size, contender = rel
        if kernel == "compile":
            with open(os.path.join(dirpath, "estimates.json")) as f:
                rows.setdefault(("compile", size), {})[contender] = json.load(f)["median"]["point_estimate"]
            continue
        with open(os.path.join(dirpath, "estimates.json")) as f:
            med = json.load(f)["median"]["point_estimate"]
        rows.setdefault((kernel, int(size)), {})[contender] = med

def fmt(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"

compile_rows = {k: v for k, v in rows.items() if k[0] == "compile"}
rows = {k: v for k, v in rows.items() if k[0] != "compile"}
cols = ["native", "interpreter", "baseline", "optimized"]
print("| kernel | n | " + " | ".join(cols) + " |")
print("|---|---:|" + "---:|" * len(cols))
for (kernel, size) in sorted(rows):
    r = rows[(kernel, size)]
    base = r.get("native")
    cells = []
    for c in cols:
        if c not in r:
            cells.append("–")
        elif base and c != "native":
            cells.append(f"{fmt(r[c])} ({r[c] / base:.2f}×)")
        else:
            cells.append(fmt(r[c]))
    print(f"| {kernel} | {size} | " + " | ".join(cells) + " |")

if compile_rows:
    ccols = ["baseline", "optimized-O2", "optimized-O3"]
    print()
    print("| compile time (median) | " + " | ".join(ccols) + " |")
    print("|---|" + "---:|" * len(ccols))
    for (_, name) in sorted(compile_rows):
        r = compile_rows[("compile", name)]
        print(f"| {name}.sk | " + " | ".join(fmt(r[c]) if c in r else "–" for c in ccols) + " |")
