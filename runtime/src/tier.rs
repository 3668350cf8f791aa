//! The execution tiers and which of them this build includes.

use std::fmt;
use std::str::FromStr;

/// Where a function runs.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Tier {
    /// Tier 0: the IR interpreter. Always available; defines the semantics.
    Interpreter,
    /// Tier 1: Cranelift JIT — fast compilation.
    Baseline,
    /// Tier 2: LLVM JIT — the best code for the host CPU.
    Optimized,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Interpreter, Tier::Baseline, Tier::Optimized];

    /// Whether this build includes the tier's backend.
    pub fn is_available(self) -> bool {
        match self {
            Tier::Interpreter => true,
            Tier::Baseline => cfg!(feature = "cranelift"),
            Tier::Optimized => cfg!(feature = "llvm"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Tier::Interpreter => "interpreter",
            Tier::Baseline => "baseline",
            Tier::Optimized => "optimized",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Tier, String> {
        Tier::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| format!("unknown tier `{s}` (expected interpreter, baseline or optimized)"))
    }
}
