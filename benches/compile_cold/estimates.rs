//! Criterion's result files for a measurement criterion did not make: `benchmark.json` (the
//! ids) and `estimates.json` (median, mean, spread) in the shape criterion 0.5 writes under
//! `<criterion dir>/<group>/<function>/new/`, so `examples/bench_report` reads them like any
//! other result. Shared by benches/compile_cold (which writes them) and bench_report's tests
//! (which read them back), so both agree on the shape. Only formats and writes; measures nothing.

use std::path::{Path, PathBuf};

/// Median, mean, standard deviation and median absolute deviation of `samples` (ns), and
/// their range; `None` for no samples.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let mut s: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let median = median_of(&s);
    let mean = s.iter().sum::<f64>() / s.len() as f64;
    let var = s.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (s.len().max(2) - 1) as f64;
    let mut dev: Vec<f64> = s.iter().map(|v| (v - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let (min, max) = (s.first().copied().unwrap_or(median), s.last().copied().unwrap_or(median));
    Some(Summary { median, mean, std_dev: var.sqrt(), mad: median_of(&dev), min, max, n: s.len() })
}

fn median_of(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match (sorted.get(n / 2), n % 2) {
        (Some(&hi), 1) => hi,
        (Some(&hi), _) => (sorted.get(n / 2 - 1).copied().unwrap_or(hi) + hi) / 2.0,
        (None, _) => f64::NAN,
    }
}

/// What [`summarize`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub mean: f64,
    pub std_dev: f64,
    /// Median absolute deviation.
    pub mad: f64,
    pub min: f64,
    pub max: f64,
    /// Number of samples.
    pub n: usize,
}

fn estimate(point: f64, lo: f64, hi: f64, se: f64) -> String {
    format!(
        "{{\"confidence_interval\":{{\"confidence_level\":0.95,\"lower_bound\":{lo},\"upper_bound\":{hi}}},\
         \"point_estimate\":{point},\"standard_error\":{se}}}"
    )
}

/// `estimates.json`: the range of the samples stands in for criterion's bootstrap intervals.
pub fn estimates_json(s: &Summary) -> String {
    let se = s.std_dev / (s.n as f64).sqrt();
    format!(
        "{{\"mean\":{},\"median\":{},\"median_abs_dev\":{},\"slope\":null,\"std_dev\":{}}}",
        estimate(s.mean, s.min, s.max, se),
        estimate(s.median, s.min, s.max, se),
        estimate(s.mad, 0.0, s.max - s.min, 0.0),
        estimate(s.std_dev, 0.0, s.max - s.min, 0.0),
    )
}

/// `benchmark.json` for group `group` and function `function` (plain ids: no quotes or
/// backslashes, as the bench's file stems and configuration names are).
pub fn benchmark_json(group: &str, function: &str) -> String {
    let full = format!("{group}/{function}");
    format!(
        "{{\"group_id\":\"{group}\",\"function_id\":\"{function}\",\"value_str\":null,\"throughput\":null,\
         \"full_id\":\"{full}\",\"directory_name\":\"{full}\",\"title\":\"{full}\"}}"
    )
}

/// Writes both files under `<root>/<group>/<function>/new/` and returns that directory.
pub fn write(root: &Path, group: &str, function: &str, s: &Summary) -> std::io::Result<PathBuf> {
    let dir = root.join(group).join(function).join("new");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("benchmark.json"), benchmark_json(group, function))?;
    std::fs::write(dir.join("estimates.json"), estimates_json(s))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    // No `use super::*`: this file is also part of the compile_cold bench, which cargo
    // compiles with cfg(test) but without the test harness, where an import would be unused.

    #[test]
    fn median_of_odd_and_even_counts() {
        let summarize = super::summarize;
        assert_eq!(summarize(&[5.0, 1.0, 3.0]).map(|s| s.median), Some(3.0));
        assert_eq!(summarize(&[4.0, 1.0, 3.0, 2.0]).map(|s| s.median), Some(2.5));
        assert_eq!(summarize(&[]), None);
        let s = summarize(&[1.0, 2.0, 9.0]).map(|s| (s.min, s.max, s.mad, s.n));
        assert_eq!(s, Some((1.0, 9.0, 1.0, 3)));
    }
}
