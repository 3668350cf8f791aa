//! The BPF verifier: known opcodes, jump targets in range and not inside `lddw`, no
//! writes to r10, no reads of registers that are not written on every path, and no path
//! that runs off the end of the program.
//!
//! Entry points are slot 0 (r1, r2, r10 defined) and every `call local` target (r1–r5 and
//! r10 defined). A call defines r0 and leaves the caller's r1–r9 as they were.

use super::decode::check_all;
use super::error::BpfError;
use super::insn::*;

/// Successor slots of the instruction at `i` within its function (a local call continues at
/// `i + 1`; its target is another function's entry). Errors for targets out of range.
pub(crate) fn successors(insns: &[Insn], i: usize) -> Result<Vec<usize>, BpfError> {
    let ins = insns[i];
    let target = |rel: i64| -> Result<usize, BpfError> {
        let t = i as i64 + 1 + rel;
        if t < 0 || t >= insns.len() as i64 {
            return Err(BpfError::new(i, format!("jump target {t} out of range")));
        }
        let t = t as usize;
        if !is_insn_start(insns, t) {
            return Err(BpfError::new(i, format!("jump target {t} is the second slot of lddw")));
        }
        Ok(t)
    };
    let next = i + if ins.is_lddw() { 2 } else { 1 };
    let fall = || {
        if next >= insns.len() {
            Err(BpfError::new(i, "execution falls off the end of the program"))
        } else {
            Ok(next)
        }
    };
    match ins.class() {
        CLS_JMP | CLS_JMP32 => match ins.opc {
            EXIT => Ok(vec![]),
            0x05 => Ok(vec![target(ins.off as i64)?]),
            0x06 => Ok(vec![target(ins.imm as i64)?]),
            CALL | CALLX => Ok(vec![fall()?]),
            _ => Ok(vec![fall()?, target(ins.off as i64)?]),
        },
        _ => Ok(vec![fall()?]),
    }
}

/// Whether slot `s` begins an instruction (is not the second half of an `lddw`). Valid for
/// programs that passed `check_all`, where a second slot has opcode 0 and so never looks
/// like an `lddw` itself.
pub(crate) fn is_insn_start(insns: &[Insn], s: usize) -> bool {
    s == 0 || !insns.get(s - 1).is_some_and(Insn::is_lddw)
}

/// The target slot of a `call local` at `i` (already range-checked by [`verify`]).
pub(crate) fn local_target(insns: &[Insn], i: usize) -> Result<usize, BpfError> {
    let t = i as i64 + 1 + insns[i].imm as i64;
    if t < 0 || t >= insns.len() as i64 || !is_insn_start(insns, t as usize) {
        return Err(BpfError::new(i, format!("call target {t} is not an instruction")));
    }
    Ok(t as usize)
}

/// Registers read (bit mask) and written by one instruction.
fn uses_defs(ins: &Insn) -> (u16, u16) {
    let d = 1u16 << ins.dst;
    let s = 1u16 << ins.src;
    let x = ins.opc & SRC_X != 0;
    let op = ins.opc & 0xf0;
    match ins.class() {
        CLS_ALU | CLS_ALU64 => {
            let src = if x && op != 0xd0 { s } else { 0 };
            let dst = if op == 0xb0 { 0 } else { d };
            (src | dst, d)
        }
        CLS_JMP | CLS_JMP32 => match ins.opc {
            EXIT => (1, 0),
            CALL => (0, 1),
            CALLX => (d, 1),
            0x05 | 0x06 => (0, 0),
            _ => (d | if x { s } else { 0 }, 0),
        },
        CLS_LD => (0, d),
        CLS_LDX => (s, d),
        CLS_ST => (d, 0),
        _ if ins.opc & 0xe0 == MODE_ATOMIC => match ins.imm {
            ATOMIC_CMPXCHG => (d | s | 1, 1),
            ATOMIC_XCHG => (d | s, s),
            f if f & ATOMIC_FETCH != 0 => (d | s, s),
            _ => (d | s, 0),
        },
        _ => (d | s, 0),
    }
}

