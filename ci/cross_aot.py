"""AOT differential check for a (cross) target, used by ci/cross.

For every exported function of the given .sk/.sir files: generate deterministic inputs
(ordinary values and edge cases), get the expected result from `strata run` on the host's
interpreter, compile the file with `strata build --target T --emit obj`, link the object
into a generated C driver that calls each function's `<name>__strata_array_call`
trampoline with the same inputs, run it (under qemu for a foreign target) and compare:
the same trap code when the interpreter trapped, otherwise the same return value and final
mutable slices, bit for bit (any NaN equals any NaN; `#[fastmath]` functions, whose IR
carries `reassoc`, get a relative tolerance).

Skipped, and counted as such: files that declare host functions (`extern fn`; the driver
registers none), functions with parameter types JSON cannot carry, and input sets on which
the interpreter runs out of fuel (AOT code has no fuel counter).

usage: cross_aot.py --strata BIN --target TRIPLE --cc CC [--runner 'qemu-aarch64'] \
                    --work DIR [--sets N] FILE...
Prints one line per file and a final 'N passed, N failed, N skipped'; exits 1 on failures.
"""
import argparse, json, os, random, re, shlex, struct, subprocess, sys

TRAPS = {"div_by_zero": 1, "out_of_bounds": 2, "unreachable": 3, "fuel_exhausted": 4,
         "stack_overflow": 5, "host_error": 6}
INT_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64}
SCALARS = set(INT_BITS) | {"f32", "f64", "bool"}
SIG = re.compile(r"^export fn @(\w+)\((.*?)\)(?:\s*->\s*(\w+))?\s*\{")
FUEL = 1_000_000


def parse_params(text):
    """'x: [f32], y: mut [i8], k: i64' -> [(name, kind, elem)], kind in scalar/slice/mslice."""
    out = []
    for p in filter(None, (s.strip() for s in text.split(","))):
        name, _, ty = p.partition(":")
        ty = ty.strip()
        m = re.fullmatch(r"(mut\s+)?\[(\w+)\]", ty)
        if m:
            out.append((name.strip(), "mslice" if m.group(1) else "slice", m.group(2)))
        else:
            out.append((name.strip(), "scalar", ty))
    return out


def functions(strata, path):
    """Exported functions of a file: (name, params, ret, fastmath), from the IR dump."""
    ir = subprocess.run([strata, "dump", path, "--emit", "ir"], capture_output=True, text=True, check=True).stdout
    funcs, cur = [], None
    for line in ir.splitlines():
        m = SIG.match(line)
        if m:
            cur = [m.group(1), parse_params(m.group(2)), m.group(3), False]
            funcs.append(cur)
        elif cur is not None and "reassoc" in line:
            cur[3] = True
        elif line.startswith("}"):
            cur = None
    return [tuple(f) for f in funcs]


def gen_scalar(rng, ty, edge):
    if ty == "bool":
        return rng.random() < 0.5
    if ty in INT_BITS:
        bits = INT_BITS[ty]
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        if edge and rng.random() < 0.2:
            return rng.choice([lo, hi, 0, -1, 1])
        return rng.randint(-3, 40)
    # floats
    if edge and rng.random() < 0.25:
        return rng.choice(["NaN", "inf", "-inf", -0.0, 0.0, 1e-40 if ty == "f32" else 5e-320, 3.0e38])
    return round(rng.uniform(-10, 10), 3)


def gen_inputs(rng, params, edge):
    n = rng.randint(0, 12)
    args = []
    for _, kind, ty in params:
        if kind == "scalar":
            args.append(gen_scalar(rng, ty, edge))
        else:
            k = n if rng.random() < 0.8 else rng.randint(0, 12)
            args.append([gen_scalar(rng, ty, edge) for _ in range(k)])
    return args


def to_float(v):
    return {"NaN": float("nan"), "inf": float("inf"), "-inf": float("-inf")}.get(v, v) if isinstance(v, str) else float(v)


