//! The printer: writes modules, functions and instructions in the text format of
//! `docs/ir.md`, naming blocks and values with the canonical numbering of [`Names`]. It must
//! not change or judge the IR: broken IR (dangling references, odd data sizes) prints as well
//! as it can, with `?` markers, instead of panicking, so that the verifier can quote it.

use super::literals::format_float;
use super::names::Names;
use crate::entities::{Inst, StackSlot};
use crate::function::{Function, Linkage};
use crate::instructions::{BlockCall, FloatFlags, InstData};
use crate::module::{DataObject, ExternFunc, Module};
use crate::types::{LaneType, Type};
use crate::Value;
use std::fmt::{self, Write};

/// The whole module: externs, then data objects, then functions, each group in id order,
/// with a blank line between items.
pub fn print_module(m: &Module) -> String {
    m.to_string()
}

/// One function, resolving the `@names` of callees, data objects and externs through `m`.
pub fn print_function(m: &Module, f: &Function) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write_function(&mut s, m, f);
    s
}

/// One instruction (no indentation, no newline), numbered as [`print_function`] numbers it.
/// Builds the numbering of `f` on each call; use [`print_inst_with`] to quote many.
pub fn print_inst(m: &Module, f: &Function, inst: Inst) -> String {
    print_inst_with(m, f, &Names::new(f), inst)
}

/// One instruction, named with an existing numbering of `f`.
pub fn print_inst_with(m: &Module, f: &Function, names: &Names, inst: Inst) -> String {
    let mut s = String::new();
    let _ = write_inst(&mut s, m, f, names, inst);
    s
}

impl fmt::Display for Module {
    fn fmt(&self, w: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut sep = |w: &mut fmt::Formatter<'_>| if std::mem::take(&mut first) { Ok(()) } else { w.write_str("\n") };
        for e in self.externs.values() {
            sep(w)?;
            write_extern(w, e)?;
        }
        for d in self.data.values() {
            sep(w)?;
            write_data(w, d)?;
        }
        for f in self.functions.values() {
            sep(w)?;
            write_function(w, self, f)?;
        }
        Ok(())
    }
}

fn write_extern(w: &mut impl Write, e: &ExternFunc) -> fmt::Result {
    write!(w, "extern fn @{}(", e.name)?;
    for (i, t) in e.params.iter().enumerate() {
        write!(w, "{}{t}", if i > 0 { ", " } else { "" })?;
    }
    w.write_str(")")?;
    if let Some(r) = e.ret {
        write!(w, " -> {r}")?;
    }
    w.write_str("\n")
}

fn write_data(w: &mut impl Write, d: &DataObject) -> fmt::Result {
    write!(w, "data @{}: {} = [", d.name, d.elem)?;
    // Elements are written lane by lane, each lane as a literal of the lane type.
    let lane = d.elem.lane();
    let lane_bytes = (lane.bits() / 8).max(1) as usize;
    let mut chunks = d.bytes.chunks_exact(lane_bytes);
    for (i, c) in chunks.by_ref().enumerate() {
        let mut le = [0u8; 8];
        le[..c.len()].copy_from_slice(c);
        let raw = u64::from_le_bytes(le);
        let text = match lane {
            LaneType::F32 => format_float(raw, true),
            LaneType::F64 => format_float(raw, false),
            // Integers print sign-extended from their width, as `iconst` immediates do.
            _ => {
                let shift = 64 - 8 * c.len() as u32;
                (((raw << shift) as i64) >> shift).to_string()
            }
        };
        write!(w, "{}{text}", if i > 0 { ", " } else { "" })?;
    }
    w.write_str("]")?;
    let rest = chunks.remainder().len();
    if rest > 0 {
        write!(w, " ; broken data object: {rest} trailing bytes not shown")?;
    }
    w.write_str("\n")
}

fn write_function(w: &mut impl Write, m: &Module, f: &Function) -> fmt::Result {
    let export = if f.linkage == Linkage::Export { "export " } else { "" };
    writeln!(w, "{export}fn @{}{} {{", f.name, f.sig)?;
    for (ss, data) in f.stack_slots.iter() {
        writeln!(w, "    {ss} = stack_slot {}, align {}", data.size, data.align)?;
    }
    let names = Names::new(f);
    for b in f.layout.blocks() {
        write!(w, "{}", names.block(b))?;
        let params = f.dfg.blocks.get(b).map_or(&[][..], |d| &d.params[..]);
        if !params.is_empty() {
            w.write_str("(")?;
            for (i, &p) in params.iter().enumerate() {
                write!(w, "{}{}: ", if i > 0 { ", " } else { "" }, names.value(p))?;
                write_value_type(w, f, p)?;
            }
            w.write_str(")")?;
        }
        w.write_str(":\n")?;
        for inst in f.layout.block_insts(b) {
            w.write_str("    ")?;
            write_inst(w, m, f, &names, inst)?;
            w.write_str("\n")?;
        }
    }
    w.write_str("}\n")
}

