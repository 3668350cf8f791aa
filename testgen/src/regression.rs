//! Regression files: a reduced failing module, the call that showed the failure and the
//! interpreter's expected outcome, in one `.sir` file that the IR parser reads as is
//! (the metadata lines are `;!` comments).
//!
//! ```text
//! ;! seed 0x1f kind ir found baseline -O2
//! ;! call p0
//! ;! arg slice ro 0a0b0c
//! ;! arg slice rw 0000
//! ;! arg i64 0x5
//! ;! expect return i32 0x7
//! ;! expect slice 0100
//! export fn @p0(...) { ... }
//! ```
//! `expect trap CODE` replaces the return and slice lines when the call traps. This file
//! only reads and writes the format; `tests/regressions.rs` replays the files.

use crate::run::{Input, Outcome};
use strata_ir::interp::Val;
use strata_ir::{Module, TrapCode, Type};

/// A parsed regression file.
#[derive(Clone, Debug)]
pub struct Regression {
    /// The free-form first metadata line (seed, kind, where it was found).
    pub origin: String,
    pub function: String,
    pub inputs: Vec<Input>,
    pub expect: Outcome,
    pub module: Module,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in `{s}`"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(|| format!("bad hex byte at {i} in `{s}`"))
        })
        .collect()
}

fn val_text(v: &Val) -> String {
    format!("{} {:#x}", v.ty(), v.to_bits().unwrap_or(0))
}

fn parse_val(ty: &str, bits: &str) -> Result<Val, String> {
    let ty: Type = ty.parse().map_err(|e| format!("bad type `{ty}`: {e:?}"))?;
    let bits = u64::from_str_radix(bits.trim_start_matches("0x"), 16).map_err(|e| format!("bad bits `{bits}`: {e}"))?;
    Val::from_bits(ty, bits).ok_or_else(|| format!("no scalar of type {ty}"))
}

/// The text of a regression file.
pub fn write(origin: &str, function: &str, inputs: &[Input], expect: &Outcome, module: &Module) -> String {
    let mut s = format!(";! {origin}\n;! call {function}\n");
    for i in inputs {
        match i {
            Input::Scalar(v) => s += &format!(";! arg {}\n", val_text(v)),
            Input::Slice { bytes, mutable } => {
                s += &format!(";! arg slice {} {}\n", if *mutable { "rw" } else { "ro" }, hex(bytes))
            }
        }
    }
    match expect {
        Outcome::Trapped(code) => s += &format!(";! expect trap {code}\n"),
        Outcome::Returned { ret, slices } => {
            match ret {
                Some(v) => s += &format!(";! expect return {}\n", val_text(v)),
                None => s += ";! expect return none\n",
            }
            for b in slices {
                s += &format!(";! expect slice {}\n", hex(b));
            }
        }
        Outcome::Failed(m) => s += &format!(";! expect failure {m}\n"),
    }
    s += &strata_ir::print_module(module);
    s
}

/// Parses a regression file.
pub fn read(text: &str) -> Result<Regression, String> {
    let mut origin = String::new();
    let mut function = None;
    let mut inputs = Vec::new();
    let mut ret = None;
    let mut returned = false;
    let mut slices = Vec::new();
    let mut trap = None;
    for (n, line) in text.lines().enumerate() {
        let Some(meta) = line.strip_prefix(";!") else { continue };
        let words: Vec<&str> = meta.split_whitespace().collect();
        let err = |m: String| format!("line {}: {m}", n + 1);
        match words.as_slice() {
            ["call", f] => function = Some(f.to_string()),
            ["arg", "slice", rw, bytes] => {
                inputs.push(Input::Slice { bytes: unhex(bytes).map_err(err)?, mutable: *rw == "rw" })
            }
            ["arg", "slice", rw] => inputs.push(Input::Slice { bytes: Vec::new(), mutable: *rw == "rw" }),
            ["arg", ty, bits] => inputs.push(Input::Scalar(parse_val(ty, bits).map_err(err)?)),
            ["expect", "return", "none"] => returned = true,
            ["expect", "return", ty, bits] => {
                returned = true;
                ret = Some(parse_val(ty, bits).map_err(err)?);
            }
            ["expect", "slice", bytes] => slices.push(unhex(bytes).map_err(err)?),
            ["expect", "slice"] => slices.push(Vec::new()),
            ["expect", "trap", code] => {
                trap = Some(TrapCode::from_name(code).ok_or_else(|| err(format!("unknown trap `{code}`")))?)
            }
            _ if origin.is_empty() => origin = meta.trim().to_string(),
            _ => return Err(err(format!("unknown metadata `{}`", meta.trim()))),
        }
    }
    let function = function.ok_or("no `;! call NAME` line")?;
    let expect = match (trap, returned) {
        (Some(code), false) => Outcome::Trapped(code),
        (None, true) => Outcome::Returned { ret, slices },
        _ => return Err("need exactly one of `;! expect trap` and `;! expect return`".into()),
    };
    let module = strata_ir::parse_module(text).map_err(|e| format!("IR: {e}"))?;
    Ok(Regression { origin, function, inputs, expect, module })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let m = crate::ir_gen::program(3, "p0").unwrap();
        let inputs = vec![
            Input::Slice { bytes: vec![1, 2, 255], mutable: false },
            Input::Slice { bytes: vec![0, 0], mutable: true },
            Input::Scalar(Val::I64(-3)),
            Input::Scalar(Val::F32(f32::NAN)),
        ];
        let expect = Outcome::Returned { ret: Some(Val::F64(-0.0)), slices: vec![vec![9, 8]] };
        let text = write("seed 0x3 kind ir found baseline -O2", "p0", &inputs, &expect, &m);
        let r = read(&text).unwrap();
        assert_eq!(r.function, "p0");
        assert_eq!(r.inputs, inputs);
        assert_eq!(r.expect, expect);
        assert_eq!(strata_ir::print_module(&r.module), strata_ir::print_module(&m));
        assert!(r.origin.starts_with("seed 0x3"));
        let trapped = write("x", "p0", &inputs, &Outcome::Trapped(TrapCode::User(7)), &m);
        assert_eq!(read(&trapped).unwrap().expect, Outcome::Trapped(TrapCode::User(7)));
        assert!(read("no metadata").is_err());
    }
}
