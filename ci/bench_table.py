"""Prints criterion medians as markdown tables: one row per benchmark group (kernel/size),
one column per contender, each cell the median time and the ratio to native Rust; then the
compile-time table. Reads each benchmark's `new/benchmark.json` (ids) and `estimates.json`."""
import json, os, sys

root = sys.argv[1]
rows, compile_rows = {}, {}
for dirpath, _, files in os.walk(root):
    if os.path.basename(dirpath) != "new" or "estimates.json" not in files or "benchmark.json" not in files:
        continue
    with open(os.path.join(dirpath, "benchmark.json")) as f:
        ids = json.load(f)
    with open(os.path.join(dirpath, "estimates.json")) as f:
        med = json.load(f)["median"]["point_estimate"]
    group, contender = ids["group_id"], ids.get("function_id") or ids.get("value_str")
    kernel, _, size = group.partition("/")
    if kernel == "compile":
        compile_rows.setdefault(size, {})[contender] = med
    elif size.isdigit():
        rows.setdefault((kernel, int(size)), {})[contender] = med

def fmt(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"

cols = ["native", "interpreter", "baseline", "optimized", "optimized-direct", "aot-v3"]
# Extra contenders (e.g. benches/specialize.rs's `optimized_specialized`) get columns too.
cols += sorted({c for r in rows.values() for c in r} - set(cols))
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
    for name in sorted(compile_rows):
        r = compile_rows[name]
        print(f"| {name}.sk | " + " | ".join(fmt(r[c]) if c in r else "–" for c in ccols) + " |")
