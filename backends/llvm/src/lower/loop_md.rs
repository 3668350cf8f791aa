//! Loop metadata: `!llvm.loop` hints on a loop's latch branch.
//!
//! Only hints that save compile time and code size on loops that rarely run (the slow path
//! of a loop versioned on its bounds checks); nothing here may change what the code
//! computes, and nothing is attached to loops on the fast path.

use super::ModuleCx;
use inkwell::llvm_sys::core::{
    LLVMConstInt, LLVMGetMDKindIDInContext, LLVMInt1TypeInContext, LLVMMDNodeInContext2, LLVMMDStringInContext2,
    LLVMMetadataAsValue, LLVMSetMetadata, LLVMValueAsMetadata,
};
use inkwell::llvm_sys::debuginfo::{LLVMMetadataReplaceAllUsesWith, LLVMTemporaryMDNode};
use inkwell::llvm_sys::prelude::LLVMMetadataRef;
use inkwell::values::{AsValueRef, InstructionValue};

impl<'ctx> ModuleCx<'_, 'ctx> {
    /// Attaches `!llvm.loop !{self, !{"llvm.loop.vectorize.enable", i1 false},
    /// !{"llvm.loop.unroll.disable"}}` to the latch branch `br`: LLVM neither vectorizes
    /// (nor interleaves) nor unrolls that loop.
    pub(crate) fn mark_cold_loop(&self, br: InstructionValue<'ctx>) {
        let c = self.ctx.raw();
        let string = |s: &str| {
            // SAFETY: the context is alive; the string is read during the call only.
            unsafe { LLVMMDStringInContext2(c, s.as_ptr().cast(), s.len()) }
        };
        // SAFETY: every reference is created in the live context `c` and used during this
        // function; the temporary node is replaced (and freed) by
        // `LLVMMetadataReplaceAllUsesWith` once the loop node that refers to it exists, which
        // makes that node refer to itself, as loop IDs must. `br` is an instruction of a
        // function of this context.
        unsafe {
            let f = LLVMConstInt(LLVMInt1TypeInContext(c), 0, 0);
            let mut vec_ops: [LLVMMetadataRef; 2] = [string("llvm.loop.vectorize.enable"), LLVMValueAsMetadata(f)];
            let no_vec = LLVMMDNodeInContext2(c, vec_ops.as_mut_ptr(), vec_ops.len());
            let mut unroll_ops: [LLVMMetadataRef; 1] = [string("llvm.loop.unroll.disable")];
            let no_unroll = LLVMMDNodeInContext2(c, unroll_ops.as_mut_ptr(), unroll_ops.len());
            let temp = LLVMTemporaryMDNode(c, std::ptr::null_mut(), 0);
            let mut loop_ops: [LLVMMetadataRef; 3] = [temp, no_vec, no_unroll];
            let id = LLVMMDNodeInContext2(c, loop_ops.as_mut_ptr(), loop_ops.len());
            LLVMMetadataReplaceAllUsesWith(temp, id);
            let kind = LLVMGetMDKindIDInContext(c, "llvm.loop".as_ptr().cast(), "llvm.loop".len() as u32);
            LLVMSetMetadata(br.as_value_ref(), kind, LLVMMetadataAsValue(c, id));
        }
    }
}
