//! Instruction data: the operands of each instruction format, comparison conditions,
//! float flags, trap codes and branch targets. Where an instruction stands (its block and
//! order) is not here but in [`crate::Layout`]; its result value lives in
//! [`crate::DataFlowGraph`].

use crate::entities::{Block, DataId, ExternId, FuncId, StackSlot, Value};
use crate::opcode::Opcode;
use std::fmt;

/// Integer comparison conditions.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum IntCC {
    Eq,
    Ne,
    Slt,
    Sle,
    Sgt,
    Sge,
    Ult,
    Ule,
    Ugt,
    Uge,
}

impl IntCC {
    pub const ALL: [IntCC; 10] = [
        IntCC::Eq,
        IntCC::Ne,
        IntCC::Slt,
        IntCC::Sle,
        IntCC::Sgt,
        IntCC::Sge,
        IntCC::Ult,
        IntCC::Ule,
        IntCC::Ugt,
        IntCC::Uge,
    ];
    pub const fn name(self) -> &'static str {
        match self {
            IntCC::Eq => "eq",
            IntCC::Ne => "ne",
            IntCC::Slt => "slt",
            IntCC::Sle => "sle",
            IntCC::Sgt => "sgt",
            IntCC::Sge => "sge",
            IntCC::Ult => "ult",
            IntCC::Ule => "ule",
            IntCC::Ugt => "ugt",
            IntCC::Uge => "uge",
        }
    }
    pub fn from_name(s: &str) -> Option<IntCC> {
        IntCC::ALL.into_iter().find(|c| c.name() == s)
    }
    /// The condition that holds when this one does not.
    pub const fn inverse(self) -> IntCC {
        match self {
            IntCC::Eq => IntCC::Ne,
            IntCC::Ne => IntCC::Eq,
            IntCC::Slt => IntCC::Sge,
            IntCC::Sle => IntCC::Sgt,
            IntCC::Sgt => IntCC::Sle,
            IntCC::Sge => IntCC::Slt,
            IntCC::Ult => IntCC::Uge,
            IntCC::Ule => IntCC::Ugt,
            IntCC::Ugt => IntCC::Ule,
            IntCC::Uge => IntCC::Ult,
        }
    }
    /// The condition with the operands swapped (`a < b` ⇔ `b > a`).
    pub const fn swapped(self) -> IntCC {
        match self {
            IntCC::Eq => IntCC::Eq,
            IntCC::Ne => IntCC::Ne,
            IntCC::Slt => IntCC::Sgt,
            IntCC::Sle => IntCC::Sge,
            IntCC::Sgt => IntCC::Slt,
            IntCC::Sge => IntCC::Sle,
            IntCC::Ult => IntCC::Ugt,
            IntCC::Ule => IntCC::Uge,
            IntCC::Ugt => IntCC::Ult,
            IntCC::Uge => IntCC::Ule,
        }
    }
}

/// Float comparison conditions. All are false when an operand is NaN, except `ne`
/// (true when unordered, like Rust's `!=`) and `uno` (true exactly when unordered).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum FloatCC {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Both operands are not NaN.
    Ord,
    /// At least one operand is NaN.
    Uno,
}

impl FloatCC {
    pub const ALL: [FloatCC; 8] =
        [FloatCC::Eq, FloatCC::Ne, FloatCC::Lt, FloatCC::Le, FloatCC::Gt, FloatCC::Ge, FloatCC::Ord, FloatCC::Uno];
    pub const fn name(self) -> &'static str {
        match self {
            FloatCC::Eq => "eq",
            FloatCC::Ne => "ne",
            FloatCC::Lt => "lt",
            FloatCC::Le => "le",
            FloatCC::Gt => "gt",
            FloatCC::Ge => "ge",
            FloatCC::Ord => "ord",
            FloatCC::Uno => "uno",
        }
    }
    pub fn from_name(s: &str) -> Option<FloatCC> {
        FloatCC::ALL.into_iter().find(|c| c.name() == s)
    }
    /// The condition with the operands swapped.
    pub const fn swapped(self) -> FloatCC {
        match self {
            FloatCC::Lt => FloatCC::Gt,
            FloatCC::Le => FloatCC::Ge,
            FloatCC::Gt => FloatCC::Lt,
            FloatCC::Ge => FloatCC::Le,
            c => c,
        }
    }
}

