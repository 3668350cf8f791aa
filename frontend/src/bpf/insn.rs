//! One BPF instruction slot (RFC 9669 section 3) and the opcode constants.

/// One 8-byte instruction slot: opcode, registers, offset and immediate.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Insn {
    pub opc: u8,
    pub dst: u8,
    pub src: u8,
    pub off: i16,
    pub imm: i32,
}

pub const CLS_LD: u8 = 0;
pub const CLS_LDX: u8 = 1;
pub const CLS_ST: u8 = 2;
pub const CLS_STX: u8 = 3;
pub const CLS_ALU: u8 = 4;
pub const CLS_JMP: u8 = 5;
pub const CLS_JMP32: u8 = 6;
pub const CLS_ALU64: u8 = 7;

/// Source bit: operand is a register (`X`) rather than the immediate (`K`).
pub const SRC_X: u8 = 0x08;

pub const MODE_IMM: u8 = 0x00;
pub const MODE_MEM: u8 = 0x60;
pub const MODE_MEMSX: u8 = 0x80;
pub const MODE_ATOMIC: u8 = 0xc0;

pub const SIZE_W: u8 = 0x00;
pub const SIZE_H: u8 = 0x08;
pub const SIZE_B: u8 = 0x10;
pub const SIZE_DW: u8 = 0x18;

pub const LDDW: u8 = 0x18;
pub const CALL: u8 = 0x85;
pub const CALLX: u8 = 0x8d;
pub const EXIT: u8 = 0x95;

pub const ATOMIC_FETCH: i32 = 0x01;
pub const ATOMIC_XCHG: i32 = 0xe1;
pub const ATOMIC_CMPXCHG: i32 = 0xf1;

/// ALU operation codes (high nibble).
pub const ALU_NAMES: [(u8, &str); 14] = [
    (0x00, "add"),
    (0x10, "sub"),
    (0x20, "mul"),
    (0x30, "div"),
    (0x40, "or"),
    (0x50, "and"),
    (0x60, "lsh"),
    (0x70, "rsh"),
    (0x80, "neg"),
    (0x90, "mod"),
    (0xa0, "xor"),
    (0xb0, "mov"),
    (0xc0, "arsh"),
    (0xd0, "end"),
];

/// Conditional jump operation codes (high nibble).
pub const JMP_NAMES: [(u8, &str); 11] = [
    (0x10, "jeq"),
    (0x20, "jgt"),
    (0x30, "jge"),
    (0x40, "jset"),
    (0x50, "jne"),
    (0x60, "jsgt"),
    (0x70, "jsge"),
    (0xa0, "jlt"),
    (0xb0, "jle"),
    (0xc0, "jslt"),
    (0xd0, "jsle"),
];

impl Insn {
    /// An instruction from its fields.
    pub const fn new(opc: u8, dst: u8, src: u8, off: i16, imm: i32) -> Self {
        Insn { opc, dst, src, off, imm }
    }
    /// The class (low 3 bits of the opcode).
    pub const fn class(&self) -> u8 {
        self.opc & 7
    }
    /// Whether this is the first slot of `lddw`.
    pub const fn is_lddw(&self) -> bool {
        self.opc == LDDW
    }
    /// Size in bytes of a load/store/atomic access.
    pub const fn mem_size(&self) -> u32 {
        match self.opc & 0x18 {
            SIZE_W => 4,
            SIZE_H => 2,
            SIZE_B => 1,
            _ => 8,
        }
    }
    /// Whether the opcode (with its offset/imm sub-codes and register numbers) is one this
    /// frontend knows. `next` is the following slot, needed for `lddw`.
    pub fn check(&self, next: Option<&Insn>) -> Result<(), String> {
        if self.dst > 10 || self.src > 10 {
            return Err(format!("bad register number (dst {}, src {})", self.dst, self.src));
        }
        self.check_opcode(next)?;
        self.check_unused_fields()
    }

    /// RFC 9669 section 3: "Unused fields SHALL be cleared to zero." Besides following the
    /// standard, this keeps `assemble(disassemble(p)) == p`: the text has no place for them.
    fn check_unused_fields(&self) -> Result<(), String> {
        let op = self.opc & 0xf0;
        let x = self.opc & SRC_X != 0;
        let (src, off, imm, dst) = (self.src != 0, self.off != 0, self.imm != 0, self.dst != 0);
        let unused = match self.class() {
            CLS_ALU | CLS_ALU64 => match op {
                0xd0 => (src || off).then_some("src/offset"),
                0x80 => (src || off || imm).then_some("src/offset/imm"),
                0xb0 | 0x30 | 0x90 if x => imm.then_some("imm"),
                0xb0 | 0x30 | 0x90 => src.then_some("src"),
                _ if off => Some("offset"),
                _ if x => imm.then_some("imm"),
                _ => src.then_some("src"),
            },
            CLS_JMP | CLS_JMP32 => match self.opc {
                0x05 => (dst || src || imm).then_some("dst/src/imm"),
                0x06 => (dst || src || off).then_some("dst/src/offset"),
                CALL => (dst || off).then_some("dst/offset"),
                CALLX => (src || off || imm).then_some("src/offset/imm"),
                EXIT => (dst || src || off || imm).then_some("dst/src/offset/imm"),
                _ if x => imm.then_some("imm"),
                _ => src.then_some("src"),
            },
            CLS_LD => off.then_some("offset"),
            CLS_LDX => imm.then_some("imm"),
            CLS_ST => src.then_some("src"),
            _ => (self.opc & 0xe0 == MODE_MEM && imm).then_some("imm"),
        };
        match unused {
            Some(what) => Err(format!("opcode {:#04x}: unused field ({what}) is not zero", self.opc)),
            None => Ok(()),
        }
    }

