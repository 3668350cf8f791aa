//! Random, mostly invalid IR: `Interpreter::new` must reject it or run it, never panic.
//! Operands are drawn from any value of the function (so uses need not be dominated by
//! their definitions, which the decoder does not check), types and opcodes at random,
//! entity references sometimes out of range.

mod common;
use common::*;
use strata_ir::{
    Arg, Block, BlockCall, DataId, DataObject, ExternFunc, ExternId, FloatCC, FloatFlags, FuncId, Function, InstData,
    IntCC, Interpreter, Linkage, Module, Opcode, Param, ParamKind, Signature, StackSlot, TrapCode, Type, Value,
};

const TYPES: [&str; 14] =
    ["bool", "i8", "i16", "i32", "i64", "f32", "f64", "ptr", "f32x4", "i32x4", "boolx4", "f64x8", "i8x2", "f32x8"];

const INT_OPS: [Opcode; 20] = [
    Opcode::Iadd,
    Opcode::Isub,
    Opcode::Imul,
    Opcode::Sdiv,
    Opcode::Udiv,
    Opcode::Srem,
    Opcode::Urem,
    Opcode::Smin,
    Opcode::Umax,
    Opcode::Band,
    Opcode::Bxor,
    Opcode::Bnot,
    Opcode::Shl,
    Opcode::Ashr,
    Opcode::Clz,
    Opcode::Popcnt,
    Opcode::Icmp,
    Opcode::Select,
    Opcode::Ineg,
    Opcode::Splat,
];
const FLOAT_OPS: [Opcode; 12] = [
    Opcode::Fadd,
    Opcode::Fsub,
    Opcode::Fmul,
    Opcode::Fdiv,
    Opcode::Fmin,
    Opcode::Fmax,
    Opcode::Fneg,
    Opcode::Fsqrt,
    Opcode::Fnearest,
    Opcode::Fma,
    Opcode::Fcmp,
    Opcode::ReduceAdd,
];

fn pick<T: Copy>(rng: &mut Rng, xs: &[T]) -> T {
    xs[(rng.next() % xs.len() as u64) as usize]
}

fn ty(rng: &mut Rng) -> Type {
    pick(rng, &TYPES).parse().unwrap()
}

