//! [`Trap`]: why a call stopped abnormally, as every tier reports it. Only the value type
//! lives here; turning a context's trap code or an interpreter error into it is done by the
//! callers (`kernel.rs`).

use crate::tier::Tier;
use strata_ir::TrapCode;

/// A call stopped abnormally: out-of-bounds access, division by zero, fuel exhausted, a
/// host function's error, …. Nothing unwinds; the kernel can be called again.
///
/// ```
/// # use strata_runtime::{Engine, Tier, TrapCode};
/// let engine = Engine::builder().tier(Tier::Interpreter).build();
/// let m = engine.load_source("get.sk", "export fn get(x: [i32], i: i64) -> i32 { return x[i]; }").unwrap();
/// let get = m.get::<(&[i32], i64), i32>("get").unwrap();
/// let trap = get.call((&[1, 2, 3], 7)).unwrap_err();
/// assert_eq!(trap.kind, TrapCode::OutOfBounds);
/// assert_eq!(trap.function, "get");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("trap `{kind}` in function `{function}` (tier {tier})")]
pub struct Trap {
    /// What happened.
    pub kind: TrapCode,
    /// The function that trapped. Compiled tiers report the function that was called (the
    /// trap may have happened in a function it called); the interpreter names the function
    /// whose instruction trapped.
    pub function: String,
    /// The tier the call ran on.
    pub tier: Tier,
}
