//! The IR verifier: checks that a [`Module`] or [`Function`] is well formed, so that every
//! pass, the interpreter and the backends may rely on the invariants below without checking
//! them again. It runs after every pass in debug builds; [`verify_module`] and
//! [`verify_function`] return every problem found (up to [`MAX_ERRORS`] per function), each
//! with the function, the place, and a message.
//!
//! The verifier never panics on malformed input: every entity reference is looked up with
//! `get`/`is_valid` before use, and the layout walk guards against cyclic lists.
//!
//! # Invariants checked
//!
//! Module (`module.rs`):
//! - M1. Data-object and extern names are identifiers (`[A-Za-z_][A-Za-z0-9_.]*`, the
//!   text format's `NAME`).
//! - M2. Functions, data objects and externs have distinct names, all three together: the
//!   text format writes each as `@name`, and they share one symbol namespace in objects.
//! - M3. A data object's element type is a numeric scalar (`i8 i16 i32 i64 f32 f64`) and its
//!   byte length is a multiple of the element size.
//! - M4. Extern parameters and results are scalars (any lane type, `bool` and `ptr`
//!   included; `bool` crosses the host ABI as an `i8` 0/1, as for exported functions).
//!
//! Function header (`module.rs`):
//! - S1. The function name is an identifier.
//! - S2. Parameter names are identifiers, unique within the signature.
//! - S3. Slice parameters have numeric scalar elements (`i8 i16 i32 i64 f32 f64`).
//! - S4. Exported functions take and return no vectors (the array-call ABI passes each ABI
//!   value in one `u64` slot).
//! - S5. Stack slots are aligned to a power of two no larger than 4096 and are at most
//!   1 MiB.
//!
//! Layout (`body.rs`):
//! - L1. The function has an entry block (the layout is not empty).
//! - L2. The layout is consistent: no block is listed twice (no cycle); every listed block
//!   and instruction exists in the DFG; every instruction is listed once, in the block
//!   the layout says holds it; the block's recorded last instruction is the list's last.
//! - L3. Every block has at least one instruction.
//! - L4. Every block ends in exactly one terminator (`br brif return trap`), and no
//!   terminator stands before the end.
//! - L5. The entry block's parameter types equal the signature's ABI parameters
//!   ([`crate::Signature::abi_params`]), and no branch targets the entry block.
//! - L6. Block parameters are values of the function whose definition is
//!   `ValueDef::Param(block, index)`.
//!
//! Instructions (`body.rs`):
//! - I1. The instruction data's variant is the opcode's [`crate::Format`].
//! - I2. An instruction has a result exactly when its opcode does
//!   ([`crate::Opcode::has_result`]); a `call`/`call_host` has one exactly when the callee
//!   returns a value. The result value exists and is defined as `ValueDef::Result(inst)`.
//! - I3. Float flags appear only on opcodes flagged `FLOAT`, and on `reduce_*` only when the
//!   operand is a float vector.
//! - I4. Every used value (operands and branch arguments) exists, is not
//!   `ValueDef::Detached`, and its definition is consistent: a result of an instruction that
//!   is in the layout and names it as its result, or a parameter of a block in the layout
//!   that lists it at that index.
//! - I5. SSA dominance: in blocks reachable from the entry, every use is dominated by its
//!   definition (a block parameter's block dominates the using block; an instruction
//!   result is defined earlier in the same block or in a dominating block). Uses in
//!   unreachable blocks are not checked for dominance, but everything else still is.
//! - I6. Branch targets exist, are in the layout and are not the entry block; branch
//!   arguments match the target's parameters in number and type.
//! - I7. Referenced entities exist: stack slots (`stack_addr`), data objects (`data_addr`),
//!   functions (`call`), externs (`call_host`).
//! - I8. Every opcode's operand and result types follow `docs/ir.md`
//!   (`typing.rs`; "same" means the same type, "any shape" scalar or vector):
//!   - `iconst`: an integer scalar (not `ptr`: use `int_to_ptr`). `fconst`: `f32` or `f64`;
//!     an `f32` constant's bits fit in 32 bits. `bconst`: `bool`.
//!   - `iadd isub imul ineg smin smax umin umax`: integers of any shape, same type,
//!     result the same. `sdiv udiv srem urem`: integer scalars.
//!   - `band bor bxor bnot`: integers or bools of any shape, same type, result the same.
//!   - `shl lshr ashr`: an integer of any shape shifted by a scalar of its lane type.
//!   - `popcnt clz ctz`: integer scalars. `bswap`: `i16`, `i32` or `i64`.
//!   - `fadd fsub fmul fdiv fmin fmax fcopysign fneg fabs fsqrt ffloor fceil ftrunc
//!     fnearest`: floats of any shape, same type. `fma`: three operands of one float type.
//!     `fexp flog fsin fcos fpow`: float scalars.
//!   - `icmp`: two operands of one integer, `ptr` or `bool` type (`bool` only with `eq`
//!     and `ne`); `fcmp`: one float type. The result is the operand type with bool lanes.
//!   - `select c, a, b`: `a` and `b` of one type, the result that type, and `c` that type
//!     with bool lanes (`bool` for scalars, `boolxN` for N-lane vectors).
//!   - Conversions, lane-wise with equal lane counts: `sext zext` from integer or bool to a
//!     strictly wider integer; `trunc` integer to strictly narrower integer; `fpromote`
//!     `f32`→`f64`; `fdemote` `f64`→`f32`; `sitofp uitofp` integer→float; `fptosi fptoui`
//!     float→integer; `bitcast` between types of equal lane count and lane width, neither
//!     `bool` nor `ptr`; `ptr_to_int` `ptr`→`i64`; `int_to_ptr` `i64`→`ptr`; `splat` a
//!     scalar to a vector of that lane type.
//!   - `ptr_add`: `(ptr, i64) → ptr`. `load`: `(ptr, i64)`, result any type but bool ones.
//!     `store`: `(ptr, i64, value)`, value of any type but bool ones. `bounds_check`:
//!     `(i64, i64)`. `stack_addr`, `data_addr`: result `ptr`.
//!   - `extractlane`: a vector and a lane below its lane count, result the lane type.
//!     `insertlane`: a vector, a scalar of its lane type and such a lane, result the vector
//!     type. `reduce_add reduce_min reduce_max`: an integer or float vector, result the
//!     lane type.
//!   - `call`: arguments match the callee's ABI parameters in number and type, the result
//!     type is its return type; `call_host` likewise against the extern's declaration.
//!   - `brif`: the condition is a scalar `bool`. `return`: its operand matches the
//!     signature's return type (none for none). `br`, `trap`: nothing to type.
//!
//! What the verifier does not check: whether memory accesses stay inside their regions
//! (a run-time property), and `iconst` immediates' range (they are truncated to the type).

