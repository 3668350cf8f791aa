//! Loading BPF programs from ELF objects (`clang -target bpf -c`, `llvm-mc -triple bpfel`).
//!
//! Takes the named section, or else the first non-empty executable section, and decodes
//! it. Relocations (map references, calls into other sections) are not supported: a
//! section that has any is rejected.

use super::decode::decode;
use super::error::BpfError;
use super::insn::Insn;
use object::{Architecture, Endianness, Object, ObjectSection, SectionKind};

/// Loads the program in section `section` (or the first executable section) of an ELF object.
pub fn load_elf(bytes: &[u8], section: Option<&str>) -> Result<Vec<Insn>, BpfError> {
    let file = object::File::parse(bytes).map_err(|e| BpfError::new(0, format!("not an ELF object: {e}")))?;
    if file.architecture() != Architecture::Bpf {
        return Err(BpfError::new(0, format!("not a BPF object (architecture {:?})", file.architecture())));
    }
    if file.endianness() != Endianness::Little {
        return Err(BpfError::new(0, "big-endian BPF objects are not supported"));
    }
    let sec = match section {
        Some(name) => {
            file.section_by_name(name).ok_or_else(|| BpfError::new(0, format!("no section named `{name}`")))?
        }
        None => file
            .sections()
            .find(|s| s.kind() == SectionKind::Text && s.size() > 0)
            .ok_or_else(|| BpfError::new(0, "no executable section"))?,
    };
    let name = sec.name().unwrap_or("?").to_string();
    if sec.relocations().next().is_some() {
        return Err(BpfError::new(0, format!("section `{name}` has relocations, which are not supported")));
    }
    let data = sec.data().map_err(|e| BpfError::new(0, format!("cannot read section `{name}`: {e}")))?;
    decode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RET42: &[u8] = include_bytes!("../../tests/data/ret42.bpf.o");

    #[test]
    fn loads_text_section() {
        let p = load_elf(RET42, None).unwrap();
        assert_eq!(super::super::disassemble(&p), "mov %r0, 42\nadd %r0, %r2\nexit\n");
        assert_eq!(load_elf(RET42, Some(".text")).unwrap(), p);
        assert!(load_elf(RET42, Some(".data")).is_err());
        assert!(load_elf(&RET42[..100], None).is_err());
        assert!(load_elf(b"not elf", None).is_err());
        let m = super::super::lift(&p).unwrap();
        let it = strata_ir::Interpreter::new(&m).unwrap();
        let r = it.call("main", &mut [strata_ir::Arg::SliceMut(&mut [0; 3])]).unwrap();
        assert_eq!(r, Some(strata_ir::Val::I64(45)));
    }

    #[test]
    fn rejects_relocations() {
        let e = load_elf(include_bytes!("../../tests/data/reloc.bpf.o"), None).unwrap_err();
        assert!(e.message.contains("relocations"), "{e}");
    }
}
