//! Host functions through `strata_runtime::compile` on every tier this build has: the same
//! IR calling the same Rust closures gives the same results, the same side effects and the
//! same traps (a host's own trap code, an unregistered host, a wrong result type, a panic).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use strata_ir::{Arg, TrapCode, Val};
use strata_runtime::{available_tiers, compile, CallError, HostFunctions, Options, Tier};

const IR: &str = "
extern fn @mix(i32, f32, bool, i8) -> f64
extern fn @note(i64)
extern fn @checked(i64) -> i64
extern fn @absent(i64) -> i64
extern fn @wrong(i64) -> i64
extern fn @explode(i64) -> i64
extern fn @is_small(f64) -> bool

export fn @mix_it(a: i32, b: f32, c: bool, d: i8) -> f64 {
block0(v0: i32, v1: f32, v2: bool, v3: i8):
    v4 = call_host.f64 @mix(v0, v1, v2, v3)
    return v4
}

export fn @sum_checked(n: i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 0
    br block1(v1, v1)
block1(v2: i64, v3: i64):
    v4 = icmp.bool slt v2, v0
    brif v4, block2, block3
block2:
    call_host @note(v2)
    v5 = call_host.i64 @checked(v2)
    v6 = iadd.i64 v3, v5
    v7 = iconst.i64 1
    v8 = iadd.i64 v2, v7
    br block1(v8, v6)
block3:
    return v3
}

export fn @call_absent(x: i64) -> i64 {
block0(v0: i64):
    v1 = call_host.i64 @absent(v0)
    return v1
}

export fn @call_wrong(x: i64) -> i64 {
block0(v0: i64):
    v1 = call_host.i64 @wrong(v0)
    return v1
}

export fn @call_explode(x: i64) -> i64 {
block0(v0: i64):
    v1 = call_host.i64 @explode(v0)
    return v1
}

export fn @small(x: f64) -> bool {
block0(v0: f64):
    v1 = call_host.bool @is_small(v0)
    return v1
}
";

/// The registry, with a counter of `note` calls.
fn hosts() -> (HostFunctions, Arc<AtomicI64>) {
    let notes = Arc::new(AtomicI64::new(0));
    let n = notes.clone();
    let h = HostFunctions::new()
        .with("mix", |a| match a {
            [Val::I32(x), Val::F32(y), Val::Bool(b), Val::I8(d)] => {
                let s = *x as f64 * 1000.0 + *y as f64 + if *b { 0.25 } else { 0.0 } + *d as f64 / 8.0;
                Ok(Some(Val::F64(s)))
            }
            _ => Err(TrapCode::User(1)),
        })
        .with("note", move |a| match a {
            [Val::I64(x)] => {
                n.fetch_add(*x + 1, Ordering::Relaxed);
                Ok(None)
            }
            _ => Err(TrapCode::User(2)),
        })
        .with("checked", |a| match a {
            [Val::I64(13)] => Err(TrapCode::User(7)),
            [Val::I64(x)] => Ok(Some(Val::I64(x * x + 1))),
            _ => Err(TrapCode::User(3)),
        })
        .with("wrong", |_| Ok(Some(Val::I32(5))))
        .with("explode", |a| match a {
            [Val::I64(0)] => panic!("a host function panics"),
            [Val::I64(x)] => Ok(Some(Val::I64(-x))),
            _ => Err(TrapCode::User(4)),
        })
        .with("is_small", |a| match a {
            [Val::F64(x)] => Ok(Some(Val::Bool(x.abs() < 1.0))),
            _ => Err(TrapCode::User(5)),
        });
    (h, notes)
}

fn tiers() -> Vec<Tier> {
    let t = available_tiers();
    assert!(t.contains(&Tier::Interpreter));
    t
}

fn i64s(x: i64) -> [Arg<'static>; 1] {
    [Arg::Val(Val::I64(x))]
}

fn trap_code(r: Result<Option<Val>, CallError>) -> Option<TrapCode> {
    match r {
        Err(CallError::Trap(t)) => Some(t.code),
        _ => None,
    }
}