mod body;
mod module;
mod typing;

#[cfg(test)]
mod tests;

use crate::entities::{Block, DataId, ExternId, Inst};
use crate::function::Function;
use crate::module::Module;

/// How many errors one function (or the module-level checks) may report before the
/// verifier stops looking; one more error then says that it stopped.
pub const MAX_ERRORS: usize = 50;

/// Where a problem is.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Location {
    /// The function as a whole (signature, stack slots, name).
    Function,
    Block(Block),
    Inst(Inst),
    /// A data object of the module.
    Data(DataId),
    /// A host-function declaration of the module.
    Extern(ExternId),
}

/// One broken invariant.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct VerifierError {
    /// The function's name; empty for problems with data objects and externs.
    pub function: String,
    pub location: Location,
    /// What is wrong, without the location.
    pub message: String,
    /// The location as a reader wants to see it: an instruction with its opcode and block
    /// (see `describe_inst`), a block, or a named data object or extern. Empty for
    /// [`Location::Function`].
    pub location_text: String,
}

impl VerifierError {
    fn render(&self) -> String {
        match (self.function.is_empty(), self.location_text.is_empty()) {
            (false, true) => format!("function `{}`: {}", self.function, self.message),
            (false, false) => format!("function `{}`, {}: {}", self.function, self.location_text, self.message),
            (true, _) => format!("{}: {}", self.location_text, self.message),
        }
    }
}

