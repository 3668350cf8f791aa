//! Helpers shared by the interpreter tests: build small functions with `FunctionBuilder`
//! and run them.
#![allow(dead_code)]

use strata_ir::interp::{to_le_bytes, LeBytes};
use strata_ir::{
    Arg, Function, FunctionBuilder, InterpError, Interpreter, Linkage, Module, Opcode, Param, Signature, Type, Val,
    Value,
};

/// An exported function built by `body`, which receives the builder and the entry
/// block's parameters and must end every block it creates.
pub fn func(
    name: &str,
    params: Vec<Param>,
    ret: Option<Type>,
    body: impl FnOnce(&mut FunctionBuilder, &[Value]),
) -> Function {
    let mut f = Function::new(name, Linkage::Export, Signature::new(params, ret));
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    body(&mut b, &p);
    b.seal_all_blocks();
    b.finalize().expect("test function builds");
    f
}

/// A module holding `funcs`.
pub fn module(funcs: Vec<Function>) -> Module {
    let mut m = Module::new();
    for f in funcs {
        m.add_function(f);
    }
    m
}

/// Runs the only function of a one-function module.
pub fn run(f: Function, args: &mut [Arg]) -> Result<Option<Val>, InterpError> {
    let name = f.name.clone();
    Interpreter::new_without_verifying(&module(vec![f]))?.call(&name, args)
}

/// Scalar parameters named p0, p1, … of the types of `args`.
pub fn params_of(args: &[Val]) -> Vec<Param> {
    args.iter().enumerate().map(|(i, a)| Param::scalar(format!("p{i}"), a.ty())).collect()
}

fn vals(args: &[Val]) -> Vec<Arg<'static>> {
    args.iter().map(|&v| Arg::Val(v)).collect()
}

/// `op` applied to `args` as a one-instruction function; `emit` builds the instruction.
pub fn eval(
    args: &[Val],
    ret: Type,
    emit: impl FnOnce(&mut FunctionBuilder, &[Value]) -> Value,
) -> Result<Val, InterpError> {
    let f = func("t", params_of(args), Some(ret), |b, p| {
        let v = emit(b, p);
        b.ret(Some(v));
    });
    run(f, &mut vals(args)).map(|v| v.expect("a result"))
}

/// A binary op whose result has the type of its first operand.
pub fn bin(op: Opcode, a: Val, b: Val) -> Result<Val, InterpError> {
    eval(&[a, b], a.ty(), |bd, p| bd.binary(op, p[0], p[1]))
}

/// A unary op whose result has the type of its operand.
pub fn un(op: Opcode, a: Val) -> Result<Val, InterpError> {
    let ret = match op {
        Opcode::ReduceAdd | Opcode::ReduceMin | Opcode::ReduceMax => a.ty().lane_type(),
        _ => a.ty(),
    };
    eval(&[a], ret, |bd, p| bd.unary(op, p[0]))
}

/// A conversion to `to`.
pub fn conv(op: Opcode, to: Type, a: Val) -> Result<Val, InterpError> {
    eval(&[a], to, |bd, p| bd.convert(op, to, p[0]))
}

/// `Some(v)`-returning call result, unwrapped.
pub fn ok(r: Result<Val, InterpError>) -> Val {
    r.unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

/// The little-endian bytes of `xs` (for slice arguments).
pub fn bytes<T: LeBytes>(xs: &[T]) -> Vec<u8> {
    to_le_bytes(xs)
}

/// A small deterministic pseudo-random generator (xorshift64*), for test inputs.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// True with probability 1/n.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
}

/// An interpreter for `f` alone, and its name.
pub fn interp(f: Function) -> (Interpreter, String) {
    let name = f.name.clone();
    (Interpreter::new_without_verifying(&module(vec![f])).expect("decodes"), name)
}

/// Calls `name` with scalar/vector arguments.
pub fn call(i: &Interpreter, name: &str, args: &[Val]) -> Result<Option<Val>, InterpError> {
    i.call(name, &mut vals(args))
}
