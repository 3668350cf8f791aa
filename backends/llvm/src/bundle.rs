//! The bytes [`crate::compile_object`] returns and [`crate::load_object`] reads: one
//! relocatable object when the module was compiled whole, or a bundle of objects, one per
//! part, when it was compiled in parts (`parts.rs`).
//!
//! A bundle is `magic "STRATA\0B", u32 count, count × u64 length, the objects back to back`
//! (integers little-endian). An object file never starts with the magic (ELF starts with
//! `\x7fELF`, Mach-O and COFF with their own numbers), so one byte string is either. [`split`]
//! trusts nothing it reads: a count or length that does not fit the bytes is an error, never
//! a panic or an out-of-bounds read. This file does not look inside the objects; LLVM checks
//! those when they are linked.

use crate::error::{CompileError, Result};

const MAGIC: &[u8; 8] = b"STRATA\0B";
/// More parts than any module has exports; a larger count is not a bundle we wrote.
const MAX_OBJECTS: usize = 1 << 16;

/// The bytes of `objects`: the object itself when there is one, else a bundle.
pub(crate) fn join(mut objects: Vec<Vec<u8>>) -> Vec<u8> {
    if objects.len() == 1 {
        return objects.pop().unwrap_or_default();
    }
    let total: usize = objects.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + 8 * objects.len() + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(objects.len() as u32).to_le_bytes());
    for o in &objects {
        out.extend_from_slice(&(o.len() as u64).to_le_bytes());
    }
    for o in &objects {
        out.extend_from_slice(o);
    }
    out
}

/// The objects in `bytes`: the objects of a bundle, or `bytes` itself.
pub(crate) fn split(bytes: &[u8]) -> Result<Vec<&[u8]>> {
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Ok(vec![bytes]);
    };
    let bad = |what: String| CompileError::Jit(format!("object bundle of {} bytes: {what}", bytes.len()));
    let (count, rest) = rest.split_first_chunk::<4>().ok_or_else(|| bad("truncated count".into()))?;
    let count = u32::from_le_bytes(*count) as usize;
    if count == 0 || count > MAX_OBJECTS {
        return Err(bad(format!("{count} objects (expected 1 to {MAX_OBJECTS})")));
    }
    let table_len = count * 8;
    if rest.len() < table_len {
        return Err(bad(format!("truncated length table ({count} objects)")));
    }
    let (table, mut body) = rest.split_at(table_len);
    let mut objects = Vec::with_capacity(count);
    for (i, len) in table.chunks_exact(8).enumerate() {
        let mut le = [0u8; 8];
        le.copy_from_slice(len);
        let len = u64::from_le_bytes(le);
        let len = usize::try_from(len)
            .ok()
            .filter(|&n| n > 0 && n <= body.len())
            .ok_or_else(|| bad(format!("object {i} claims {len} bytes, {} are left", body.len())))?;
        let (object, next) = body.split_at(len);
        objects.push(object);
        body = next;
    }
    if !body.is_empty() {
        return Err(bad(format!("{} bytes after the last object", body.len())));
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_is_its_own_bytes() {
        let o = b"\x7fELF one object".to_vec();
        assert_eq!(join(vec![o.clone()]), o);
        assert_eq!(split(&o).unwrap(), vec![&o[..]]);
    }

    #[test]
    fn a_bundle_splits_into_its_objects() {
        let objects = vec![b"\x7fELF first".to_vec(), b"\x7fELF second, longer".to_vec(), b"x".to_vec()];
        let bytes = join(objects.clone());
        assert!(bytes.starts_with(MAGIC));
        let back: Vec<Vec<u8>> = split(&bytes).unwrap().into_iter().map(<[u8]>::to_vec).collect();
        assert_eq!(back, objects);
    }

    #[test]
    fn every_damaged_bundle_is_an_error() {
        let bytes = join(vec![b"\x7fELF first".to_vec(), b"\x7fELF second".to_vec()]);
        // Every truncation (past the magic) and every extra byte.
        for n in MAGIC.len()..bytes.len() {
            assert!(split(&bytes[..n]).is_err(), "truncated to {n} bytes");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(split(&longer).is_err(), "trailing byte");
        // Counts and lengths that do not fit.
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&0u32.to_le_bytes());
        assert!(split(&header).is_err(), "no objects");
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(split(&huge).is_err(), "absurd count");
        let mut overflow = MAGIC.to_vec();
        overflow.extend_from_slice(&2u32.to_le_bytes());
        overflow.extend_from_slice(&u64::MAX.to_le_bytes());
        overflow.extend_from_slice(&1u64.to_le_bytes());
        overflow.extend_from_slice(b"ab");
        assert!(split(&overflow).is_err(), "length past the end");
        let mut empty = MAGIC.to_vec();
        empty.extend_from_slice(&2u32.to_le_bytes());
        empty.extend_from_slice(&0u64.to_le_bytes());
        empty.extend_from_slice(&1u64.to_le_bytes());
        empty.extend_from_slice(b"a");
        assert!(split(&empty).is_err(), "an empty object");
    }
}
