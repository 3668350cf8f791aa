//! The on-disk cache of compiled code: one file per key in a directory, so a second
//! process start can skip LLVM entirely (see [`crate::compile_cached`]).
//!
//! A file is `magic, format version, key length, payload length, checksum, key, payload`
//! (integers little-endian; the checksum is FNV-1a-64 over key and payload). [`DiskCache::load`]
//! trusts nothing it reads: a missing, truncated, corrupt, foreign (other magic or
//! version) or mismatched (other key) file is a miss, and the next [`DiskCache::store`]
//! replaces it. Stores write a temporary file in the same directory and rename it into
//! place, so readers see either the old file or the whole new one, and concurrent stores
//! of one key leave one complete file.
//!
//! This file knows nothing of LLVM or of what the payload means; it must not decide
//! whether code is compatible with this process beyond comparing keys, which is why the
//! key names everything that changes the code ([`CacheKey::for_module`]). The checksum
//! detects accidents, not attacks: whoever can write the directory can run code in every
//! process that uses it, as with any cache of executable code.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const MAGIC: &[u8; 8] = b"STRATA\0C";
const FORMAT_VERSION: u32 = 1;
/// magic + version + key length + payload length + checksum.
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8;
/// Keys are short descriptions; anything longer is not a file we wrote.
const MAX_KEY_LEN: usize = 1 << 16;

/// What identifies one cached artifact: a canonical text of `name=value` lines.
/// Two keys are equal exactly when their texts are.
///
/// ```
/// use strata_runtime::CacheKey;
/// let a = CacheKey::new().with("kernel", "fir").with("taps", "16");
/// let b = CacheKey::new().with("kernel", "fir").with("taps", "32");
/// assert_ne!(a.digest(), b.digest());
/// assert_eq!(a.digest().len(), 32);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct CacheKey {
    text: String,
}

impl CacheKey {
    /// An empty key.
    pub fn new() -> CacheKey {
        CacheKey::default()
    }

    /// The key of tier-`tier` code for `module` at `opt_level`: a hash of the module's IR
    /// text, the tier, the level, the target triple, CPU name and features the code is
    /// generated for, the LLVM version and the Strata version. Add what else changes the
    /// code (specialization constants, fuel) with [`CacheKey::with`].
    pub fn for_module(module: &strata_ir::Module, tier: crate::Tier, opt_level: u8) -> CacheKey {
        let ir = strata_ir::print_module(module);
        let key = CacheKey::new()
            .with("format", "strata-code-cache")
            .with("strata", env!("CARGO_PKG_VERSION"))
            .with("ir", &format!("{:032x}", fnv1a_128(ir.as_bytes())))
            .with("tier", tier.name())
            .with("opt_level", &opt_level.to_string());
        #[cfg(feature = "llvm")]
        let key = {
            let (triple, cpu, features) = strata_llvm::jit_target(&strata_llvm::LlvmOptions::default());
            let (a, b, c) = strata_llvm::llvm_version();
            key.with("triple", &triple)
                .with("cpu", &cpu)
                .with("features", &features)
                .with("llvm", &format!("{a}.{b}.{c}"))
        };
        #[cfg(not(feature = "llvm"))]
        let key = key.with("arch", std::env::consts::ARCH);
        key
    }

    /// This key plus the field `name = value` (newlines in either are escaped, so fields
    /// cannot run into each other).
    pub fn with(mut self, name: &str, value: &str) -> CacheKey {
        let esc = |s: &str| s.replace('\\', "\\\\").replace('\n', "\\n").replace('=', "\\=");
        self.text.push_str(&esc(name));
        self.text.push('=');
        self.text.push_str(&esc(value));
        self.text.push('\n');
        self
    }

    /// The canonical text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 32 hex digits naming this key (its file name, and a symbol namespace for its code).
    pub fn digest(&self) -> String {
        format!("{:032x}", fnv1a_128(self.text.as_bytes()))
    }
}

/// Counts of what a [`DiskCache`] has seen since it was created.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskCacheStats {
    /// Loads that returned a payload.
    pub hits: u64,
    /// Loads that found no file.
    pub misses: u64,
    /// Loads that found a file and ignored it (truncated, corrupt, foreign, other key).
    pub rejected: u64,
    /// Successful stores.
    pub stores: u64,
}

