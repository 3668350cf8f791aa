//! Loading code into an engine: kernel-language source, IR text, an IR module built in
//! Rust, or a BPF program (raw bytecode, an ELF object, or assembly text). Every loader
//! verifies the IR and returns errors with their rendered diagnostics; none compiles
//! anything (compilation happens when a kernel is asked for, see `module.rs`).

use crate::engine::Engine;
use crate::error::Error;
use crate::module::Module;
use strata_frontend::bpf;

/// A BPF program in one of the forms the frontend reads.
#[derive(Clone, Copy, Debug)]
pub enum BpfInput<'a> {
    /// Raw bytecode: 8-byte instructions, little-endian.
    Bytecode(&'a [u8]),
    /// An ELF object (as `clang -target bpf -c` makes): the named section, or the first
    /// executable one.
    Elf { bytes: &'a [u8], section: Option<&'a str> },
    /// Assembly text in the usual syntax (`mov r0, 1` / `exit`).
    Asm(&'a str),
}

impl<'a> BpfInput<'a> {
    /// Guesses the form of a file's bytes: ELF by its magic number, assembly text if it is
    /// UTF-8 text, raw bytecode otherwise.
    pub fn detect(bytes: &'a [u8]) -> BpfInput<'a> {
        if bytes.starts_with(b"\x7fELF") {
            return BpfInput::Elf { bytes, section: None };
        }
        match std::str::from_utf8(bytes) {
            Ok(s) if !bytes.is_empty() && !s.contains('\0') => BpfInput::Asm(s),
            _ => BpfInput::Bytecode(bytes),
        }
    }
}

impl Engine {
    /// Compiles kernel-language source (`.sk`) to a module. Errors carry every diagnostic,
    /// rendered with file, line, column and a caret.
    ///
    /// ```
    /// let engine = strata_runtime::Engine::new();
    /// let err = engine.load_source("bad.sk", "export fn f() -> f32 { return 1; }").unwrap_err();
    /// assert!(err.to_string().contains("bad.sk:1:"), "{err}");
    /// ```
    pub fn load_source(&self, name: &str, src: &str) -> Result<Module, Error> {
        let ir = strata_frontend::compile_source(name, src).map_err(|d| Error::Source(d.render(name, src, false)))?;
        Ok(Module::new(self.clone(), name, ir))
    }

    /// Parses IR text (the format `strata dump` prints) and verifies it.
    pub fn load_ir(&self, text: &str) -> Result<Module, Error> {
        let ir = strata_ir::parse_module(text).map_err(|e| Error::Ir(e.to_string()))?;
        self.load_module(ir)
    }

    /// Takes an IR module built in Rust, after verifying it.
    pub fn load_module(&self, ir: strata_ir::Module) -> Result<Module, Error> {
        strata_ir::verify_module(&ir).map_err(|e| Error::Ir(format!("the module does not verify:\n{e}")))?;
        Ok(Module::new(self.clone(), "<ir>", ir))
    }

    /// Decodes, verifies and lifts a BPF program. The result exports `main(mem: mut [i8])
    /// -> i64` (take it as `get::<&mut [u8], i64>("main")`): r1 points to `mem`, r2 is
    /// its length; helper calls go to the functions registered with
    /// [`Engine::bpf_helper`]. On [`crate::Tier::Interpreter`] (and as the adaptive tier's
    /// start when that is the interpreter) it runs on the dedicated BPF interpreter, with
    /// the same results, traps and fuel as the lifted IR on the other tiers.
    pub fn load_bpf(&self, input: BpfInput<'_>) -> Result<Module, Error> {
        let insns = match input {
            BpfInput::Bytecode(b) => bpf::decode(b),
            BpfInput::Elf { bytes, section } => bpf::load_elf(bytes, section),
            BpfInput::Asm(s) => bpf::assemble(s),
        }
        .map_err(|e| Error::Bpf(e.to_string()))?;
        let ir = bpf::lift(&insns).map_err(|e| Error::Bpf(e.to_string()))?;
        Ok(Module::new_bpf(self.clone(), "<bpf>", ir, insns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bpf_interpreter_tier_is_the_bpf_interpreter() {
        let e = Engine::builder().tier(crate::Tier::Interpreter).build();
        let m = e.load_bpf(BpfInput::Asm("mov %r0, 1\nexit")).unwrap();
        let (code, tier) = e.code_for(&m.ir, "main", crate::Tier::Interpreter, false, false).unwrap();
        assert_eq!(tier, crate::Tier::Interpreter);
        assert!(code.on_bpf_interpreter());
        // The same IR loaded as IR runs on the IR interpreter (a different cache entry).
        let as_ir = e.load_module(m.ir().clone()).unwrap();
        let (code, _) = e.code_for(&as_ir.ir, "main", crate::Tier::Interpreter, false, false).unwrap();
        assert!(!code.on_bpf_interpreter());
    }

    #[test]
    fn detects_forms() {
        assert!(matches!(BpfInput::detect(b"\x7fELF\x02"), BpfInput::Elf { .. }));
        assert!(matches!(BpfInput::detect(b"exit\n"), BpfInput::Asm(_)));
        assert!(matches!(BpfInput::detect(&[0x95, 0, 0, 0, 0, 0, 0, 0]), BpfInput::Bytecode(_)));
    }

    #[test]
    fn errors_name_the_problem() {
        let e = Engine::builder().tier(crate::Tier::Interpreter).build();
        assert!(matches!(e.load_ir("function"), Err(Error::Ir(_))));
        assert!(matches!(e.load_bpf(BpfInput::Bytecode(&[1, 2, 3])), Err(Error::Bpf(_))));
        assert!(matches!(e.load_bpf(BpfInput::Asm("jmp nowhere")), Err(Error::Bpf(_))));
        let Err(Error::Source(msg)) = e.load_source("x.sk", "fn (") else { panic!("expected a source error") };
        assert!(msg.contains("x.sk:1:"), "{msg}");
    }
}