fn random_function(rng: &mut Rng, name: &str, nfuncs: u32) -> Function {
    let mut params = Vec::new();
    for k in 0..rng.next() % 3 {
        params.push(match rng.next() % 3 {
            0 => Param::slice(format!("s{k}"), pick(rng, &[Type::I32, Type::F32, Type::I8]), rng.one_in(2)),
            _ => Param::scalar(format!("p{k}"), ty(rng)),
        });
    }
    let ret = (!rng.one_in(3)).then(|| ty(rng));
    let mut f = Function::new(name, Linkage::Export, Signature::new(params, ret));
    f.create_stack_slot((rng.next() % 32) as u32, 1 << (rng.next() % 4));
    let nblocks = 1 + rng.next() % 4;
    let blocks: Vec<Block> = (0..nblocks).map(|_| f.dfg.make_block()).collect();
    let mut pool: Vec<Value> = Vec::new();
    for (i, &b) in blocks.iter().enumerate() {
        f.layout.append_block(b);
        let ptypes = if i == 0 { f.sig.abi_params() } else { (0..rng.next() % 3).map(|_| ty(rng)).collect() };
        for t in ptypes {
            pool.push(f.dfg.append_block_param(b, t));
        }
    }
    let val = |rng: &mut Rng, pool: &[Value]| -> Value {
        if pool.is_empty() || rng.one_in(50) {
            Value::from_u32((rng.next() % 100) as u32)
        } else {
            pick(rng, pool)
        }
    };
    for &b in &blocks {
        for _ in 0..rng.next() % 6 {
            // Mostly operands of one type and an opcode that suits it, like well-typed IR;
            // sometimes anything.
            let first = val(rng, &pool);
            let class = f.dfg.values.is_valid(first).then(|| f.dfg.value_type(first));
            let op = match class {
                Some(t) if t.is_int() && !rng.one_in(4) => pick(rng, &INT_OPS),
                Some(t) if t.is_float() && !rng.one_in(4) => pick(rng, &FLOAT_OPS),
                _ => pick(rng, Opcode::ALL),
            };
            if op.is_terminator() {
                continue;
            }
            let same: Vec<Value> = if f.dfg.values.is_valid(first) {
                pool.iter().copied().filter(|&v| f.dfg.value_type(v) == f.dfg.value_type(first)).collect()
            } else {
                vec![]
            };
            let other = |rng: &mut Rng| {
                if !same.is_empty() && !rng.one_in(4) {
                    pick(rng, &same)
                } else {
                    val(rng, &pool)
                }
            };
            let args: Vec<Value> = vec![first, other(rng), other(rng)];
            let flags = FloatFlags::NONE;
            let data = match op.format() {
                strata_ir::Format::IntConst => InstData::IntConst { imm: rng.next() as i64 },
                strata_ir::Format::FloatConst => InstData::FloatConst { bits: rng.next() },
                strata_ir::Format::BoolConst => InstData::BoolConst { imm: rng.one_in(2) },
                strata_ir::Format::Unary => InstData::Unary { op, arg: args[0], flags },
                strata_ir::Format::Binary => InstData::Binary { op, args: [args[0], args[1]], flags },
                strata_ir::Format::Ternary => InstData::Ternary { op, args: [args[0], args[1], args[2]], flags },
                strata_ir::Format::IntCompare => {
                    InstData::IntCompare { cond: pick(rng, &IntCC::ALL), args: [args[0], args[1]] }
                }
                strata_ir::Format::FloatCompare => {
                    InstData::FloatCompare { cond: pick(rng, &FloatCC::ALL), args: [args[0], args[1]] }
                }
                strata_ir::Format::Load => InstData::Load { args: [args[0], args[1]] },
                strata_ir::Format::Store => InstData::Store { args: [args[0], args[1], args[2]] },
                strata_ir::Format::BoundsCheck => InstData::BoundsCheck { args: [args[0], args[1]] },
                strata_ir::Format::StackAddr => {
                    InstData::StackAddr { slot: StackSlot::from_u32((rng.next() % 2) as u32) }
                }
                strata_ir::Format::DataAddr => InstData::DataAddr { data: DataId::from_u32((rng.next() % 2) as u32) },
                strata_ir::Format::ExtractLane => InstData::ExtractLane { arg: args[0], lane: (rng.next() % 5) as u8 },
                strata_ir::Format::InsertLane => {
                    InstData::InsertLane { args: [args[0], args[1]], lane: (rng.next() % 5) as u8 }
                }
                strata_ir::Format::Call => InstData::Call {
                    func: FuncId::from_u32((rng.next() % (nfuncs as u64 + 1)) as u32),
                    args: args[..(rng.next() % 3) as usize].to_vec(),
                },
                strata_ir::Format::CallHost => InstData::CallHost {
                    func: ExternId::from_u32((rng.next() % 2) as u32),
                    args: args[..(rng.next() % 2) as usize].to_vec(),
                },
                _ => continue,
            };
            // Results of plausible types: the operand's type, its bool form, or random.
            let arg_ty = f.dfg.values.is_valid(args[0]).then(|| f.dfg.value_type(args[0]));
            let rty = match (op, rng.next() % 8) {
                (Opcode::Store | Opcode::BoundsCheck, _) | (_, 0) => None,
                (_, 1) => Some(ty(rng)),
                (Opcode::Icmp | Opcode::Fcmp, _) => arg_ty.map(|t| t.as_bool()),
                (Opcode::Select, _) => f.dfg.values.is_valid(args[1]).then(|| f.dfg.value_type(args[1])),
                (Opcode::StackAddr | Opcode::DataAddr | Opcode::PtrAdd, _) => Some(Type::PTR),
                (Opcode::Extractlane | Opcode::ReduceAdd | Opcode::ReduceMin | Opcode::ReduceMax, _) => {
                    arg_ty.map(|t| t.lane_type())
                }
                _ => arg_ty.or_else(|| Some(ty(rng))),
            };
            let inst = f.dfg.make_inst(data, rty);
            f.layout.append_inst(inst, b);
            if let Some(r) = f.dfg.inst_result(inst) {
                pool.push(r);
            }
        }
        let target = |rng: &mut Rng, pool: &[Value]| {
            let t = pick(rng, &blocks);
            let n = f.dfg.block_params(t).len() + if rng.one_in(10) { 1 } else { 0 };
            BlockCall::new(t, (0..n).map(|_| val(rng, pool)).collect())
        };
        let term = match rng.next() % 5 {
            0 => InstData::Jump { dest: target(rng, &pool) },
            1 => InstData::Brif { cond: val(rng, &pool), then_dest: target(rng, &pool), else_dest: target(rng, &pool) },
            2 => InstData::Trap { code: TrapCode::User(1) },
            3 if rng.one_in(8) => continue, // no terminator
            _ => {
                // Return a value of the right type when there is one.
                let fitting: Vec<Value> = match f.sig.ret {
                    Some(t) => pool.iter().copied().filter(|&v| f.dfg.value_type(v) == t).collect(),
                    None => vec![],
                };
                let arg = match f.sig.ret {
                    Some(_) if !fitting.is_empty() && !rng.one_in(8) => Some(pick(rng, &fitting)),
                    Some(_) => Some(val(rng, &pool)),
                    None => (rng.one_in(8)).then(|| val(rng, &pool)),
                };
                InstData::Return { arg }
            }
        };
        let inst = f.dfg.make_inst(term, None);
        f.layout.append_inst(inst, b);
    }
    f
}

