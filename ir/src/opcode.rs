//! The one opcode table. Every opcode's text name, instruction format and properties are
//! defined here, once; the verifier, printer, parser, interpreter and passes read them from
//! here instead of keeping their own lists. Typing rules live in the verifier, semantics in
//! `docs/ir.md` and the interpreter.

use std::fmt;

/// The shape of an instruction's operands (which [`crate::InstData`] variant it uses).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Format {
    IntConst,
    FloatConst,
    BoolConst,
    Unary,
    Binary,
    Ternary,
    IntCompare,
    FloatCompare,
    Load,
    Store,
    BoundsCheck,
    StackAddr,
    DataAddr,
    ExtractLane,
    InsertLane,
    Call,
    CallHost,
    Jump,
    Brif,
    Return,
    Trap,
}

/// Properties of an opcode, as a bit set.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct OpFlags(u8);

impl OpFlags {
    pub const NONE: OpFlags = OpFlags(0);
    /// No side effects and cannot trap: may be removed when unused, hoisted, and merged
    /// with an identical instruction.
    pub const PURE: OpFlags = OpFlags(1);
    /// The two operands may be swapped.
    pub const COMMUTATIVE: OpFlags = OpFlags(2);
    /// May trap (division by zero, out of bounds, …).
    pub const MAY_TRAP: OpFlags = OpFlags(4);
    /// Writes memory or calls out: must stay, in order.
    pub const SIDE_EFFECT: OpFlags = OpFlags(8);
    /// Ends a block.
    pub const TERMINATOR: OpFlags = OpFlags(16);
    /// A float operation that carries [`crate::FloatFlags`].
    pub const FLOAT: OpFlags = OpFlags(32);
    /// Reads memory.
    pub const READS_MEMORY: OpFlags = OpFlags(64);

    pub const fn union(self, o: OpFlags) -> OpFlags {
        OpFlags(self.0 | o.0)
    }
    pub const fn contains(self, o: OpFlags) -> bool {
        self.0 & o.0 == o.0
    }
}

