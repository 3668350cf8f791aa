//! The engine's on-disk cache of tier-2 objects: a second engine on the same directory
//! loads the object instead of running LLVM, and a truncated or corrupt file is ignored
//! and rewritten. (The CLI's two-process test is `tests/cli_cache.rs` at the root.)

#![cfg(feature = "llvm")]

use strata_runtime::{Engine, Tier};

const SRC: &str = "export fn poly(x: f64) -> f64 { return (x * 3.0 + 2.0) * x - 1.0; }";

fn run(dir: &std::path::Path) -> u64 {
    let engine = Engine::builder().tier(Tier::Optimized).cache_dir(dir).build();
    let poly = engine.load_source("poly.sk", SRC).and_then(|m| m.get::<f64, f64>("poly")).expect("compiles");
    assert_eq!(poly.call(2.0), Ok(15.0));
    engine.stats().disk_cache_hits
}

#[test]
fn second_engine_hits_and_damaged_files_are_rewritten() {
    let dir = std::env::temp_dir().join(format!("strata-engine-disk-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run(&dir), 0, "empty cache");
    assert_eq!(run(&dir), 1, "second engine loads the object");
    let files: Vec<_> = std::fs::read_dir(&dir).expect("cache dir").flatten().map(|e| e.path()).collect();
    assert!(!files.is_empty());
    for damage in [|b: &mut Vec<u8>| b.truncate(b.len() / 2), |b: &mut Vec<u8>| b.iter_mut().for_each(|x| *x ^= 0x5a)] {
        for f in &files {
            let mut bytes = std::fs::read(f).expect("read");
            damage(&mut bytes);
            std::fs::write(f, bytes).expect("write");
        }
        assert_eq!(run(&dir), 0, "a damaged file is a miss, never trusted");
        assert_eq!(run(&dir), 1, "and it was rewritten");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
