//! `STRATA_FORCE_CPU` overrides the CPU level (its own test binary: the level is chosen
//! once per process).
#![cfg(target_arch = "x86_64")]

use strata_aot_demo::kernels_mv;

#[test]
fn force_cpu_selects_the_named_level() {
    std::env::set_var("STRATA_FORCE_CPU", "x86-64-v2");
    assert_eq!(kernels_mv::selected_cpu(), "x86-64-v2");
    let a = [1.0f32, 2.0, 3.0];
    let b = [4.0f32, 5.0, 6.0];
    assert_eq!(kernels_mv::dot(&a, &b).unwrap(), 32.0);
}
