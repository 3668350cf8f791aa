//! The multiversioned kernels pick the best CPU level and agree with the references.
#![cfg(target_arch = "x86_64")]

use strata_aot_demo::{kernels, kernels_mv};

#[test]
fn picks_the_best_supported_level_and_computes_the_same() {
    let expected = if std::env::var("STRATA_FORCE_CPU").is_ok() {
        None
    } else if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vl") {
        Some("x86-64-v4")
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        Some("x86-64-v3")
    } else {
        Some("x86-64-v2")
    };
    if let Some(e) = expected {
        assert_eq!(kernels_mv::selected_cpu(), e);
    }
    assert_eq!(kernels_mv::CPU_LEVELS, &["x86-64-v2", "x86-64-v3", "x86-64-v4"]);
    let a: Vec<f32> = (0..517).map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0).collect();
    let b: Vec<f32> = (0..517).map(|i| ((i * 53) % 97) as f32 / 48.0 - 1.0).collect();
    assert_eq!(kernels_mv::dot(&a, &b).unwrap(), kernels::dot(&a, &b).unwrap());
    let mut out1 = vec![0.25f32; 517];
    let mut out2 = out1.clone();
    kernels_mv::ola(&a, &b, &mut out1, 1.5, -0.5, 0.5).unwrap();
    kernels::ola(&a, &b, &mut out2, 1.5, -0.5, 0.5).unwrap();
    assert_eq!(out1, out2);
    let mut short = [0.0f32; 2];
    assert_eq!(kernels_mv::ola(&a, &b, &mut short, 1.0, -1.0, 1.0).unwrap_err().kind, "out_of_bounds");
}
