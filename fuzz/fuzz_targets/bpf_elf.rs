//! BPF ELF objects: loading any bytes (with and without a section name) either fails with an
//! error or gives a program that verify and lift accept or reject without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use strata_frontend::bpf;

fuzz_target!(|data: &[u8]| {
    for section in [None, Some(".text"), Some("prog")] {
        if let Ok(insns) = bpf::load_elf(data, section) {
            if let Ok(m) = bpf::lift(&insns) {
                if let Err(e) = strata_ir::verify_module(&m) {
                    panic!("lifted module does not verify: {e}");
                }
            }
        }
    }
});
