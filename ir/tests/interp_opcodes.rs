//! Every opcode runs at least once: `sample` matches exhaustively on `Opcode`, so a new
//! opcode does not compile until it has a case here.

mod common;
use common::*;
use strata_ir::interp::to_le_bytes;
use strata_ir::{
    Arg, DataObject, ExternFunc, FloatCC, FloatFlags, FuncId, InstData, IntCC, Interpreter, Module, Opcode, Param,
    TrapCode, Type, Val, VectorVal,
};

/// How a sample should end.
enum Expect {
    Val(Val),
    Trap(TrapCode),
}

fn f32x4(xs: [f32; 4]) -> Val {
    Val::Vector(VectorVal::from_f32s(&xs).unwrap())
}
fn i32x4(xs: [i32; 4]) -> Val {
    Val::Vector(VectorVal::from_i32s(&xs).unwrap())
}

/// Runs `op` once and checks the outcome.
fn sample(op: Opcode) {
    use Opcode as O;
    let i32v = Val::I32;
    let (args, ret, expect): (Vec<Val>, Type, Expect) = match op {
        O::Iconst => (vec![], Type::I8, Expect::Val(Val::I8(-1))),
        O::Fconst => (vec![], Type::F32, Expect::Val(Val::F32(1.5))),
        O::Bconst => (vec![], Type::BOOL, Expect::Val(Val::Bool(true))),
        O::Iadd => (vec![i32v(i32::MAX), i32v(1)], Type::I32, Expect::Val(i32v(i32::MIN))),
        O::Isub => (vec![Val::I8(-128), Val::I8(1)], Type::I8, Expect::Val(Val::I8(127))),
        O::Imul => (vec![Val::I16(300), Val::I16(300)], Type::I16, Expect::Val(Val::I16(300i16.wrapping_mul(300)))),
        O::Sdiv => (vec![i32v(-7), i32v(2)], Type::I32, Expect::Val(i32v(-3))),
        O::Udiv => (vec![i32v(-16), i32v(16)], Type::I32, Expect::Val(i32v(0x0fff_ffff))),
        O::Srem => (vec![i32v(-7), i32v(2)], Type::I32, Expect::Val(i32v(-1))),
        O::Urem => (vec![i32v(-1), i32v(10)], Type::I32, Expect::Val(i32v((u32::MAX % 10) as i32))),
        O::Ineg => (vec![Val::I64(i64::MIN)], Type::I64, Expect::Val(Val::I64(i64::MIN))),
        O::Smin => (vec![Val::I8(-1), Val::I8(1)], Type::I8, Expect::Val(Val::I8(-1))),
        O::Smax => (vec![Val::I8(-1), Val::I8(1)], Type::I8, Expect::Val(Val::I8(1))),
        O::Umin => (vec![Val::I8(-1), Val::I8(1)], Type::I8, Expect::Val(Val::I8(1))),
        O::Umax => (vec![Val::I8(-1), Val::I8(1)], Type::I8, Expect::Val(Val::I8(-1))),
        O::Band => (vec![i32v(0b1100), i32v(0b1010)], Type::I32, Expect::Val(i32v(0b1000))),
        O::Bor => (vec![i32v(0b1100), i32v(0b1010)], Type::I32, Expect::Val(i32v(0b1110))),
        O::Bxor => (vec![i32v(0b1100), i32v(0b1010)], Type::I32, Expect::Val(i32v(0b0110))),
        O::Bnot => (vec![Val::I16(0)], Type::I16, Expect::Val(Val::I16(-1))),
        O::Shl => (vec![i32v(1), i32v(33)], Type::I32, Expect::Val(i32v(2))),
        O::Lshr => (vec![i32v(-1), i32v(28)], Type::I32, Expect::Val(i32v(0xf))),
        O::Ashr => (vec![i32v(-16), i32v(2)], Type::I32, Expect::Val(i32v(-4))),
        O::Popcnt => (vec![Val::I64(-1)], Type::I64, Expect::Val(Val::I64(64))),
        O::Clz => (vec![Val::I16(1)], Type::I16, Expect::Val(Val::I16(15))),
        O::Ctz => (vec![Val::I32(0)], Type::I32, Expect::Val(i32v(32))),
        O::Bswap => (vec![i32v(0x1234_5678)], Type::I32, Expect::Val(i32v(0x7856_3412))),
        O::Fadd => (vec![Val::F32(0.1), Val::F32(0.2)], Type::F32, Expect::Val(Val::F32(0.1 + 0.2))),
        O::Fsub => (vec![Val::F64(0.3), Val::F64(0.1)], Type::F64, Expect::Val(Val::F64(0.3 - 0.1))),
        O::Fmul => (vec![Val::F32(1e30), Val::F32(1e30)], Type::F32, Expect::Val(Val::F32(f32::INFINITY))),
        O::Fdiv => (vec![Val::F64(1.0), Val::F64(-0.0)], Type::F64, Expect::Val(Val::F64(f64::NEG_INFINITY))),
        O::Fmin => (vec![Val::F32(0.0), Val::F32(-0.0)], Type::F32, Expect::Val(Val::F32(-0.0))),
        O::Fmax => (vec![Val::F32(-0.0), Val::F32(0.0)], Type::F32, Expect::Val(Val::F32(0.0))),
        O::Fcopysign => (vec![Val::F64(2.0), Val::F64(-0.0)], Type::F64, Expect::Val(Val::F64(-2.0))),
        O::Fneg => (vec![Val::F32(0.0)], Type::F32, Expect::Val(Val::F32(-0.0))),
        O::Fabs => (vec![Val::F64(-3.5)], Type::F64, Expect::Val(Val::F64(3.5))),
        O::Fsqrt => (vec![Val::F32(2.0)], Type::F32, Expect::Val(Val::F32(2f32.sqrt()))),
        O::Ffloor => (vec![Val::F64(-1.5)], Type::F64, Expect::Val(Val::F64(-2.0))),
        O::Fceil => (vec![Val::F64(-1.5)], Type::F64, Expect::Val(Val::F64(-1.0))),
        O::Ftrunc => (vec![Val::F32(-1.7)], Type::F32, Expect::Val(Val::F32(-1.0))),
        O::Fnearest => (vec![Val::F32(2.5)], Type::F32, Expect::Val(Val::F32(2.0))),
        O::Fma => (
            vec![Val::F64(0.1), Val::F64(10.0), Val::F64(-1.0)],
            Type::F64,
            Expect::Val(Val::F64(0.1f64.mul_add(10.0, -1.0))),
        ),
        O::Fexp => (vec![Val::F32(1.0)], Type::F32, Expect::Val(Val::F32(strata_ir::abi::strata_expf(1.0)))),
        O::Flog => (vec![Val::F64(10.0)], Type::F64, Expect::Val(Val::F64(strata_ir::abi::strata_log(10.0)))),
        O::Fsin => (vec![Val::F32(1.0)], Type::F32, Expect::Val(Val::F32(strata_ir::abi::strata_sinf(1.0)))),
        O::Fcos => (vec![Val::F64(1.0)], Type::F64, Expect::Val(Val::F64(strata_ir::abi::strata_cos(1.0)))),
        O::Fpow => (
            vec![Val::F32(2.0), Val::F32(0.5)],
            Type::F32,
            Expect::Val(Val::F32(strata_ir::abi::strata_powf(2.0, 0.5))),
        ),
        O::Icmp => (vec![i32v(-1), i32v(0)], Type::BOOL, Expect::Val(Val::Bool(true))),
        O::Fcmp => (vec![Val::F32(f32::NAN), Val::F32(0.0)], Type::BOOL, Expect::Val(Val::Bool(true))),
        O::Select => (vec![Val::Bool(false), i32v(1), i32v(2)], Type::I32, Expect::Val(i32v(2))),
        O::Sext => (vec![Val::I8(-2)], Type::I64, Expect::Val(Val::I64(-2))),
        O::Zext => (vec![Val::I8(-2)], Type::I64, Expect::Val(Val::I64(254))),
        O::Trunc => (vec![Val::I64(0x1_0000_00ff)], Type::I8, Expect::Val(Val::I8(-1))),
        O::Fpromote => (vec![Val::F32(0.1)], Type::F64, Expect::Val(Val::F64(0.1f32 as f64))),
        O::Fdemote => (vec![Val::F64(0.1)], Type::F32, Expect::Val(Val::F32(0.1))),
        O::Sitofp => (vec![Val::I64(-3)], Type::F32, Expect::Val(Val::F32(-3.0))),
        O::Uitofp => (vec![Val::I64(-1)], Type::F64, Expect::Val(Val::F64(u64::MAX as f64))),
        O::Fptosi => (vec![Val::F64(-1e10)], Type::I32, Expect::Val(i32v(i32::MIN))),
        O::Fptoui => (vec![Val::F32(-1.0)], Type::I32, Expect::Val(i32v(0))),
        O::Bitcast => (vec![Val::F32(-0.0)], Type::I32, Expect::Val(i32v(i32::MIN))),
        O::PtrToInt => (vec![Val::Ptr(0x1234)], Type::I64, Expect::Val(Val::I64(0x1234))),
        O::IntToPtr => (vec![Val::I64(0x1234)], Type::PTR, Expect::Val(Val::Ptr(0x1234))),
        O::PtrAdd => (vec![Val::Ptr(u64::MAX), Val::I64(2)], Type::PTR, Expect::Val(Val::Ptr(1))),
        O::Load | O::Store | O::StackAddr => (vec![i32v(7)], Type::I32, Expect::Val(i32v(7))),
        O::BoundsCheck => (vec![Val::I64(-1), Val::I64(10)], Type::I64, Expect::Trap(TrapCode::OutOfBounds)),
        O::DataAddr => (vec![], Type::F32, Expect::Val(Val::F32(0.5))),
        O::Splat => (vec![Val::F32(1.5)], Type::F32X4, Expect::Val(f32x4([1.5; 4]))),
        O::Extractlane => (vec![i32x4([1, 2, 3, 4])], Type::I32, Expect::Val(i32v(3))),
        O::Insertlane => (vec![i32x4([1, 2, 3, 4]), i32v(9)], Type::I32X4, Expect::Val(i32x4([1, 9, 3, 4]))),
        O::ReduceAdd => (
            vec![f32x4([1e8, 1.0, -1e8, 1.0])],
            Type::F32,
            Expect::Val(Val::F32([1e8f32, 1.0, -1e8, 1.0].iter().fold(-0.0, |a, x| a + x))),
        ),
        O::ReduceMin => (vec![i32x4([3, -2, 7, 0])], Type::I32, Expect::Val(i32v(-2))),
        O::ReduceMax => (vec![f32x4([3.0, f32::NAN, 7.0, 0.0])], Type::F32, Expect::Val(Val::F32(f32::NAN))),
        O::Call => (vec![i32v(20)], Type::I32, Expect::Val(i32v(21))),
        O::CallHost => (vec![i32v(20)], Type::I32, Expect::Val(i32v(40))),
        O::Jump | O::Brif | O::Return => (vec![i32v(5)], Type::I32, Expect::Val(i32v(10))),
        O::Trap => (vec![], Type::I32, Expect::Trap(TrapCode::User(7))),
    };

    let mut m = Module::new();
    m.add_data(DataObject::from_f32s("d", &[0.25, 0.5]));
    m.add_extern(ExternFunc { name: "twice".into(), params: vec![Type::I32], ret: Some(Type::I32) });
    let f = func("t", params_of(&args), Some(ret), |b, p| {
        let none = FloatFlags::NONE;
        let v = match op {
            O::Iconst => b.iconst(Type::I8, 0x1ff),
            O::Fconst => b.fconst(Type::F32, 1.5),
            O::Bconst => b.bconst(true),
            O::Fma => b.fma(none, p[0], p[1], p[2]),
            O::Select => b.select(p[0], p[1], p[2]),
            O::Icmp => b.icmp(IntCC::Slt, p[0], p[1]),
            O::Fcmp => b.fcmp(FloatCC::Uno, p[0], p[1]),
            O::Sext | O::Zext | O::Trunc | O::Fpromote | O::Fdemote | O::Sitofp | O::Uitofp | O::Fptosi | O::Fptoui => {
                b.convert(op, ret, p[0])
            }
            O::Bitcast | O::PtrToInt | O::IntToPtr | O::Splat => b.convert(op, ret, p[0]),
            O::Load | O::Store | O::StackAddr => {
                let ss = b.func.create_stack_slot(8, 4);
                let a = b.stack_addr(ss);
                let off = b.iconst(Type::I64, 4);
                b.store(a, off, p[0]);
                b.load(Type::I32, a, off)
            }
            O::BoundsCheck => {
                b.bounds_check(p[0], p[1]);
                p[1]
            }
            O::DataAddr => {
                let a = b.data_addr(strata_ir::DataId::from_u32(0));
                let off = b.iconst(Type::I64, 4);
                b.load(Type::F32, a, off)
            }
            O::Extractlane => b.extractlane(p[0], 2),
            O::Insertlane => b.insertlane(p[0], p[1], 1),
            O::Call => b.call(FuncId::from_u32(1), Some(Type::I32), &[p[0]]).unwrap(),
            O::CallHost => b.call_host(strata_ir::ExternId::from_u32(0), Some(Type::I32), &[p[0]]).unwrap(),
            O::Jump | O::Brif | O::Return => {
                // if p0 > 0 { p0 * 2 } else { 0 }
                let (yes, no, join) = (b.create_block(), b.create_block(), b.create_block());
                let r = b.append_block_param(join, Type::I32);
                let z = b.iconst(Type::I32, 0);
                let c = b.icmp(IntCC::Sgt, p[0], z);
                b.brif(c, yes, &[], no, &[]);
                b.switch_to_block(yes);
                let d = b.iadd(p[0], p[0]);
                b.jump(join, &[d]);
                b.switch_to_block(no);
                b.jump(join, &[z]);
                b.switch_to_block(join);
                r
            }
            O::Trap => {
                b.trap(TrapCode::User(7));
                return;
            }
            _ => match args.len() {
                1 => b.unary(op, p[0]),
                _ => b.binary(op, p[0], p[1]),
            },
        };
        b.ret(Some(v));
    });
    m.add_function(f);
    // Function 1: the callee of the `call` sample.
    m.add_function(func("inc", vec![Param::scalar("x", Type::I32)], Some(Type::I32), |b, p| {
        let one = b.iconst(Type::I32, 1);
        let v = b.iadd(p[0], one);
        b.ret(Some(v));
    }));
    // Vector samples return vectors from the exported test function, which the verifier
    // rejects for exports (the array-call ABI has no vector slots) but the interpreter can
    // do; this test is about opcode semantics, so it skips verification.
    let interp = Interpreter::new_without_verifying(&m)
        .unwrap_or_else(|e| panic!("{op}: {e}"))
        .with_host("twice", |a| Ok(Some(Val::I32(a[0].as_i64().unwrap() as i32 * 2))));
    let mut call_args: Vec<Arg> = args.iter().map(|&v| Arg::Val(v)).collect();
    let got = interp.call("t", &mut call_args);
    match expect {
        Expect::Val(v) => assert_eq!(got, Ok(Some(v)), "{op}"),
        Expect::Trap(c) => assert_eq!(got.map_err(|e| e.trap_code()), Err(Some(c)), "{op}"),
    }
}

#[test]
fn every_opcode() {
    for &op in Opcode::ALL {
        sample(op);
    }
}

#[test]
fn instruction_formats_agree_with_the_opcode_table() {
    // The decoder rejects an instruction whose data does not fit its opcode's format.
    let f = func("t", vec![Param::scalar("x", Type::I32)], Some(Type::I32), |b, p| {
        let v = b.ins(InstData::Unary { op: Opcode::Iadd, arg: p[0], flags: FloatFlags::NONE }, Some(Type::I32));
        let v = b.func.dfg.inst_result(v).unwrap();
        b.ret(Some(v));
    });
    let err = Interpreter::new(&module(vec![f])).unwrap_err();
    assert!(err.to_string().contains("iadd"), "{err}");
    let _ = to_le_bytes::<u8>(&[]);
}
