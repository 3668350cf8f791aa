//! The disassembler: text in the assembler's syntax, with numeric jump offsets (`+N`/`-N`),
//! so `assemble(&disassemble(p)) == p` for every valid program.

use super::insn::*;
use std::fmt::Write;

/// Disassembles `insns`, one instruction per line. Unknown slots print as `.raw` comments.
pub fn disassemble(insns: &[Insn]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < insns.len() {
        let ins = insns[i];
        if ins.is_lddw() {
            let hi = insns.get(i + 1).map_or(0, |n| n.imm);
            let v = ((hi as u32 as u64) << 32) | ins.imm as u32 as u64;
            let _ = writeln!(out, "lddw %r{}, {:#x}", ins.dst, v);
            i += 2;
            continue;
        }
        let _ = writeln!(out, "{}", one(&ins));
        i += 1;
    }
    out
}

fn size_suffix(i: &Insn) -> &'static str {
    match i.opc & 0x18 {
        SIZE_W => "w",
        SIZE_H => "h",
        SIZE_B => "b",
        _ => "dw",
    }
}

fn mem(r: u8, off: i16) -> String {
    if off < 0 {
        format!("[%r{r}-{}]", -(off as i32))
    } else {
        format!("[%r{r}+{off}]")
    }
}

fn rel(x: i64) -> String {
    if x < 0 {
        format!("{x}")
    } else {
        format!("+{x}")
    }
}

fn one(i: &Insn) -> String {
    let op = i.opc & 0xf0;
    let d = i.dst;
    let s = i.src;
    match i.class() {
        CLS_ALU | CLS_ALU64 => {
            let sfx = if i.class() == CLS_ALU { "32" } else { "" };
            if op == 0xd0 {
                let name = match i.opc {
                    0xd4 => "le",
                    0xdc => "be",
                    _ => "bswap",
                };
                return format!("{name}{} %r{d}", i.imm);
            }
            if op == 0x80 {
                return format!("neg{sfx} %r{d}");
            }
            if op == 0xb0 && i.off != 0 {
                let w = if i.class() == CLS_ALU { "32" } else { "64" };
                return format!("movsx{}{w} %r{d}, %r{s}", i.off);
            }
            let name = match (op, i.off) {
                (0x30, 1) => "sdiv",
                (0x90, 1) => "smod",
                _ => ALU_NAMES.iter().find(|(c, _)| *c == op).map_or("?", |(_, n)| n),
            };
            if i.opc & SRC_X != 0 {
                format!("{name}{sfx} %r{d}, %r{s}")
            } else {
                format!("{name}{sfx} %r{d}, {}", i.imm)
            }
        }
        CLS_JMP | CLS_JMP32 => {
            let sfx = if i.class() == CLS_JMP32 { "32" } else { "" };
            match i.opc {
                EXIT => "exit".into(),
                CALL if i.src == 1 => format!("call local {}", rel(i.imm as i64)),
                CALL => format!("call {}", i.imm),
                CALLX => format!("call %r{d}"),
                0x05 => format!("ja {}", rel(i.off as i64)),
                0x06 => format!("ja32 {}", rel(i.imm as i64)),
                _ => {
                    let name = JMP_NAMES.iter().find(|(c, _)| *c == op).map_or("?", |(_, n)| n);
                    if i.opc & SRC_X != 0 {
                        format!("{name}{sfx} %r{d}, %r{s}, {}", rel(i.off as i64))
                    } else {
                        format!("{name}{sfx} %r{d}, {}, {}", i.imm, rel(i.off as i64))
                    }
                }
            }
        }
        CLS_LDX if i.opc & 0xe0 == MODE_MEMSX => format!("ldxs{} %r{d}, {}", size_suffix(i), mem(s, i.off)),
        CLS_LDX => format!("ldx{} %r{d}, {}", size_suffix(i), mem(s, i.off)),
        CLS_ST => format!("st{} {}, {}", size_suffix(i), mem(d, i.off), i.imm),
        CLS_STX if i.opc & 0xe0 == MODE_ATOMIC => {
            let w = if i.opc & 0x18 == SIZE_W { "32" } else { "" };
            let fetch = if i.imm & ATOMIC_FETCH != 0 && i.imm < 0xe0 { "fetch " } else { "" };
            let name = match i.imm {
                ATOMIC_XCHG => "xchg",
                ATOMIC_CMPXCHG => "cmpxchg",
                x => match x & !ATOMIC_FETCH {
                    0x00 => "add",
                    0x40 => "or",
                    0x50 => "and",
                    _ => "xor",
                },
            };
            format!("lock {fetch}{name}{w} {}, %r{s}", mem(d, i.off))
        }
        CLS_STX => format!("stx{} {}, %r{s}", size_suffix(i), mem(d, i.off)),
        _ => format!("# .raw {:#04x} {} {} {} {}", i.opc, d, s, i.off, i.imm),
    }
}

#[cfg(test)]
mod tests {
    use super::super::asm::assemble;
    use super::*;

    #[test]
    fn round_trips() {
        let src =
            "mov32 %r0, -3\nsdiv %r0, %r1\nmovsx1632 %r2, %r3\nbe16 %r1\nswap64 %r1\nneg %r2\nldxsh %r1, [%r2-2]\n\
                   sth [%r1+4], 7\nlock fetch add [%r1+0], %r2\nlock cmpxchg32 [%r1+0], %r2\njsle32 %r1, -1, +1\n\
                   ja -2\nja32 +1\ncall 5\ncall %r2\ncall local -1\nlddw %r1, 0xffffffff80000000\nexit\n";
        let p = assemble(src).unwrap();
        let text = disassemble(&p);
        assert_eq!(assemble(&text).unwrap(), p, "{text}");
    }
}
