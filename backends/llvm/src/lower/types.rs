//! Strata types as LLVM types. Inside a function `bool` is `i1` (and `boolxN` is
//! `<N x i1>`); at the ABI (parameters, results, host calls) it is an `i8` holding 0 or 1,
//! as `docs/ir.md` and `strata_ir::abi` fix it. Everything else maps one to one: `ptr` is an
//! opaque pointer and vectors are fixed LLVM vectors.

use inkwell::context::Context;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use strata_ir::{LaneType, Type};

/// Maps Strata types to LLVM types in one context.
#[derive(Copy, Clone)]
pub(crate) struct Types<'ctx> {
    ctx: &'ctx Context,
}

impl<'ctx> Types<'ctx> {
    pub fn new(ctx: &'ctx Context) -> Self {
        Types { ctx }
    }

    fn lane(self, lane: LaneType, abi: bool) -> BasicTypeEnum<'ctx> {
        match lane {
            LaneType::Bool if abi => self.ctx.i8_type().into(),
            LaneType::Bool => self.ctx.bool_type().into(),
            LaneType::I8 => self.ctx.i8_type().into(),
            LaneType::I16 => self.ctx.i16_type().into(),
            LaneType::I32 => self.ctx.i32_type().into(),
            LaneType::I64 => self.ctx.i64_type().into(),
            LaneType::F32 => self.ctx.f32_type().into(),
            LaneType::F64 => self.ctx.f64_type().into(),
            LaneType::Ptr => self.ctx.ptr_type(Default::default()).into(),
        }
    }

    fn of(self, t: Type, abi: bool) -> BasicTypeEnum<'ctx> {
        let lane = self.lane(t.lane(), abi);
        if t.is_scalar() {
            return lane;
        }
        match lane {
            BasicTypeEnum::IntType(i) => i.vec_type(t.lanes()).into(),
            BasicTypeEnum::FloatType(f) => f.vec_type(t.lanes()).into(),
            BasicTypeEnum::PointerType(p) => p.vec_type(t.lanes()).into(),
            other => other,
        }
    }

    /// The type of an SSA value of type `t`.
    pub fn ty(self, t: Type) -> BasicTypeEnum<'ctx> {
        self.of(t, false)
    }

    /// The type of a `t` passed or returned across the ABI.
    pub fn abi(self, t: Type) -> BasicTypeEnum<'ctx> {
        self.of(t, true)
    }

    /// `ret (params…, ptr)`: a compiled function or host function with the trailing context.
    pub fn fn_type(self, params: &[Type], ret: Option<Type>) -> FunctionType<'ctx> {
        let mut ps: Vec<BasicMetadataTypeEnum> = params.iter().map(|&t| self.abi(t).into()).collect();
        ps.push(self.ptr().into());
        match ret {
            Some(r) => self.abi(r).fn_type(&ps, false),
            None => self.ctx.void_type().fn_type(&ps, false),
        }
    }

    pub fn ptr(self) -> inkwell::types::PointerType<'ctx> {
        self.ctx.ptr_type(Default::default())
    }
}
