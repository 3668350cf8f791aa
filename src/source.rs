//! Loading a module from a source file, by extension: `.sk` (kernel language), `.sir`
//! (IR text), or a BPF program lifted to IR (`.s`/`.asm` assembly, `.o` ELF object —
//! its first executable section —, `.bin` raw bytecode). Errors come back rendered, with file, line and column, ready to print.
//! Loading verifies the module, so everything downstream may assume verified IR.

use std::path::Path;
use strata_ir::Module;

/// Why a source could not be turned into a verified module.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("`{path}`: unknown source kind (expected a .sk kernel, a .sir IR file, or BPF as .s, .o or .bin)")]
    UnknownKind { path: String },
    /// Diagnostics, already rendered (with carets) for the terminal.
    #[error("{rendered}")]
    Diagnostics { rendered: String, count: usize },
}

/// The kinds of source the CLI understands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Kernel,
    Ir,
    /// BPF assembly in the conformance suite's syntax.
    BpfAsm,
    /// A BPF ELF object (`clang -target bpf`); the first executable section.
    BpfElf,
    /// Raw BPF bytecode, 8 bytes per slot.
    BpfRaw,
}

impl SourceKind {
    /// The kind of `path`, from its extension.
    pub fn of(path: &Path) -> Option<SourceKind> {
        match path.extension()?.to_str()? {
            "sk" => Some(SourceKind::Kernel),
            "sir" => Some(SourceKind::Ir),
            "s" | "asm" => Some(SourceKind::BpfAsm),
            "o" => Some(SourceKind::BpfElf),
            "bin" => Some(SourceKind::BpfRaw),
            _ => None,
        }
    }
}

/// Reads and compiles `path` into a verified module.
pub fn load_file(path: &Path, color: bool) -> Result<Module, LoadError> {
    let shown = path.display().to_string();
    let kind = SourceKind::of(path).ok_or_else(|| LoadError::UnknownKind { path: shown.clone() })?;
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: shown.clone(), source })?;
    load_bytes(&shown, kind, &bytes, color)
}

/// Compiles source bytes of the given kind into a verified module.
pub fn load_bytes(name: &str, kind: SourceKind, bytes: &[u8], color: bool) -> Result<Module, LoadError> {
    let module = match kind {
        SourceKind::Kernel => strata_frontend::compile_bytes(name, bytes).map_err(|d| {
            let src = String::from_utf8_lossy(bytes);
            LoadError::Diagnostics { rendered: d.render(name, &src, color), count: d.len() }
        })?,
        SourceKind::Ir => {
            let src = std::str::from_utf8(bytes).map_err(|e| LoadError::Diagnostics {
                rendered: format!("{name}: error: the file is not valid UTF-8 (byte {})", e.valid_up_to()),
                count: 1,
            })?;
            strata_ir::parse_module(src).map_err(|e| LoadError::Diagnostics {
                rendered: format!("{name}:{}:{}: error: {}", e.line, e.col, e.message),
                count: 1,
            })?
        }
        SourceKind::BpfAsm | SourceKind::BpfElf | SourceKind::BpfRaw => load_bpf(name, kind, bytes)?,
    };
    strata_ir::verify_module(&module).map_err(|errs| LoadError::Diagnostics {
        rendered: format!("{name}: the IR is malformed:\n{errs}"),
        count: errs.0.len(),
    })?;
    Ok(module)
}

/// Decodes (or assembles) and lifts a BPF program.
fn load_bpf(name: &str, kind: SourceKind, bytes: &[u8]) -> Result<Module, LoadError> {
    use strata_frontend::bpf;
    let err = |e: bpf::BpfError| LoadError::Diagnostics { rendered: format!("{name}: error: {e}"), count: 1 };
    let insns = match kind {
        SourceKind::BpfAsm => {
            let src = std::str::from_utf8(bytes).map_err(|e| LoadError::Diagnostics {
                rendered: format!("{name}: error: the file is not valid UTF-8 (byte {})", e.valid_up_to()),
                count: 1,
            })?;
            bpf::assemble(src).map_err(err)?
        }
        SourceKind::BpfElf => bpf::load_elf(bytes, None).map_err(err)?,
        _ => bpf::decode(bytes).map_err(err)?,
    };
    bpf::lift(&insns).map_err(err)
}
