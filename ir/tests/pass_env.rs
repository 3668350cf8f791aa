//! `PassOptions::from_env` (its own test binary: it sets process environment variables).

use strata_ir::parse_module;
use strata_ir::passes::{run_pipeline, DumpAfter, PassOptions};

#[test]
fn options_from_the_environment() {
    std::env::remove_var("STRATA_DUMP");
    std::env::remove_var("STRATA_TIME_PASSES");
    assert_eq!(PassOptions::from_env(), PassOptions::default());

    std::env::set_var("STRATA_DUMP", "all");
    std::env::set_var("STRATA_TIME_PASSES", "1");
    let opts = PassOptions::from_env();
    assert_eq!(opts.dump_after, DumpAfter::All);
    assert!(opts.time_passes);

    std::env::set_var("STRATA_DUMP", "dce");
    std::env::set_var("STRATA_TIME_PASSES", "0");
    let opts = PassOptions::from_env();
    assert_eq!(opts.dump_after, DumpAfter::Pass("dce".into()));
    assert!(!opts.time_passes);

    let text = "export fn @f(a: i32) -> i32 {\nblock0(v0: i32):\n    v1 = iconst.i32 0\n    v2 = iadd.i32 v0, v1\n    return v2\n}\n";
    let Ok(mut m) = parse_module(text) else { panic!("parses") };
    let report = run_pipeline(&mut m, "-O1", &opts);
    let Ok(report) = report else { panic!("{report:?}") };
    assert_eq!(report.dumps.len(), 1);
    assert_eq!(report.dumps[0].0, "dce");
    assert_eq!(report.dumps[0].1, "export fn @f(a: i32) -> i32 {\nblock0(v0: i32):\n    return v0\n}\n");
    assert!(report.timings.is_empty());
}