/// Verifies `insns`; the error names the first offending slot.
pub fn verify(insns: &[Insn]) -> Result<(), BpfError> {
    if insns.is_empty() {
        return Err(BpfError::new(0, "empty program"));
    }
    check_all(insns)?;
    let n = insns.len();
    // Defined-register sets on entry to each slot; `None` = not reached yet.
    let mut state: Vec<Option<u16>> = vec![None; n];
    let mut work = vec![0usize];
    state[0] = Some(1 << 1 | 1 << 2 | 1 << 10);
    // Entry points of local functions.
    let mut i = 0;
    while i < n {
        if insns[i].opc == CALL && insns[i].src == 1 {
            let t = local_target(insns, i)?;
            if state[t].is_none() {
                state[t] = Some(0b11_1110 | 1 << 10);
                work.push(t);
            }
        }
        i += if insns[i].is_lddw() { 2 } else { 1 };
    }
    while let Some(i) = work.pop() {
        let defined = state[i].unwrap_or(0);
        let ins = insns[i];
        let (uses, defs) = uses_defs(&ins);
        let undefined = uses & !defined;
        if undefined != 0 {
            let r = undefined.trailing_zeros();
            return Err(BpfError::new(i, format!("reads register r{r} before it is written")));
        }
        if defs & (1 << 10) != 0 {
            return Err(BpfError::new(i, "writes the read-only frame pointer r10"));
        }
        let out = defined | defs;
        for s in successors(insns, i)? {
            let new = match state[s] {
                None => out,
                Some(old) => old & out,
            };
            if state[s] != Some(new) {
                state[s] = Some(new);
                work.push(s);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::asm::assemble;
    use super::*;

    fn err(src: &str) -> BpfError {
        verify(&assemble(src).unwrap()).unwrap_err()
    }

    #[test]
    fn accepts_and_rejects() {
        assert!(verify(&assemble("mov %r0, %r1\nexit").unwrap()).is_ok());
        assert_eq!(err("mov %r0, %r3\nexit").index, 0);
        assert_eq!(err("mov %r0, 1\njeq %r1, 0, +1\nmov %r3, 1\nmov %r0, %r3\nexit").index, 3);
        assert_eq!(err("mov %r10, 1\nmov %r0, 0\nexit").index, 0);
        assert_eq!(err("mov %r0, 1").index, 0);
        assert_eq!(err("ja +5\nexit").index, 0);
        assert_eq!(err("lddw %r0, 1\nja -2\nexit").index, 2);
        assert_eq!(err("ja +1\nlddw %r0, 1\nexit").index, 0);
        assert!(verify(&[]).is_err());
    }

    proptest::proptest! {
        /// Arbitrary bytes never panic the decoder, verifier or lifter, and whatever lifts
        /// is valid IR.
        #[test]
        fn no_panics_on_random_bytecode(words in proptest::collection::vec(proptest::prelude::any::<u64>(), 1..24)) {
            let bytes: Vec<u8> = words.iter().flat_map(|w| {
                // Bias towards known opcodes and registers so some programs get far.
                let mut b = w.to_le_bytes();
                b[1] &= 0x9a;
                b[2] &= 0x07;
                b[3] = 0;
                b
            }).collect();
            if let Ok(p) = super::super::decode::decode(&bytes) {
                let _ = verify(&p);
                if let Ok(m) = super::super::lift::lift(&p) {
                    proptest::prop_assert!(strata_ir::verify_module(&m).is_ok());
                }
            }
        }

        /// Arbitrary text never panics the assembler.
        #[test]
        fn no_panics_on_random_text(s in "[a-z0-9%,\\[\\]+\\- :\n]{0,60}") {
            let _ = assemble(&s);
        }
    }
}
