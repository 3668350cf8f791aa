//! BPF assembly text: assembling either fails with an error or gives a program whose
//! disassembly assembles back to the same slots; verify and lift never panic, and a lifted
//! module verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use strata_frontend::bpf;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(insns) = bpf::assemble(src) else { return };
    let text = bpf::disassemble(&insns);
    match bpf::assemble(&text) {
        Ok(back) => assert_eq!(back, insns, "disassemble/assemble round trip:\n{text}"),
        Err(e) => panic!("disassembly does not assemble: {e}\n{text}"),
    }
    if let Ok(m) = bpf::lift(&insns) {
        if let Err(e) = strata_ir::verify_module(&m) {
            panic!("lifted module does not verify: {e}");
        }
    }
});
