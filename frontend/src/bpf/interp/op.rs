//! The pre-decoded form of a BPF program that the BPF interpreter runs: one [`Op`] per
//! instruction slot, with jump targets resolved to slot indices, `lddw` merged into one
//! 64-bit constant, immediates already extended to the width the operation uses, and one
//! variant per common (operation, operand kind) pair so the run loop does no decoding. Rare
//! operations share generic variants that carry the original opcode. This file only defines
//! the form; `predecode.rs` builds it and `exec.rs` runs it.

/// One pre-decoded instruction. Registers are 0..=10 (checked by the verifier); `t` is a
/// slot index; `back` marks a jump to a slot at or before its own (a loop back-edge: taking
/// it costs one unit of fuel, exactly where the lifted IR's back-edges do).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    // 64-bit ALU, register and immediate (sign-extended) operands.
    Add64R {
        d: u8,
        s: u8,
    },
    Add64I {
        d: u8,
        k: u64,
    },
    Sub64R {
        d: u8,
        s: u8,
    },
    Mul64R {
        d: u8,
        s: u8,
    },
    Mul64I {
        d: u8,
        k: u64,
    },
    Or64R {
        d: u8,
        s: u8,
    },
    Or64I {
        d: u8,
        k: u64,
    },
    And64R {
        d: u8,
        s: u8,
    },
    And64I {
        d: u8,
        k: u64,
    },
    Xor64R {
        d: u8,
        s: u8,
    },
    Xor64I {
        d: u8,
        k: u64,
    },
    Lsh64R {
        d: u8,
        s: u8,
    },
    Lsh64I {
        d: u8,
        k: u64,
    },
    Rsh64R {
        d: u8,
        s: u8,
    },
    Rsh64I {
        d: u8,
        k: u64,
    },
    Arsh64R {
        d: u8,
        s: u8,
    },
    Arsh64I {
        d: u8,
        k: u64,
    },
    Mov64R {
        d: u8,
        s: u8,
    },
    /// `mov` of an immediate and `lddw` (the constant already merged).
    Mov64I {
        d: u8,
        k: u64,
    },
    // 32-bit ALU (result zero-extended): the immediate is the low 32 bits.
    Add32R {
        d: u8,
        s: u8,
    },
    Add32I {
        d: u8,
        k: u64,
    },
    Sub32R {
        d: u8,
        s: u8,
    },
    Sub32I {
        d: u8,
        k: u64,
    },
    Mul32R {
        d: u8,
        s: u8,
    },
    Mul32I {
        d: u8,
        k: u64,
    },
    Or32R {
        d: u8,
        s: u8,
    },
    Or32I {
        d: u8,
        k: u64,
    },
    And32R {
        d: u8,
        s: u8,
    },
    And32I {
        d: u8,
        k: u64,
    },
    Xor32R {
        d: u8,
        s: u8,
    },
    Xor32I {
        d: u8,
        k: u64,
    },
    Mov32R {
        d: u8,
        s: u8,
    },
    /// Every other ALU operation (div, mod, neg, shifts of 32 bits, byte swaps, sign-extending
    /// moves), by its original opcode and offset; `k` is the immediate as the opcode reads it.
    Alu {
        opc: u8,
        d: u8,
        s: u8,
        off: i16,
        k: u64,
    },

    /// `ja`.
    Ja {
        t: u32,
        back: bool,
    },
    // 64-bit conditional jumps, register and immediate (sign-extended) operands.
    JeqR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JeqI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JneR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JneI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JgtR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JgtI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JgeR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JgeI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JltR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JltI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JleR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JleI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JsgtR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JsgtI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JsgeR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JsgeI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JsltR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JsltI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    JsleR {
        d: u8,
        s: u8,
        t: u32,
        back: bool,
    },
    JsleI {
        d: u8,
        t: u32,
        back: bool,
        k: u64,
    },
    /// `jset` and every 32-bit conditional jump, by original opcode; `k` as the opcode reads it.
    Jcc {
        opc: u8,
        d: u8,
        s: u8,
        t: u32,
        back: bool,
        k: u64,
    },

    /// Checked zero-extending loads of 1, 2, 4 and 8 bytes at `b + off`: the caller's
    /// memory is tried first with one bounds check; everything else goes the slow way.
    LdxB {
        d: u8,
        b: u8,
        off: i16,
    },
    LdxH {
        d: u8,
        b: u8,
        off: i16,
    },
    LdxW {
        d: u8,
        b: u8,
        off: i16,
    },
    LdxDw {
        d: u8,
        b: u8,
        off: i16,
    },
    /// A checked load of `size` bytes at `b + off` (zero- or, with `sx`, sign-extended).
    Ldx {
        d: u8,
        b: u8,
        off: i16,
        size: u8,
        sx: bool,
    },
    /// `ldxdw dst, [r10 + off]` inside this frame: no check needed.
    LdxStk64 {
        d: u8,
        off: i16,
    },
    /// A load inside this frame through r10 of another size.
    LdxStk {
        d: u8,
        off: i16,
        size: u8,
        sx: bool,
    },
    /// Checked stores of register `s`, narrowed to 1, 2, 4 and 8 bytes, at `b + off`.
    StxB {
        b: u8,
        s: u8,
        off: i16,
    },
    StxH {
        b: u8,
        s: u8,
        off: i16,
    },
    StxW {
        b: u8,
        s: u8,
        off: i16,
    },
    StxDw {
        b: u8,
        s: u8,
        off: i16,
    },
    /// `stxdw [r10 + off], src` inside this frame.
    StxStk64 {
        s: u8,
        off: i16,
    },
    /// A store of an immediate (sign-extended, then narrowed) at `b + off`; through r10
    /// inside this frame when `stk`.
    St {
        b: u8,
        off: i16,
        size: u8,
        stk: bool,
        k: u64,
    },
    /// A store of register `s` through r10 inside this frame, of a size other than 8.
    StxStk {
        s: u8,
        off: i16,
        size: u8,
    },
    /// An atomic read-modify-write (`imm` is the RFC's operation code).
    Atomic {
        b: u8,
        s: u8,
        off: i16,
        size: u8,
        imm: i32,
    },

    /// `call local`: the callee's entry slot and its function index.
    CallLocal {
        t: u32,
        f: u32,
    },
    /// A helper call, by index into the program's helper list.
    CallHelper {
        h: u32,
    },
    /// `callx`: index into the program's table of resolved helpers per function.
    CallX {
        x: u32,
    },
    Exit,
    /// The second slot of `lddw`, never executed (jumps cannot land there).
    Nop,

    // Superinstructions (`fuse.rs`): each stands for the ops of its own slot and the next
    // one or two, run in order, then continues after them. The slots it covers keep their
    // own ops, so a jump into the middle of a fused run still executes the originals.
    /// `mov d, s; lsh d, sh; add d, b` (an array index: `d = (s << sh) + b`), three slots.
    MovLshAdd {
        d: u8,
        s: u8,
        sh: u8,
        b: u8,
    },
    /// `add d, k` (64-bit, also `sub` with the negated immediate) then `ja`, two slots.
    AddIJa {
        d: u8,
        k: i32,
        t: u32,
        back: bool,
    },
    /// `add d, k` then `jne c, kc`, two slots.
    AddIJneI {
        d: u8,
        c: u8,
        k: i32,
        kc: i32,
        t: u32,
        back: bool,
    },
    /// `add d, k` then `jlt c, kc` (unsigned, against the sign-extended immediate), two slots.
    AddIJltI {
        d: u8,
        c: u8,
        k: i32,
        kc: i32,
        t: u32,
        back: bool,
    },
}

#[cfg(test)]
mod tests {
    /// The run loop copies one op per step: keep it at three words (a 64-bit immediate
    /// plus operands and the tag); superinstructions must not grow it.
    #[test]
    fn op_is_small() {
        assert!(std::mem::size_of::<super::Op>() <= 24, "Op is {} bytes", std::mem::size_of::<super::Op>());
    }
}