/// A directory of cached artifacts, safe to share between threads and processes.
///
/// ```
/// use strata_runtime::{CacheKey, DiskCache};
/// let dir = std::env::temp_dir().join(format!("strata-doc-cache-{}", std::process::id()));
/// let cache = DiskCache::new(&dir).unwrap();
/// let key = CacheKey::new().with("kernel", "demo");
/// assert_eq!(cache.load(&key), None);
/// cache.store(&key, b"machine code").unwrap();
/// assert_eq!(cache.load(&key).as_deref(), Some(&b"machine code"[..]));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct DiskCache {
    dir: PathBuf,
    hits: AtomicU64,
    misses: AtomicU64,
    rejected: AtomicU64,
    stores: AtomicU64,
}

impl DiskCache {
    /// A cache in `dir`, created (with its parents) if missing.
    pub fn new(dir: impl AsRef<Path>) -> std::io::Result<DiskCache> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cache directory {}: {e}", dir.display())))?;
        Ok(DiskCache {
            dir,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            stores: AtomicU64::new(0),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file holding `key`'s artifact.
    pub fn path_of(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.strata-cache", key.digest()))
    }

    /// The payload stored for `key`, if a valid file for exactly this key exists.
    pub fn load(&self, key: &CacheKey) -> Option<Vec<u8>> {
        let bytes = match std::fs::read(self.path_of(key)) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            Err(_) => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        };
        match decode(&bytes, key) {
            Some(payload) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(payload.to_vec())
            }
            None => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Stores `payload` for `key`, replacing any file there, atomically.
    pub fn store(&self, key: &CacheKey, payload: &[u8]) -> std::io::Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = self.path_of(key);
        let tmp = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            key.digest(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let result = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&encode(key, payload)))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        } else {
            self.stores.fetch_add(1, Ordering::Relaxed);
        }
        result.map_err(|e| std::io::Error::new(e.kind(), format!("storing {}: {e}", path.display())))
    }

    /// What this cache has seen so far.
    pub fn stats(&self) -> DiskCacheStats {
        DiskCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            stores: self.stores.load(Ordering::Relaxed),
        }
    }
}

/// The file contents for `key` and `payload`.
fn encode(key: &CacheKey, payload: &[u8]) -> Vec<u8> {
    let k = key.text.as_bytes();
    let mut out = Vec::with_capacity(HEADER_LEN + k.len() + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(k.len() as u32).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(k, payload).to_le_bytes());
    out.extend_from_slice(k);
    out.extend_from_slice(payload);
    out
}

/// The payload of `file` if it is a complete, intact file of this format for `key`.
fn decode<'a>(file: &'a [u8], key: &CacheKey) -> Option<&'a [u8]> {
    let (header, rest) = file.split_at_checked(HEADER_LEN)?;
    let (magic, header) = header.split_at_checked(8)?;
    let u32_at = |b: &[u8], i: usize| b.get(i..i + 4)?.try_into().ok().map(u32::from_le_bytes);
    let u64_at = |b: &[u8], i: usize| b.get(i..i + 8)?.try_into().ok().map(u64::from_le_bytes);
    if magic != MAGIC || u32_at(header, 0)? != FORMAT_VERSION {
        return None;
    }
    let key_len = u32_at(header, 4)? as usize;
    let payload_len = usize::try_from(u64_at(header, 8)?).ok()?;
    let sum = u64_at(header, 16)?;
    if key_len > MAX_KEY_LEN || Some(rest.len()) != key_len.checked_add(payload_len) {
        return None;
    }
    let (k, payload) = rest.split_at_checked(key_len)?;
    (k == key.text.as_bytes() && checksum(k, payload) == sum).then_some(payload)
}