/// Fast-math permissions on a float instruction. Only `#[fastmath]` code sets them; with
/// none set, every tier computes bit-identical results.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct FloatFlags(u8);

impl FloatFlags {
    pub const NONE: FloatFlags = FloatFlags(0);
    /// Reassociation allowed (`(a+b)+c` may become `a+(b+c)`): reductions may vectorize.
    pub const REASSOC: FloatFlags = FloatFlags(1);
    /// Contraction allowed (`a*b+c` may become a fused multiply-add).
    pub const CONTRACT: FloatFlags = FloatFlags(2);
    /// Both flags: what `#[fastmath]` sets.
    pub const FAST: FloatFlags = FloatFlags(3);

    /// Each flag with its text-format name.
    pub const NAMED: [(FloatFlags, &'static str); 2] =
        [(FloatFlags::REASSOC, "reassoc"), (FloatFlags::CONTRACT, "contract")];

    pub const fn contains(self, o: FloatFlags) -> bool {
        self.0 & o.0 == o.0
    }
    pub const fn union(self, o: FloatFlags) -> FloatFlags {
        FloatFlags(self.0 | o.0)
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub const fn bits(self) -> u8 {
        self.0
    }
    /// The flag whose text-format name is `s`.
    pub fn from_name(s: &str) -> Option<FloatFlags> {
        FloatFlags::NAMED.iter().find(|(_, n)| *n == s).map(|(f, _)| *f)
    }
}

/// Why execution stopped abnormally. Every tier reports the same code for the same cause.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum TrapCode {
    /// Integer division or remainder by zero.
    DivByZero,
    /// A `bounds_check` failed, or (interpreter only) memory outside every region was touched.
    OutOfBounds,
    /// An explicit `trap unreachable`.
    Unreachable,
    /// The fuel budget ran out.
    FuelExhausted,
    /// Calls nested deeper than the engine's limit.
    StackOverflow,
    /// A host function reported an error.
    HostError,
    /// A user-defined trap code.
    User(u16),
}

impl TrapCode {
    /// The code as a non-zero number (the value compiled code writes into its context).
    pub const fn to_u32(self) -> u32 {
        match self {
            TrapCode::DivByZero => 1,
            TrapCode::OutOfBounds => 2,
            TrapCode::Unreachable => 3,
            TrapCode::FuelExhausted => 4,
            TrapCode::StackOverflow => 5,
            TrapCode::HostError => 6,
            TrapCode::User(n) => 0x1_0000 + n as u32,
        }
    }
    /// The inverse of [`TrapCode::to_u32`].
    pub const fn from_u32(n: u32) -> Option<TrapCode> {
        Some(match n {
            1 => TrapCode::DivByZero,
            2 => TrapCode::OutOfBounds,
            3 => TrapCode::Unreachable,
            4 => TrapCode::FuelExhausted,
            5 => TrapCode::StackOverflow,
            6 => TrapCode::HostError,
            0x1_0000..=0x1_ffff => TrapCode::User((n - 0x1_0000) as u16),
            _ => return None,
        })
    }
    /// Parses the text-format name (`div_by_zero`, `out_of_bounds`, `user7`, …).
    pub fn from_name(s: &str) -> Option<TrapCode> {
        Some(match s {
            "div_by_zero" => TrapCode::DivByZero,
            "out_of_bounds" => TrapCode::OutOfBounds,
            "unreachable" => TrapCode::Unreachable,
            "fuel_exhausted" => TrapCode::FuelExhausted,
            "stack_overflow" => TrapCode::StackOverflow,
            "host_error" => TrapCode::HostError,
            _ => TrapCode::User(s.strip_prefix("user")?.parse().ok()?),
        })
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapCode::DivByZero => f.write_str("div_by_zero"),
            TrapCode::OutOfBounds => f.write_str("out_of_bounds"),
            TrapCode::Unreachable => f.write_str("unreachable"),
            TrapCode::FuelExhausted => f.write_str("fuel_exhausted"),
            TrapCode::StackOverflow => f.write_str("stack_overflow"),
            TrapCode::HostError => f.write_str("host_error"),
            TrapCode::User(n) => write!(f, "user{n}"),
        }
    }
}

/// A branch target: a block and the arguments for its parameters.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct BlockCall {
    pub block: Block,
    pub args: Vec<Value>,
}

