//! Superinstructions: after pre-decoding, common runs of two or three ops (an array index
//! `mov; lsh; add`, a loop counter's `add` followed by its jump) are replaced, in their
//! first slot only, by one op that does the same work in one dispatch. The later slots keep
//! their own ops, so a jump landing inside a run still runs the originals, and no run
//! contains a jump except as its last op, so fusing never changes control flow, fuel or
//! traps. This file only rewrites ops; it does not run them.

use super::op::Op;

/// Fuses every slot of `code` that starts a known run.
pub(crate) fn fuse(code: &mut [Op]) {
    for i in 0..code.len() {
        let next = |k: usize| code.get(i + k).copied();
        if let Some(f) = fused(next(0), next(1), next(2)) {
            if let Some(slot) = code.get_mut(i) {
                *slot = f;
            }
        }
    }
}

/// The superinstruction for ops `a`, `b`, `c` in consecutive slots, if any. `b` and `c`
/// are always the unfused originals: fusion only rewrites a run's first slot and reads
/// ahead, never behind.
fn fused(a: Option<Op>, b: Option<Op>, c: Option<Op>) -> Option<Op> {
    match (a?, b, c) {
        (Op::Mov64R { d, s }, Some(Op::Lsh64I { d: d2, k }), Some(Op::Add64R { d: d3, s: b }))
            if d2 == d && d3 == d =>
        {
            Some(Op::MovLshAdd { d, s, sh: (k & 63) as u8, b })
        }
        (Op::Add64I { d, k }, Some(next), _) => {
            let k = i32::try_from(k as i64).ok()?;
            match next {
                Op::Ja { t, back } => Some(Op::AddIJa { d, k, t, back }),
                Op::JneI { d: c, t, back, k: kc } => {
                    Some(Op::AddIJneI { d, c, k, kc: i32::try_from(kc as i64).ok()?, t, back })
                }
                Op::JltI { d: c, t, back, k: kc } => {
                    Some(Op::AddIJltI { d, c, k, kc: i32::try_from(kc as i64).ok()?, t, back })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuses_only_matching_runs() {
        let mut code = vec![
            Op::Mov64R { d: 6, s: 5 },
            Op::Lsh64I { d: 6, k: 2 },
            Op::Add64R { d: 6, s: 1 },
            Op::Add64I { d: 5, k: u64::MAX },
            Op::Ja { t: 0, back: true },
            Op::Mov64R { d: 6, s: 5 },
            Op::Lsh64I { d: 7, k: 2 },
            Op::Add64R { d: 6, s: 1 },
            Op::Add64I { d: 5, k: 1 << 40 },
            Op::Ja { t: 0, back: true },
        ];
        fuse(&mut code);
        assert_eq!(code.first(), Some(&Op::MovLshAdd { d: 6, s: 5, sh: 2, b: 1 }));
        assert_eq!(code.get(1), Some(&Op::Lsh64I { d: 6, k: 2 }), "later slots keep their ops");
        assert_eq!(code.get(3), Some(&Op::AddIJa { d: 5, k: -1, t: 0, back: true }));
        assert_eq!(code.get(5), Some(&Op::Mov64R { d: 6, s: 5 }), "lsh of another register");
        assert_eq!(code.get(8), Some(&Op::Add64I { d: 5, k: 1 << 40 }), "immediate beyond 32 bits");
    }
}