    fn check_opcode(&self, next: Option<&Insn>) -> Result<(), String> {
        let op = self.opc & 0xf0;
        let bad = || Err(format!("unknown opcode {:#04x}", self.opc));
        match self.class() {
            CLS_ALU | CLS_ALU64 => {
                let alu64 = self.class() == CLS_ALU64;
                match op {
                    0x30 | 0x90 if self.off != 0 && self.off != 1 => Err(format!("bad div/mod offset {}", self.off)),
                    0xb0 if !(matches!(self.off, 0 | 8 | 16) || alu64 && self.off == 32) => {
                        Err(format!("bad mov offset {}", self.off))
                    }
                    0xb0 if self.off != 0 && self.opc & SRC_X == 0 => Err("movsx needs a register source".into()),
                    0x80 if self.opc & SRC_X != 0 => bad(),
                    0xd0 => {
                        if alu64 && self.opc & SRC_X != 0 {
                            return bad();
                        }
                        if !matches!(self.imm, 16 | 32 | 64) {
                            return Err(format!("bad byte swap width {}", self.imm));
                        }
                        Ok(())
                    }
                    0xe0 | 0xf0 => bad(),
                    _ => Ok(()),
                }
            }
            CLS_JMP | CLS_JMP32 => match op {
                0x00 if self.opc & SRC_X != 0 => bad(),
                0x00 => Ok(()),
                0x80 if self.class() == CLS_JMP => match self.opc {
                    CALL if self.src <= 1 => Ok(()),
                    CALLX => Ok(()),
                    _ => bad(),
                },
                0x90 if self.opc == EXIT => Ok(()),
                0x80 | 0x90 | 0xe0 | 0xf0 => bad(),
                _ => Ok(()),
            },
            CLS_LD => {
                if self.opc != LDDW || self.src != 0 {
                    return bad();
                }
                match next {
                    Some(n) if n.opc == 0 && n.dst == 0 && n.src == 0 && n.off == 0 => Ok(()),
                    Some(_) => Err("bad second slot of lddw".into()),
                    None => Err("lddw is missing its second slot".into()),
                }
            }
            CLS_LDX => match self.opc & 0xe0 {
                MODE_MEM => Ok(()),
                MODE_MEMSX if self.opc & 0x18 != SIZE_DW => Ok(()),
                _ => bad(),
            },
            CLS_ST => match self.opc & 0xe0 {
                MODE_MEM => Ok(()),
                _ => bad(),
            },
            _ => match self.opc & 0xe0 {
                MODE_MEM => Ok(()),
                MODE_ATOMIC if matches!(self.opc & 0x18, SIZE_W | SIZE_DW) => match self.imm {
                    0x00 | 0x01 | 0x40 | 0x41 | 0x50 | 0x51 | 0xa0 | 0xa1 | ATOMIC_XCHG | ATOMIC_CMPXCHG => Ok(()),
                    _ => Err(format!("bad atomic operation {:#x}", self.imm)),
                },
                _ => bad(),
            },
        }
    }
}

#[cfg(test)]
mod unused_field_tests {
    use crate::bpf::{assemble, decode, disassemble};

    /// Found by the `bpf_bytecode` fuzz target: `jsle32 %r4, %r6` with a non-zero imm
    /// decoded, then disassembled to text without the imm, so the round trip changed it.
    #[test]
    fn nonzero_unused_fields_are_rejected() {
        let crash = [0xde, 0x64, 0x70, 0xcf, 0x8f, 0x8f, 0x9b, 0x9b];
        let e = decode(&crash).expect_err("imm of a register jump must be zero");
        assert!(e.to_string().contains("unused field"), "{e}");
        for bytes in [
            [0xb7, 0x10, 0, 0, 0, 0, 0, 0], // mov r0, imm with src = 1
            [0x0f, 0x10, 0, 0, 1, 0, 0, 0], // add r0, r1 with imm = 1
            [0x95, 0, 0, 0, 7, 0, 0, 0],    // exit with imm = 7
            [0x05, 0x01, 1, 0, 0, 0, 0, 0], // ja with dst = 1
            [0x61, 0x10, 0, 0, 1, 0, 0, 0], // ldxw with imm = 1
            [0x87, 0x00, 0, 0, 5, 0, 0, 0], // neg with imm = 5
        ] {
            assert!(decode(&bytes).is_err(), "{bytes:02x?} accepted");
        }
        // The same instructions with their unused fields zero decode and round-trip.
        for bytes in [[0xde, 0x64, 0x70, 0xcf, 0, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]] {
            let p = decode(&bytes).expect("valid");
            assert_eq!(assemble(&disassemble(&p)).expect("assembles"), p);
        }
    }
}