impl BlockCall {
    pub fn new(block: Block, args: Vec<Value>) -> Self {
        BlockCall { block, args }
    }
}

/// The operands of an instruction. The variant is fixed by the opcode's
/// [`crate::Format`]; variants that hold one opcode only don't store it. The result type
/// (for instructions that have a result) is the type of the result value in the DFG.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum InstData {
    /// `iconst`: the value, truncated to the result type's width when used.
    IntConst {
        imm: i64,
    },
    /// `fconst`: the IEEE bits (an `f32` is stored as its 32 bits, zero-extended).
    FloatConst {
        bits: u64,
    },
    /// `bconst`.
    BoolConst {
        imm: bool,
    },
    Unary {
        op: Opcode,
        arg: Value,
        flags: FloatFlags,
    },
    Binary {
        op: Opcode,
        args: [Value; 2],
        flags: FloatFlags,
    },
    /// `fma a, b, c` and `select c, a, b`.
    Ternary {
        op: Opcode,
        args: [Value; 3],
        flags: FloatFlags,
    },
    IntCompare {
        cond: IntCC,
        args: [Value; 2],
    },
    FloatCompare {
        cond: FloatCC,
        args: [Value; 2],
    },
    /// `load base, offset`: the loaded type is the result type.
    Load {
        args: [Value; 2],
    },
    /// `store base, offset, value`: the stored type is the value's type.
    Store {
        args: [Value; 3],
    },
    /// `bounds_check idx, len`.
    BoundsCheck {
        args: [Value; 2],
    },
    StackAddr {
        slot: StackSlot,
    },
    DataAddr {
        data: DataId,
    },
    ExtractLane {
        arg: Value,
        lane: u8,
    },
    /// `insertlane vector, scalar, lane`.
    InsertLane {
        args: [Value; 2],
        lane: u8,
    },
    Call {
        func: FuncId,
        args: Vec<Value>,
    },
    CallHost {
        func: ExternId,
        args: Vec<Value>,
    },
    Jump {
        dest: BlockCall,
    },
    Brif {
        cond: Value,
        then_dest: BlockCall,
        else_dest: BlockCall,
    },
    Return {
        arg: Option<Value>,
    },
    Trap {
        code: TrapCode,
    },
}

impl InstData {
    /// The instruction's opcode.
    pub fn opcode(&self) -> Opcode {
        match self {
            InstData::IntConst { .. } => Opcode::Iconst,
            InstData::FloatConst { .. } => Opcode::Fconst,
            InstData::BoolConst { .. } => Opcode::Bconst,
            InstData::Unary { op, .. } | InstData::Binary { op, .. } | InstData::Ternary { op, .. } => *op,
            InstData::IntCompare { .. } => Opcode::Icmp,
            InstData::FloatCompare { .. } => Opcode::Fcmp,
            InstData::Load { .. } => Opcode::Load,
            InstData::Store { .. } => Opcode::Store,
            InstData::BoundsCheck { .. } => Opcode::BoundsCheck,
            InstData::StackAddr { .. } => Opcode::StackAddr,
            InstData::DataAddr { .. } => Opcode::DataAddr,
            InstData::ExtractLane { .. } => Opcode::Extractlane,
            InstData::InsertLane { .. } => Opcode::Insertlane,
            InstData::Call { .. } => Opcode::Call,
            InstData::CallHost { .. } => Opcode::CallHost,
            InstData::Jump { .. } => Opcode::Jump,
            InstData::Brif { .. } => Opcode::Brif,
            InstData::Return { .. } => Opcode::Return,
            InstData::Trap { .. } => Opcode::Trap,
        }
    }

    /// The value operands, not counting branch arguments (see [`InstData::for_each_target`]).
    pub fn args(&self) -> &[Value] {
        match self {
            InstData::IntConst { .. }
            | InstData::FloatConst { .. }
            | InstData::BoolConst { .. }
            | InstData::StackAddr { .. }
            | InstData::DataAddr { .. }
            | InstData::Jump { .. }
            | InstData::Trap { .. } => &[],
            InstData::Unary { arg, .. } | InstData::ExtractLane { arg, .. } => std::slice::from_ref(arg),
            InstData::Binary { args, .. }
            | InstData::IntCompare { args, .. }
            | InstData::FloatCompare { args, .. }
            | InstData::Load { args }
            | InstData::BoundsCheck { args }
            | InstData::InsertLane { args, .. } => args,
            InstData::Ternary { args, .. } | InstData::Store { args } => args,
            InstData::Call { args, .. } | InstData::CallHost { args, .. } => args,
            InstData::Brif { cond, .. } => std::slice::from_ref(cond),
            InstData::Return { arg } => arg.as_slice(),
        }
    }

