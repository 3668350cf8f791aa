//! The assembler for the conformance suite's syntax (`mov %r0, 1`, `ldxw %r1, [%r2+4]`,
//! `jeq %r1, 0x13, label`, `lock fetch add [%r1+0], %r2`, `call local f`, ...).
//! Errors carry the 1-based source line.

use super::error::BpfError;
use super::insn::*;
use std::collections::HashMap;

enum Target {
    Label(String),
    Rel(i64),
}

struct Stmt {
    line: usize,
    slot: usize,
    insn: Insn,
    /// A jump or local-call target still to resolve; `true` = goes in imm.
    target: Option<(Target, bool)>,
    /// The high half of an `lddw`.
    hi: Option<i32>,
}

/// Assembles `src` into instruction slots.
pub fn assemble(src: &str) -> Result<Vec<Insn>, BpfError> {
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut stmts = Vec::new();
    let mut slot = 0usize;
    let mut first_exit = None;
    for (n, raw) in src.lines().enumerate() {
        let line = n + 1;
        let text = raw.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        if let Some(name) = text.strip_suffix(':') {
            let name = name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(BpfError::new(line, format!("bad label `{text}`")));
            }
            if labels.insert(name.to_string(), slot).is_some() {
                return Err(BpfError::new(line, format!("label `{name}` defined twice")));
            }
            continue;
        }
        let (insn, target, hi) = parse_insn(text).map_err(|m| BpfError::new(line, m))?;
        if insn.opc == EXIT && first_exit.is_none() {
            first_exit = Some(slot);
        }
        stmts.push(Stmt { line, slot, insn, target, hi });
        slot += if hi.is_some() { 2 } else { 1 };
    }
    if let Some(e) = first_exit {
        labels.entry("exit".to_string()).or_insert(e);
    }
    let mut out = Vec::with_capacity(slot);
    for s in stmts {
        let mut insn = s.insn;
        if let Some((t, in_imm)) = s.target {
            let rel = match t {
                Target::Rel(r) => r,
                Target::Label(l) => match labels.get(&l) {
                    Some(&to) => to as i64 - s.slot as i64 - 1,
                    None => return Err(BpfError::new(s.line, format!("unknown label `{l}`"))),
                },
            };
            if in_imm {
                insn.imm = i32::try_from(rel).map_err(|_| BpfError::new(s.line, "jump offset out of range"))?;
            } else {
                insn.off = i16::try_from(rel).map_err(|_| BpfError::new(s.line, "jump offset out of range"))?;
            }
        }
        out.push(insn);
        if let Some(hi) = s.hi {
            out.push(Insn::new(0, 0, 0, 0, hi));
        }
    }
    Ok(out)
}

type Parsed = (Insn, Option<(Target, bool)>, Option<i32>);

