//! The host target: Cranelift's native ISA builder (CPU features detected at run time) with
//! the flags tier 1 needs. Each call builds a fresh `TargetIsa`; nothing is shared between
//! compilations except immutable data, so several threads may compile at once.

use crate::options::{CraneliftOptions, OptLevel};
use crate::CompileError;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use target_lexicon::{Endianness, PointerWidth};

/// The host ISA configured for `opts`.
pub(crate) fn host_isa(opts: &CraneliftOptions) -> Result<OwnedTargetIsa, CompileError> {
    let mut flags = settings::builder();
    // `None` is for the fastest compilation: no mid-end and the single-pass register
    // allocator (about 30% fewer instructions per compile than `Speed` with backtracking).
    let (opt, regalloc) = match opts.opt_level {
        OptLevel::None => ("none", "single_pass"),
        OptLevel::Speed => ("speed", "backtracking"),
    };
    let verify = if opts.verify { "true" } else { "false" };
    let settings: [(&str, &str); 9] = [
        ("opt_level", opt),
        ("regalloc_algorithm", regalloc),
        ("enable_verifier", verify),
        // cranelift-jit resolves relocations itself and needs absolute addressing.
        ("is_pic", "false"),
        // Functions, data and libcalls of one module live in separate mappings that may be
        // further apart than a 32-bit displacement reaches.
        ("use_colocated_libcalls", "false"),
        // Nothing unwinds through generated code (traps return through the context).
        ("unwind_info", "false"),
        // Big stack slots must touch the guard page in order, without a probestack symbol.
        ("enable_probestack", "true"),
        ("probestack_strategy", "inline"),
        // Local functions may return split vectors as several values; both sides of such a
        // call are generated here, so the implicit return area is consistent.
        ("enable_multi_ret_implicit_sret", "true"),
    ];
    for (name, value) in settings {
        flags.set(name, value).map_err(|e| CompileError::Isa(format!("setting {name}={value}: {e}")))?;
    }
    let builder = cranelift_native::builder().map_err(|e| CompileError::Isa(e.to_string()))?;
    let triple = builder.triple().clone();
    if triple.pointer_width() != Ok(PointerWidth::U64) {
        return Err(CompileError::Isa(format!("{triple}: Strata needs 64-bit pointers")));
    }
    if triple.endianness() != Ok(Endianness::Little) {
        return Err(CompileError::Isa(format!("{triple}: the VmContext layout assumes a little-endian host")));
    }
    builder.finish(settings::Flags::new(flags)).map_err(|e| CompileError::Isa(e.to_string()))
}
