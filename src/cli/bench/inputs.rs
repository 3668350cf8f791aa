//! Generated inputs for `strata bench --size N`: every slice parameter gets `N` elements of
//! deterministic pseudo-random data, every scalar a fixed value. The same `N` gives the same
//! bytes on every run and every machine, so numbers from two runs are comparable.
//!
//! Values: floats uniform in [-1, 1); integers in [0, 1000) (small and non-negative, so
//! kernels that use them as indices or divisors stay in range more often than not);
//! scalars are `1` (integers), `1.0` (floats) and `true`. Nothing here runs code.

use strata::json_args::OwnedArg;
use strata_ir::interp::Val;
use strata_ir::{ParamKind, Signature, Type};

/// One step of a 64-bit linear congruential generator (Knuth's MMIX constants), upper bits out.
fn next(state: &mut u64) -> u32 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (*state >> 33) as u32
}

/// A scalar value of `ty` from a random 32-bit draw.
fn element(ty: Type, r: u32) -> Val {
    let unit = (r % 2000) as f64 / 1000.0 - 1.0;
    let int = (r % 1000) as i64;
    match ty {
        Type::F32 => Val::F32(unit as f32),
        Type::F64 => Val::F64(unit),
        Type::I8 => Val::I8((int % 100) as i8),
        Type::I16 => Val::I16(int as i16),
        Type::I32 => Val::I32(int as i32),
        Type::BOOL => Val::Bool(r & 1 == 1),
        _ => Val::I64(int),
    }
}

fn push_le(out: &mut Vec<u8>, v: Val) {
    match v {
        Val::I8(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::F32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::F64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::Bool(b) => out.push(b as u8),
        Val::Ptr(p) => out.extend_from_slice(&p.to_le_bytes()),
        Val::Vector(_) => {}
    }
}

/// The fixed value a scalar parameter of `ty` gets.
fn scalar(ty: Type) -> Result<Val, String> {
    Ok(match ty {
        Type::F32 => Val::F32(1.0),
        Type::F64 => Val::F64(1.0),
        Type::I8 => Val::I8(1),
        Type::I16 => Val::I16(1),
        Type::I32 => Val::I32(1),
        Type::I64 => Val::I64(1),
        Type::BOOL => Val::Bool(true),
        t => return Err(format!("--size cannot make a value of type {t}; pass --args")),
    })
}

/// Arguments for `sig` with `n` elements in every slice.
pub fn generate(sig: &Signature, n: usize) -> Result<Vec<OwnedArg>, String> {
    let mut state = 0x5eed_u64;
    let mut out = Vec::with_capacity(sig.params.len());
    for p in &sig.params {
        match p.kind {
            ParamKind::Scalar(ty) => {
                out.push(OwnedArg::Scalar(scalar(ty).map_err(|e| format!("parameter `{}`: {e}", p.name))?))
            }
            ParamKind::Slice { elem, mutable } => {
                let width = elem.bytes().unwrap_or(1).max(1) as usize;
                let total = n
                    .checked_mul(width)
                    .ok_or_else(|| format!("--size {n} is too large for parameter `{}`", p.name))?;
                let mut bytes = Vec::new();
                bytes
                    .try_reserve_exact(total)
                    .map_err(|_| format!("--size {n}: cannot allocate {total} bytes for parameter `{}`", p.name))?;
                for _ in 0..n {
                    push_le(&mut bytes, element(elem, next(&mut state)));
                }
                out.push(OwnedArg::Slice { elem, mutable, bytes });
            }
        }
    }
    Ok(out)
}

/// The element count a run processes: the length of the longest slice argument, or `None`
/// when the function takes no slices.
pub fn elements(args: &[OwnedArg]) -> Option<usize> {
    args.iter()
        .filter_map(|a| match a {
            OwnedArg::Slice { elem, bytes, .. } => Some(bytes.len() / elem.bytes().unwrap_or(1).max(1) as usize),
            OwnedArg::Scalar(_) => None,
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_ir::Param;

    #[test]
    fn slices_get_n_elements_and_scalars_one() {
        let sig = Signature::new(
            vec![
                Param::slice("x", Type::F32, false),
                Param::scalar("k", Type::I64),
                Param::slice("y", Type::I32, true),
            ],
            None,
        );
        let a = generate(&sig, 100).unwrap();
        assert_eq!(elements(&a), Some(100));
        assert_eq!(a[1], OwnedArg::Scalar(Val::I64(1)));
        let OwnedArg::Slice { bytes, .. } = &a[0] else { panic!("slice expected") };
        assert_eq!(bytes.len(), 400);
        let floats: Vec<f32> = bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        assert!(floats.iter().all(|x| (-1.0..1.0).contains(x)));
        // Not constant, and the same on a second call.
        assert!(floats.iter().any(|&x| x != floats[0]));
        assert_eq!(generate(&sig, 100).unwrap(), a);
    }

    #[test]
    fn no_slices_no_elements() {
        let sig = Signature::new(vec![Param::scalar("k", Type::I32)], Some(Type::I32));
        assert_eq!(elements(&generate(&sig, 5).unwrap()), None);
    }
}
