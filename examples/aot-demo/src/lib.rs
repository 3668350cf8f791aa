//! A user crate of strata-build: the example kernels, compiled by `build.rs` into a static
//! library, called through the generated safe wrappers. No LLVM or strata at run time.

/// The generated bindings: `kernels::ola(&frame, &win, &mut out, gain, lo, hi)` and friends.
pub mod kernels {
    include!(concat!(env!("OUT_DIR"), "/kernels.rs"));
}

/// The C header written next to the library.
pub const HEADER: &str = include_str!(concat!(env!("OUT_DIR"), "/kernels.h"));
