//! Compile Strata kernels ahead of time from `build.rs`, the way `cc` compiles C.
//!
//! ```no_run
//! // build.rs
//! strata_build::Build::new().file("kernels/dsp.sk").opt_level(3).compile("dsp");
//! ```
//! ```ignore
//! // src/lib.rs
//! mod dsp {
//!     include!(concat!(env!("OUT_DIR"), "/dsp.rs"));
//! }
//! ```
//!
//! [`Build::compile`] compiles every exported function of every file with LLVM (one object
//! per file, each file being its own module), archives them into `OUT_DIR/lib<name>.a`,
//! writes `OUT_DIR/<name>.rs` (raw `extern "C"` declarations in `mod ffi` plus safe
//! wrappers taking Rust slices and returning `Result<_, Trap>`) and `OUT_DIR/<name>.h` (a C
//! header), and prints the `cargo:` lines that link the library (and libm, which kernels
//! with transcendental opcodes call). The generated Rust code carries its own
//! `#[repr(C)]` copy of [`strata_ir::VmContext`], checked at compile time, so the user crate
//! needs neither strata nor LLVM at run time.
//!
//! The ABI is [`strata_ir::abi`]'s: `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret`,
//! each slice a pointer and an `i64` length, `bool` as a `u8` 0/1.

mod gen;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use strata_ir::{Linkage, Module};
use strata_llvm::{EmitKind, LlvmOptions};

pub use gen::{c_header, rust_bindings};

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A kernel file has errors; `rendered` is the frontend's report.
    #[error("{rendered}")]
    Diagnostics { file: PathBuf, rendered: String },
    /// LLVM failed to compile a module.
    #[error("{file}: code generation failed: {message}")]
    Codegen { file: PathBuf, message: String },
    /// A required setting (output directory, target) is missing or malformed.
    #[error("{0}")]
    Config(String),
    /// A signature the bindings cannot express.
    #[error("{0}")]
    Unsupported(String),
}

/// What one successful build produced.
#[derive(Debug, Clone)]
pub struct Artifacts {
    /// `lib<name>.a`.
    pub library: PathBuf,
    /// The Rust bindings (`<name>.rs`).
    pub bindings: PathBuf,
    /// The C header (`<name>.h`).
    pub header: PathBuf,
    /// The exported functions, in file order.
    pub functions: Vec<ExportedFn>,
    /// The `cargo:` lines, as printed by [`Build::compile`].
    pub cargo_lines: Vec<String>,
}

/// An exported kernel: its symbol and signature.
#[derive(Debug, Clone)]
pub struct ExportedFn {
    pub name: String,
    pub sig: strata_ir::Signature,
}

/// A builder for one static library of kernels.
#[derive(Debug, Clone, Default)]
pub struct Build {
    files: Vec<PathBuf>,
    opt_level: Option<u8>,
    target_cpu: Option<String>,
    target: Option<String>,
    out_dir: Option<PathBuf>,
    cargo_metadata: Option<bool>,
    multiversion: Vec<String>,
}

impl Build {
    /// A builder with no files; settings default from cargo's environment.
    pub fn new() -> Self {
        Build::default()
    }

    /// Adds a kernel-language file (relative paths are relative to the package root, the
    /// working directory of build scripts).
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds several files.
    pub fn files<P: AsRef<Path>>(&mut self, paths: impl IntoIterator<Item = P>) -> &mut Self {
        for p in paths {
            self.file(p);
        }
        self
    }

    /// LLVM optimization level 0–3 (default: cargo's `OPT_LEVEL`, `s`/`z` as 2, else 3).
    pub fn opt_level(&mut self, level: u8) -> &mut Self {
        self.opt_level = Some(level);
        self
    }

    /// The CPU to generate code for (an LLVM name such as `x86-64-v3`); default `generic`
    /// for the target, never the build machine's CPU.
    pub fn target_cpu(&mut self, cpu: impl Into<String>) -> &mut Self {
        self.target_cpu = Some(cpu.into());
        self
    }

