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
//! Once tier 2 is installed, it is on probation: its calls are all timed, the first one
//! (cold instruction cache, fresh code pages) is left out, and after [`PROBE_CALLS`] more
//! the average is compared with the starting code's; tier 2 stays only if it is not
//! slower (Strata's vectorized tier-1 code beats LLVM on some kernels). After that
//! decision nothing is timed or counted again.
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

/// Tier-2 calls timed (after one warm-up call) before deciding whether to keep it.
pub(crate) const PROBE_CALLS: u64 = 16;

/// A timed call: when it started and how many calls it stands for.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Probe {
    pub(crate) start: Instant,
    /// Calls this sample stands for (0 for a call that only counts towards the
    /// comparison of tiers, not hotness; 1 while every call is timed; the stride after).
    weight: u64,
    /// Whether the call's time enters the average of its tier.
    compare: bool,
}

/// What a timed call on tier 2 means for the kernel.
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
    t1_ns: AtomicU64,
    t1_calls: AtomicU64,
    t2_ns: AtomicU64,
    /// Timed tier-2 calls, the warm-up call included.
    t2_calls: AtomicU64,
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
            t1_ns: AtomicU64::new(0),
            t1_calls: AtomicU64::new(0),
            t2_ns: AtomicU64::new(0),
            t2_calls: AtomicU64::new(0),
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

    /// Before a native call: whether to time it. `on_first` says the call runs the
    /// starting code (otherwise it is tier 2 on probation, and every call is timed).
    #[inline(never)]
    pub(crate) fn sample(&self, on_first: bool) -> Option<Probe> {
        if !on_first {
            return Some(Probe { start: Instant::now(), weight: 0, compare: true });
        }
        let n = self.calls.load(Ordering::Relaxed);
        self.calls.store(n.wrapping_add(1), Ordering::Relaxed);
        let weight = if n < EVERY_CALL {
            1
        } else if n % SAMPLE_STRIDE == 0 {
            SAMPLE_STRIDE
        } else {
            return None;
        };
        // The very first call touches cold code and data: it counts as hotness but not
        // in the comparison with tier 2.
        Some(Probe { start: Instant::now(), weight, compare: n > 0 })
    }

    /// After a timed call on the starting code: its time and hotness. Returns whether tier
    /// 2 should be requested now (true once per kernel).
    pub(crate) fn observe_first(&self, probe: Probe, elapsed: Duration) -> bool {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        if probe.compare {
            self.t1_ns.fetch_add(ns, Ordering::Relaxed);
            self.t1_calls.fetch_add(1, Ordering::Relaxed);
        }
        let units = (ns / TIER1_NS_PER_UNIT).saturating_add(1).saturating_mul(probe.weight);
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

    /// After a timed call on tier 2 during probation.
    pub(crate) fn observe_second(&self, elapsed: Duration) -> Verdict {
        let k = self.t2_calls.fetch_add(1, Ordering::Relaxed);
        if k == 0 {
            return Verdict::Undecided; // the warm-up call
        }
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.t2_ns.fetch_add(ns, Ordering::Relaxed);
        if k != PROBE_CALLS {
            return Verdict::Undecided;
        }
        self.finish();
        let (t1, c1) = (self.t1_ns.load(Ordering::Relaxed) as u128, self.t1_calls.load(Ordering::Relaxed) as u128);
        let t2 = self.t2_ns.load(Ordering::Relaxed) as u128;
        if c1 > 0 && t2 * c1 > t1 * PROBE_CALLS as u128 {
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

    #[test]
    fn samples_every_call_then_one_in_a_stride() {
        let a = adaptive(u64::MAX);
        let timed: Vec<u64> =
            (0..EVERY_CALL + 4 * SAMPLE_STRIDE).filter_map(|_| a.sample(true).map(|p| p.weight)).collect();
        let n = EVERY_CALL as usize;
        assert!(timed.get(..n).is_some_and(|w| w.iter().all(|&w| w == 1)), "{timed:?}");
        assert_eq!(timed.get(n..), Some(&[SAMPLE_STRIDE; 4][..]), "{timed:?}");
        assert!(a.sample(false).is_some(), "tier 2 on probation is always timed");
    }

    #[test]
    fn requests_tier_two_once_past_the_threshold() {
        let a = adaptive(1_000);
        let p = a.sample(true).expect("first call is timed");
        assert!(!a.observe_first(p, Duration::from_nanos(2 * 500)), "501 units < 1000");
        let p = a.sample(true).expect("timed");
        assert!(a.observe_first(p, Duration::from_nanos(2 * 500)), "1002 units");
        let p = a.sample(true).expect("timed");
        assert!(!a.observe_first(p, Duration::from_secs(1)), "requested once only");
    }

    fn probation(t1: Duration, t2: Duration) -> Verdict {
        let a = adaptive(1);
        for _ in 0..4 {
            let p = a.sample(true).expect("timed");
            a.observe_first(p, t1);
        }
        let mut verdict = Verdict::Undecided;
        for _ in 0..=PROBE_CALLS {
            assert_eq!(verdict, Verdict::Undecided);
            assert!(!a.is_done());
            verdict = a.observe_second(t2);
        }
        assert!(a.is_done());
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
