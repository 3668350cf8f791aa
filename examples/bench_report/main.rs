//! Writes the benchmark report from criterion's results: `docs/benchmarks.md` (tables),
//! `docs/benchmarks.svg` (chart) and the headline table in `README.md` (between the
//! `<!-- bench:begin -->` / `<!-- bench:end -->` markers). `ci/bench` runs it after the
//! benchmarks; it can be rerun on old results without measuring again:
//!
//! ```text
//! cargo run --example bench_report -- [--criterion target/bench-native/criterion]
//!     [--cpu NAME] [--date YYYY-MM-DD] [--command CMD] [--md F] [--svg F] [--readme F | --no-readme]
//! ```
//!
//! Hand-written notes in docs/benchmarks.md between `<!-- notes:begin -->` and
//! `<!-- notes:end -->` are kept. This program reads and writes files; it measures nothing.

mod bpf;
mod chart;
mod data;
// The tests write fake results with the cold bench's own writer, so the report is tested
// against exactly the files that bench produces.
#[cfg(test)]
#[path = "../../benches/compile_cold/estimates.rs"]
mod estimates;
mod markdown;

use std::path::PathBuf;

struct Args {
    criterion: PathBuf,
    md: PathBuf,
    svg: PathBuf,
    readme: Option<PathBuf>,
    cpu: String,
    date: String,
    command: String,
}

fn parse_args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut a = Args {
        criterion: root.join("target/bench-native/criterion"),
        md: root.join("docs/benchmarks.md"),
        svg: root.join("docs/benchmarks.svg"),
        readme: Some(root.join("README.md")),
        cpu: "unknown CPU".into(),
        date: "unknown date".into(),
        command: "bash ci/bench".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--criterion" => a.criterion = value()?.into(),
            "--md" => a.md = value()?.into(),
            "--svg" => a.svg = value()?.into(),
            "--cpu" => a.cpu = value()?,
            "--date" => a.date = value()?,
            "--command" => a.command = value()?,
            "--readme" => a.readme = Some(value()?.into()),
            "--no-readme" => a.readme = None,
            f => return Err(format!("unknown flag {f}")),
        }
    }
    Ok(a)
}

fn replace_between(text: &str, begin: &str, end: &str, body: &str) -> Option<String> {
    let (head, rest) = text.split_once(begin)?;
    let (_, tail) = rest.split_once(end)?;
    Some(format!("{head}{begin}\n{body}{end}{tail}"))
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    let rows = data::load(&a.criterion)?;
    if rows.is_empty() {
        return Err(format!("no criterion results under {}", a.criterion.display()));
    }
    let sized = data::by_kernel(&rows);
    let contenders = markdown::contenders(&sized);
    // The chart shows how time scales with size: kernels measured at one size only (the
    // specialization benches) stay in the tables.
    let kernels: Vec<String> =
        sized.iter().filter(|(k, s)| markdown::is_kernel(k) && s.len() > 1).map(|(k, _)| k.clone()).collect();
    chart::draw(&a.svg, &sized, &kernels, &contenders)?;

    let old = std::fs::read_to_string(&a.md).unwrap_or_default();
    let notes = old
        .split_once(markdown::NOTES_BEGIN)
        .and_then(|(_, r)| r.split_once(markdown::NOTES_END))
        .map(|(n, _)| n.trim().to_string())
        .unwrap_or_default();
    let meta = markdown::Meta { cpu: &a.cpu, date: &a.date, command: &a.command };
    let md = markdown::report(&meta, &rows, &sized, &contenders, &notes);
    std::fs::write(&a.md, md).map_err(|e| format!("{}: {e}", a.md.display()))?;
    println!("wrote {} and {}", a.md.display(), a.svg.display());

    if let Some(readme) = &a.readme {
        let text = std::fs::read_to_string(readme).map_err(|e| format!("{}: {e}", readme.display()))?;
        let body = markdown::readme_section(&meta, &sized, &contenders);
        match replace_between(&text, "<!-- bench:begin -->", "<!-- bench:end -->", &body) {
            Some(t) => {
                std::fs::write(readme, t).map_err(|e| format!("{}: {e}", readme.display()))?;
                println!("updated the benchmark section of {}", readme.display());
            }
            None => eprintln!("{} has no <!-- bench:begin/end --> markers: not updated", readme.display()),
        }
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_report: {e}");
        std::process::exit(1);
    }
}