fn parse_insn(text: &str) -> Result<Parsed, String> {
    let (mn, rest) = match text.find(char::is_whitespace) {
        Some(p) => (&text[..p], text[p..].trim()),
        None => (text, ""),
    };
    let ops: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split(',').map(str::trim).collect() };
    let nops = |k: usize| {
        if ops.len() == k {
            Ok(())
        } else {
            Err(format!("`{mn}` takes {k} operand(s), found {}", ops.len()))
        }
    };
    let plain = |i: Insn| Ok((i, None, None));
    match mn {
        "exit" => {
            nops(0)?;
            return plain(Insn::new(EXIT, 0, 0, 0, 0));
        }
        "lock" => return parse_atomic(rest),
        "call" => {
            if let Some(l) = rest.strip_prefix("local") {
                let t = parse_target(l.trim())?;
                return Ok((Insn::new(CALL, 0, 1, 0, 0), Some((t, true)), None));
            }
            nops(1)?;
            if ops[0].starts_with('%') {
                return plain(Insn::new(CALLX, reg(ops[0])?, 0, 0, 0));
            }
            return plain(Insn::new(CALL, 0, 0, 0, imm32(ops[0])?));
        }
        "ja" | "ja32" => {
            nops(1)?;
            let cls = if mn == "ja" { CLS_JMP } else { CLS_JMP32 };
            return Ok((Insn::new(cls, 0, 0, 0, 0), Some((parse_target(ops[0])?, mn == "ja32")), None));
        }
        "lddw" => {
            nops(2)?;
            let v = imm64(ops[1])?;
            return Ok((Insn::new(LDDW, reg(ops[0])?, 0, 0, v as i32), None, Some((v >> 32) as i32)));
        }
        _ => {}
    }
    // Loads and stores.
    let size_of = |s: &str| match s {
        "b" => Some(SIZE_B),
        "h" => Some(SIZE_H),
        "w" => Some(SIZE_W),
        "dw" => Some(SIZE_DW),
        _ => None,
    };
    if let Some(s) = mn.strip_prefix("ldxs").and_then(size_of) {
        nops(2)?;
        if s == SIZE_DW {
            return Err("no ldxsdw".into());
        }
        let (r, off) = mem(ops[1])?;
        return plain(Insn::new(CLS_LDX | MODE_MEMSX | s, reg(ops[0])?, r, off, 0));
    }
    if let Some(s) = mn.strip_prefix("ldx").and_then(size_of) {
        nops(2)?;
        let (r, off) = mem(ops[1])?;
        return plain(Insn::new(CLS_LDX | MODE_MEM | s, reg(ops[0])?, r, off, 0));
    }
    if let Some(s) = mn.strip_prefix("stx").and_then(size_of) {
        nops(2)?;
        let (r, off) = mem(ops[0])?;
        return plain(Insn::new(CLS_STX | MODE_MEM | s, r, reg(ops[1])?, off, 0));
    }
    if let Some(s) = mn.strip_prefix("st").and_then(size_of) {
        nops(2)?;
        let (r, off) = mem(ops[0])?;
        return plain(Insn::new(CLS_ST | MODE_MEM | s, r, 0, off, imm32(ops[1])?));
    }
    // Byte swaps.
    for (prefix, opc) in [("be", 0xdc), ("le", 0xd4), ("bswap", 0xd7), ("swap", 0xd7)] {
        if let Some(w) = mn.strip_prefix(prefix) {
            if let Ok(w @ (16 | 32 | 64)) = w.parse::<i32>() {
                nops(1)?;
                return plain(Insn::new(opc, reg(ops[0])?, 0, 0, w));
            }
        }
    }
    let (base, wide) =
        if let Some(b) = mn.strip_suffix("32") { (b, false) } else { (mn.strip_suffix("64").unwrap_or(mn), true) };
    // movsx: movsx864 / movsx1664 / movsx3264 / movsx832 / movsx1632.
    if let Some(from) = base.strip_prefix("movsx") {
        let off: i16 = from.parse().map_err(|_| format!("unknown mnemonic `{mn}`"))?;
        nops(2)?;
        let cls = if wide { CLS_ALU64 } else { CLS_ALU };
        return plain(Insn::new(cls | 0xb0 | SRC_X, reg(ops[0])?, reg(ops[1])?, off, 0));
    }
    let (alu_name, off) = match base {
        "sdiv" => ("div", 1),
        "smod" => ("mod", 1),
        b => (b, 0),
    };
    if let Some(&(code, _)) = ALU_NAMES.iter().find(|(_, n)| *n == alu_name && *n != "end") {
        let cls = if wide { CLS_ALU64 } else { CLS_ALU };
        if code == 0x80 {
            nops(1)?;
            return plain(Insn::new(cls | code, reg(ops[0])?, 0, 0, 0));
        }
        nops(2)?;
        let dst = reg(ops[0])?;
        return plain(if ops[1].starts_with('%') {
            Insn::new(cls | code | SRC_X, dst, reg(ops[1])?, off, 0)
        } else {
            Insn::new(cls | code, dst, 0, off, imm32(ops[1])?)
        });
    }
    if let Some(&(code, _)) = JMP_NAMES.iter().find(|(_, n)| *n == base) {
        nops(3)?;
        let cls = if wide { CLS_JMP } else { CLS_JMP32 };
        let dst = reg(ops[0])?;
        let insn = if ops[1].starts_with('%') {
            Insn::new(cls | code | SRC_X, dst, reg(ops[1])?, 0, 0)
        } else {
            Insn::new(cls | code, dst, 0, 0, imm32(ops[1])?)
        };
        return Ok((insn, Some((parse_target(ops[2])?, false)), None));
    }
    Err(format!("unknown mnemonic `{mn}`"))
}

