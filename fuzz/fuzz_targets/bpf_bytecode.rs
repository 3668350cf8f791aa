//! Raw BPF bytecode: decode either fails or gives slots that encode back to the same bytes;
//! verify, disassemble and lift never panic; a lifted module verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use strata_frontend::bpf;

fuzz_target!(|data: &[u8]| {
    let Ok(insns) = bpf::decode(data) else { return };
    assert_eq!(bpf::encode(&insns), data, "encode(decode(b)) != b");
    let text = bpf::disassemble(&insns);
    if let Ok(back) = bpf::assemble(&text) {
        assert_eq!(back, insns, "disassemble/assemble round trip:\n{text}");
    }
    if let Ok(m) = bpf::lift(&insns) {
        if let Err(e) = strata_ir::verify_module(&m) {
            panic!("lifted module does not verify: {e}");
        }
    }
});