/// Everything the verifier found, in the order found (module-level problems first, then
/// functions in module order).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct VerifierErrors(pub Vec<VerifierError>);

impl VerifierErrors {
    fn render(&self) -> String {
        self.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
    }
}

/// Verifies every module-level invariant and every function of `m`.
pub fn verify_module(m: &Module) -> Result<(), VerifierErrors> {
    let mut errors = module::verify_module_items(m);
    for f in m.functions.values() {
        errors.extend(verify_function_errors(m, f));
    }
    finish(errors)
}

/// Verifies one function of (or about to join) `m`: `m` resolves calls, host calls and data
/// references.
pub fn verify_function(m: &Module, f: &Function) -> Result<(), VerifierErrors> {
    finish(verify_function_errors(m, f))
}

fn finish(errors: Vec<VerifierError>) -> Result<(), VerifierErrors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(VerifierErrors(errors))
    }
}

fn verify_function_errors(m: &Module, f: &Function) -> Vec<VerifierError> {
    let mut r = Reporter::new(&f.name);
    module::verify_header(&mut r, f);
    body::verify_body(&mut r, m, f);
    r.finish()
}

/// How an instruction is named in error messages: for now its entity number, opcode and
/// block (`inst12 (`iadd`) in block3`). The one place to change when the text printer can
/// render the whole instruction.
fn describe_inst(m: &Module, f: &Function, inst: Inst) -> String {
    // Only called once the layout walk (L2) has found the lists sound, so the printer's
    // numbering walk terminates; it prints dangling operands as `v?N` instead of panicking.
    let names = crate::text::Names::new(f);
    let op = match f.dfg.insts.get(inst) {
        Some(_) => format!("`{}`", crate::text::print_inst_with(m, f, &names, inst).trim()),
        None => format!("{inst} (not in the DFG)"),
    };
    match f.layout.inst_block(inst) {
        Some(b) => format!("{op} in {}", names.block(b)),
        None => format!("{op}, not in the layout"),
    }
}

/// How a block is named in error messages: its printed name (its position in the layout),
/// or its entity name if it is not in the layout. The walk is bounded because this may run
/// while the layout lists are being found broken (L2).
fn describe_block(f: &Function, b: Block) -> String {
    let limit = f.dfg.blocks.len() + 1;
    match f.layout.blocks().take(limit).position(|x| x == b) {
        Some(n) => format!("block{n}"),
        None => format!("{b} (not in the layout)"),
    }
}

/// Collects errors for one function (or the module's items), up to [`MAX_ERRORS`].
struct Reporter {
    function: String,
    errors: Vec<VerifierError>,
    stopped: bool,
}

impl Reporter {
    fn new(function: &str) -> Self {
        Reporter { function: function.to_string(), errors: Vec::new(), stopped: false }
    }

    /// Whether the cap is reached: callers stop looking for more.
    fn is_full(&self) -> bool {
        self.stopped
    }

    /// Records an error; `location_text` is only computed if the error is kept.
    fn report(&mut self, location: Location, location_text: impl FnOnce() -> String, message: String) {
        if self.stopped {
            return;
        }
        if self.errors.len() == MAX_ERRORS {
            self.stopped = true;
            self.errors.push(VerifierError {
                function: self.function.clone(),
                location: Location::Function,
                message: format!("too many errors; stopped after {MAX_ERRORS}"),
                location_text: String::new(),
            });
            return;
        }
        let location_text = location_text();
        self.errors.push(VerifierError { function: self.function.clone(), location, message, location_text });
    }

    fn finish(self) -> Vec<VerifierError> {
        self.errors
    }
}
