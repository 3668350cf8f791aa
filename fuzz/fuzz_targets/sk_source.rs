//! Kernel source (any bytes, UTF-8 or not): compiling either succeeds with IR that verifies
//! and survives the interpreter's loader, or fails with diagnostics inside the source.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match strata_frontend::compile_bytes("fuzz.sk", data) {
        Ok(m) => {
            if let Err(e) = strata_ir::verify_module(&m) {
                panic!("accepted source whose IR does not verify: {e}");
            }
            let text = strata_ir::print_module(&m);
            let back = strata_ir::parse_module(&text).expect("printed IR parses");
            assert_eq!(strata_ir::print_module(&back), text, "print/parse round trip");
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "an error without a diagnostic");
            for d in &diags {
                assert!(d.span.end <= data.len() && d.span.start <= d.span.end, "span outside the source");
            }
            let src = String::from_utf8_lossy(data);
            let _ = diags.render("fuzz.sk", &src, false);
        }
    }
});
