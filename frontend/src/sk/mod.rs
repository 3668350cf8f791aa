//! The kernel language (`.sk`): a small, statically typed, Rust-like language for numeric
//! and DSP kernels, compiled to Strata IR. `docs/language.md` is its reference.
//!
//! The pipeline is straight: [`lexer`] → [`parser`] (syntax tree, [`ast`]) → [`resolve`]
//! (the table of functions) → [`checker`] (names, types, literal inference, mutability,
//! returns) → [`lower`] (IR through the builder). Every phase reports into one
//! [`diagnostics::Sink`] and carries on where it can, so a file with several mistakes gets
//! several errors; lowering runs only on a file without errors.

pub mod ast;
pub mod checker;
pub mod diagnostics;
pub mod intrinsics;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod resolve;
pub mod token;
pub mod types;

use diagnostics::{Diag, Diagnostics, Sink, Span};
use strata_ir::Module;

/// Stack for the phases: they recurse once per nesting level of the source, which the
/// parser bounds at [`parser::MAX_DEPTH`]; in unoptimised builds one level of nested blocks
/// takes about 16 KiB of stack, so 256 levels need about 4 MiB — more than a test thread
/// or a small worker thread has. The frontend therefore runs on its own thread with this
/// much stack (reserved address space; only the pages touched are committed).
const STACK_SIZE: usize = 64 << 20;

/// Runs `f` on a thread with [`STACK_SIZE`] bytes of stack, or on this thread if no thread
/// can be started.
fn with_stack<T: Send>(f: impl Fn() -> T + Sync) -> T {
    let f = &f;
    std::thread::scope(|s| {
        let spawned =
            std::thread::Builder::new().name("strata-frontend".into()).stack_size(STACK_SIZE).spawn_scoped(s, f);
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(v) => v,
                // A panic is a bug in the frontend; pass it on to the caller unchanged.
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => f(),
        }
    })
}

/// Compiles `src` to an IR module, or returns every error found.
pub fn compile(file_name: &str, src: &str) -> Result<Module, Diagnostics> {
    with_stack(|| compile_here(file_name, src))
}

fn compile_here(file_name: &str, src: &str) -> Result<Module, Diagnostics> {
    let (file, checked) = analyze(file_name, src)?;
    let internal = |msg: String| {
        let mut sink = Sink::new();
        sink.push(
            Diag::new(Span::new(0, 0), format!("internal compiler error: {msg}"))
                .hint("this is a bug in the Strata frontend; please report it with this file"),
        );
        sink.finish(file_name, src)
    };
    let module = lower::lower(&file, &checked).map_err(internal)?;
    // Debug builds check every module they produce, so a lowering bug shows up where it
    // happens rather than in a backend.
    if cfg!(debug_assertions) {
        strata_ir::verify_module(&module).map_err(|e| internal(format!("the IR does not verify: {e}")))?;
    }
    Ok(module)
}

/// Checks `src` without building IR.
pub fn check(file_name: &str, src: &str) -> Result<(), Diagnostics> {
    with_stack(|| analyze(file_name, src).map(|_| ()))
}

/// Lexes, parses and checks `src`: the syntax tree and the checker's tables, or the errors.
pub fn analyze(file_name: &str, src: &str) -> Result<(ast::File, checker::Checked), Diagnostics> {
    if u32::try_from(src.len()).is_err() {
        return Err(diagnostics::too_large(file_name));
    }
    let mut sink = Sink::new();
    let tokens = lexer::lex(src, &mut sink);
    let file = parser::parse(src, tokens, &mut sink);
    // Bodies containing a syntax error are not type-checked: the statements the parser
    // skipped would only cause confusing follow-up errors.
    let syntax_errors = sink.positions();
    let items = resolve::collect(&file, &mut sink);
    let checked = checker::check(&file, items, src, &syntax_errors, &mut sink);
    if sink.has_errors() {
        return Err(sink.finish(file_name, src));
    }
    Ok((file, checked))
}
