//! Placeholder: filled in by its issue. For now it proves inkwell links against LLVM 19.

/// The LLVM version this backend was built against, as LLVM reports it.
pub fn llvm_version() -> (u32, u32, u32) {
    inkwell::support::get_llvm_version()
}