fn write_value_type(w: &mut impl Write, f: &Function, v: Value) -> fmt::Result {
    match f.dfg.values.get(v) {
        Some(d) => write!(w, "{}", d.ty),
        None => w.write_str("?"),
    }
}

fn write_inst(w: &mut impl Write, m: &Module, f: &Function, names: &Names, inst: Inst) -> fmt::Result {
    let Some(data) = f.dfg.insts.get(inst) else {
        return write!(w, "<no instruction {inst}>");
    };
    let result = f.dfg.inst_result(inst);
    let result_ty: Option<Type> = result.and_then(|r| f.dfg.values.get(r)).map(|d| d.ty);
    if let Some(r) = result {
        write!(w, "{} = ", names.value(r))?;
    }
    w.write_str(data.opcode().name())?;
    if let Some(r) = result {
        w.write_str(".")?;
        write_value_type(w, f, r)?;
    }
    let v = |v: Value| names.value(v);
    match data {
        InstData::IntConst { imm } => write!(w, " {imm}"),
        InstData::FloatConst { bits } => {
            let is_f32 = result_ty.is_some_and(|t| t.lane() == LaneType::F32);
            write!(w, " {}", format_float(*bits, is_f32))
        }
        InstData::BoolConst { imm } => write!(w, " {imm}"),
        InstData::Unary { arg, flags, .. } => {
            write_flags(w, *flags)?;
            write!(w, " {}", v(*arg))
        }
        InstData::Binary { args: [a, b], flags, .. } => {
            write_flags(w, *flags)?;
            write!(w, " {}, {}", v(*a), v(*b))
        }
        InstData::Ternary { args: [a, b, c], flags, .. } => {
            write_flags(w, *flags)?;
            write!(w, " {}, {}, {}", v(*a), v(*b), v(*c))
        }
        InstData::IntCompare { cond, args: [a, b] } => write!(w, " {} {}, {}", cond.name(), v(*a), v(*b)),
        InstData::FloatCompare { cond, args: [a, b] } => write!(w, " {} {}, {}", cond.name(), v(*a), v(*b)),
        InstData::Load { args: [a, b] } | InstData::BoundsCheck { args: [a, b] } => {
            write!(w, " {}, {}", v(*a), v(*b))
        }
        InstData::Store { args: [a, b, c] } => write!(w, " {}, {}, {}", v(*a), v(*b), v(*c)),
        InstData::StackAddr { slot } => write_slot(w, f, *slot),
        InstData::DataAddr { data } => match m.data.get(*data) {
            Some(d) => write!(w, " @{}", d.name),
            None => write!(w, " @?{data}"),
        },
        InstData::ExtractLane { arg, lane } => write!(w, " {}, {lane}", v(*arg)),
        InstData::InsertLane { args: [a, b], lane } => write!(w, " {}, {}, {lane}", v(*a), v(*b)),
        InstData::Call { func, args } => {
            match m.functions.get(*func) {
                Some(callee) => write!(w, " @{}", callee.name)?,
                None => write!(w, " @?{func}")?,
            }
            write_args(w, names, args)
        }
        InstData::CallHost { func, args } => {
            match m.externs.get(*func) {
                Some(e) => write!(w, " @{}", e.name)?,
                None => write!(w, " @?{func}")?,
            }
            write_args(w, names, args)
        }
        InstData::Jump { dest } => {
            w.write_str(" ")?;
            write_target(w, names, dest)
        }
        InstData::Brif { cond, then_dest, else_dest } => {
            write!(w, " {}, ", v(*cond))?;
            write_target(w, names, then_dest)?;
            w.write_str(", ")?;
            write_target(w, names, else_dest)
        }
        InstData::Return { arg: Some(a) } => write!(w, " {}", v(*a)),
        InstData::Return { arg: None } => Ok(()),
        InstData::Trap { code } => write!(w, " {code}"),
    }
}

fn write_slot(w: &mut impl Write, f: &Function, slot: StackSlot) -> fmt::Result {
    if f.stack_slots.is_valid(slot) {
        write!(w, " {slot}")
    } else {
        write!(w, " ss?{}", slot.as_u32())
    }
}

fn write_flags(w: &mut impl Write, flags: FloatFlags) -> fmt::Result {
    for (flag, name) in FloatFlags::NAMED {
        if flags.contains(flag) {
            write!(w, " {name}")?;
        }
    }
    Ok(())
}

/// `(a, b)`, always with parentheses (call arguments).
fn write_args(w: &mut impl Write, names: &Names, args: &[Value]) -> fmt::Result {
    w.write_str("(")?;
    for (i, &a) in args.iter().enumerate() {
        write!(w, "{}{}", if i > 0 { ", " } else { "" }, names.value(a))?;
    }
    w.write_str(")")
}

/// `block3` or `block3(a, b)`: branch targets without arguments have no parentheses.
fn write_target(w: &mut impl Write, names: &Names, t: &BlockCall) -> fmt::Result {
    write!(w, "{}", names.block(t.block))?;
    if t.args.is_empty() {
        Ok(())
    } else {
        write_args(w, names, &t.args)
    }
}
