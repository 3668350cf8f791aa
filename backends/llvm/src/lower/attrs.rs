//! Attributes: facts about parameters and functions that LLVM can use and the ABI contract
//! guarantees.
//!
//! The contract (the same as for a Rust `extern "C"` call with slices): a slice argument is
//! a pointer aligned for its element type, valid for `len` elements (readable, and writable
//! for `mut` slices), with `len * size_of(elem) <= isize::MAX`; a `mut` slice overlaps no
//! other slice argument; `ctx` points to a `VmContext` that nothing else touches during the
//! call except through the pointer passed to host functions. From that:
//! - slice pointers: `noundef`, `align(size of elem)`; `noalias` for `mut` slices (Rust's
//!   borrow rules guarantee it at the call site); `readonly` when the function never stores
//!   through them; `nocapture nofree` when the pointer never escapes (is never stored,
//!   returned or passed to a call). No `nonnull`: an empty slice may come from C as null.
//! - slice lengths: `noundef range(i64 0, isize::MAX / size + 1)`.
//! - `ctx`: `noalias noundef nonnull align 8 dereferenceable(size_of VmContext)`, and
//!   `nocapture` when the function calls nothing that receives it.
//! - every function: `nounwind` (nothing unwinds through compiled code: traps return, host
//!   functions are `extern "C"`), `target-cpu`/`target-features` of the target, and
//!   `probe-stack=inline-asm` so a large frame cannot jump over the stack guard page.

use super::ModuleCx;
use crate::target::TargetSpec;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::values::FunctionValue;
use strata_ir::{Function, InstData, Opcode, ParamKind, SecondaryMap, Value, VmContext};

impl<'ctx> ModuleCx<'_, 'ctx> {
    /// An enum attribute by name (`noalias`, `align`, …) with value `val`.
    pub fn enum_attr(&self, name: &str, val: u64) -> Attribute {
        self.ctx.create_enum_attribute(Attribute::get_named_enum_kind_id(name), val)
    }

    /// `range(iN lo, hi)`: the value lies in `[lo, hi)`.
    fn range_attr(&self, bits: u32, lo: u64, hi: u64) -> Attribute {
        use inkwell::llvm_sys::core::LLVMCreateConstantRangeAttribute;
        let kind = Attribute::get_named_enum_kind_id("range");
        // SAFETY: the context is alive for `'ctx`; one 64-bit word each for the bounds of a
        // `bits`-wide range (bits <= 64), read only during the call; the result is a valid
        // attribute owned by the context.
        unsafe { Attribute::new(LLVMCreateConstantRangeAttribute(self.ctx.raw(), kind, bits, &lo, &hi)) }
    }

    /// Attributes of the whole function, for every function of the module.
    pub fn add_function_attrs(&self, f: FunctionValue<'ctx>, spec: &TargetSpec) {
        f.add_attribute(AttributeLoc::Function, self.enum_attr("nounwind", 0));
        f.add_attribute(AttributeLoc::Function, self.ctx.create_string_attribute("probe-stack", "inline-asm"));
        if !spec.cpu.is_empty() {
            f.add_attribute(AttributeLoc::Function, self.ctx.create_string_attribute("target-cpu", &spec.cpu));
        }
        if !spec.features.is_empty() {
            f.add_attribute(
                AttributeLoc::Function,
                self.ctx.create_string_attribute("target-features", &spec.features),
            );
        }
    }

    /// Parameter attributes of an IR function, from its signature and body.
    pub fn add_param_attrs(&self, f: FunctionValue<'ctx>, func: &Function) {
        let params = func.params();
        let uses = if params.is_empty() { PointerUses::default() } else { PointerUses::of(func) };
        let mut idx = 0u32;
        for p in &func.sig.params {
            match p.kind {
                ParamKind::Scalar(_) => {
                    f.add_attribute(AttributeLoc::Param(idx), self.enum_attr("noundef", 0));
                    idx += 1;
                }
                ParamKind::Slice { elem, mutable } => {
                    let size = elem.bytes().unwrap_or(1).max(1) as u64;
                    let loc = AttributeLoc::Param(idx);
                    f.add_attribute(loc, self.enum_attr("noundef", 0));
                    if size.is_power_of_two() {
                        f.add_attribute(loc, self.enum_attr("align", size));
                    }
                    if mutable {
                        f.add_attribute(loc, self.enum_attr("noalias", 0));
                    }
                    if let Some(&v) = params.get(idx as usize) {
                        if !uses.escapes(v) {
                            f.add_attribute(loc, self.enum_attr("nocapture", 0));
                            f.add_attribute(loc, self.enum_attr("nofree", 0));
                        }
                        if !uses.written(v) {
                            f.add_attribute(loc, self.enum_attr("readonly", 0));
                        }
                    }
                    let len = AttributeLoc::Param(idx + 1);
                    f.add_attribute(len, self.enum_attr("noundef", 0));
                    f.add_attribute(len, self.range_attr(64, 0, (isize::MAX as u64) / size + 1));
                    idx += 2;
                }
            }
        }
        self.add_ctx_attrs(f, idx, !calls_out(func));
    }

    /// Attributes of the context parameter at index `idx`.
    pub fn add_ctx_attrs(&self, f: FunctionValue<'ctx>, idx: u32, nocapture: bool) {
        let loc = AttributeLoc::Param(idx);
        for (name, val) in [
            ("noalias", 0),
            ("noundef", 0),
            ("nonnull", 0),
            ("align", 8),
            ("dereferenceable", std::mem::size_of::<VmContext>() as u64),
        ] {
            f.add_attribute(loc, self.enum_attr(name, val));
        }
        if nocapture {
            f.add_attribute(loc, self.enum_attr("nocapture", 0));
        }
    }
}

