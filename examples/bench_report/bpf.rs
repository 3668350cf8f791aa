//! The "BPF against rbpf" table: for the `bpf/<program>` groups of the `strata-bpf-peers`
//! bench (benches/bpf-peers), ns per executed BPF instruction (the group's criterion
//! throughput is the instruction count of one run) for every engine, the ratio of Strata's
//! interpreter to rbpf's and of tier 2 to rbpf's x86 JIT and to rbpf's best engine, and the
//! geometric mean over programs. This file only formats.

use crate::data::Row;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The package whose rows this table shows.
pub const PACKAGE: &str = "strata-bpf-peers";

/// Contenders in column order: rbpf's engines, then Strata's.
const ENGINES: [&str; 7] =
    ["rbpf-interp", "rbpf-jit", "rbpf-cranelift", "interpreter", "ir-interp", "baseline", "optimized"];

/// ns per instruction by program, then engine.
fn per_insn(rows: &[Row]) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.package == PACKAGE) {
        let (Some(prog), Some(n)) = (r.group.strip_prefix("bpf/"), r.elements) else { continue };
        if n > 0 {
            out.entry(prog.to_string()).or_default().insert(r.contender.clone(), r.median_ns / n as f64);
        }
    }
    out
}

fn geomean(xs: &[f64]) -> Option<f64> {
    let xs: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite() && *x > 0.0).collect();
    (!xs.is_empty()).then(|| (xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp())
}

fn fmt(v: Option<f64>, unit: &str) -> String {
    match v {
        Some(x) if x >= 10.0 => format!("{x:.1}{unit}"),
        Some(x) if x >= 0.1 => format!("{x:.2}{unit}"),
        Some(x) => format!("{x:.3}{unit}"),
        None => "–".to_string(),
    }
}

/// The markdown section (empty when the bench did not run).
pub fn section(rows: &[Row]) -> String {
    let data = per_insn(rows);
    if data.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "## BPF against rbpf\n\n\
         ns per executed BPF instruction (benches/bpf-peers: the same bytecode and memory on\n\
         every engine; Strata without fuel, `-O2` before each IR tier; `interpreter` is Strata's\n\
         BPF interpreter, `ir-interp` the IR interpreter on the lifted program; rbpf's x86 JIT checks no\n\
         memory accesses, all other engines check every one). `interp ×` = rbpf's interpreter\n\
         / Strata's; `jit ×` = rbpf's x86 JIT / Strata's tier 2; `best ×` = rbpf's fastest\n\
         engine / Strata's tier 2 (above 1: Strata is faster).\n\n| program |",
    );
    for e in ENGINES {
        let _ = write!(s, " {e} |");
    }
    s += " interp × | jit × | best × |\n|---|";
    s += &"---:|".repeat(ENGINES.len() + 3);
    s += "\n";
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); ENGINES.len() + 3];
    for (prog, m) in &data {
        let _ = write!(s, "| {prog} |");
        for (i, e) in ENGINES.iter().enumerate() {
            let v = m.get(*e).copied();
            if let Some(v) = v {
                cols[i].push(v);
            }
            let _ = write!(s, " {} |", fmt(v, ""));
        }
        let get = |e: &str| m.get(e).copied();
        let best_rbpf = ["rbpf-interp", "rbpf-jit", "rbpf-cranelift"].iter().filter_map(|e| get(e)).reduce(f64::min);
        let ratios = [
            get("rbpf-interp").zip(get("interpreter")).map(|(a, b)| a / b),
            get("rbpf-jit").zip(get("optimized")).map(|(a, b)| a / b),
            best_rbpf.zip(get("optimized")).map(|(a, b)| a / b),
        ];
        for (k, r) in ratios.into_iter().enumerate() {
            if let Some(r) = r {
                cols[ENGINES.len() + k].push(r);
            }
            let _ = write!(s, " {} |", fmt(r, "×"));
        }
        s += "\n";
    }
    s += "| **geomean** |";
    for (i, c) in cols.iter().enumerate() {
        let unit = if i >= ENGINES.len() { "×" } else { "" };
        let _ = write!(s, " {} |", fmt(geomean(c), unit));
    }
    s += "\n\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, contender: &str, ns: f64, n: u64) -> Row {
        Row {
            package: PACKAGE.into(),
            group: group.into(),
            contender: contender.into(),
            median_ns: ns,
            elements: Some(n),
        }
    }

    #[test]
    fn ratios_and_geomean() {
        let rows = vec![
            row("bpf/a", "rbpf-interp", 400.0, 100),
            row("bpf/a", "interpreter", 100.0, 100),
            row("bpf/a", "rbpf-jit", 40.0, 100),
            row("bpf/a", "optimized", 10.0, 100),
            row("bpf/b", "rbpf-interp", 900.0, 100),
            row("bpf/b", "interpreter", 100.0, 100),
        ];
        let s = section(&rows);
        assert!(s.contains("| a | 4.00 | 0.40 | – | 1.00 | – | – | 0.10 | 4.00× | 4.00× | 4.00× |"), "{s}");
        // geomean of 4 and 9 is 6.
        assert!(s.contains("| **geomean** |") && s.contains("6.00×"), "{s}");
        assert!(section(&[]).is_empty());
    }
}
