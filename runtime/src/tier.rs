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
    /// Start on tier 1 (or the interpreter, when so configured), count calls and loop
    /// back-edges, and move to tier 2 compiled on a background thread once the kernel is hot.
    /// Where a single concrete tier is needed (the untyped [`crate::compile`]), this means
    /// tier 1.
    Adaptive,
}

impl Tier {
    /// The three concrete tiers (not [`Tier::Adaptive`], which is a policy over them).
    pub const ALL: [Tier; 3] = [Tier::Interpreter, Tier::Baseline, Tier::Optimized];

    /// Whether this build includes the tier's backend (for `Adaptive`: tier 1 or the
    /// interpreter to start on, which is always true).
    pub fn is_available(self) -> bool {
        match self {
            Tier::Interpreter | Tier::Adaptive => true,
            Tier::Baseline => cfg!(feature = "cranelift"),
            Tier::Optimized => cfg!(feature = "llvm"),
        }
    }

    /// The tier's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interpreter => "interpreter",
            Tier::Baseline => "baseline",
            Tier::Optimized => "optimized",
            Tier::Adaptive => "adaptive",
        }
    }

    /// A small dense number for the tier (0..4), e.g. to index per-tier counters.
    pub fn index(self) -> usize {
        match self {
            Tier::Interpreter => 0,
            Tier::Baseline => 1,
            Tier::Optimized => 2,
            Tier::Adaptive => 3,
        }
    }

    pub(crate) fn from_index(i: u8) -> Tier {
        match i {
            0 => Tier::Interpreter,
            1 => Tier::Baseline,
            2 => Tier::Optimized,
            _ => Tier::Adaptive,
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
        [Tier::Interpreter, Tier::Baseline, Tier::Optimized, Tier::Adaptive]
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| format!("unknown tier `{s}` (expected interpreter, baseline, optimized or adaptive)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in [Tier::Interpreter, Tier::Baseline, Tier::Optimized, Tier::Adaptive] {
            assert_eq!(t.name().parse::<Tier>(), Ok(t));
            assert_eq!(Tier::from_index(t.index() as u8), t);
        }
        assert!("fast".parse::<Tier>().is_err());
    }
}
