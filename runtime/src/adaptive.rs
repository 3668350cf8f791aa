//! The tier-up policy of a [`Tier::Adaptive`](crate::Tier::Adaptive) kernel: how hot it is,
//! when tier 2 is requested, and whether tier 2 is kept once it ran.
//!
//! Hotness is the time the starting code runs, measured on a sample of calls: the first
//! [`EVERY_CALL`] calls are all timed, then one in [`SAMPLE_STRIDE`] (counted for the calls
//! in between). The starting tier-1 code is therefore the very code a tier-1-only kernel
//! runs (same cache entry, no fuel counters in its loops, Strata's unrolling and vectorizing
//! passes intact), and an unsampled call costs one relaxed load and store of a counter.
//! Timing a call costs two clock reads (~20–50 ns), which only matters for tiny kernels,
//! and those are sampled 1 in 16. The interpreter start measures time too (in `kernel.rs`).
//!
//! Once tier 2 is installed, it is on probation: the calls alternate between the starting
//! code and tier 2 and are all timed, so both are measured under the same conditions (the
//! tier-1 calls timed earlier ran while the LLVM compile competed for the CPU, and would
//! flatter tier 2). The first call on each (cold instruction cache, fresh code pages) is
//! left out; after [`PROBE_CALLS`] more on each, tier 2 stays only if its average is not
//! slower (Strata's vectorized tier-1 code beats LLVM on some kernels). After that decision
//! nothing is timed or counted again.
//!
//! This file keeps counters and decides; it does not swap code or spawn threads (`kernel.rs`).

use crate::engine::Engine;
use crate::module::ModuleIr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// Calls on the starting code that are all timed (so a kernel whose calls are long is
/// found hot after its first few calls).
pub(crate) const EVERY_CALL: u64 = 16;

/// After [`EVERY_CALL`], one call in this many is timed and stands for all of them.
pub(crate) const SAMPLE_STRIDE: u64 = 16;

/// Tier-1 time counted as one unit of hotness: about one loop iteration of a few
/// instructions, so `tier_up_threshold` keeps meaning "calls plus loop back-edges".
pub(crate) const TIER1_NS_PER_UNIT: u64 = 2;

/// Interpreter time counted as one unit of hotness (a loop iteration of a few
/// instructions takes about this long in the interpreter).
pub(crate) const INTERP_NS_PER_UNIT: u128 = 20;

/// Calls timed on each tier during probation (after one warm-up call each).
pub(crate) const PROBE_CALLS: u64 = 16;

/// A timed call: when it started, and what its time counts for.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Probe {
    pub(crate) start: Instant,
    pub(crate) kind: ProbeKind,
}

/// What a timed call's time counts for.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum ProbeKind {
    /// Hotness of the starting code: the call stands for `weight` calls.
    Hotness { weight: u64 },
    /// A probation call, on tier 2 or on the starting code; `warm_up` calls are not counted.
    Probation { tier_two: bool, warm_up: bool },
}

/// What a timed probation call means for the kernel.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Keep measuring (or nothing to decide).
    Undecided,
    /// Tier 2 is kept for good.
    KeepTierTwo,
    /// Tier 2 was slower: go back to the starting code for good.
    Revert,
}

/// Tier-up state of an adaptive kernel.
pub(crate) struct Adaptive {
    /// Native calls on the starting code (relaxed load and store, not a locked add: under
    /// contention a few calls may go uncounted, which a heuristic can afford).
    calls: AtomicU64,
    /// Hotness units so far (approximate under contention, like `calls`).
    used: AtomicU64,
    threshold: u64,
    /// Set once tier 2 was requested; it is requested at most once per kernel.
    requested: AtomicBool,
    /// Set once the decision is final (tier 2 kept, reverted, or failed to compile).
    done: AtomicBool,
    /// Probation calls started (even: starting code, odd: tier 2).
    turn: AtomicU64,
    /// Time and number of counted probation calls on the starting code and on tier 2.
    p1_ns: AtomicU64,
    p1_calls: AtomicU64,
    p2_ns: AtomicU64,
    p2_calls: AtomicU64,
    pub(crate) engine: Engine,
    pub(crate) ir: Arc<ModuleIr>,
    pub(crate) me: Weak<crate::kernel::Kernel>,
}

impl Adaptive {
    pub(crate) fn new(engine: &Engine, ir: &Arc<ModuleIr>, threshold: u64, me: Weak<crate::kernel::Kernel>) -> Self {
        Adaptive {
            calls: AtomicU64::new(0),
            used: AtomicU64::new(0),
            threshold,
            requested: AtomicBool::new(false),
            done: AtomicBool::new(false),
            turn: AtomicU64::new(0),
            p1_ns: AtomicU64::new(0),
            p1_calls: AtomicU64::new(0),
            p2_ns: AtomicU64::new(0),
            p2_calls: AtomicU64::new(0),
            engine: engine.clone(),
            ir: Arc::clone(ir),
            me,
        }
    }

