//! The report's text: markdown tables of run time (with GB/s next to the measured memcpy
//! bandwidth), compile time, tier 2's break-even point, and any other benchmark group.
//! Pure formatting of numbers read by `data.rs`.

use crate::chart::short;
use crate::data::{kernel_size, Row, Sized};
use std::collections::BTreeMap;
use std::fmt::Write;

pub const NOTES_BEGIN: &str = "<!-- notes:begin -->";
pub const NOTES_END: &str = "<!-- notes:end -->";

/// How the report was made.
pub struct Meta<'a> {
    pub cpu: &'a str,
    pub date: &'a str,
    pub command: &'a str,
}

/// Bytes each kernel reads and writes per element (for GB/s); memcpy reads and writes an f32.
fn bytes_per_element(kernel: &str) -> Option<f64> {
    Some(match kernel {
        "ola" | "prefix_sum" | "ola_spec" | "ola_fixed_spec" => 16.0,
        "fir16" | "dot" | "hash_all" | "memcpy" | "fir16_spec" => 8.0,
        "energy_fastmath" | "peak" => 4.0,
        _ => return None,
    })
}

/// The example file a kernel's compile time is measured on (benches/compile.rs).
fn compile_file(kernel: &str) -> Option<&'static str> {
    Some(match kernel {
        "ola" => "ola",
        "fir16" => "fir",
        "dot" => "dot",
        "energy_fastmath" => "stats",
        "hash_all" => "hash",
        "prefix_sum" => "prefix_sum",
        _ => return None,
    })
}

/// Kernel groups (not the memcpy reference, not compile times).
pub fn is_kernel(k: &str) -> bool {
    k != "memcpy" && !k.starts_with("compile")
}

const ORDER: [&str; 10] = [
    "native",
    "c",
    "interpreter",
    "baseline",
    "O0",
    "O2",
    "optimized",
    "optimized-direct",
    "optimized_specialized",
    "aot-v3",
];

/// The name a contender goes by in tables and the chart.
pub fn label(c: &str) -> String {
    match c {
        "native" => "native Rust".into(),
        "c" => "C (gcc -O3)".into(),
        "baseline" => "tier 1".into(),
        "optimized" => "tier 2".into(),
        "optimized_specialized" => "tier 2 specialized".into(),
        "optimized-direct" => "tier 2 direct".into(),
        "aot-v3" => "AOT x86-64-v3".into(),
        "O0" => "tier 1, passes O0".into(),
        "O2" => "tier 1, passes -O2".into(),
        c => c.into(),
    }
}

/// Every contender of the kernel groups: the known ones in a fixed order, then the rest.
pub fn contenders(data: &Sized) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for (k, sizes) in data {
        if !is_kernel(k) {
            continue;
        }
        for c in sizes.values().flat_map(|m| m.keys()) {
            if !seen.contains(c) {
                seen.push(c.clone());
            }
        }
    }
    let rank = |c: &String| ORDER.iter().position(|o| o == c).unwrap_or(ORDER.len());
    seen.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    seen
}

