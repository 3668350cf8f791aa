//! Integer opcodes on every width, against a reference written from docs/ir.md: wrapping
//! arithmetic, guarded division (zero traps; `MIN / -1` = `MIN`, `MIN % -1` = 0), masked
//! shifts, bit counting defined at zero, and the integer comparisons.

mod common;
use common::suite::*;
use common::*;
use strata_ir::{IntCC, Opcode, TrapCode, Type};
use strata_llvm::CallError;

fn sext(x: u64, w: u32) -> i64 {
    ((x << (64 - w)) as i64) >> (64 - w)
}
fn zext(x: u64, w: u32) -> u64 {
    if w == 64 {
        x
    } else {
        x & ((1u64 << w) - 1)
    }
}

/// The reference result of binary `op` on `w`-bit operands (low `w` bits of the result).
fn reference(op: Opcode, a: u64, b: u64, w: u32) -> Result<u64, TrapCode> {
    let (sa, sb, ua, ub) = (sext(a, w), sext(b, w), zext(a, w), zext(b, w));
    let min = sext(1u64 << (w - 1), w);
    let r = match op {
        Opcode::Iadd => ua.wrapping_add(ub),
        Opcode::Isub => ua.wrapping_sub(ub),
        Opcode::Imul => ua.wrapping_mul(ub),
        Opcode::Sdiv | Opcode::Srem | Opcode::Udiv | Opcode::Urem if ub == 0 => return Err(TrapCode::DivByZero),
        Opcode::Sdiv if sa == min && sb == -1 => min as u64,
        Opcode::Srem if sa == min && sb == -1 => 0,
        Opcode::Sdiv => sa.wrapping_div(sb) as u64,
        Opcode::Srem => sa.wrapping_rem(sb) as u64,
        Opcode::Udiv => ua / ub,
        Opcode::Urem => ua % ub,
        Opcode::Smin => sa.min(sb) as u64,
        Opcode::Smax => sa.max(sb) as u64,
        Opcode::Umin => ua.min(ub),
        Opcode::Umax => ua.max(ub),
        Opcode::Band => ua & ub,
        Opcode::Bor => ua | ub,
        Opcode::Bxor => ua ^ ub,
        Opcode::Shl => ua << (ub % w as u64),
        Opcode::Lshr => ua >> (ub % w as u64),
        Opcode::Ashr => (sa >> (ub % w as u64)) as u64,
        _ => unreachable!(),
    };
    Ok(zext(r, w))
}

#[test]
fn binary_ops_all_widths() {
    let m = int_binary();
    for cm in compile_levels(&m) {
        for op in INT_BINARY {
            for (ty, w) in WIDTHS {
                let f = func(&cm, &format!("{op}_{ty}"));
                for &a in I64S {
                    for &b in I64S {
                        let got = call(&f, &[a as u64, b as u64]).map(|r| zext(r.unwrap_or(0), w));
                        let want = reference(op, a as u64, b as u64, w).map_err(CallError::Trap);
                        assert_eq!(got, want, "{op}.{ty} {a:#x}, {b:#x}");
                    }
                }
            }
        }
    }
}

#[test]
fn unary_ops_all_widths() {
    let ops = INT_UNARY;
    let m = int_unary();
    for cm in compile_levels(&m) {
        for op in ops {
            for (ty, w) in WIDTHS {
                if op == Opcode::Bswap && ty == Type::I8 {
                    continue;
                }
                let f = func(&cm, &format!("{op}_{ty}"));
                for &a in I64S {
                    let ua = zext(a as u64, w);
                    let want = match op {
                        Opcode::Ineg => zext(ua.wrapping_neg(), w),
                        Opcode::Bnot => zext(!ua, w),
                        Opcode::Popcnt => ua.count_ones() as u64,
                        Opcode::Clz => (ua.leading_zeros() - (64 - w)) as u64,
                        Opcode::Ctz => (ua.trailing_zeros().min(w)) as u64,
                        _ => (ua.swap_bytes() >> (64 - w)) & zext(u64::MAX, w),
                    };
                    assert_eq!(zext(call_ok(&f, &[a as u64]), w), want, "{op}.{ty} {a:#x}");
                }
            }
        }
    }
}

#[test]
fn integer_comparisons() {
    let m = icmp();
    for cm in compile_levels(&m) {
        for cc in IntCC::ALL {
            for (ty, w) in WIDTHS.iter().copied().chain([(Type::PTR, 64)]) {
                let f = func(&cm, &format!("{}_{ty}", cc.name()));
                for &a in I64S {
                    for &b in I64S {
                        let (sa, sb) = (sext(a as u64, w), sext(b as u64, w));
                        let (ua, ub) = (zext(a as u64, w), zext(b as u64, w));
                        let want = match cc {
                            IntCC::Eq => ua == ub,
                            IntCC::Ne => ua != ub,
                            IntCC::Slt => sa < sb,
                            IntCC::Sle => sa <= sb,
                            IntCC::Sgt => sa > sb,
                            IntCC::Sge => sa >= sb,
                            IntCC::Ult => ua < ub,
                            IntCC::Ule => ua <= ub,
                            IntCC::Ugt => ua > ub,
                            IntCC::Uge => ua >= ub,
                        };
                        assert_eq!(call_ok(&f, &[a as u64, b as u64]), want as u64, "icmp {} {ty} {a}, {b}", cc.name());
                    }
                }
            }
        }
        for (cc, name) in [(IntCC::Eq, "eq_bool"), (IntCC::Ne, "ne_bool")] {
            let f = func(&cm, name);
            for a in 0..2u64 {
                for b in 0..2u64 {
                    assert_eq!(call_ok(&f, &[a, b]), ((a == b) == (cc == IntCC::Eq)) as u64);
                }
            }
        }
    }
}

#[test]
fn bool_ops_select_and_extension() {
    let m = bools();
    for cm in compile_levels(&m) {
        let sel = func(&cm, "sel");
        assert_eq!(call_ok(&sel, &[1, 10, 20]) as u32, 10);
        assert_eq!(call_ok(&sel, &[0, 10, 20]) as u32, 20);
        // Any non-zero byte is true at the ABI; only the low byte of the slot counts.
        assert_eq!(call_ok(&sel, &[2, 10, 20]) as u32, 10);
        for a in 0..2u64 {
            for b in 0..2u64 {
                assert_eq!(call_ok(&func(&cm, "band"), &[a, b]), a & b);
                assert_eq!(call_ok(&func(&cm, "bor"), &[a, b]), a | b);
                assert_eq!(call_ok(&func(&cm, "bxor"), &[a, b]), a ^ b);
            }
            assert_eq!(call_ok(&func(&cm, "bnot"), &[a]), 1 - a);
            assert_eq!(call_ok(&func(&cm, "zext"), &[a]) as u32, a as u32);
            assert_eq!(call_ok(&func(&cm, "sext"), &[a]), (a as i64).wrapping_neg() as u64);
        }
        assert_eq!(call_ok(&func(&cm, "sext8"), &[0x80]) as i64, -128);
        assert_eq!(call_ok(&func(&cm, "zext16"), &[0xffff]) as i64, 0xffff);
        assert_eq!(call_ok(&func(&cm, "trunc16"), &[0x1234_5678]) as u16, 0x5678);
        assert_eq!(call_ok(&func(&cm, "consts"), &[]) as i32, -5);
        assert_eq!(call_ok(&func(&cm, "wide_const"), &[]) as u8, 0xff);
        assert_eq!(call_ok(&func(&cm, "ptr_roundtrip"), &[4]) as i64, -4);
    }
}