fn checksum(key: &[u8], payload: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key.iter().chain(payload) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// FNV-1a with 128-bit state: a stable hash (unlike std's, fixed across Rust versions).
fn fnv1a_128(bytes: &[u8]) -> u128 {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for &b in bytes {
        h = (h ^ u128::from(b)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_cache(name: &str) -> (DiskCache, PathBuf) {
        let dir = std::env::temp_dir().join(format!("strata-disk-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        (DiskCache::new(&dir).expect("creates the directory"), dir)
    }

    fn key(n: u32) -> CacheKey {
        CacheKey::new().with("test", "disk_cache").with("n", &n.to_string())
    }

    #[test]
    fn round_trip_and_other_keys_miss() {
        let (c, dir) = temp_cache("roundtrip");
        let payload: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        assert_eq!(c.load(&key(1)), None);
        c.store(&key(1), &payload).expect("stores");
        assert_eq!(c.load(&key(1)), Some(payload.clone()));
        assert_eq!(c.load(&key(2)), None);
        c.store(&key(1), b"").expect("an empty payload is fine");
        assert_eq!(c.load(&key(1)), Some(Vec::new()));
        assert_eq!(c.stats(), DiskCacheStats { hits: 2, misses: 2, rejected: 0, stores: 2 });
        std::fs::remove_dir_all(dir).expect("cleans up");
    }

    #[test]
    fn truncated_files_are_ignored_and_rewritten() {
        let (c, dir) = temp_cache("truncated");
        let payload = vec![0xabu8; 300];
        c.store(&key(1), &payload).expect("stores");
        let path = c.path_of(&key(1));
        let full = std::fs::read(&path).expect("reads");
        for len in [0, 1, 8, HEADER_LEN - 1, HEADER_LEN, HEADER_LEN + 5, full.len() - 1] {
            std::fs::write(&path, &full[..len]).expect("truncates");
            assert_eq!(c.load(&key(1)), None, "truncated to {len} bytes");
        }
        // Extra bytes at the end are as wrong as missing ones.
        let mut long = full.clone();
        long.push(0);
        std::fs::write(&path, &long).expect("writes");
        assert_eq!(c.load(&key(1)), None, "one byte too long");
        c.store(&key(1), &payload).expect("rewrites");
        assert_eq!(c.load(&key(1)), Some(payload));
        assert_eq!(c.stats().rejected, 8);
        std::fs::remove_dir_all(dir).expect("cleans up");
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let (c, dir) = temp_cache("flipped");
        let payload: Vec<u8> = (0..64).collect();
        c.store(&key(1), &payload).expect("stores");
        let path = c.path_of(&key(1));
        let full = std::fs::read(&path).expect("reads");
        for i in 0..full.len() {
            let mut bad = full.clone();
            bad[i] ^= 0x10;
            std::fs::write(&path, &bad).expect("writes");
            assert_eq!(c.load(&key(1)), None, "byte {i} flipped");
        }
        std::fs::write(&path, &full).expect("restores");
        assert_eq!(c.load(&key(1)), Some(payload));
        std::fs::remove_dir_all(dir).expect("cleans up");
    }

    #[test]
    fn foreign_files_are_ignored() {
        let (c, dir) = temp_cache("foreign");
        let path = c.path_of(&key(1));
        std::fs::write(&path, b"\x7fELF this is someone else's file, not a cache entry").expect("writes");
        assert_eq!(c.load(&key(1)), None);
        // A valid file of another key under this key's name (a renamed file).
        c.store(&key(2), b"two").expect("stores");
        std::fs::copy(c.path_of(&key(2)), &path).expect("copies");
        assert_eq!(c.load(&key(1)), None);
        // Another format version.
        let mut other = encode(&key(1), b"one");
        other[8] = 2;
        std::fs::write(&path, &other).expect("writes");
        assert_eq!(c.load(&key(1)), None);
        // A directory where the file should be.
        std::fs::remove_file(&path).expect("removes");
        std::fs::create_dir(&path).expect("mkdir");
        assert_eq!(c.load(&key(1)), None);
        assert!(c.store(&key(1), b"one").is_err(), "cannot replace a directory");
        assert_eq!(c.stats().rejected, 4);
        std::fs::remove_dir_all(dir).expect("cleans up");
    }

    #[test]
    fn concurrent_stores_leave_one_complete_file() {
        let (c, dir) = temp_cache("concurrent");
        let payloads: Vec<Vec<u8>> = (0..8u8).map(|t| vec![t; 20_000 + t as usize * 1000]).collect();
        std::thread::scope(|s| {
            for p in &payloads {
                let (c, payloads) = (&c, &payloads);
                s.spawn(move || {
                    for _ in 0..20 {
                        c.store(&key(7), p).expect("stores");
                        // A reader never sees a partial file.
                        let got = c.load(&key(7)).expect("a complete file is always there");
                        assert!(payloads.contains(&got));
                    }
                });
            }
        });
        assert!(payloads.contains(&c.load(&key(7)).expect("present")));
        let leftovers = std::fs::read_dir(&dir).expect("lists").count();
        assert_eq!(leftovers, 1, "temporary files are renamed away");
        std::fs::remove_dir_all(dir).expect("cleans up");
    }

    #[test]
    fn keys_escape_their_fields() {
        assert_ne!(CacheKey::new().with("a", "b\nc=d"), CacheKey::new().with("a", "b").with("c", "d"));
        assert_ne!(CacheKey::new().with("a=b", "c"), CacheKey::new().with("a", "b=c"));
    }
}