/// Whether `func` calls anything (IR or host functions) that receives its context.
fn calls_out(func: &Function) -> bool {
    func.layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .any(|i| matches!(func.dfg.insts[i].opcode(), Opcode::Call | Opcode::CallHost))
}

/// Whether `func` calls an IR function (a `call`; host calls do not count: they cannot
/// re-enter compiled code through this context's depth counter).
pub(crate) fn calls_ir_functions(func: &Function) -> bool {
    func.layout.blocks().flat_map(|b| func.layout.block_insts(b)).any(|i| func.dfg.insts[i].opcode() == Opcode::Call)
}

/// For each value, which pointer parameters it may be derived from (a bit set over the
/// entry block's first 64 parameters), and which of those escape or are written through.
#[derive(Default)]
struct PointerUses {
    escaping: u64,
    written: u64,
    param_bit: SecondaryMap<Value, u64>,
}

impl PointerUses {
    /// A flow-insensitive fixpoint: a value is derived from a parameter if any operand of
    /// the instruction (or any branch argument for a block parameter) is. A derived value
    /// escapes when stored as data, returned, or passed to a call; it is written through
    /// when it is the base of a store.
    fn of(func: &Function) -> PointerUses {
        let mut derived: SecondaryMap<Value, u64> = SecondaryMap::new();
        let mut param_bit: SecondaryMap<Value, u64> = SecondaryMap::new();
        for (i, &p) in func.params().iter().enumerate().take(64) {
            derived[p] = 1 << i;
            param_bit[p] = 1 << i;
        }
        let insts: Vec<_> = func.layout.blocks().flat_map(|b| func.layout.block_insts(b)).collect();
        let (mut escaping, mut written) = (0u64, 0u64);
        loop {
            let mut changed = false;
            for &inst in &insts {
                let data = &func.dfg.insts[inst];
                let from = data.args().iter().fold(0, |acc, &a| acc | derived[a]);
                match data {
                    InstData::Store { args } => {
                        escaping |= derived[args[2]];
                        written |= derived[args[0]] | derived[args[1]];
                    }
                    InstData::Return { .. } => escaping |= from,
                    InstData::Call { .. } | InstData::CallHost { .. } => {
                        escaping |= from;
                        written |= from;
                    }
                    InstData::Load { .. }
                    | InstData::IntCompare { .. }
                    | InstData::FloatCompare { .. }
                    | InstData::BoundsCheck { .. } => {}
                    _ => {
                        if let Some(r) = func.dfg.inst_result(inst) {
                            if derived[r] | from != derived[r] {
                                derived[r] |= from;
                                changed = true;
                            }
                        }
                    }
                }
                data.for_each_target(|t| {
                    for (&a, &p) in t.args.iter().zip(func.dfg.block_params(t.block)) {
                        if derived[p] | derived[a] != derived[p] {
                            derived[p] |= derived[a];
                            changed = true;
                        }
                    }
                });
            }
            if !changed {
                break;
            }
        }
        // Anything past the 64 tracked parameters is treated as escaping and written.
        for p in func.params().iter().skip(64) {
            param_bit[*p] = 0;
        }
        PointerUses { escaping, written, param_bit }
    }

    fn bit(&self, v: Value) -> Option<u64> {
        Some(self.param_bit[v]).filter(|&b| b != 0)
    }

    fn escapes(&self, v: Value) -> bool {
        self.bit(v).is_none_or(|b| self.escaping & b != 0)
    }

    /// Written through here, or escaped (and so maybe written through elsewhere).
    fn written(&self, v: Value) -> bool {
        self.bit(v).is_none_or(|b| (self.written | self.escaping) & b != 0)
    }
}
