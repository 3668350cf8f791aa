//! Typed lookups check the Rust types against the signature once; every mismatch is an
//! error naming the parameter, the expected type and the type found.

use strata_runtime::{Engine, Error, Tier};

const SRC: &str = "
export fn ola(frame: [f32], out: mut [f32], gain: f32) { for i in 0..frame.len() { out[i] += frame[i] * gain; } }
export fn pick(c: bool, a: i64, b: i64) -> i64 { if c { return a; } return b; }
export fn lt(a: f64, b: f64) -> bool { return a < b; }
fn hidden() -> i32 { return 1; }
export fn uses_hidden() -> i32 { return hidden(); }
";

fn module() -> strata_runtime::Module {
    Engine::builder().tier(Tier::Interpreter).build().load_source("s.sk", SRC).expect("compiles")
}

fn sig_error<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(e @ Error::Signature { .. }) => e.to_string(),
        other => panic!("expected a signature error, got {other:?}"),
    }
}

#[test]
fn mismatches_name_expected_and_found() {
    let m = module();
    assert_eq!(
        sig_error(m.get::<(&[f32], &mut [f32], f64), ()>("ola")),
        "function `ola`: parameter 2 `gain`: expected f32, found f64"
    );
    assert_eq!(
        sig_error(m.get::<(&[f32], &[f32], f32), ()>("ola")),
        "function `ola`: parameter 1 `out`: expected &mut [f32], found &[f32]"
    );
    assert_eq!(
        sig_error(m.get::<(&mut [f32], &mut [f32], f32), ()>("ola")),
        "function `ola`: parameter 0 `frame`: expected &[f32], found &mut [f32]"
    );
    assert_eq!(
        sig_error(m.get::<(&[f64], &mut [f32], f32), ()>("ola")),
        "function `ola`: parameter 0 `frame`: expected &[f32], found &[f64]"
    );
    assert_eq!(
        sig_error(m.get::<(&[f32], &mut [f32]), ()>("ola")),
        "function `ola`: takes 3 parameters (frame: &[f32], out: &mut [f32], gain: f32), but 2 were given"
    );
    assert_eq!(
        sig_error(m.get::<(&[f32], &mut [f32], f32), f32>("ola")),
        "function `ola`: return type: expected (), found f32"
    );
    assert_eq!(
        sig_error(m.get::<(i64, i64, i64), i64>("pick")),
        "function `pick`: parameter 0 `c`: expected bool, found i64"
    );
    assert_eq!(sig_error(m.get::<(f64, f64), i32>("lt")), "function `lt`: return type: expected bool, found i32");
}

#[test]
fn unknown_and_local_functions_are_errors() {
    let m = module();
    assert_eq!(m.get::<(), i32>("nope").unwrap_err(), Error::NoSuchFunction("nope".into()));
    assert_eq!(m.get::<(), i32>("hidden").unwrap_err(), Error::NotExported("hidden".into()));
    assert_eq!(m.get::<(), i32>("uses_hidden").expect("exported").call(()), Ok(1));
}

#[test]
fn bool_arguments_and_results_on_every_tier() {
    for tier in strata_runtime::available_tiers() {
        let m = module().with_tier(tier);
        let pick = m.get::<(bool, i64, i64), i64>("pick").expect("pick");
        assert_eq!(pick.call((true, 1, 2)), Ok(1), "{tier}");
        assert_eq!(pick.call((false, 1, 2)), Ok(2), "{tier}");
        let lt = m.get::<(f64, f64), bool>("lt").expect("lt");
        assert_eq!(lt.call((1.0, 2.0)), Ok(true), "{tier}");
        assert_eq!(lt.call((2.0, 1.0)), Ok(false), "{tier}");
        assert_eq!(lt.call((f64::NAN, 1.0)), Ok(false), "{tier}");
    }
}