    /// The target triple (default: cargo's `TARGET`, else the host).
    pub fn target(&mut self, triple: impl Into<String>) -> &mut Self {
        self.target = Some(triple.into());
        self
    }

    /// Where to put the outputs (default: cargo's `OUT_DIR`).
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Compiles every kernel once per CPU (LLVM names, worst first, e.g.
    /// `["x86-64-v2", "x86-64-v3", "x86-64-v4"]`) under suffixed symbols (`ola__x86_64_v3`,
    /// see [`symbol_suffix`]); the Rust wrappers pick the best level the machine runs once, on
    /// first call (the environment variable `STRATA_FORCE_CPU=<cpu>` overrides the choice),
    /// and the C header declares every variant. Overrides [`Build::target_cpu`].
    pub fn multiversion(&mut self, cpus: &[&str]) -> &mut Self {
        self.multiversion = cpus.iter().map(|c| c.to_string()).collect();
        self
    }

    /// Whether [`Build::compile`] prints `cargo:` lines (default: when `OUT_DIR` is unset
    /// by [`Build::out_dir`], i.e. inside a build script).
    pub fn cargo_metadata(&mut self, print: bool) -> &mut Self {
        self.cargo_metadata = Some(print);
        self
    }

    fn resolved_opt_level(&self) -> u8 {
        if let Some(l) = self.opt_level {
            return l.min(3);
        }
        match std::env::var("OPT_LEVEL").as_deref() {
            Ok("0") => 0,
            Ok("1") => 1,
            Ok("2") | Ok("s") | Ok("z") => 2,
            _ => 3,
        }
    }

    fn resolved_target(&self) -> Result<Option<String>, Error> {
        let triple = match &self.target {
            Some(t) => Some(t.clone()),
            None => std::env::var("TARGET").ok(),
        };
        match triple {
            Some(t) => {
                target_lexicon::Triple::from_str(&t)
                    .map_err(|e| Error::Config(format!("bad target triple `{t}`: {e}")))?;
                Ok(Some(t))
            }
            None => Ok(None),
        }
    }

    /// Compiles, archives and writes bindings; prints nothing.
    pub fn try_compile(&self, name: &str) -> Result<Artifacts, Error> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Error::Config(format!("library name `{name}` must be [A-Za-z0-9_]+")));
        }
        if self.files.is_empty() {
            return Err(Error::Config("no kernel files given".into()));
        }
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| Error::Config("OUT_DIR is not set; call .out_dir(..) outside build scripts".into()))?,
        };
        std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io { path: out_dir.clone(), source })?;
        let target = self.resolved_target()?;
        let is_linux = match &target {
            Some(t) => t.contains("linux"),
            None => cfg!(target_os = "linux"),
        };
        let opts = LlvmOptions {
            opt_level: self.resolved_opt_level(),
            target_cpu: Some(self.target_cpu.clone().unwrap_or_else(|| "generic".into())),
            ..LlvmOptions::default()
        };

        let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
        let mut functions: Vec<ExportedFn> = Vec::new();
        for (i, file) in self.files.iter().enumerate() {
            let module = load(file)?;
            for (_, f) in module.functions.iter() {
                if f.linkage != Linkage::Export {
                    continue;
                }
                if functions.iter().any(|e| e.name == f.name) {
                    return Err(Error::Config(format!(
                        "{}: exported function `{}` is defined in two files",
                        file.display(),
                        f.name
                    )));
                }
                functions.push(ExportedFn { name: f.name.clone(), sig: f.sig.clone() });
            }
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("kernels");
            if self.multiversion.is_empty() {
                let obj = strata_llvm::emit(&module, &opts, EmitKind::Object, target.as_deref())
                    .map_err(|e| Error::Codegen { file: file.clone(), message: e.to_string() })?;
                objects.push((format!("{name}_{i}_{stem}.o"), obj));
            }
            for (j, cpu) in self.multiversion.iter().enumerate() {
                let suffix = symbol_suffix(cpu);
                let mut m = module.clone();
                // Calls refer to functions by id, so renaming every function (local ones too,
                // in case the backend gives them symbols) renames the whole variant.
                for (_, f) in m.functions.iter_mut() {
                    f.name = format!("{}{suffix}", f.name);
                }
                let o = LlvmOptions { target_cpu: Some(cpu.clone()), ..opts.clone() };
                let obj = strata_llvm::emit(&m, &o, EmitKind::Object, target.as_deref())
                    .map_err(|e| Error::Codegen { file: file.clone(), message: format!("{cpu}: {e}") })?;
                objects.push((format!("{name}_{i}_{stem}_{j}.o"), obj));
            }
        }

        let bindings_src = rust_bindings(&functions, &self.multiversion)?;
        let header_src = c_header(name, &functions, &self.multiversion)?;

        let library = out_dir.join(format!("lib{name}.a"));
        write_archive(&library, &objects, target.as_deref())?;
        let bindings = out_dir.join(format!("{name}.rs"));
        std::fs::write(&bindings, bindings_src).map_err(|source| Error::Io { path: bindings.clone(), source })?;
        let header = out_dir.join(format!("{name}.h"));
        std::fs::write(&header, header_src).map_err(|source| Error::Io { path: header.clone(), source })?;

        let mut cargo_lines = vec![
            format!("cargo:rustc-link-search=native={}", out_dir.display()),
            format!("cargo:rustc-link-lib=static={name}"),
        ];
        if is_linux {
            cargo_lines.push("cargo:rustc-link-lib=m".into());
        }
        for f in &self.files {
            cargo_lines.push(format!("cargo:rerun-if-changed={}", f.display()));
        }
        Ok(Artifacts { library, bindings, header, functions, cargo_lines })
    }

    /// [`Build::try_compile`] for build scripts: prints the `cargo:` lines, and on error
    /// prints the report (kernel diagnostics as the frontend renders them) and panics, as
    /// `cc` does.
    pub fn compile(&self, name: &str) -> Artifacts {
        match self.try_compile(name) {
            Ok(a) => {
                let print = self.cargo_metadata.unwrap_or(self.out_dir.is_none());
                if print {
                    for l in &a.cargo_lines {
                        println!("{l}");
                    }
                }
                a
            }
            Err(e) => {
                eprintln!("{e}");
                panic!("strata-build: failed to build `{name}`:\n{e}");
            }
        }
    }
}

