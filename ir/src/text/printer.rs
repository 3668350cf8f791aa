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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{Block, DataId, ExternId, FuncId};
    use crate::instructions::{IntCC, TrapCode};
    use crate::opcode::Opcode;
    use crate::signature::{Param, Signature};
    use crate::FunctionBuilder;
    use pretty_assertions::assert_eq;

    /// A module whose function is built out of order: the exit block and its parameter are
    /// created before the body, so entity numbers differ from the printed ones.
    fn built() -> Module {
        let mut m = Module::new();
        let expf = m.add_extern(ExternFunc { name: "expf".into(), params: vec![Type::F32], ret: Some(Type::F32) });
        let taps = m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5]));
        let sig =
            Signature::new(vec![Param::slice("x", Type::F32, false), Param::scalar("g", Type::F32)], Some(Type::F32));
        let mut f = Function::new("apply", Linkage::Export, sig);
        let mut b = FunctionBuilder::new(&mut f);
        let p = b.create_entry_block();
        let exit = b.create_block();
        let body = b.create_block();
        let acc = b.append_block_param(exit, Type::F32);
        let slot = b.func.create_stack_slot(16, 16);
        let zero = b.iconst(Type::I64, 0);
        let c = b.icmp(IntCC::Ult, zero, p[1]);
        b.brif(c, body, &[], exit, &[p[2]]);
        b.switch_to_block(body);
        b.seal_block(body);
        b.bounds_check(zero, p[1]);
        let x0 = b.load(Type::F32, p[0], zero);
        let t = b.data_addr(taps);
        let t0 = b.load(Type::F32, t, zero);
        let prod = b.binary_flags(Opcode::Fmul, FloatFlags::CONTRACT, x0, t0);
        let e = b.call_host(expf, Some(Type::F32), &[prod]).unwrap();
        let sa = b.stack_addr(slot);
        b.store(sa, zero, e);
        let v = b.load(Type::F32, sa, zero);
        let s = b.fadd(v, p[2]);
        b.jump(exit, &[s]);
        b.switch_to_block(exit);
        b.seal_block(exit);
        b.ret(Some(acc));
        b.finalize().unwrap();
        m.add_function(f);
        m
    }

    const BUILT: &str = "\
extern fn @expf(f32) -> f32

data @taps: f32 = [0.25, 0.5]