fn parse_atomic(rest: &str) -> Result<Parsed, String> {
    let (fetch, rest) = match rest.strip_prefix("fetch") {
        Some(r) if r.starts_with(char::is_whitespace) => (true, r.trim()),
        _ => (false, rest),
    };
    let (op, rest) = match rest.find(char::is_whitespace) {
        Some(p) => (&rest[..p], rest[p..].trim()),
        None => return Err("bad atomic instruction".into()),
    };
    let (op, size) = match op.strip_suffix("32") {
        Some(o) => (o, SIZE_W),
        None => (op.strip_suffix("64").unwrap_or(op), SIZE_DW),
    };
    let imm = match op {
        "add" => 0x00,
        "or" => 0x40,
        "and" => 0x50,
        "xor" => 0xa0,
        "xchg" if !fetch => ATOMIC_XCHG,
        "cmpxchg" if !fetch => ATOMIC_CMPXCHG,
        _ => return Err(format!("unknown atomic operation `{op}`")),
    } | if fetch { ATOMIC_FETCH } else { 0 };
    let ops: Vec<&str> = rest.split(',').map(str::trim).collect();
    if ops.len() != 2 {
        return Err("atomic takes 2 operands".into());
    }
    let (r, off) = mem(ops[0])?;
    Ok((Insn::new(CLS_STX | MODE_ATOMIC | size, r, reg(ops[1])?, off, imm), None, None))
}

fn reg(s: &str) -> Result<u8, String> {
    match s.strip_prefix("%r").and_then(|n| n.parse::<u8>().ok()) {
        Some(n) if n <= 10 => Ok(n),
        _ => Err(format!("bad register `{s}`")),
    }
}

/// A signed decimal or `0x` hex integer (hex may carry a leading `-`).
fn int(s: &str) -> Result<i128, String> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i128::from_str_radix(h, 16)
    } else {
        body.parse::<i128>()
    }
    .map_err(|_| format!("bad number `{s}`"))?;
    if v > u64::MAX as i128 {
        return Err(format!("number `{s}` out of range"));
    }
    Ok(if neg { -v } else { v })
}

fn imm32(s: &str) -> Result<i32, String> {
    let v = int(s)?;
    if (i32::MIN as i128..=u32::MAX as i128).contains(&v) {
        Ok(v as i64 as i32)
    } else {
        Err(format!("immediate `{s}` does not fit in 32 bits"))
    }
}

fn imm64(s: &str) -> Result<i64, String> {
    let v = int(s)?;
    if (i64::MIN as i128..=u64::MAX as i128).contains(&v) {
        Ok(v as i64)
    } else {
        Err(format!("immediate `{s}` does not fit in 64 bits"))
    }
}

fn mem(s: &str) -> Result<(u8, i16), String> {
    let inner = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .ok_or_else(|| format!("bad memory operand `{s}`"))?
        .trim();
    let (r, off) = match inner.find(['+', '-']) {
        Some(p) => (inner[..p].trim(), int(inner[p..].trim().replace(' ', "").as_str())?),
        None => (inner, 0),
    };
    let off = i16::try_from(off).map_err(|_| format!("offset in `{s}` out of range"))?;
    Ok((reg(r)?, off))
}

fn parse_target(s: &str) -> Result<Target, String> {
    if s.starts_with(['+', '-']) {
        let v = int(s)?;
        return i64::try_from(v).map(Target::Rel).map_err(|_| format!("bad offset `{s}`"));
    }
    if s.is_empty() || s.contains(char::is_whitespace) {
        return Err(format!("bad jump target `{s}`"));
    }
    Ok(Target::Label(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembles_examples() {
        let p =
            assemble("ldxb %r0, [%r1+0]\nadd %r0, %r2\njne %r0, 0x13, fail\nexit\nfail:\nmov %r0, -1\nexit").unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[2], Insn::new(0x55, 0, 0, 1, 0x13));
        let p =
            assemble("lddw %r1, 0x8877665544332211\nlock fetch xor32 [%r10-8], %r1\nja32 +0\ncall local f\nf:\nexit")
                .unwrap();
        assert_eq!(p[0].imm as u32, 0x44332211);
        assert_eq!(p[1].imm as u32, 0x88776655);
        assert_eq!(p[2], Insn::new(0xc3, 10, 1, -8, 0xa1));
        assert_eq!(p[3], Insn::new(0x06, 0, 0, 0, 0));
        assert_eq!(p[4], Insn::new(0x85, 0, 1, 0, 0));
        assert_eq!(assemble("mov %r0, 0x80000000").unwrap()[0].imm, i32::MIN);
    }

    #[test]
    fn errors_have_lines() {
        assert_eq!(assemble("exit\nfoo %r1").unwrap_err().index, 2);
        assert!(assemble("mov %r11, 1").is_err());
        assert!(assemble("mov %r0, 0x100000000").is_err());
        assert!(assemble("ja nowhere").is_err());
    }
}