def value_bytes(ty, v):
    """Little-endian bytes of one value of scalar type `ty` (JSON form)."""
    if ty == "bool":
        return bytes([1 if v else 0])
    if ty == "f32":
        return struct.pack("<f", to_float(v))
    if ty == "f64":
        return struct.pack("<d", to_float(v))
    bits = INT_BITS[ty]
    return (int(v) & ((1 << bits) - 1)).to_bytes(bits // 8, "little")


def slot(ty, v):
    """The array-call slot of a scalar: its bits zero-extended to 64."""
    return int.from_bytes(value_bytes(ty, v), "little")


def same(ty, a, b, approx):
    """a, b: little-endian bytes of one value."""
    if ty in ("f32", "f64"):
        fmt = "<f" if ty == "f32" else "<d"
        x, y = struct.unpack(fmt, a)[0], struct.unpack(fmt, b)[0]
        if x != x and y != y:
            return True
        if approx and x == x and y == y:
            return x == y or abs(x - y) <= 1e-3 * max(abs(x), abs(y), 1e-6)
        return a == b
    return a == b


def width(ty):
    return 1 if ty == "bool" else {"f32": 4, "f64": 8}.get(ty, INT_BITS.get(ty, 64) // 8)


def c_driver(cases):
    """C source calling each case's trampoline and printing 'case K trap T ret HEX out HEX…'."""
    lines = ["#include <stdint.h>", "#include <stdio.h>", "",
             "typedef struct { uint32_t trap_code, depth_remaining; int64_t fuel; const void *const *host_table;",
             "                 uint64_t host_count; void *user_data; uint64_t stack_limit; } strata_vm_context;", "",
             "static void hex(const uint8_t *p, unsigned long n) { printf(\" out \"); "
             "for (unsigned long i = 0; i < n; i++) printf(\"%02x\", p[i]); if (!n) printf(\"-\"); }", ""]
    for name in sorted({c["func"] for c in cases}):
        lines.append(f"void {name}__strata_array_call(const uint64_t *, uint64_t *, strata_vm_context *);")
    lines += ["", "int main(void) {"]
    for k, c in enumerate(cases):
        lines.append("  {")
        slots, outs = [], []
        for i, ((_, kind, ty), v) in enumerate(zip(c["params"], c["args"])):
            if kind == "scalar":
                slots.append(f"0x{slot(ty, v):x}ull")
                continue
            data = b"".join(value_bytes(ty, x) for x in v)
            init = ", ".join(str(b) for b in data) or "0"
            lines.append(f"    static uint8_t s{i}[{max(len(data), 1)}] __attribute__((aligned(16))) = {{{init}}};")
            slots += [f"(uint64_t)(uintptr_t)s{i}", f"{len(v)}ull"]
            if kind == "mslice":
                outs.append((i, len(data)))
        lines.append(f"    uint64_t slots[{max(len(slots), 1)}] = {{{', '.join(slots) or '0'}}};")
        lines.append("    uint64_t ret = 0; strata_vm_context ctx = {0, 10000, INT64_MAX, 0, 0, 0, 0};")
        lines.append(f"    {c['func']}__strata_array_call(slots, &ret, &ctx);")
        lines.append(f"    printf(\"case {k} trap %u ret %016llx\", ctx.trap_code, (unsigned long long)ret);")
        for i, n in outs:
            lines.append(f"    hex(s{i}, {n});")
        lines.append("    printf(\"\\n\");")
        lines.append("  }")
    lines += ["  return 0;", "}"]
    return "\n".join(lines) + "\n"


def check(case, line):
    """None if the driver's output line matches the interpreter's result, else why not."""
    m = re.fullmatch(r"case \d+ trap (\d+) ret ([0-9a-f]{16})((?: out (?:[0-9a-f]+|-))*)", line.strip())
    if not m:
        return f"unreadable driver output: {line!r}"
    trap, ret, outs = int(m.group(1)), int(m.group(2), 16), re.findall(r"out ([0-9a-f]+|-)", m.group(3))
    exp = case["expected"]
    if "trap" in exp:
        name = exp["trap"]
        want = 0x10000 + int(name[4:]) if re.fullmatch(r"user\d+", name) else TRAPS.get(name, -1)
        return None if trap == want else f"expected trap {exp['trap']}, got trap code {trap}"
    if trap:
        return f"unexpected trap code {trap}"
    approx = case["fastmath"]
    if case["ret"]:
        ty = case["ret"]
        got = (ret & ((1 << (8 * width(ty))) - 1)).to_bytes(width(ty), "little")
        if ty == "bool":
            got = bytes([ret & 1])
        if not same(ty, value_bytes(ty, exp["ret"]), got, approx):
            return f"ret: expected {exp['ret']}, got 0x{ret:x}"
    mouts = [(n, ty) for (n, kind, ty) in case["params"] if kind == "mslice"]
    for (n, ty), hexs in zip(mouts, outs):
        got = b"" if hexs == "-" else bytes.fromhex(hexs)
        w = width(ty)
        want = exp["outputs"].get(n, [])
        for j, x in enumerate(want):
            if not same(ty, value_bytes(ty, x), got[j * w:(j + 1) * w], approx):
                return f"output `{n}`[{j}]: expected {x}, got {got[j * w:(j + 1) * w].hex()}"
    return None


# Functions whose result depends on the numeric value of an address (they compare pointers
# that may wrap around with negative offsets): the interpreter's addresses are not the
# driver's static buffers', so random inputs cannot be compared; the corpus's own `run:`
# lines check them with offsets that do not wrap.
ADDRESS_DEPENDENT = {"ptr_order"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--cc", required=True)
    ap.add_argument("--runner", default="")
    ap.add_argument("--work", required=True)
    ap.add_argument("--sets", type=int, default=12)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    passed = failed = skipped = 0
    for path in a.files:
        base = os.path.splitext(os.path.basename(path))[0]
        if re.search(r"^\s*extern fn", open(path).read(), re.M):
            n = len(functions(a.strata, path))
            print(f"{path}: skipped {n} functions (declares host functions)")
            skipped += n
            continue
        rng = random.Random(base)
        cases, file_skipped = [], 0
        for name, params, ret, fastmath in functions(a.strata, path):
            if name in ADDRESS_DEPENDENT:
                file_skipped += 1
                continue
            if any(ty not in SCALARS for _, _, ty in params) or (ret and ret not in SCALARS):
                file_skipped += 1
                continue
            for s in range(a.sets):
                args = gen_inputs(rng, params, edge=not fastmath and s % 2 == 1)
                r = subprocess.run([a.strata, "run", path, "--fn", name, "--args", json.dumps(args),
                                    "--fuel", str(FUEL)], capture_output=True, text=True)
                if r.returncode not in (0, 3):
                    file_skipped += 1
                    continue
                exp = json.loads(r.stdout)
                if exp.get("trap") == "fuel_exhausted":
                    file_skipped += 1
                    continue
                cases.append({"func": name, "params": params, "ret": ret, "fastmath": fastmath,
                              "args": args, "expected": exp})
        obj, drv, exe = (os.path.join(a.work, f"{base}.{x}") for x in ("o", "c", "bin"))
        subprocess.run([a.strata, "build", path, "--target", a.target, "--emit", "obj", "-o", obj], check=True)
        with open(drv, "w") as f:
            f.write(c_driver(cases))
        subprocess.run([*shlex.split(a.cc), "-O1", "-static", drv, obj, "-o", exe, "-lm"], check=True)
        out = subprocess.run([*shlex.split(a.runner), exe], capture_output=True, text=True, timeout=300)
        lines = out.stdout.splitlines()
        bad = 0
        for k, case in enumerate(cases):
            why = check(case, lines[k]) if k < len(lines) else f"driver stopped early (exit {out.returncode})"
            if why:
                bad += 1
                if bad <= 5:
                    print(f"  FAIL {path} {case['func']}({json.dumps(case['args'])}): {why}")
        passed += len(cases) - bad
        failed += bad
        skipped += file_skipped
        print(f"{path}: {len(cases) - bad}/{len(cases)} input sets agree" +
              (f", {file_skipped} skipped" if file_skipped else ""))
    print(f"aot {a.target}: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