/// The symbol suffix of the variant for `cpu` in multiversioned builds: `x86-64-v3` gives
/// `__x86_64_v3`.
pub fn symbol_suffix(cpu: &str) -> String {
    let tail: String = cpu.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("__{tail}")
}

fn load(file: &Path) -> Result<Module, Error> {
    let src = std::fs::read_to_string(file).map_err(|source| Error::Io { path: file.to_path_buf(), source })?;
    let shown = file.display().to_string();
    strata_frontend::compile_source(&shown, &src)
        .map_err(|d| Error::Diagnostics { file: file.to_path_buf(), rendered: d.render(&shown, &src, false) })
}

fn write_archive(path: &Path, objects: &[(String, Vec<u8>)], target: Option<&str>) -> Result<(), Error> {
    use ar_archive_writer::{write_archive_to_stream, ArchiveKind, NewArchiveMember, DEFAULT_OBJECT_READER};
    let apple = target.map_or(cfg!(target_vendor = "apple"), |t| t.contains("apple"));
    let windows = target.map_or(cfg!(windows), |t| t.contains("windows"));
    let kind = if apple {
        ArchiveKind::Darwin
    } else if windows {
        ArchiveKind::Coff
    } else {
        ArchiveKind::Gnu
    };
    let members: Vec<NewArchiveMember<'_>> =
        objects.iter().map(|(n, b)| NewArchiveMember::new(b.as_slice(), &DEFAULT_OBJECT_READER, n.clone())).collect();
    let mut buf = std::io::Cursor::new(Vec::new());
    write_archive_to_stream(&mut buf, &members, kind, false, None)
        .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    std::fs::write(path, buf.into_inner()).map_err(|source| Error::Io { path: path.to_path_buf(), source })
}