export fn @apply(x: [f32], g: f32) -> f32 {
    ss0 = stack_slot 16, align 16
block0(v0: ptr, v1: i64, v2: f32):
    v3 = iconst.i64 0
    v4 = icmp.bool ult v3, v1
    brif v4, block1, block2(v2)
block1:
    bounds_check v3, v1
    v5 = load.f32 v0, v3
    v6 = data_addr.ptr @taps
    v7 = load.f32 v6, v3
    v8 = fmul.f32 contract v5, v7
    v9 = call_host.f32 @expf(v8)
    v10 = stack_addr.ptr ss0
    store v10, v3, v9
    v11 = load.f32 v10, v3
    v12 = fadd.f32 v11, v2
    br block2(v12)
block2(v13: f32):
    return v13
}
";

    #[test]
    fn builder_function_prints_canonically() {
        let m = built();
        assert_eq!(print_module(&m), BUILT);
        assert_eq!(m.to_string(), BUILT);
        let f = &m.functions[FuncId::from_u32(0)];
        // The exit block was created second but is laid out last.
        assert_eq!(f.layout.last_block(), Some(Block::from_u32(1)));
        assert!(BUILT.ends_with(&print_function(&m, f)));
        // Parsing gives back a module that prints the same.
        assert_eq!(print_module(&crate::parse_module(BUILT).unwrap()), BUILT);
    }

    #[test]
    fn print_inst_matches_the_function_text() {
        let m = built();
        let f = &m.functions[FuncId::from_u32(0)];
        let lines: Vec<String> = f
            .layout
            .blocks()
            .flat_map(|b| f.layout.block_insts(b).collect::<Vec<_>>())
            .map(|i| format!("    {}", print_inst(&m, f, i)))
            .collect();
        let text = print_function(&m, f);
        let body: Vec<&str> = text.lines().filter(|l| l.starts_with("    ") && !l.contains("stack_slot")).collect();
        assert_eq!(lines, body);
        let names = Names::new(f);
        let last = f.layout.last_inst(f.layout.last_block().unwrap()).unwrap();
        assert_eq!(print_inst_with(&m, f, &names, last), "return v13");
    }

    #[test]
    fn items_are_separated_by_blank_lines() {
        let mut m = Module::new();
        assert_eq!(print_module(&m), "");
        m.add_extern(ExternFunc { name: "log".into(), params: vec![], ret: None });
        m.add_extern(ExternFunc { name: "add".into(), params: vec![Type::I32, Type::I32], ret: Some(Type::I32) });
        m.add_data(DataObject::from_ints("b", Type::I8, &[-1, 255, 127, 128]));
        m.add_data(DataObject::from_f64s("z", &[-0.0, f64::INFINITY, f64::NAN, 1e-300]));
        assert_eq!(
            print_module(&m),
            "extern fn @log()\n\nextern fn @add(i32, i32) -> i32\n\ndata @b: i8 = [-1, -1, 127, -128]\n\n\
             data @z: f64 = [-0.0, inf, nan, 1e-300]\n"
        );
    }

    #[test]
    fn broken_ir_prints_with_markers() {
        let mut m = Module::new();
        m.add_data(DataObject { name: "odd".into(), elem: Type::F32, bytes: vec![0, 0, 0x80, 0x3f, 7] });
        let mut f = Function::new("bad", Linkage::Local, Signature::default());
        let b = f.dfg.make_block();
        f.layout.append_block(b);
        let dangling = crate::Value::from_u32(40);
        let insts = [
            (
                InstData::Binary { op: Opcode::Iadd, args: [dangling, dangling], flags: FloatFlags::NONE },
                Some(Type::I32),
            ),
            (InstData::Call { func: FuncId::from_u32(9), args: vec![] }, None),
            (InstData::DataAddr { data: DataId::from_u32(9) }, Some(Type::PTR)),
            (InstData::CallHost { func: ExternId::from_u32(5), args: vec![] }, None),
            (InstData::StackAddr { slot: StackSlot::from_u32(3) }, Some(Type::PTR)),
            (InstData::Jump { dest: BlockCall::new(Block::from_u32(7), vec![]) }, None),
            (InstData::Trap { code: TrapCode::User(3) }, None),
        ];
        for (data, ty) in insts {
            let i = f.dfg.make_inst(data, ty);
            f.layout.append_inst(i, b);
        }
        let text = print_function(&m, &f);
        assert_eq!(
            text,
            "fn @bad() {\nblock0:\n    v0 = iadd.i32 v?40, v?40\n    call @?fn9()\n    v1 = data_addr.ptr @?data9\n    \
             call_host @?extern5()\n    v2 = stack_addr.ptr ss?3\n    br block?7\n    trap user3\n}\n"
        );
        assert_eq!(print_inst(&m, &f, Inst::from_u32(99)), "<no instruction inst99>");
        assert_eq!(m.to_string(), "data @odd: f32 = [1.0] ; broken data object: 1 trailing bytes not shown\n");
    }

    #[test]
    fn float_constants_print_by_result_width() {
        let mut f = Function::new("k", Linkage::Local, Signature::default());
        let b = f.dfg.make_block();
        f.layout.append_block(b);
        let consts: [(u64, Type); 6] = [
            (u64::from(0.1f32.to_bits()), Type::F32),
            (0.1f64.to_bits(), Type::F64),
            (u64::from(f32::NAN.to_bits()), Type::F32),
            (0xffc0_0000, Type::F32),
            (u64::from(f32::NEG_INFINITY.to_bits()), Type::F32),
            (1e100f64.to_bits(), Type::F64),
        ];
        for (bits, ty) in consts {
            let i = f.dfg.make_inst(InstData::FloatConst { bits }, Some(ty));
            f.layout.append_inst(i, b);
        }
        let text = print_function(&Module::new(), &f);
        let expected = "v0 = fconst.f32 0.1\n    v1 = fconst.f64 0.1\n    v2 = fconst.f32 nan\n    \
                        v3 = fconst.f32 nan:0xffc00000\n    v4 = fconst.f32 -inf\n    v5 = fconst.f64 1e100\n";
        assert!(text.contains(expected), "{text}");
    }
}
