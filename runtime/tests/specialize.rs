//! Specialization through the runtime: bound parameters disappear from the signature, the
//! result equals the unspecialized kernel on every tier, the same bindings compile once,
//! and bad bindings are errors naming the parameter.

use strata_runtime::{available_tiers, Engine, Error, Tier};

const FIR: &str = "
export fn fir(x: [f32], taps: [f32], y: mut [f32], n: i64, gain: f32) {
    for i in 0..n {
        let mut acc = 0.0;
        for k in 0..taps.len() { acc += x[i + k] * taps[k]; }
        y[i] = acc * gain;
    }
}
";

fn inputs() -> (Vec<f32>, Vec<f32>) {
    let taps: Vec<f32> = (0..7).map(|k| 1.0 / (k as f32 + 1.5)).collect();
    let x: Vec<f32> = (0..64 + taps.len()).map(|i| ((i * 37 % 101) as f32).sin()).collect();
    (x, taps)
}

#[test]
fn specialized_equals_generic_on_every_tier() {
    let engine = Engine::new();
    let m = engine.load_source("fir.sk", FIR).expect("compiles");
    let (x, taps) = inputs();
    let generic = m.get_on::<(&[f32], &[f32], &mut [f32], i64, f32), ()>("fir", Tier::Interpreter).expect("fir");
    let mut want = vec![0.0f32; 64];
    generic.call((&x, &taps, &mut want, 64, 0.5)).expect("runs");
    for tier in available_tiers() {
        let s = m
            .specialize("fir")
            .bind("taps", &taps)
            .bind("n", 64)
            .bind("gain", 0.5)
            .tier(tier)
            .build()
            .expect("specializes");
        let f = s.get::<(&[f32], &mut [f32]), ()>("fir").expect("remaining parameters");
        assert_eq!(f.tier(), tier);
        let mut y = vec![0.0f32; 64];
        f.call((&x, &mut y)).expect("runs");
        assert!(y.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "{tier}: {y:?} vs {want:?}");
        // Bounds are still checked with the constant trip count.
        let t = f.call((&x[..10], &mut y)).expect_err("x too short");
        assert_eq!(t.kind, strata_runtime::TrapCode::OutOfBounds, "{tier}");
    }
}

#[test]
fn same_bindings_compile_once_and_different_ones_do_not_collide() {
    let engine = Engine::builder().tier(Tier::Baseline).build();
    let m = engine.load_source("fir.sk", FIR).expect("compiles");
    let (x, taps) = inputs();
    let spec = |gain: f32| {
        m.specialize("fir").bind("taps", &taps[..]).bind("n", 8i64).bind("gain", gain).build().expect("specializes")
    };
    let a = spec(1.0).get::<(&[f32], &mut [f32]), ()>("fir").expect("a");
    let b = spec(1.0).get::<(&[f32], &mut [f32]), ()>("fir").expect("b");
    let c = spec(2.0).get::<(&[f32], &mut [f32]), ()>("fir").expect("c");
    assert_eq!(engine.stats().compiles_on(Tier::Baseline), 2);
    let (mut ya, mut yb, mut yc) = ([0.0f32; 8], [0.0f32; 8], [0.0f32; 8]);
    a.call((&x, &mut ya)).expect("runs");
    b.call((&x, &mut yb)).expect("runs");
    c.call((&x, &mut yc)).expect("runs");
    assert_eq!(ya, yb);
    assert!(ya.iter().zip(&yc).all(|(a, c)| *c == 2.0 * a));
}

#[test]
fn bad_bindings_are_errors() {
    let m = Engine::new().load_source("fir.sk", FIR).expect("compiles");
    let taps = [1.0f32; 3];
    let msg = |r: Result<strata_runtime::Module, Error>| match r {
        Err(e @ Error::Specialize { .. }) => e.to_string(),
        other => panic!("expected a specialization error, got {other:?}"),
    };
    assert!(msg(m.specialize("fir").bind("nope", 1).build()).contains("`nope`"));
    assert!(msg(m.specialize("fir").bind("y", &taps).build()).contains("`y`"));
    assert!(msg(m.specialize("fir").bind("taps", &[1i32, 2][..]).build()).contains("`taps`"));
    assert!(msg(m.specialize("fir").bind("n", 1.5).build()).contains("`n`"));
    assert!(msg(m.specialize("fir").bind("n", 1).bind("n", 2).build()).contains("`n`"));
    assert!(matches!(m.specialize("nope").build(), Err(Error::NoSuchFunction(_))));
    // The specialized module checks signatures against what is left.
    let s = m.specialize("fir").bind("n", 4).build().expect("specializes");
    let e = s.get::<(&[f32], &[f32], &mut [f32], i64, f32), ()>("fir").unwrap_err();
    assert!(e.to_string().contains("takes 4 parameters"), "{e}");
}