#[test]
fn same_results_and_side_effects_on_every_tier() {
    let module = strata_ir::parse_module(IR).expect("parses");
    for tier in tiers() {
        let (h, notes) = hosts();
        let cm = compile(&module, tier, &Options { hosts: h, ..Options::default() }).expect("compiles");
        let mut args =
            [Arg::Val(Val::I32(-3)), Arg::Val(Val::F32(0.5)), Arg::Val(Val::Bool(true)), Arg::Val(Val::I8(-4))];
        assert_eq!(cm.call("mix_it", &mut args).ok(), Some(Some(Val::F64(-3000.0 + 0.5 + 0.25 - 0.5))), "{tier}");
        let want: i64 = (0..10).map(|i| i * i + 1).sum();
        assert_eq!(cm.call("sum_checked", &mut i64s(10)).ok(), Some(Some(Val::I64(want))), "{tier}");
        assert_eq!(notes.load(Ordering::Relaxed), (1..=10).sum::<i64>(), "{tier}: `note` ran once per iteration");
        assert_eq!(cm.call("call_explode", &mut i64s(9)).ok(), Some(Some(Val::I64(-9))), "{tier}");
        for (x, small) in [(0.5, true), (-2.0, false)] {
            let r = cm.call("small", &mut [Arg::Val(Val::F64(x))]).ok();
            assert_eq!(r, Some(Some(Val::Bool(small))), "{tier}");
        }
    }
}

#[test]
fn failures_trap_alike_on_every_tier() {
    let module = strata_ir::parse_module(IR).expect("parses");
    for tier in tiers() {
        let (h, notes) = hosts();
        let cm = compile(&module, tier, &Options { hosts: h, ..Options::default() }).expect("compiles");
        // The host's own trap code stops the loop at i = 13, after 14 notes.
        assert_eq!(trap_code(cm.call("sum_checked", &mut i64s(20))), Some(TrapCode::User(7)), "{tier}");
        assert_eq!(notes.load(Ordering::Relaxed), (1..=14).sum::<i64>(), "{tier}");
        assert_eq!(trap_code(cm.call("call_absent", &mut i64s(1))), Some(TrapCode::HostError), "{tier}: unregistered");
        assert_eq!(trap_code(cm.call("call_wrong", &mut i64s(1))), Some(TrapCode::HostError), "{tier}: i32 for i64");
        assert_eq!(trap_code(cm.call("call_explode", &mut i64s(0))), Some(TrapCode::HostError), "{tier}: panic");
        // The module still works after a trap.
        assert_eq!(cm.call("call_explode", &mut i64s(2)).ok(), Some(Some(Val::I64(-2))), "{tier}");
    }
}

#[test]
fn no_registry_means_host_error_everywhere() {
    let module = strata_ir::parse_module(IR).expect("parses");
    for tier in tiers() {
        let cm = compile(&module, tier, &Options::default()).expect("compiles");
        assert_eq!(trap_code(cm.call("sum_checked", &mut i64s(3))), Some(TrapCode::HostError), "{tier}");
        // No host call on this path: no trap.
        assert_eq!(cm.call("sum_checked", &mut i64s(0)).ok(), Some(Some(Val::I64(0))), "{tier}");
    }
}

#[test]
fn host_calls_with_fuel_and_passes() {
    let module = strata_ir::parse_module(IR).expect("parses");
    for tier in tiers() {
        let (h, _) = hosts();
        let opts = Options { hosts: h, fuel: Some(1_000), pipeline: Some("-O2".into()), ..Options::default() };
        let cm = compile(&module, tier, &opts).expect("compiles");
        let want: i64 = (0..5).map(|i| i * i + 1).sum();
        assert_eq!(cm.call("sum_checked", &mut i64s(5)).ok(), Some(Some(Val::I64(want))), "{tier}");
        let opts = Options { fuel: Some(3), ..opts };
        let cm = compile(&module, tier, &opts).expect("compiles");
        assert_eq!(trap_code(cm.call("sum_checked", &mut i64s(12))), Some(TrapCode::FuelExhausted), "{tier}");
    }
}
