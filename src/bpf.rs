//! The default BPF helper set of the CLI and the conformance tests. The conformance suite
//! calls helper 5 and only needs it to exist and return; here it returns its first argument
//! (r1). Every other helper is left unregistered, so calling it traps `host_error` on every
//! tier. Embedders register their own helpers with [`HostFunctions::with_helper`].

use strata_ir::interp::Val;
use strata_runtime::HostFunctions;

/// The number of the one default helper.
pub const ECHO_HELPER: i64 = 5;

/// Helper 5 (`bpf_helper_5`): returns its first argument, r1.
///
/// ```
/// use strata::ir::{Arg, Val};
/// let prog = strata::frontend::bpf::assemble("mov %r1, 42\ncall 5\nexit").unwrap();
/// let module = strata::frontend::bpf::lift(&prog).unwrap();
/// let opts = strata_runtime::Options { hosts: strata::bpf::default_helpers(), ..Default::default() };
/// for tier in strata_runtime::available_tiers() {
///     let cm = strata_runtime::compile(&module, tier, &opts).unwrap();
///     assert_eq!(cm.call("main", &mut [Arg::SliceMut(&mut [])]).unwrap(), Some(Val::I64(42)));
/// }
/// ```
pub fn default_helpers() -> HostFunctions {
    HostFunctions::new().with_helper(ECHO_HELPER, |args| Ok(Some(args.first().copied().unwrap_or(Val::I64(0)))))
}
