//! What the engine reports about its work: one [`CompileEvent`] per kernel-cache lookup
//! (compiled, or found in the cache) and per tier-up, counters per tier, and the optional
//! user callback. Only bookkeeping lives here; nothing in this file compiles or calls code.

use crate::tier::Tier;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most events kept for [`crate::Engine::stats`]; older ones are dropped (counters are not).
pub const MAX_EVENTS: usize = 4096;

/// One compilation request: a kernel asked for on a tier, compiled now or found cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileEvent {
    /// The function that was asked for.
    pub kernel: String,
    /// The tier it was compiled for.
    pub tier: Tier,
    /// Time spent compiling (zero-ish for a cache hit: the time spent waiting, if another
    /// thread was compiling the same kernel).
    pub duration: Duration,
    /// Whether the code came from the cache.
    pub cache_hit: bool,
    /// Whether this was an adaptive kernel's background tier-up.
    pub tier_up: bool,
}

/// A snapshot of the engine's counters and recent events.
#[derive(Clone, Debug, Default)]
pub struct EngineStats {
    /// Compilations actually run, per tier (indexed by [`Tier::index`]).
    pub compiles: [u64; 4],
    /// Cache lookups answered from the cache.
    pub cache_hits: u64,
    /// Compiled modules dropped from the cache to stay within its capacity.
    pub evictions: u64,
    /// Adaptive kernels that switched to tier 2.
    pub tier_ups: u64,
    /// Adaptive kernels that went back to their first tier because tier 2 was not faster.
    pub tier_downs: u64,
    /// Tier-2 compilations answered by the on-disk cache (LLVM did not run).
    pub disk_cache_hits: u64,
    /// How long the background warm-up of tier 2 took, once it has finished (see
    /// [`crate::EngineBuilder::warm_up`]); `None` before, or without one.
    pub warm_up: Option<std::time::Duration>,
    /// The most recent events (at most [`MAX_EVENTS`]), oldest first.
    pub events: Vec<CompileEvent>,
}

impl EngineStats {
    /// Compilations run for `tier` (cache hits excluded).
    pub fn compiles_on(&self, tier: Tier) -> u64 {
        self.compiles.get(tier.index()).copied().unwrap_or(0)
    }
}

/// Callback for compile events (see [`crate::EngineBuilder::on_event`]).
pub type EventCallback = Arc<dyn Fn(&CompileEvent) + Send + Sync>;

#[derive(Default)]
pub(crate) struct Stats {
    compiles: [AtomicU64; 4],
    hits: AtomicU64,
    evictions: AtomicU64,
    tier_ups: AtomicU64,
    tier_downs: AtomicU64,
    disk_hits: AtomicU64,
    /// Nanoseconds the warm-up took plus one (0: not finished).
    warm_up_ns: AtomicU64,
    events: Mutex<VecDeque<CompileEvent>>,
    callback: Option<EventCallback>,
}

impl Stats {
    pub(crate) fn new(callback: Option<EventCallback>) -> Self {
        Stats { callback, ..Stats::default() }
    }

    pub(crate) fn record(&self, e: CompileEvent) {
        if e.cache_hit {
            self.hits.fetch_add(1, Ordering::Relaxed);
        } else if let Some(c) = self.compiles.get(e.tier.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(cb) = &self.callback {
            cb(&e);
        }
        // A poisoned lock only means another thread panicked while pushing: keep going.
        let mut ev = self.events.lock().unwrap_or_else(|p| p.into_inner());
        if ev.len() >= MAX_EVENTS {
            ev.pop_front();
        }
        ev.push_back(e);
    }

    pub(crate) fn evicted(&self) {
        self.evictions.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn disk_hit(&self) {
        self.disk_hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn tiered_down(&self) {
        self.tier_downs.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn warmed_up(&self, took: std::time::Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX - 1);
        self.warm_up_ns.store(ns.saturating_add(1), Ordering::Relaxed);
    }

    pub(crate) fn tiered_up(&self) {
        self.tier_ups.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> EngineStats {
        let events = self.events.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
        EngineStats {
            compiles: std::array::from_fn(|i| self.compiles[i].load(Ordering::Relaxed)),
            cache_hits: self.hits.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            tier_ups: self.tier_ups.load(Ordering::Relaxed),
            tier_downs: self.tier_downs.load(Ordering::Relaxed),
            disk_cache_hits: self.disk_hits.load(Ordering::Relaxed),
            warm_up: match self.warm_up_ns.load(Ordering::Relaxed) {
                0 => None,
                ns => Some(std::time::Duration::from_nanos(ns - 1)),
            },
            events,
        }
    }
}