    /// Whether the decision is final (nothing more to count or time).
    #[inline(always)]
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Relaxed)
    }

    /// Ends counting for good (tier 2 kept, reverted, or unavailable).
    pub(crate) fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    /// Before a native call of the starting code (tier 2 not installed yet): whether to
    /// time it for hotness.
    #[inline(never)]
    pub(crate) fn sample(&self) -> Option<Probe> {
        let n = self.calls.load(Ordering::Relaxed);
        self.calls.store(n.wrapping_add(1), Ordering::Relaxed);
        let weight = if n < EVERY_CALL {
            1
        } else if n.is_multiple_of(SAMPLE_STRIDE) {
            SAMPLE_STRIDE
        } else {
            return None;
        };
        Some(Probe { start: Instant::now(), kind: ProbeKind::Hotness { weight } })
    }

    /// Before a native call while tier 2 is on probation: which code to run (tier 2 on
    /// odd turns) and the timing of the call.
    pub(crate) fn probation_turn(&self) -> Probe {
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        let kind = ProbeKind::Probation { tier_two: !turn.is_multiple_of(2), warm_up: turn < 2 };
        Probe { start: Instant::now(), kind }
    }

    /// After a timed call on the starting code: its hotness. Returns whether tier 2 should
    /// be requested now (true once per kernel).
    pub(crate) fn observe_hotness(&self, weight: u64, elapsed: Duration) -> bool {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let units = (ns / TIER1_NS_PER_UNIT).saturating_add(1).saturating_mul(weight);
        self.account(units)
    }

    /// Adds hotness units; returns whether tier 2 should be requested now (true once).
    pub(crate) fn account(&self, units: u64) -> bool {
        let total = self.used.load(Ordering::Relaxed).saturating_add(units);
        self.used.store(total, Ordering::Relaxed);
        total >= self.threshold
            && !self.requested.load(Ordering::Relaxed)
            && !self.requested.swap(true, Ordering::AcqRel)
    }

    /// After a timed probation call: decides once both tiers have [`PROBE_CALLS`] counted
    /// calls (exactly one caller gets the final verdict).
    pub(crate) fn observe_probation(&self, tier_two: bool, warm_up: bool, elapsed: Duration) -> Verdict {
        if warm_up {
            return Verdict::Undecided;
        }
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let (time, calls) = if tier_two { (&self.p2_ns, &self.p2_calls) } else { (&self.p1_ns, &self.p1_calls) };
        time.fetch_add(ns, Ordering::Relaxed);
        calls.fetch_add(1, Ordering::Relaxed);
        let (c1, c2) = (self.p1_calls.load(Ordering::Relaxed), self.p2_calls.load(Ordering::Relaxed));
        if c1 < PROBE_CALLS || c2 < PROBE_CALLS || self.done.swap(true, Ordering::Relaxed) {
            return Verdict::Undecided;
        }
        let (t1, t2) = (self.p1_ns.load(Ordering::Relaxed) as u128, self.p2_ns.load(Ordering::Relaxed) as u128);
        if t2 * c1 as u128 > t1 * c2 as u128 {
            Verdict::Revert
        } else {
            Verdict::KeepTierTwo
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adaptive(threshold: u64) -> Adaptive {
        let engine = Engine::new();
        let ir = engine.load_source("e.sk", "export fn e() {}").map(|m| m.ir).expect("loads");
        Adaptive::new(&engine, &ir, threshold, Weak::new())
    }

    fn weight(p: Probe) -> u64 {
        match p.kind {
            ProbeKind::Hotness { weight } => weight,
            ProbeKind::Probation { .. } => 0,
        }
    }

    #[test]
    fn samples_every_call_then_one_in_a_stride() {
        let a = adaptive(u64::MAX);
        let timed: Vec<u64> = (0..EVERY_CALL + 4 * SAMPLE_STRIDE).filter_map(|_| a.sample().map(weight)).collect();
        let n = EVERY_CALL as usize;
        assert!(timed.get(..n).is_some_and(|w| w.iter().all(|&w| w == 1)), "{timed:?}");
        assert_eq!(timed.get(n..), Some(&[SAMPLE_STRIDE; 4][..]), "{timed:?}");
    }

    #[test]
    fn requests_tier_two_once_past_the_threshold() {
        let a = adaptive(1_000);
        assert!(!a.observe_hotness(1, Duration::from_nanos(2 * 500)), "501 units < 1000");
        assert!(a.observe_hotness(1, Duration::from_nanos(2 * 500)), "1002 units");
        assert!(!a.observe_hotness(1, Duration::from_secs(1)), "requested once only");
        let b = adaptive(1_000);
        assert!(b.observe_hotness(SAMPLE_STRIDE, Duration::from_nanos(2 * 100)), "16 x 101 units");
    }

    /// Alternating probation calls, tier 1 taking `t1` and tier 2 `t2` each.
    fn probation(t1: Duration, t2: Duration) -> Verdict {
        let a = adaptive(1);
        let mut verdict = Verdict::Undecided;
        let mut turns = 0;
        while !a.is_done() {
            assert_eq!(verdict, Verdict::Undecided);
            let ProbeKind::Probation { tier_two, warm_up } = a.probation_turn().kind else {
                panic!("a hotness probe during probation");
            };
            assert_eq!(tier_two, turns % 2 == 1, "calls alternate, starting code first");
            assert_eq!(warm_up, turns < 2, "one warm-up call on each");
            verdict = a.observe_probation(tier_two, warm_up, if tier_two { t2 } else { t1 });
            turns += 1;
        }
        assert_eq!(turns, 2 * (PROBE_CALLS + 1), "decided after 16 counted calls on each");
        verdict
    }

    #[test]
    fn keeps_tier_two_only_when_not_slower() {
        let ms = Duration::from_millis;
        assert_eq!(probation(ms(2), ms(1)), Verdict::KeepTierTwo);
        assert_eq!(probation(ms(2), ms(2)), Verdict::KeepTierTwo);
        assert_eq!(probation(ms(1), ms(2)), Verdict::Revert);
    }
}
