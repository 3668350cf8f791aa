//! Memory: loads and stores (unaligned, little-endian, never trapping — the IR guards
//! accesses with `bounds_check`), `bounds_check` itself (one unsigned compare and a branch
//! to the `out_of_bounds` trap block), stack slots (zeroed on entry) and data objects
//! (read-only data of the JIT module, addressed with absolute relocations).

use super::{Lowerer, Parts, Result};
use crate::repr::Repr;
use cranelift_codegen::ir::{
    condcodes::IntCC, types, Endianness, ExternalName, GlobalValueData, InstBuilder, MemFlagsData, StackSlotData,
    StackSlotKind, UserExternalName, Value as ClValue,
};
use smallvec::smallvec;
use strata_ir::{DataId, EntityRef, StackSlot, TrapCode, Type, Value};

/// Stack slots are zeroed with 16-byte stores; bigger ones than this with a loop.
const UNROLLED_ZEROING: u32 = 256;
/// The most stack (in bytes) one function's slots may take.
const MAX_FRAME: u64 = 64 << 20;

fn mem_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap().with_endianness(Endianness::Little)
}

impl Lowerer<'_, '_> {
    /// Stores a value of type `ty` at `addr`.
    pub(super) fn store_value(&mut self, ty: Type, parts: &[ClValue], addr: ClValue) -> Result<()> {
        let repr = self.repr(ty);
        if ty.is_bool() || parts.len() != repr.count() {
            return Err(self.invalid(format!("`store` of a {ty}")));
        }
        let step = match repr {
            Repr::Native { .. } => 16,
            _ => (ty.lane_bits() / 8) as i32,
        };
        for (k, &p) in parts.iter().enumerate() {
            self.b.ins().store(mem_flags(), p, addr, step * k as i32);
        }
        Ok(())
    }

    /// Loads a value of type `ty` from `addr`.
    pub(super) fn load_value(&mut self, ty: Type, addr: ClValue) -> Result<Parts> {
        let repr = self.repr(ty);
        if ty.is_bool() {
            return Err(self.invalid(format!("`load` of a {ty}")));
        }
        let step = match repr {
            Repr::Native { .. } => 16,
            _ => (ty.lane_bits() / 8) as i32,
        };
        let part = repr.part_type();
        Ok((0..repr.count()).map(|k| self.b.ins().load(part, mem_flags(), addr, step * k as i32)).collect())
    }

    fn address(&mut self, base: Value, offset: Value) -> Result<ClValue> {
        if self.ty(base)? != Type::PTR || self.ty(offset)? != Type::I64 {
            return Err(self.invalid("memory access needs a `ptr` base and an `i64` offset"));
        }
        let (b, o) = (self.scalar(base)?, self.scalar(offset)?);
        Ok(self.b.ins().iadd(b, o))
    }

    pub(super) fn lower_load(&mut self, args: [Value; 2], res: Value) -> Result<()> {
        let addr = self.address(args[0], args[1])?;
        let parts = self.load_value(self.ty(res)?, addr)?;
        self.def(res, parts)
    }

    pub(super) fn lower_store(&mut self, args: [Value; 3]) -> Result<()> {
        let addr = self.address(args[0], args[1])?;
        let v = self.get(args[2])?;
        self.store_value(self.ty(args[2])?, &v, addr)
    }

    pub(super) fn lower_bounds_check(&mut self, args: [Value; 2]) -> Result<()> {
        let (idx, len) = (self.scalar(args[0])?, self.scalar(args[1])?);
        if self.cl_type(idx) != types::I64 || self.cl_type(len) != types::I64 {
            return Err(self.invalid("`bounds_check` operands must be i64"));
        }
        let out = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, idx, len);
        self.trap_if(out, TrapCode::OutOfBounds);
        Ok(())
    }

    pub(super) fn lower_stack_addr(&mut self, slot: StackSlot, res: Value) -> Result<()> {
        let addr = match self.slots.get(slot.index()) {
            Some(&(_, Some(aligned))) => aligned,
            Some(&(cl, None)) => self.b.ins().stack_addr(types::I64, cl, 0),
            None => return Err(self.invalid(format!("unknown {slot}"))),
        };
        self.def(res, smallvec![addr])
    }

    pub(super) fn lower_data_addr(&mut self, data: DataId, res: Value) -> Result<()> {
        let gv = match self.data_gvs.get(&data.index()) {
            Some(&gv) => gv,
            None => {
                let Some(&id) = self.env.data.get(data.index()) else {
                    return Err(self.invalid(format!("unknown data object {data}")));
                };
                let name = self.b.func.declare_imported_user_function(UserExternalName::new(1, id.as_u32()));
                // Not colocated: read-only data may be mapped far from the code.
                let gv = self.b.create_global_value(GlobalValueData::Symbol {
                    name: ExternalName::user(name),
                    offset: 0.into(),
                    colocated: false,
                    tls: false,
                });
                self.data_gvs.insert(data.index(), gv);
                gv
            }
        };
        let addr = self.b.ins().symbol_value(types::I64, gv);
        self.def(res, smallvec![addr])
    }

    /// Creates the Cranelift stack slots and zeroes them. Sizes are rounded up to 16 bytes;
    /// Cranelift aligns slots to at most 16 bytes (the stack pointer's alignment), so a slot
    /// that asks for more is over-allocated and its address rounded up once, here.
    pub(super) fn zero_stack_slots(&mut self) -> Result<()> {
        let mut total = 0u64;
        for (slot, data) in self.func.stack_slots.iter() {
            let align = u64::from(data.align.max(1).next_power_of_two());
            let size = ((u64::from(data.size) + 15) & !15) + align.saturating_sub(16);
            total += size;
            if total > MAX_FRAME {
                return Err(self.unsupported(format!("{slot}: more than {MAX_FRAME} bytes of stack slots")));
            }
            let align_shift = align.trailing_zeros().min(4) as u8;
            let cl = self.b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                size as u32,
                align_shift,
            ));
            let base = self.b.ins().stack_addr(types::I64, cl, 0);
            let addr = if align > 16 {
                let up = self.b.ins().iadd_imm_s(base, align as i64 - 1);
                Some(self.b.ins().band_imm_s(up, -(align as i64)))
            } else {
                None
            };
            self.slots.push((cl, addr));
            if size == 0 {
                continue;
            }
            let zero64 = self.b.ins().iconst(types::I64, 0);
            let zero = self.b.ins().splat(types::I64X2, zero64);
            let flags = MemFlagsData::new().with_notrap();
            if size <= u64::from(UNROLLED_ZEROING) {
                for off in (0..size as i32).step_by(16) {
                    self.b.ins().store(flags, zero, base, off);
                }
            } else {
                let end = self.b.ins().iadd_imm_s(base, size as i64);
                let body = self.b.create_block();
                let p = self.b.append_block_param(body, types::I64);
                let exit = self.b.create_block();
                self.b.ins().jump(body, &[base.into()]);
                self.b.switch_to_block(body);
                self.b.ins().store(flags, zero, p, 0);
                let next = self.b.ins().iadd_imm_s(p, 16);
                let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, end);
                self.b.ins().brif(more, body, &[next.into()], exit, &[]);
                self.b.switch_to_block(exit);
            }
        }
        Ok(())
    }
}