/// Arguments for `f`: small non-zero scalars, zeroed vectors, and 16-byte slices (leaked,
/// so they outlive the call without lifetime juggling in the test).
fn args_for(f: &Function) -> Vec<Arg<'static>> {
    f.sig
        .params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Scalar(t) if t.is_vector() => {
                Arg::Val(strata_ir::Val::Vector(strata_ir::VectorVal::zeroed(t).unwrap()))
            }
            ParamKind::Scalar(t) => Arg::Val(strata_ir::Val::from_bits(t, 1).unwrap()),
            ParamKind::Slice { mutable, .. } => {
                let buf: &'static mut [u8] = Box::leak(vec![0u8; 16].into_boxed_slice());
                if mutable {
                    Arg::SliceMut(buf)
                } else {
                    Arg::Slice(buf)
                }
            }
        })
        .collect()
}

#[test]
fn random_ir_never_panics() {
    let mut decoded = 0;
    let mut ran = 0;
    for seed in 1..20_000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let nfuncs = 1 + (rng.next() % 2) as u32;
        let mut m = Module::new();
        m.add_data(DataObject::from_f32s("d", &[1.0, 2.0]));
        m.add_extern(ExternFunc { name: "h".into(), params: vec![Type::I32], ret: Some(Type::I32) });
        for k in 0..nfuncs {
            m.add_function(random_function(&mut rng, &format!("f{k}"), nfuncs));
        }
        let result = std::panic::catch_unwind(|| {
            // The decoder must refuse malformed IR on its own, so bypass the verifier here;
            // modules the verifier accepts must then also decode.
            let verified = strata_ir::verify_module(&m).is_ok();
            let decoded = Interpreter::new_without_verifying(&m);
            assert!(!verified || decoded.is_ok(), "a verified module failed to decode");
            assert_eq!(Interpreter::new(&m).is_ok(), verified && decoded.is_ok());
            let Ok(i) = decoded else { return (0, 0) };
            let i = i.with_fuel(1000).with_max_call_depth(20).with_host("h", |a| Ok(a.first().copied()));
            let mut n = 0;
            for f in m.functions.values() {
                let mut args = args_for(f);
                let _ = i.call(&f.name, &mut args);
                n += 1;
            }
            (1, n)
        });
        match result {
            Ok((d, r)) => {
                decoded += d;
                ran += r;
            }
            Err(_) => panic!("panicked on random module with seed {seed}"),
        }
    }
    // Most random modules are invalid; make sure some got through to execution.
    assert!(decoded > 300 && ran > 300, "decoded {decoded}, ran {ran}");
}
