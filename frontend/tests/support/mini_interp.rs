//! TEMPORARY STAND-IN — NOT THE STRATA INTERPRETER.
//!
//! A deliberately tiny IR evaluator covering only the instructions the kernel-language
//! frontend emits, with the API of `strata_ir::interp` (`Interpreter::new(&module)`,
//! `call(name, &mut [Arg])`, `Arg::{Val, Slice, SliceMut}`, `Val`, `to_le_bytes`,
//! `from_le_bytes`), so that `tests/kernels.rs` can run the example kernels before the
//! real interpreter lands on `main`. When it does, `tests/kernels.rs` switches its `use`
//! to `strata_ir::interp` and this file is deleted. Semantics follow `docs/ir.md`.

use std::collections::HashMap;
use strata_ir::{Block, FloatCC, FuncId, Function, InstData, IntCC, Module, Opcode, ParamKind, TrapCode, Type, Value};

#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    /// A slice region and a byte offset (the only pointers the frontend makes).
    Ptr(usize, i64),
}

impl Val {
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Val::I32(x) => Some(x as i64),
            Val::I64(x) => Some(x),
            _ => None,
        }
    }
    pub fn as_f32(&self) -> Option<f32> {
        match *self {
            Val::F32(x) => Some(x),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Val::F64(x) => Some(x),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub enum Arg<'a> {
    Val(Val),
    Slice(&'a [u8]),
    SliceMut(&'a mut [u8]),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trap {
    pub code: TrapCode,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InterpError {
    Trap(Trap),
    Other(String),
}

pub trait LeBytes: Copy {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
}
macro_rules! le {
    ($($t:ty),*) => {$(impl LeBytes for $t {
        const SIZE: usize = std::mem::size_of::<$t>();
        fn put(self, out: &mut Vec<u8>) { out.extend_from_slice(&self.to_le_bytes()) }
        fn get(b: &[u8]) -> Self { let mut a = [0u8; std::mem::size_of::<$t>()]; let n = a.len(); a.copy_from_slice(&b[..n]); <$t>::from_le_bytes(a) }
    })*};
}
le!(i32, i64, f32, f64);

pub fn to_le_bytes<T: LeBytes>(xs: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    xs.iter().for_each(|x| x.put(&mut out));
    out
}
pub fn from_le_bytes<T: LeBytes>(b: &[u8]) -> Vec<T> {
    b.chunks_exact(T::SIZE).map(T::get).collect()
}

type HostFn = Box<dyn Fn(&[Val]) -> Result<Option<Val>, TrapCode>>;

pub struct Interpreter<'m> {
    module: &'m Module,
    hosts: HashMap<String, HostFn>,
}

fn trap<T>(code: TrapCode) -> Result<T, InterpError> {
    Err(InterpError::Trap(Trap { code }))
}

impl<'m> Interpreter<'m> {
    pub fn new(module: &'m Module) -> Result<Self, InterpError> {
        Ok(Interpreter { module, hosts: HashMap::new() })
    }

    pub fn with_host(mut self, name: &str, f: impl Fn(&[Val]) -> Result<Option<Val>, TrapCode> + 'static) -> Self {
        self.hosts.insert(name.to_string(), Box::new(f));
        self
    }

    pub fn call(&self, name: &str, args: &mut [Arg<'_>]) -> Result<Option<Val>, InterpError> {
        let id = self.module.func_by_name(name).ok_or_else(|| InterpError::Other(format!("no function {name}")))?;
        let f = &self.module.functions[id];
        let mut mem: Vec<Vec<u8>> = Vec::new();
        let mut abi = Vec::new();
        for (p, a) in f.sig.params.iter().zip(args.iter()) {
            match (p.kind, a) {
                (ParamKind::Scalar(_), Arg::Val(v)) => abi.push(*v),
                (ParamKind::Slice { elem, .. }, Arg::Slice(b)) => {
                    abi.push(Val::Ptr(mem.len(), 0));
                    abi.push(Val::I64((b.len() / elem.bytes().unwrap_or(1) as usize) as i64));
                    mem.push(b.to_vec());
                }
                (ParamKind::Slice { elem, .. }, Arg::SliceMut(b)) => {
                    abi.push(Val::Ptr(mem.len(), 0));
                    abi.push(Val::I64((b.len() / elem.bytes().unwrap_or(1) as usize) as i64));
                    mem.push(b.to_vec());
                }
                _ => return Err(InterpError::Other(format!("bad argument for {}", p.name))),
            }
        }
        let r = self.run(id, abi, &mut mem, 0);
        // Copy writable slices back (also after a trap: memory written before it stays).
        let mut k = 0;
        for (p, a) in f.sig.params.iter().zip(args.iter_mut()) {
            if let ParamKind::Slice { .. } = p.kind {
                if let Arg::SliceMut(b) = a {
                    b.copy_from_slice(&mem[k]);
                }
                k += 1;
            }
        }
        r
    }

    fn run(&self, id: FuncId, args: Vec<Val>, mem: &mut Vec<Vec<u8>>, depth: u32) -> Result<Option<Val>, InterpError> {
        if depth > 1000 {
            return trap(TrapCode::StackOverflow);
        }
        let f: &Function = &self.module.functions[id];
        let mut env: HashMap<Value, Val> = HashMap::new();
        let mut block: Block = f.entry_block().ok_or_else(|| InterpError::Other("no body".into()))?;
        let mut incoming = args;
        loop {
            for (p, v) in f.dfg.block_params(block).iter().zip(incoming.drain(..)) {
                env.insert(*p, v);
            }
            let mut next = None;
            for inst in f.layout.block_insts(block) {
                let data = &f.dfg.insts[inst];
                let a: Vec<Val> = data.args().iter().map(|v| env[v]).collect();
                let ty = f.dfg.inst_result(inst).map(|r| f.dfg.value_type(r));
                let res: Option<Val> = match data {
                    InstData::IntConst { imm } => {
                        Some(if ty == Some(Type::I32) { Val::I32(*imm as i32) } else { Val::I64(*imm) })
                    }
                    InstData::FloatConst { bits } => Some(if ty == Some(Type::F32) {
                        Val::F32(f32::from_bits(*bits as u32))
                    } else {
                        Val::F64(f64::from_bits(*bits))
                    }),
                    InstData::BoolConst { imm } => Some(Val::Bool(*imm)),
                    InstData::Unary { op, .. } => Some(unary(*op, a[0], ty)?),
                    InstData::Binary { op, .. } => Some(binary(*op, a[0], a[1])?),
                    InstData::Ternary { op: Opcode::Select, .. } => {
                        Some(if a[0] == Val::Bool(true) { a[1] } else { a[2] })
                    }
                    InstData::Ternary { op: Opcode::Fma, .. } => Some(match (a[0], a[1], a[2]) {
                        (Val::F32(x), Val::F32(y), Val::F32(z)) => Val::F32(x.mul_add(y, z)),
                        (Val::F64(x), Val::F64(y), Val::F64(z)) => Val::F64(x.mul_add(y, z)),
                        _ => return Err(InterpError::Other("fma types".into())),
                    }),
                    InstData::IntCompare { cond, .. } => Some(Val::Bool(icmp(*cond, a[0], a[1]))),
                    InstData::FloatCompare { cond, .. } => Some(Val::Bool(fcmp(*cond, a[0], a[1]))),
                    InstData::BoundsCheck { .. } => {
                        let (i, n) = (a[0].as_i64().unwrap_or(-1), a[1].as_i64().unwrap_or(0));
                        if (i as u64) >= (n as u64) {
                            return trap(TrapCode::OutOfBounds);
                        }
                        None
                    }
                    InstData::Load { .. } => {
                        let Val::Ptr(r, base) = a[0] else { return Err(InterpError::Other("load base".into())) };
                        let off = (base + a[1].as_i64().unwrap_or(0)) as usize;
                        let t = ty.unwrap_or(Type::I64);
                        let n = t.bytes().unwrap_or(0) as usize;
                        let bytes = mem
                            .get(r)
                            .and_then(|m| m.get(off..off + n))
                            .ok_or(InterpError::Trap(Trap { code: TrapCode::OutOfBounds }))?;
                        Some(match t {
                            Type::I32 => Val::I32(i32::get(bytes)),
                            Type::I64 => Val::I64(i64::get(bytes)),
                            Type::F32 => Val::F32(f32::get(bytes)),
                            _ => Val::F64(f64::get(bytes)),
                        })
                    }
                    InstData::Store { .. } => {
                        let Val::Ptr(r, base) = a[0] else { return Err(InterpError::Other("store base".into())) };
                        let off = (base + a[1].as_i64().unwrap_or(0)) as usize;
                        let mut out = Vec::new();
                        match a[2] {
                            Val::I32(x) => x.put(&mut out),
                            Val::I64(x) => x.put(&mut out),
                            Val::F32(x) => x.put(&mut out),
                            Val::F64(x) => x.put(&mut out),
                            _ => return Err(InterpError::Other("store value".into())),
                        }
                        let dst = mem
                            .get_mut(r)
                            .and_then(|m| m.get_mut(off..off + out.len()))
                            .ok_or(InterpError::Trap(Trap { code: TrapCode::OutOfBounds }))?;
                        dst.copy_from_slice(&out);
                        None
                    }
                    InstData::Call { func, .. } => self.run(*func, a, mem, depth + 1)?,
                    InstData::CallHost { func, .. } => {
                        let name = &self.module.externs[*func].name;
                        let h = self.hosts.get(name).ok_or_else(|| InterpError::Other(format!("no host {name}")))?;
                        match h(&a) {
                            Ok(v) => v,
                            Err(code) => return trap(code),
                        }
                    }
                    InstData::Jump { dest } => {
                        next = Some((dest.block, dest.args.iter().map(|v| env[v]).collect()));
                        None
                    }
                    InstData::Brif { cond, then_dest, else_dest } => {
                        let d = if env[cond] == Val::Bool(true) { then_dest } else { else_dest };
                        next = Some((d.block, d.args.iter().map(|v| env[v]).collect()));
                        None
                    }
                    InstData::Return { arg } => return Ok(arg.map(|v| env[&v])),
                    InstData::Trap { code } => return trap(*code),
                    other => return Err(InterpError::Other(format!("unsupported {other:?}"))),
                };
                if let (Some(r), Some(v)) = (f.dfg.inst_result(inst), res) {
                    env.insert(r, v);
                }
            }
            let (b, args) = next.ok_or_else(|| InterpError::Other("fell off a block".into()))?;
            block = b;
            incoming = args;
        }
    }
}

fn unary(op: Opcode, a: Val, ty: Option<Type>) -> Result<Val, InterpError> {
    use Val::*;
    Ok(match (op, a) {
        (Opcode::Ineg, I32(x)) => I32(x.wrapping_neg()),
        (Opcode::Ineg, I64(x)) => I64(x.wrapping_neg()),
        (Opcode::Bnot, I32(x)) => I32(!x),
        (Opcode::Bnot, I64(x)) => I64(!x),
        (Opcode::Bnot, Bool(x)) => Bool(!x),
        (Opcode::Sext, I32(x)) => I64(x as i64),
        (Opcode::Zext, Bool(x)) => {
            if ty == Some(Type::I32) {
                I32(x as i32)
            } else {
                I64(x as i64)
            }
        }
        (Opcode::Trunc, I64(x)) => I32(x as i32),
        (Opcode::Fpromote, F32(x)) => F64(x as f64),
        (Opcode::Fdemote, F64(x)) => F32(x as f32),
        (Opcode::Sitofp, I32(x)) => {
            if ty == Some(Type::F32) {
                F32(x as f32)
            } else {
                F64(x as f64)
            }
        }
        (Opcode::Sitofp, I64(x)) => {
            if ty == Some(Type::F32) {
                F32(x as f32)
            } else {
                F64(x as f64)
            }
        }
        (Opcode::Fptosi, F32(x)) => {
            if ty == Some(Type::I32) {
                I32(x as i32)
            } else {
                I64(x as i64)
            }
        }
        (Opcode::Fptosi, F64(x)) => {
            if ty == Some(Type::I32) {
                I32(x as i32)
            } else {
                I64(x as i64)
            }
        }
        (op, F32(x)) => F32(funary(op, x as f64, true)? as f32),
        (op, F64(x)) => F64(funary(op, x, false)?),
        _ => return Err(InterpError::Other(format!("unary {op} {a:?}"))),
    })
}

/// Float unary ops, computed in the operand's precision (`single`: on an f32 value).
fn funary(op: Opcode, x: f64, single: bool) -> Result<f64, InterpError> {
    let s = x as f32;
    Ok(match op {
        Opcode::Fneg => -x,
        Opcode::Fabs => x.abs(),
        Opcode::Fsqrt => {
            if single {
                s.sqrt() as f64
            } else {
                x.sqrt()
            }
        }
        Opcode::Ffloor => x.floor(),
        Opcode::Fceil => x.ceil(),
        Opcode::Ftrunc => x.trunc(),
        Opcode::Fnearest => x.round_ties_even(),
        Opcode::Fexp => {
            if single {
                s.exp() as f64
            } else {
                x.exp()
            }
        }
        Opcode::Flog => {
            if single {
                s.ln() as f64
            } else {
                x.ln()
            }
        }
        Opcode::Fsin => {
            if single {
                s.sin() as f64
            } else {
                x.sin()
            }
        }
        Opcode::Fcos => {
            if single {
                s.cos() as f64
            } else {
                x.cos()
            }
        }
        _ => return Err(InterpError::Other(format!("float unary {op}"))),
    })
}

fn binary(op: Opcode, a: Val, b: Val) -> Result<Val, InterpError> {
    use Val::*;
    macro_rules! int {
        ($x:expr, $y:expr, $T:ident, $U:ty, $bits:expr) => {{
            let (x, y) = ($x, $y);
            $T(match op {
                Opcode::Iadd => x.wrapping_add(y),
                Opcode::Isub => x.wrapping_sub(y),
                Opcode::Imul => x.wrapping_mul(y),
                Opcode::Sdiv => {
                    if y == 0 {
                        return trap(TrapCode::DivByZero);
                    }
                    x.wrapping_div(y)
                }
                Opcode::Srem => {
                    if y == 0 {
                        return trap(TrapCode::DivByZero);
                    }
                    x.wrapping_rem(y)
                }
                Opcode::Smin => x.min(y),
                Opcode::Smax => x.max(y),
                Opcode::Band => x & y,
                Opcode::Bor => x | y,
                Opcode::Bxor => x ^ y,
                Opcode::Shl => x.wrapping_shl((y as u32) % $bits),
                Opcode::Ashr => x.wrapping_shr((y as u32) % $bits),
                Opcode::Lshr => ((x as $U) >> ((y as u32) % $bits)) as _,
                _ => return Err(InterpError::Other(format!("int binary {op}"))),
            })
        }};
    }
    macro_rules! flt {
        ($x:expr, $y:expr, $T:ident) => {{
            let (x, y) = ($x, $y);
            $T(match op {
                Opcode::Fadd => x + y,
                Opcode::Fsub => x - y,
                Opcode::Fmul => x * y,
                Opcode::Fdiv => x / y,
                Opcode::Fpow => x.powf(y),
                Opcode::Fcopysign => x.copysign(y),
                Opcode::Fmin => {
                    if x.is_nan() || y.is_nan() {
                        x + y
                    } else if x == y {
                        if x.is_sign_negative() {
                            x
                        } else {
                            y
                        }
                    } else {
                        x.min(y)
                    }
                }
                Opcode::Fmax => {
                    if x.is_nan() || y.is_nan() {
                        x + y
                    } else if x == y {
                        if x.is_sign_positive() {
                            x
                        } else {
                            y
                        }
                    } else {
                        x.max(y)
                    }
                }
                _ => return Err(InterpError::Other(format!("float binary {op}"))),
            })
        }};
    }
    Ok(match (a, b) {
        (I32(x), I32(y)) => int!(x, y, I32, u32, 32),
        (I64(x), I64(y)) => int!(x, y, I64, u64, 64),
        (F32(x), F32(y)) => flt!(x, y, F32),
        (F64(x), F64(y)) => flt!(x, y, F64),
        (Bool(x), Bool(y)) => Bool(match op {
            Opcode::Band => x & y,
            Opcode::Bor => x | y,
            Opcode::Bxor => x ^ y,
            _ => return Err(InterpError::Other(format!("bool binary {op}"))),
        }),
        _ => return Err(InterpError::Other(format!("binary {op} {a:?} {b:?}"))),
    })
}

fn icmp(cc: IntCC, a: Val, b: Val) -> bool {
    let (x, y) = match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => (x as i64, y as i64),
        _ => (a.as_i64().unwrap_or(0), b.as_i64().unwrap_or(0)),
    };
    match cc {
        IntCC::Eq => x == y,
        IntCC::Ne => x != y,
        IntCC::Slt => x < y,
        IntCC::Sle => x <= y,
        IntCC::Sgt => x > y,
        IntCC::Sge => x >= y,
        IntCC::Ult => (x as u64) < (y as u64),
        IntCC::Ule => (x as u64) <= (y as u64),
        IntCC::Ugt => (x as u64) > (y as u64),
        IntCC::Uge => (x as u64) >= (y as u64),
    }
}

fn fcmp(cc: FloatCC, a: Val, b: Val) -> bool {
    let (x, y) = match (a, b) {
        (Val::F32(x), Val::F32(y)) => (x as f64, y as f64),
        (Val::F64(x), Val::F64(y)) => (x, y),
        _ => (f64::NAN, f64::NAN),
    };
    match cc {
        FloatCC::Eq => x == y,
        FloatCC::Ne => x != y,
        FloatCC::Lt => x < y,
        FloatCC::Le => x <= y,
        FloatCC::Gt => x > y,
        FloatCC::Ge => x >= y,
        FloatCC::Ord => !x.is_nan() && !y.is_nan(),
        FloatCC::Uno => x.is_nan() || y.is_nan(),
    }
}
