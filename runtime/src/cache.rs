//! The engine's kernel cache: compiled modules keyed by [`CacheKey`], with single-flight
//! compilation (threads asking for the same key while it compiles wait for that one
//! compilation) and a bounded size with least-recently-used eviction. Evicting drops the
//! cache's reference; the code memory is freed once no kernel handle uses it any more.
//! This file does not know how to compile: the caller passes the compile function.

use crate::dynamic_call::CompiledModule;
use crate::error::Error;
use crate::tier::Tier;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What identifies one compilation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    /// Hash of the IR text of the module, after specialization.
    pub ir_hash: u64,
    /// Hash of the specialization constants (0 when nothing is bound).
    pub spec_hash: u64,
    pub tier: Tier,
    pub opt_level: u8,
    /// Hash of the host CPU's name and features (code for one CPU may not run on another).
    pub cpu: u64,
    /// Whether the code counts fuel.
    pub fuel: bool,
}

type Slot = Arc<OnceLock<Result<Arc<CompiledModule>, Error>>>;

struct Entry {
    slot: Slot,
    last_used: u64,
}

/// The outcome of a lookup.
pub(crate) struct Lookup {
    pub code: Result<Arc<CompiledModule>, Error>,
    /// Whether the code existed (or was being compiled by another thread) already.
    pub hit: bool,
}

pub(crate) struct KernelCache {
    capacity: usize,
    state: Mutex<State>,
}

struct State {
    map: HashMap<CacheKey, Entry>,
    tick: u64,
}

impl KernelCache {
    pub(crate) fn new(capacity: usize) -> Self {
        KernelCache { capacity: capacity.max(1), state: Mutex::new(State { map: HashMap::new(), tick: 0 }) }
    }

    /// The compiled module for `key`, compiling it with `compile` if no thread has yet.
    /// Calls `evicted` once per module dropped to make room.
    pub(crate) fn get_or_compile(
        &self,
        key: &CacheKey,
        compile: impl FnOnce() -> Result<Arc<CompiledModule>, Error>,
        mut evicted: impl FnMut(),
    ) -> Lookup {
        let slot = {
            // Poisoning would only mean a panic in this short critical section: go on.
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            st.tick += 1;
            let tick = st.tick;
            let slot = match st.map.get_mut(key) {
                Some(e) => {
                    e.last_used = tick;
                    e.slot.clone()
                }
                None => {
                    let slot: Slot = Arc::new(OnceLock::new());
                    st.map.insert(key.clone(), Entry { slot: slot.clone(), last_used: tick });
                    slot
                }
            };
            while st.map.len() > self.capacity {
                // The least recently used finished entry; entries still compiling stay.
                let victim = st
                    .map
                    .iter()
                    .filter(|(k, e)| *k != key && e.slot.get().is_some())
                    .min_by_key(|(_, e)| e.last_used)
                    .map(|(k, _)| k.clone());
                match victim {
                    Some(k) => {
                        st.map.remove(&k);
                        evicted();
                    }
                    None => break,
                }
            }
            slot
        };
        let mut compiled_here = false;
        let code = slot
            .get_or_init(|| {
                compiled_here = true;
                compile()
            })
            .clone();
        if code.is_err() && compiled_here {
            // Do not keep failures: the next request tries again (it may be on another
            // configuration, or the failure may have been transient, like memory).
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if st.map.get(key).is_some_and(|e| Arc::ptr_eq(&e.slot, &slot)) {
                st.map.remove(key);
            }
        }
        Lookup { code, hit: !compiled_here }
    }

    /// Number of modules cached (including ones being compiled).
    pub(crate) fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).map.len()
    }
}

/// FNV-1a, 64 bits: a hash that is the same in every process and Rust version (the disk
/// cache keys files by it).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    fn key(n: u64) -> CacheKey {
        CacheKey { ir_hash: n, spec_hash: 0, tier: Tier::Interpreter, opt_level: 0, cpu: 0, fuel: false }
    }

    fn module() -> Arc<CompiledModule> {
        let m = strata_ir::Module::new();
        Arc::new(crate::compile(&m, Tier::Interpreter, &Options::default()).unwrap())
    }

    #[test]
    fn second_lookup_hits_and_lru_evicts_oldest() {
        let c = KernelCache::new(2);
        let mut evictions = 0;
        assert!(!c.get_or_compile(&key(1), || Ok(module()), || evictions += 1).hit);
        assert!(c.get_or_compile(&key(1), || panic!("cached"), || evictions += 1).hit);
        assert!(!c.get_or_compile(&key(2), || Ok(module()), || evictions += 1).hit);
        // Touch 1, so 2 is the least recently used when 3 arrives.
        assert!(c.get_or_compile(&key(1), || panic!("cached"), || evictions += 1).hit);
        assert!(!c.get_or_compile(&key(3), || Ok(module()), || evictions += 1).hit);
        assert_eq!(evictions, 1);
        assert_eq!(c.len(), 2);
        assert!(c.get_or_compile(&key(1), || panic!("cached"), || evictions += 1).hit);
        assert!(!c.get_or_compile(&key(2), || Ok(module()), || evictions += 1).hit);
    }

    #[test]
    fn failures_are_not_cached() {
        let c = KernelCache::new(4);
        let err = || Err(Error::NoSuchFunction("x".into()));
        assert!(c.get_or_compile(&key(1), err, || {}).code.is_err());
        assert_eq!(c.len(), 0);
        assert!(c.get_or_compile(&key(1), || Ok(module()), || {}).code.is_ok());
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
    }
}
