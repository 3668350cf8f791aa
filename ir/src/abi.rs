//! The one compiled-code ABI shared by tier 1, tier 2 and AOT objects (DESIGN.md,
//! "Execution and the runtime"). An exported function `f(p0, …, pn)` compiles to
//! `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret`: slices are a `ptr` and an
//! `i64` length, `bool` is passed as an `i8` 0/1, and the last parameter is the context.
//! A trap stores its code in `ctx.trap_code` and returns (the return value is then
//! meaningless); nothing unwinds and no signal handler is needed. Internal calls pass the
//! same context and the caller returns at once when the callee left a trap code.
//! This file only fixes the layout; backends emit code against it, the runtime fills it.

/// The context every compiled function receives as its last argument.
#[repr(C)]
#[derive(Debug)]
pub struct VmContext {
    /// 0 while running normally; a [`crate::TrapCode::to_u32`] value after a trap.
    pub trap_code: u32,
    /// Calls still allowed to nest before `stack_overflow` (checked on function entry
    /// when the code was compiled with a depth limit).
    pub depth_remaining: u32,
    /// Remaining fuel, when the code was compiled with fuel: decremented by one on each
    /// loop back-edge and call; going below zero traps `fuel_exhausted`.
    pub fuel: i64,
    /// Host functions, indexed by [`crate::ExternId`]: each is an
    /// `extern "C" fn(args…, ctx: *mut VmContext) -> ret` matching its declaration.
    pub host_table: *const *const u8,
    /// Number of entries in `host_table`.
    pub host_count: u64,
    /// Opaque pointer for the embedder's host functions.
    pub user_data: *mut u8,
}

impl VmContext {
    pub const OFFSET_TRAP_CODE: i32 = 0;
    pub const OFFSET_DEPTH_REMAINING: i32 = 4;
    pub const OFFSET_FUEL: i32 = 8;
    pub const OFFSET_HOST_TABLE: i32 = 16;
    pub const OFFSET_HOST_COUNT: i32 = 24;
    pub const OFFSET_USER_DATA: i32 = 32;

    /// A context with no host functions, no fuel limit and a call-depth budget of `depth`.
    pub fn new(depth: u32) -> Self {
        VmContext {
            trap_code: 0,
            depth_remaining: depth,
            fuel: i64::MAX,
            host_table: std::ptr::null(),
            host_count: 0,
            user_data: std::ptr::null_mut(),
        }
    }
}

impl Default for VmContext {
    fn default() -> Self {
        VmContext::new(DEFAULT_MAX_CALL_DEPTH)
    }
}

/// Default limit on nested calls before `stack_overflow`.
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn offsets_match_layout() {
        assert_eq!(offset_of!(VmContext, trap_code) as i32, VmContext::OFFSET_TRAP_CODE);
        assert_eq!(offset_of!(VmContext, depth_remaining) as i32, VmContext::OFFSET_DEPTH_REMAINING);
        assert_eq!(offset_of!(VmContext, fuel) as i32, VmContext::OFFSET_FUEL);
        assert_eq!(offset_of!(VmContext, host_table) as i32, VmContext::OFFSET_HOST_TABLE);
        assert_eq!(offset_of!(VmContext, host_count) as i32, VmContext::OFFSET_HOST_COUNT);
        assert_eq!(offset_of!(VmContext, user_data) as i32, VmContext::OFFSET_USER_DATA);
    }
}