pub fn fmt_ns(ns: f64) -> String {
    let (v, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    format!("{} {unit}", sig3(v))
}

fn sig3(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn cell(m: &BTreeMap<String, f64>, c: &str) -> String {
    let Some(&t) = m.get(c) else { return "–".into() };
    match m.get("native") {
        Some(&base) if c != "native" && base > 0.0 => format!("{} ({}×)", fmt_ns(t), sig3(t / base)),
        _ => fmt_ns(t),
    }
}

/// The size the headline table uses: 1M if measured, else the largest.
fn headline_size(data: &Sized) -> Option<usize> {
    let sizes: Vec<usize> = data.iter().filter(|(k, _)| is_kernel(k)).flat_map(|(_, s)| s.keys().copied()).collect();
    if sizes.contains(&(1 << 20)) {
        Some(1 << 20)
    } else {
        sizes.into_iter().max()
    }
}

fn gbps(kernel: &str, n: usize, ns: f64) -> Option<f64> {
    Some(bytes_per_element(kernel)? * n as f64 / ns)
}

/// Time per call at the headline size, ratio to native Rust, and tier 2's GB/s.
pub fn headline(data: &Sized, contenders: &[String]) -> String {
    let Some(n) = headline_size(data) else { return String::new() };
    let mut s2 = String::from("| kernel |");
    for c in contenders {
        let _ = write!(s2, " {} |", label(c));
    }
    s2 += " tier 2 GB/s | memcpy GB/s |\n|---|";
    s2 += &"---:|".repeat(contenders.len() + 2);
    s2 += "\n";
    let memcpy = data.get("memcpy").and_then(|m| m.get(&n)).and_then(|m| m.get("memcpy")).copied();
    for (k, sizes) in data.iter().filter(|(k, _)| is_kernel(k)) {
        let Some(m) = sizes.get(&n) else { continue };
        let _ = write!(s2, "| {k} |");
        for c in contenders {
            let _ = write!(s2, " {} |", cell(m, c));
        }
        let t2 = m.get("optimized").and_then(|&t| gbps(k, n, t)).map_or("–".into(), |g| format!("{g:.1}"));
        let mc = memcpy.and_then(|t| gbps("memcpy", n, t)).map_or("–".into(), |g| format!("{g:.1}"));
        let _ = writeln!(s2, " {t2} | {mc} |");
    }
    format!("Time per call at {} elements (ratio to native Rust):\n\n{s2}", short(n as f64))
}

fn kernel_tables(data: &Sized, contenders: &[String]) -> String {
    let mut s = String::new();
    let memcpy = data.get("memcpy");
    for (k, sizes) in data.iter().filter(|(k, _)| is_kernel(k)) {
        let cols: Vec<String> =
            contenders.iter().filter(|c| sizes.values().any(|m| m.contains_key(*c))).cloned().collect();
        let _ = writeln!(s, "### {k}\n");
        s += "| n |";
        for c in &cols {
            let _ = write!(s, " {} |", label(c));
        }
        s += " tier 2 GB/s | memcpy GB/s |\n|---|";
        s += &"---:|".repeat(cols.len() + 2);
        s += "\n";
        for (&n, m) in sizes {
            let _ = write!(s, "| {} |", short(n as f64));
            for c in &cols {
                let _ = write!(s, " {} |", cell(m, c));
            }
            let t2 = m.get("optimized").and_then(|&t| gbps(k, n, t)).map_or("–".into(), |g| format!("{g:.1}"));
            let mc = memcpy
                .and_then(|mm| mm.get(&n))
                .and_then(|mm| mm.get("memcpy"))
                .and_then(|&t| gbps("memcpy", n, t))
                .map_or("–".into(), |g| format!("{g:.1}"));
            let _ = writeln!(s, " {t2} | {mc} |");
        }
        s += "\n";
    }
    s
}

/// Warm (`compile/<file>`, benches/compile.rs) and cold (`compile-cold/<file>`,
/// benches/compile_cold) compile times: file → configuration → median ns.
#[derive(Default)]
pub struct Compiles {
    pub warm: BTreeMap<String, BTreeMap<String, f64>>,
    pub cold: BTreeMap<String, BTreeMap<String, f64>>,
}

pub fn compiles(rows: &[Row]) -> Compiles {
    let mut c = Compiles::default();
    for r in rows.iter().filter(|r| r.package == "strata") {
        let (map, file) = if let Some(f) = r.group.strip_prefix("compile/") {
            (&mut c.warm, f)
        } else if let Some(f) = r.group.strip_prefix("compile-cold/") {
            (&mut c.cold, f)
        } else {
            continue;
        };
        map.entry(file.to_string()).or_default().insert(r.contender.clone(), r.median_ns);
    }
    c
}

/// One row per file; per configuration a warm and a cold column ("not measured" where a
/// figure is missing, e.g. a filtered run).
pub fn compile_table(c: &Compiles) -> String {
    let mut cols: Vec<&String> = c.warm.values().chain(c.cold.values()).flat_map(|m| m.keys()).collect();
    cols.sort();
    cols.dedup();
    let files: std::collections::BTreeSet<&String> = c.warm.keys().chain(c.cold.keys()).collect();
    if files.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut s = String::from("| file |");
    for col in &cols {
        let _ = write!(s, " {col} warm | {col} cold |");
    }
    s += "\n|---|";
    s += &"---:|".repeat(cols.len() * 2);
    s += "\n";
    let get = |m: &BTreeMap<String, BTreeMap<String, f64>>, f: &String, col: &String| {
        m.get(f).and_then(|m| m.get(col)).map_or("not measured".into(), |&t| fmt_ns(t))
    };
    for f in files {
        let _ = write!(s, "| {f} |");
        for col in &cols {
            let _ = write!(s, " {} | {} |", get(&c.warm, f, col), get(&c.cold, f, col));
        }
        s += "\n";
    }
    s
}

/// (compile O3 − compile tier 1) / (t1 − t2) per kernel and size.
fn break_even(data: &Sized, compiles: &BTreeMap<String, BTreeMap<String, f64>>) -> String {
    let mut s = String::from(
        "| kernel | n | tier 1 per call | tier 2 per call | extra compile (O3 − tier 1) | break-even calls |\n\
         |---|---|---:|---:|---:|---:|\n",
    );
    for (k, sizes) in data.iter().filter(|(k, _)| is_kernel(k)) {
        let Some(c) = compile_file(k).and_then(|f| compiles.get(f)) else { continue };
        let (Some(&c1), Some(&c2)) = (c.get("baseline"), c.get("optimized-O3")) else { continue };
        for (&n, m) in sizes {
            let (Some(&t1), Some(&t2)) = (m.get("baseline"), m.get("optimized")) else { continue };
            let calls =
                if t2 < t1 { format!("{:.0}", ((c2 - c1) / (t1 - t2)).max(0.0).ceil()) } else { "never".into() };
            let _ = writeln!(
                s,
                "| {k} | {} | {} | {} | {} | {calls} |",
                short(n as f64),
                fmt_ns(t1),
                fmt_ns(t2),
                fmt_ns(c2 - c1)
            );
        }
    }
    s
}

fn other_groups(rows: &[Row]) -> String {
    let mut s = String::new();
    for r in rows {
        let root = r.package == "strata";
        let sized = kernel_size(&r.group).is_some_and(|(k, _)| is_kernel(k) || k == "memcpy");
        let compile = r.group.starts_with("compile/") || r.group.starts_with("compile-cold/");
        if (root && (sized || compile)) || r.package == crate::bpf::PACKAGE {
            continue;
        }
        if s.is_empty() {
            s += "| package | group | benchmark | median |\n|---|---|---|---:|\n";
        }
        let _ = writeln!(s, "| {} | {} | {} | {} |", r.package, r.group, r.contender, fmt_ns(r.median_ns));
    }
    s
}

/// The whole docs/benchmarks.md.
pub fn report(meta: &Meta, rows: &[Row], data: &Sized, contenders: &[String], notes: &str) -> String {
    let compiles = compiles(rows);
    let compile = compile_table(&compiles);
    let others = other_groups(rows);
    let mut s = format!(
        "# Benchmarks\n\n\
         <!-- Generated by `cargo run --example bench_report` (run by ci/bench). Only the notes\n\
         section at the end is hand-written and kept across runs. -->\n\n\
         Measured on {date} with `{cmd}` (criterion medians; everything built with\n\
         `-C target-cpu=native`, the C contender with `gcc -O3 -march=native`). CPU: {cpu}.\n\
         Contenders run one after another in the same process, group by group.\n\
         Strata's tiers are called through the runtime's dynamic entry (`CompiledModule::call`,\n\
         argument packing included). tier 1 = Cranelift, tier 2 = LLVM `default<O3>` for the host CPU.\n\n\
         ![ns per element by size](benchmarks.svg)\n\n\
         ## Headline\n\n{head}\n\
         ## Run time by kernel and size\n\n\
         Median time per call (ratio to native Rust). GB/s counts the bytes the kernel reads\n\
         and writes; memcpy GB/s is `copy_from_slice` of the same number of f32s (read + write),\n\
         measured in the same run: the distance to the memory system's limit.\n\n{tables}\
         ## Compile time\n\n\
         Per example file, from verified IR to callable code, dropping it included. *warm*: criterion's\n\
         median over many compiles in one process (benches/compile.rs); *cold*: the first compile in a\n\
         fresh process, median of 5 processes (benches/compile_cold: LLVM's and Cranelift's one-time\n\
         initialization and first-touch page faults included, loading the shared libraries and parsing not).\n\n{compile}\n\
         ## Break-even: when tier 2 pays for itself against tier 1\n\n\
         Calls after which tier 2's longer compile (O3, whole file) is repaid by its faster calls.\n\n{be}\n",
        date = meta.date,
        cmd = meta.command,
        cpu = meta.cpu,
        head = headline(data, contenders),
        tables = kernel_tables(data, contenders),
        be = break_even(data, &compiles.warm),
    );
    s += &crate::bpf::section(rows);
    if !others.is_empty() {
        let _ = write!(s, "## Other benchmark groups\n\n{others}\n");
    }
    let _ = write!(s, "## Notes\n\n{NOTES_BEGIN}\n{notes}\n{NOTES_END}\n");
    s
}

/// The README's benchmark section body.
pub fn readme_section(meta: &Meta, data: &Sized, contenders: &[String]) -> String {
    format!(
        "{}\nCPU: {}; {}; `{}`. Full tables, compile times and break-even points:\n\
         [docs/benchmarks.md](docs/benchmarks.md).\n\n![ns per element by size](docs/benchmarks.svg)\n",
        headline(data, contenders),
        meta.cpu,
        meta.date,
        meta.command
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{data, estimates};

    /// A fresh, empty criterion directory for one test.
    fn fake_dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("bench_report_{name}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn put(root: &std::path::Path, group: &str, function: &str, ns: f64) {
        let s = estimates::summarize(&[ns * 0.9, ns, ns * 1.2]).expect("samples");
        estimates::write(root, group, function, &s).expect("writes");
    }

    #[test]
    fn compile_table_shows_cold_next_to_warm() {
        let root = fake_dir("cold");
        put(&root, "compile/ola", "baseline", 250_000.0);
        put(&root, "compile/ola", "optimized-O3", 16_000_000.0);
        put(&root, "compile-cold/ola", "baseline", 4_000_000.0);
        put(&root, "compile-cold/ola", "optimized-O3", 61_000_000.0);
        let rows = data::load(&root).expect("loads");
        let _ = std::fs::remove_dir_all(&root);
        let t = compile_table(&compiles(&rows));
        assert!(t.contains("| file | baseline warm | baseline cold | optimized-O3 warm | optimized-O3 cold |"), "{t}");
        assert!(t.contains("| ola | 250 µs | 4.00 ms | 16.0 ms | 61.0 ms |"), "{t}");
        // Cold groups are compile times, not "other benchmark groups".
        assert!(other_groups(&rows).is_empty(), "{}", other_groups(&rows));
    }

    #[test]
    fn missing_cold_figures_say_not_measured() {
        let root = fake_dir("warm_only");
        put(&root, "compile/dot", "baseline", 400_000.0);
        put(&root, "compile-cold/fir", "baseline", 3_000_000.0);
        let rows = data::load(&root).expect("loads");
        let _ = std::fs::remove_dir_all(&root);
        let t = compile_table(&compiles(&rows));
        assert!(t.contains("| dot | 400 µs | not measured |"), "{t}");
        assert!(t.contains("| fir | not measured | 3.00 ms |"), "{t}");
        assert!(compile_table(&Compiles::default()).contains("Not measured"));
    }

    #[test]
    fn report_has_the_cold_column_and_break_even_uses_warm() {
        let root = fake_dir("report");
        put(&root, "compile/ola", "baseline", 1_000.0);
        put(&root, "compile/ola", "optimized-O3", 11_000.0);
        put(&root, "compile-cold/ola", "optimized-O3", 9_000_000.0);
        put(&root, "ola/256", "baseline", 20.0);
        put(&root, "ola/256", "optimized", 10.0);
        let rows = data::load(&root).expect("loads");
        let _ = std::fs::remove_dir_all(&root);
        let sized = data::by_kernel(&rows);
        let meta = Meta { cpu: "test CPU", date: "2026-01-01", command: "bash ci/bench" };
        let md = report(&meta, &rows, &sized, &contenders(&sized), "");
        assert!(md.contains("optimized-O3 cold"), "{md}");
        assert!(md.contains("| ola | 1.00 µs | not measured | 11.0 µs | 9.00 ms |"), "{md}");
        // (11 µs − 1 µs) / (20 ns − 10 ns) = 1000 calls, from the warm figures.
        assert!(md.contains("| 1000 |"), "{md}");
    }
}