    /// Mutable access to the value operands (not branch arguments).
    pub fn args_mut(&mut self) -> &mut [Value] {
        match self {
            InstData::IntConst { .. }
            | InstData::FloatConst { .. }
            | InstData::BoolConst { .. }
            | InstData::StackAddr { .. }
            | InstData::DataAddr { .. }
            | InstData::Jump { .. }
            | InstData::Trap { .. } => &mut [],
            InstData::Unary { arg, .. } | InstData::ExtractLane { arg, .. } => std::slice::from_mut(arg),
            InstData::Binary { args, .. }
            | InstData::IntCompare { args, .. }
            | InstData::FloatCompare { args, .. }
            | InstData::Load { args }
            | InstData::BoundsCheck { args }
            | InstData::InsertLane { args, .. } => args,
            InstData::Ternary { args, .. } | InstData::Store { args } => args,
            InstData::Call { args, .. } | InstData::CallHost { args, .. } => args,
            InstData::Brif { cond, .. } => std::slice::from_mut(cond),
            InstData::Return { arg } => arg.as_mut_slice(),
        }
    }

    /// Calls `f` on every value this instruction uses: operands, then branch arguments.
    pub fn for_each_value(&self, mut f: impl FnMut(Value)) {
        self.args().iter().for_each(|&v| f(v));
        self.for_each_target(|t| t.args.iter().for_each(|&v| f(v)));
    }

    /// Replaces every value this instruction uses (operands and branch arguments) by `f(v)`.
    pub fn map_values(&mut self, mut f: impl FnMut(Value) -> Value) {
        for v in self.args_mut() {
            *v = f(*v);
        }
        self.for_each_target_mut(|t| t.args.iter_mut().for_each(|v| *v = f(*v)));
    }

    /// Calls `f` on each branch target (none, one for `br`, two for `brif`).
    pub fn for_each_target(&self, mut f: impl FnMut(&BlockCall)) {
        match self {
            InstData::Jump { dest } => f(dest),
            InstData::Brif { then_dest, else_dest, .. } => {
                f(then_dest);
                f(else_dest);
            }
            _ => {}
        }
    }

    /// Calls `f` on each branch target, mutably.
    pub fn for_each_target_mut(&mut self, mut f: impl FnMut(&mut BlockCall)) {
        match self {
            InstData::Jump { dest } => f(dest),
            InstData::Brif { then_dest, else_dest, .. } => {
                f(then_dest);
                f(else_dest);
            }
            _ => {}
        }
    }

    /// The blocks this terminator may branch to, in order (duplicates kept).
    pub fn successors(&self) -> smallvec::SmallVec<[Block; 2]> {
        let mut out = smallvec::SmallVec::new();
        self.for_each_target(|t| out.push(t.block));
        out
    }

    /// Float flags, for the formats that carry them.
    pub fn float_flags(&self) -> FloatFlags {
        match self {
            InstData::Unary { flags, .. } | InstData::Binary { flags, .. } | InstData::Ternary { flags, .. } => *flags,
            _ => FloatFlags::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_codes_round_trip() {
        for c in [
            TrapCode::DivByZero,
            TrapCode::OutOfBounds,
            TrapCode::Unreachable,
            TrapCode::FuelExhausted,
            TrapCode::StackOverflow,
            TrapCode::HostError,
            TrapCode::User(0),
            TrapCode::User(65535),
        ] {
            assert_eq!(TrapCode::from_u32(c.to_u32()), Some(c));
            assert_eq!(TrapCode::from_name(&c.to_string()), Some(c));
        }
        assert_eq!(TrapCode::from_u32(0), None);
    }

    #[test]
    fn conditions() {
        for c in IntCC::ALL {
            assert_eq!(IntCC::from_name(c.name()), Some(c));
            assert_eq!(c.inverse().inverse(), c);
            assert_eq!(c.swapped().swapped(), c);
        }
        for c in FloatCC::ALL {
            assert_eq!(FloatCC::from_name(c.name()), Some(c));
        }
    }
}
