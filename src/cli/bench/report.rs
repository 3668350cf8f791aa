//! Presenting `strata bench` results: the human table, the JSON object, and the break-even
//! point between tier 1 and tier 2. Pure functions of the measurements: nothing here times
//! or runs code.

use super::measure::TierResult;
use serde_json::{json, Value as Json};
use std::time::Duration;
use strata_runtime::Tier;

/// After how many calls tier 2 (optimized) has paid for its longer compile against tier 1
/// (baseline): `(compile2 - compile1) / (t1 - t2)`, from the given compile times. `None`
/// unless both tiers ran and tier 2 is faster per call; `Some(0.0)` when tier 2 also
/// compiled faster.
pub fn break_even(results: &[TierResult], cold: bool) -> Option<f64> {
    let find = |t: Tier| results.iter().find(|r| r.tier == t);
    let (t1, t2) = (find(Tier::Baseline)?, find(Tier::Optimized)?);
    let compile = |r: &TierResult| if cold { r.compile_cold } else { r.compile_warm }.as_nanos() as f64;
    let saved = t1.ns_per_call - t2.ns_per_call;
    if saved <= 0.0 {
        return None;
    }
    Some(((compile(t2) - compile(t1)) / saved).max(0.0).ceil())
}

fn fastest(results: &[TierResult]) -> f64 {
    results.iter().map(|r| r.ns_per_call).fold(f64::INFINITY, f64::min)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A duration in nanoseconds with a readable unit.
pub fn human_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.3} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The table printed on stdout.
pub fn table(title: &str, elements: Option<usize>, results: &[TierResult]) -> String {
    let best = fastest(results);
    let mut s = format!("{title}\n");
    s += &format!(
        "{:<12} {:>12} {:>12} {:>12} {:>10} {:>8}\n",
        "tier", "compile cold", "compile warm", "per call", "ns/elem", "ratio"
    );
    for r in results {
        let per_elem = match elements {
            Some(n) if n > 0 => format!("{:.3}", r.ns_per_call / n as f64),
            _ => "-".to_string(),
        };
        s += &format!(
            "{:<12} {:>9.3} ms {:>9.3} ms {:>12} {:>10} {:>7.2}x\n",
            r.tier.name(),
            ms(r.compile_cold),
            ms(r.compile_warm),
            human_ns(r.ns_per_call),
            per_elem,
            r.ns_per_call / best
        );
    }
    match (break_even(results, false), break_even(results, true)) {
        (Some(warm), Some(cold)) => {
            s += &format!(
                "break-even: tier 2 pays for its compile against tier 1 after {warm:.0} calls \
                 ({cold:.0} counting cold compiles)\n"
            )
        }
        _ if results.iter().any(|r| r.tier == Tier::Baseline) && results.iter().any(|r| r.tier == Tier::Optimized) => {
            s += "break-even: never (tier 2 is not faster per call than tier 1 here)\n"
        }
        _ => {}
    }
    s
}

/// The `--json` object.
pub fn to_json(file: &str, func: &str, elements: Option<usize>, results: &[TierResult]) -> Json {
    let best = fastest(results);
    let tiers: Vec<Json> = results
        .iter()
        .map(|r| {
            json!({
                "tier": r.tier.name(),
                "compile_cold_ms": ms(r.compile_cold),
                "compile_warm_ms": ms(r.compile_warm),
                "ns_per_call": r.ns_per_call,
                "ns_per_element": elements.filter(|&n| n > 0).map(|n| r.ns_per_call / n as f64),
                "ratio_to_fastest": r.ns_per_call / best,
                "iterations_per_sample": r.iterations,
                "samples": r.samples,
            })
        })
        .collect();
    json!({
        "file": file,
        "function": func,
        "elements": elements,
        "tiers": tiers,
        "break_even_calls": break_even(results, false),
        "break_even_calls_cold": break_even(results, true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(tier: Tier, compile_ms: u64, ns: f64) -> TierResult {
        let d = Duration::from_millis(compile_ms);
        TierResult { tier, compile_cold: d * 2, compile_warm: d, ns_per_call: ns, iterations: 1, samples: 3 }
    }

    #[test]
    fn break_even_is_compile_difference_over_saving() {
        // Tier 2 compiles 9 ms longer (warm) and saves 1000 ns per call: 9000 calls.
        let rs = [r(Tier::Baseline, 1, 3000.0), r(Tier::Optimized, 10, 2000.0)];
        assert_eq!(break_even(&rs, false), Some(9000.0));
        assert_eq!(break_even(&rs, true), Some(18000.0));
        // Slower tier 2 never pays off; a missing tier gives no answer.
        assert_eq!(break_even(&[r(Tier::Baseline, 1, 1.0), r(Tier::Optimized, 10, 2.0)], false), None);
        assert_eq!(break_even(&rs[..1], false), None);
    }

    #[test]
    fn table_and_json_ratios() {
        let rs = [r(Tier::Interpreter, 0, 8000.0), r(Tier::Baseline, 1, 4000.0), r(Tier::Optimized, 10, 2000.0)];
        let t = table("t", Some(1000), &rs);
        assert!(t.contains("4.00x") && t.contains("after 4500 calls"), "{t}");
        let j = to_json("f.sk", "f", Some(1000), &rs);
        assert_eq!(j["tiers"][0]["ratio_to_fastest"], 4.0);
        assert_eq!(j["tiers"][2]["ns_per_element"], 2.0);
        assert_eq!(j["break_even_calls"], 4500.0);
    }
}
