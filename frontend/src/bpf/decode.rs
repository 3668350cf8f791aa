//! Decoding little-endian BPF bytecode into instruction slots.

use super::error::BpfError;
use super::insn::Insn;

/// Decodes `bytes` (a multiple of 8) into slots, checking every opcode.
pub fn decode(bytes: &[u8]) -> Result<Vec<Insn>, BpfError> {
    if !bytes.len().is_multiple_of(8) {
        return Err(BpfError::new(bytes.len() / 8, format!("length {} is not a multiple of 8", bytes.len())));
    }
    let insns: Vec<Insn> = bytes
        .chunks_exact(8)
        .map(|c| Insn {
            opc: c[0],
            dst: c[1] & 0x0f,
            src: c[1] >> 4,
            off: i16::from_le_bytes([c[2], c[3]]),
            imm: i32::from_le_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect();
    check_all(&insns)?;
    Ok(insns)
}

/// Checks every slot's opcode (skipping the second slot of each `lddw`).
pub fn check_all(insns: &[Insn]) -> Result<(), BpfError> {
    let mut i = 0;
    while i < insns.len() {
        insns[i].check(insns.get(i + 1)).map_err(|m| BpfError::new(i, m))?;
        i += if insns[i].is_lddw() { 2 } else { 1 };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_slot() {
        let bytes = [0xb7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0];
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.index, 1);
        assert!(decode(&bytes[..5]).is_err());
        assert!(decode(&[0x18, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
