//! Reading criterion's output: every `<group>/<contender>/new/{benchmark.json,estimates.json}`
//! under a criterion directory becomes one [`Row`] (package, group, contender, median ns).
//! ci/bench gives each package its own directory (`CRITERION_HOME=<dir>/<package>`), since
//! group names of different packages' benches may collide; results directly under the
//! directory count as the `strata` package's. Groups named `<kernel>/<size>` (a decimal
//! size) are kernel rows; everything else is kept as is.
//! This file only reads; it knows nothing about the report's layout.

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

/// One benchmark's median.
#[derive(Clone, Debug)]
pub struct Row {
    /// The cargo package whose bench produced it (`strata` for the root's benches/).
    pub package: String,
    pub group: String,
    pub contender: String,
    pub median_ns: f64,
    /// Criterion's `Throughput::Elements` of the group, if it set one (the BPF bench: BPF
    /// instructions executed per run).
    pub elements: Option<u64>,
}

/// All rows under `root` (criterion's directory), sorted by group and contender.
pub fn load(root: &Path) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let entries = std::fs::read_dir(root).map_err(|e| format!("{}: {e}", root.display()))?;
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        // A package directory holds criterion's own `report/` or group directories with
        // their results; a top-level group directory has `<contender>/new` right below.
        let package = if name.starts_with("strata") && p.is_dir() { name } else { "strata".to_string() };
        walk(&p, &package, &mut rows)?;
    }
    rows.sort_by(|a, b| (&a.package, &a.group, &a.contender).cmp(&(&b.package, &b.group, &b.contender)));
    Ok(rows)
}

fn walk(dir: &Path, package: &str, rows: &mut Vec<Row>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for e in entries.flatten() {
        let p = e.path();
        if !p.is_dir() {
            continue;
        }
        if p.file_name().is_some_and(|n| n == "new") {
            if let Some(r) = read_one(&p, package)? {
                rows.push(r);
            }
        } else {
            walk(&p, package, rows)?;
        }
    }
    Ok(())
}

fn read_json(p: &Path) -> Result<Option<Json>, String> {
    match std::fs::read_to_string(p) {
        Ok(t) => serde_json::from_str(&t).map(Some).map_err(|e| format!("{}: {e}", p.display())),
        Err(_) => Ok(None),
    }
}

fn read_one(new: &Path, package: &str) -> Result<Option<Row>, String> {
    let (Some(ids), Some(est)) = (read_json(&new.join("benchmark.json"))?, read_json(&new.join("estimates.json"))?)
    else {
        return Ok(None);
    };
    let group = ids["group_id"].as_str().unwrap_or_default().to_string();
    let contender = ids["function_id"].as_str().or_else(|| ids["value_str"].as_str()).unwrap_or("-").to_string();
    let Some(median_ns) = est["median"]["point_estimate"].as_f64() else { return Ok(None) };
    let elements = ids["throughput"]["Elements"].as_u64();
    Ok(Some(Row { package: package.to_string(), group, contender, median_ns, elements }))
}

/// A `<kernel>/<size>` group split in two.
pub fn kernel_size(group: &str) -> Option<(&str, usize)> {
    let (k, s) = group.rsplit_once('/')?;
    Some((k, s.parse().ok()?))
}

/// kernel → size → contender → median ns, for groups of the `<kernel>/<size>` form.
pub type Sized = BTreeMap<String, BTreeMap<usize, BTreeMap<String, f64>>>;

pub fn by_kernel(rows: &[Row]) -> Sized {
    let mut out = Sized::new();
    for r in rows.iter().filter(|r| r.package == "strata") {
        if let Some((k, n)) = kernel_size(&r.group) {
            out.entry(k.to_string()).or_default().entry(n).or_default().insert(r.contender.clone(), r.median_ns);
        }
    }
    out
}
