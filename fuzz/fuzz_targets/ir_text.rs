//! IR text: parsing either fails with an error or gives a module that prints and parses back
//! to the same text; a module that also verifies loads into the interpreter, and the
//! non-pass-dependent pipeline stages accept it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(m) = strata_ir::parse_module(src) else { return };
    let text = strata_ir::print_module(&m);
    let back = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("printed module does not parse: {e}\n{text}"));
    assert_eq!(strata_ir::print_module(&back), text, "print → parse → print differs");
    if strata_ir::verify_module(&m).is_ok() {
        let _ = strata_ir::Interpreter::new(&m);
        let mut opt = m.clone();
        if strata_ir::passes::run_pipeline(&mut opt, "-O2", &strata_ir::passes::PassOptions::default()).is_ok() {
            if let Err(e) = strata_ir::verify_module(&opt) {
                panic!("-O2 broke a verified module: {e}\n{text}");
            }
        }
    }
});
