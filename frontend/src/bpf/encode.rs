//! Encoding instruction slots as little-endian BPF bytecode.

use super::insn::Insn;

/// Encodes `insns`, 8 bytes per slot.
pub fn encode(insns: &[Insn]) -> Vec<u8> {
    let mut out = Vec::with_capacity(insns.len() * 8);
    for i in insns {
        out.push(i.opc);
        out.push((i.dst & 0x0f) | (i.src << 4));
        out.extend_from_slice(&i.off.to_le_bytes());
        out.extend_from_slice(&i.imm.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::decode::decode;
    use super::*;

    #[test]
    fn round_trip() {
        let p = vec![
            Insn::new(0x18, 1, 0, 0, 5),
            Insn::new(0, 0, 0, 0, 7),
            Insn::new(0xdb, 1, 2, -8, 0xf1),
            Insn::new(0x95, 0, 0, 0, 0),
        ];
        assert_eq!(decode(&encode(&p)).unwrap(), p);
    }
}
