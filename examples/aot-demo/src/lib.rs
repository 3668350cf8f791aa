//! A user crate of strata-build: the example kernels, compiled by `build.rs` into a static
//! library, called through the generated safe wrappers. No LLVM or strata at run time.

/// The generated bindings: `kernels::ola(&frame, &win, &mut out, gain, lo, hi)` and friends.
pub mod kernels {
    include!(concat!(env!("OUT_DIR"), "/kernels.rs"));
}

/// `ola` and `dot` compiled for x86-64-v2, -v3 and -v4; the wrappers call the best level
/// this machine runs (`kernels_mv::selected_cpu()`), or `STRATA_FORCE_CPU`'s.
#[cfg(target_arch = "x86_64")]
pub mod kernels_mv {
    include!(concat!(env!("OUT_DIR"), "/kernels_mv.rs"));
}

/// The C header written next to the library.
pub const HEADER: &str = include_str!(concat!(env!("OUT_DIR"), "/kernels.h"));
