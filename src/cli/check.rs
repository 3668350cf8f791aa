//! `strata check FILE`: compile and verify, print diagnostics only.

use super::EXIT_INPUT;
use std::path::Path;

pub fn check(file: &Path, color: bool) -> i32 {
    match strata::source::load_file(file, color) {
        Ok(m) => {
            eprintln!("{}: ok ({} function(s))", file.display(), m.functions.len());
            0
        }
        Err(e) => {
            eprintln!("{e}");
            EXIT_INPUT
        }
    }
}