macro_rules! opcodes {
    ($( $(#[$doc:meta])* $variant:ident $name:literal $format:ident [$($flag:ident)|*] ),* $(,)?) => {
        /// An IR operation. See `docs/ir.md` for the semantics of each.
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub enum Opcode {
            $( $(#[$doc])* $variant, )*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant),*];

            /// The opcode's name in the text format.
            pub const fn name(self) -> &'static str {
                match self { $(Opcode::$variant => $name,)* }
            }

            /// The operand format.
            pub const fn format(self) -> Format {
                match self { $(Opcode::$variant => Format::$format,)* }
            }

            /// The opcode's properties.
            pub const fn flags(self) -> OpFlags {
                match self { $(Opcode::$variant => OpFlags::NONE $(.union(OpFlags::$flag))*,)* }
            }

            /// The opcode named `name` in the text format.
            pub fn from_name(name: &str) -> Option<Opcode> {
                match name { $($name => Some(Opcode::$variant),)* _ => None }
            }
        }
    };
}

opcodes! {
    // Constants. The result type is the instruction's type.
    Iconst "iconst" IntConst [PURE],
    Fconst "fconst" FloatConst [PURE],
    Bconst "bconst" BoolConst [PURE],

    // Integer arithmetic (wrapping), on integers and integer vectors.
    Iadd "iadd" Binary [PURE | COMMUTATIVE],
    Isub "isub" Binary [PURE],
    Imul "imul" Binary [PURE | COMMUTATIVE],
    /// Signed division; traps on a zero divisor; `MIN / -1` wraps to `MIN`. Scalars only.
    Sdiv "sdiv" Binary [MAY_TRAP],
    Udiv "udiv" Binary [MAY_TRAP],
    /// Signed remainder (sign of the dividend); traps on zero; `MIN % -1` is 0.
    Srem "srem" Binary [MAY_TRAP],
    Urem "urem" Binary [MAY_TRAP],
    Ineg "ineg" Unary [PURE],
    Smin "smin" Binary [PURE | COMMUTATIVE],
    Smax "smax" Binary [PURE | COMMUTATIVE],
    Umin "umin" Binary [PURE | COMMUTATIVE],
    Umax "umax" Binary [PURE | COMMUTATIVE],

    // Bitwise, on integers, bools and their vectors.
    Band "band" Binary [PURE | COMMUTATIVE],
    Bor "bor" Binary [PURE | COMMUTATIVE],
    Bxor "bxor" Binary [PURE | COMMUTATIVE],
    Bnot "bnot" Unary [PURE],
    /// Shifts: the amount has the lane type of the value and is taken modulo the lane width.
    /// On vectors the amount is a scalar applied to every lane.
    Shl "shl" Binary [PURE],
    Lshr "lshr" Binary [PURE],
    Ashr "ashr" Binary [PURE],
    Popcnt "popcnt" Unary [PURE],
    Clz "clz" Unary [PURE],
    Ctz "ctz" Unary [PURE],
    /// Reverse the bytes of an i16, i32 or i64.
    Bswap "bswap" Unary [PURE],

    // Float arithmetic (IEEE-754, round to nearest even), on floats and float vectors.
    Fadd "fadd" Binary [PURE | COMMUTATIVE | FLOAT],
    Fsub "fsub" Binary [PURE | FLOAT],
    Fmul "fmul" Binary [PURE | COMMUTATIVE | FLOAT],
    Fdiv "fdiv" Binary [PURE | FLOAT],
    /// IEEE-754-2019 minimum: NaN if either operand is NaN, and -0.0 < +0.0.
    Fmin "fmin" Binary [PURE | COMMUTATIVE | FLOAT],
    Fmax "fmax" Binary [PURE | COMMUTATIVE | FLOAT],
    Fcopysign "fcopysign" Binary [PURE | FLOAT],
    Fneg "fneg" Unary [PURE | FLOAT],
    Fabs "fabs" Unary [PURE | FLOAT],
    Fsqrt "fsqrt" Unary [PURE | FLOAT],
    Ffloor "ffloor" Unary [PURE | FLOAT],
    Fceil "fceil" Unary [PURE | FLOAT],
    Ftrunc "ftrunc" Unary [PURE | FLOAT],
    /// Round to nearest, ties to even.
    Fnearest "fnearest" Unary [PURE | FLOAT],
    /// Fused multiply-add `a * b + c` with a single rounding.
    Fma "fma" Ternary [PURE | FLOAT],
    // Transcendental functions: scalars only, computed as the host's libm computes them.
    Fexp "fexp" Unary [PURE | FLOAT],
    Flog "flog" Unary [PURE | FLOAT],
    Fsin "fsin" Unary [PURE | FLOAT],
    Fcos "fcos" Unary [PURE | FLOAT],
    Fpow "fpow" Binary [PURE | FLOAT],

    // Comparisons: the result is `bool` (or a bool vector of the operands' shape).
    Icmp "icmp" IntCompare [PURE],
    Fcmp "fcmp" FloatCompare [PURE],
    /// `select c, a, b`: `a` where `c` is true, else `b` (lane-wise for bool vectors).
    Select "select" Ternary [PURE],

    // Conversions; the result type is the instruction's type.
    Sext "sext" Unary [PURE],
    Zext "zext" Unary [PURE],
    Trunc "trunc" Unary [PURE],
    Fpromote "fpromote" Unary [PURE],
    Fdemote "fdemote" Unary [PURE],
    Sitofp "sitofp" Unary [PURE],
    Uitofp "uitofp" Unary [PURE],
    /// Float to signed int, saturating; NaN gives 0.
    Fptosi "fptosi" Unary [PURE],
    Fptoui "fptoui" Unary [PURE],
    /// Reinterpret the bits as another type of the same width.
    Bitcast "bitcast" Unary [PURE],
    PtrToInt "ptr_to_int" Unary [PURE],
    IntToPtr "int_to_ptr" Unary [PURE],
    /// `ptr_add p, off`: `p` plus a byte offset (i64), wrapping.
    PtrAdd "ptr_add" Binary [PURE],

    // Memory. Addresses are `base + byte offset`; unaligned access is allowed.
    Load "load" Load [MAY_TRAP | READS_MEMORY],
    Store "store" Store [MAY_TRAP | SIDE_EFFECT],
    /// `bounds_check idx, len`: traps `out_of_bounds` unless `idx <u len` (both i64).
    BoundsCheck "bounds_check" BoundsCheck [MAY_TRAP],
    StackAddr "stack_addr" StackAddr [PURE],
    DataAddr "data_addr" DataAddr [PURE],

    // Vectors.
    Splat "splat" Unary [PURE],
    Extractlane "extractlane" ExtractLane [PURE],
    Insertlane "insertlane" InsertLane [PURE],
    /// Sum of the lanes; for floats in lane order unless the `reassoc` flag is set.
    ReduceAdd "reduce_add" Unary [PURE | FLOAT],
    /// Smallest lane (signed for integers; `fmin` semantics for floats).
    ReduceMin "reduce_min" Unary [PURE | FLOAT],
    ReduceMax "reduce_max" Unary [PURE | FLOAT],

    // Calls.
    Call "call" Call [MAY_TRAP | SIDE_EFFECT | READS_MEMORY],
    CallHost "call_host" CallHost [MAY_TRAP | SIDE_EFFECT | READS_MEMORY],

    // Terminators.
    Jump "br" Jump [TERMINATOR],
    Brif "brif" Brif [TERMINATOR],
    Return "return" Return [TERMINATOR],
    Trap "trap" Trap [TERMINATOR | MAY_TRAP],
}

impl Opcode {
    pub const fn is_pure(self) -> bool {
        self.flags().contains(OpFlags::PURE)
    }
    pub const fn is_commutative(self) -> bool {
        self.flags().contains(OpFlags::COMMUTATIVE)
    }
    pub const fn may_trap(self) -> bool {
        self.flags().contains(OpFlags::MAY_TRAP)
    }
    pub const fn has_side_effects(self) -> bool {
        self.flags().contains(OpFlags::SIDE_EFFECT)
    }
    pub const fn is_terminator(self) -> bool {
        self.flags().contains(OpFlags::TERMINATOR)
    }
    pub const fn is_float_op(self) -> bool {
        self.flags().contains(OpFlags::FLOAT)
    }
    pub const fn reads_memory(self) -> bool {
        self.flags().contains(OpFlags::READS_MEMORY)
    }
    /// Whether instructions of this opcode define a result. Calls may or may not (it
    /// depends on the callee), and report `true` here.
    pub const fn has_result(self) -> bool {
        !matches!(
            self.format(),
            Format::Store | Format::BoundsCheck | Format::Jump | Format::Brif | Format::Return | Format::Trap
        )
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &op in Opcode::ALL {
            assert!(seen.insert(op.name()), "duplicate name {}", op.name());
            assert_eq!(Opcode::from_name(op.name()), Some(op));
        }
    }

    #[test]
    fn flags() {
        assert!(Opcode::Iadd.is_pure() && Opcode::Iadd.is_commutative());
        assert!(Opcode::Sdiv.may_trap() && !Opcode::Sdiv.is_pure());
        assert!(Opcode::Brif.is_terminator());
        assert!(Opcode::Store.has_side_effects() && !Opcode::Store.has_result());
    }
}
