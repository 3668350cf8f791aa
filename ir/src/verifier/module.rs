//! Module-level checks (names, data objects, externs: M1–M4) and the function header
//! (name, signature, stack slots: S1–S5). See the invariant list in `mod.rs`.

use super::{Location, Reporter, VerifierError};
use crate::function::{Function, Linkage};
use crate::module::Module;
use crate::signature::ParamKind;
use crate::types::Type;
use std::collections::HashMap;

/// Largest stack-slot alignment (S5).
pub(super) const MAX_SLOT_ALIGN: u32 = 4096;
/// Largest stack-slot size in bytes (S5).
pub(super) const MAX_SLOT_SIZE: u32 = 1 << 20;

/// Whether `s` is a `NAME` of the text format: `[A-Za-z_][A-Za-z0-9_.]*`.
pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// `i8 i16 i32 i64 f32 f64`: the element types of slices and data objects.
pub(super) fn is_numeric_scalar(t: Type) -> bool {
    t.is_scalar() && (t.is_int() || t.is_float())
}

/// M1–M4: names, data objects and extern declarations. Per-function checks are separate.
pub(super) fn verify_module_items(m: &Module) -> Vec<VerifierError> {
    let mut r = Reporter::new("");
    let mut out = Vec::new();

    // M2: one namespace for all three kinds of item, first come first served.
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (id, f) in m.functions.iter() {
        if let Some(first) = seen.get(f.name.as_str()) {
            // Reported against the function itself, like its other header errors.
            let mut fr = Reporter::new(&f.name);
            fr.report(Location::Function, String::new, format!("name `{}` is already used by {first}", f.name));
            out.extend(fr.finish());
        } else {
            seen.insert(&f.name, format!("function {id}"));
        }
    }
    for (id, d) in m.data.iter() {
        let at = || format!("data object `{}` ({id})", d.name);
        if !is_identifier(&d.name) {
            r.report(Location::Data(id), at, format!("name `{}` is not an identifier", d.name));
        }
        match seen.get(d.name.as_str()) {
            Some(first) => r.report(Location::Data(id), at, format!("name `{}` is already used by {first}", d.name)),
            None => {
                seen.insert(&d.name, format!("data object {id}"));
            }
        }
        // M3
        if !is_numeric_scalar(d.elem) {
            r.report(
                Location::Data(id),
                at,
                format!("element type {} is not a numeric scalar (i8, i16, i32, i64, f32, f64)", d.elem),
            );
        } else if let Some(size) = d.elem.bytes() {
            if d.bytes.len() % size as usize != 0 {
                r.report(
                    Location::Data(id),
                    at,
                    format!("byte length {} is not a multiple of the element size {size}", d.bytes.len()),
                );
            }
        }
    }
    for (id, e) in m.externs.iter() {
        let at = || format!("extern `{}` ({id})", e.name);
        if !is_identifier(&e.name) {
            r.report(Location::Extern(id), at, format!("name `{}` is not an identifier", e.name));
        }
        match seen.get(e.name.as_str()) {
            Some(first) => r.report(Location::Extern(id), at, format!("name `{}` is already used by {first}", e.name)),
            None => {
                seen.insert(&e.name, format!("extern {id}"));
            }
        }
        // M4
        for (i, t) in e.params.iter().enumerate() {
            if t.is_vector() {
                r.report(
                    Location::Extern(id),
                    at,
                    format!("parameter {i} has vector type {t}; extern parameters are scalars"),
                );
            }
        }
        if let Some(t) = e.ret.filter(|t| t.is_vector()) {
            r.report(Location::Extern(id), at, format!("result type {t} is a vector; extern results are scalars"));
        }
    }
    let mut errors = r.finish();
    errors.extend(out);
    errors
}

/// S1–S5: the function's name, signature and stack slots.
pub(super) fn verify_header(r: &mut Reporter, f: &Function) {
    let mut report = |msg: String| r.report(Location::Function, String::new, msg);
    // S1
    if !is_identifier(&f.name) {
        report(format!("function name `{}` is not an identifier ([A-Za-z_][A-Za-z0-9_.]*)", f.name));
    }
    // S2–S4
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, p) in f.sig.params.iter().enumerate() {
        if !is_identifier(&p.name) {
            report(format!("parameter {i} has name `{}`, which is not an identifier", p.name));
        }
        if let Some(first) = names.insert(&p.name, i) {
            report(format!("parameters {first} and {i} are both named `{}`", p.name));
        }
        match p.kind {
            ParamKind::Slice { elem, .. } if !is_numeric_scalar(elem) => report(format!(
                "slice parameter `{}` has element type {elem}, expected a numeric scalar (i8, i16, i32, i64, f32, f64)",
                p.name
            )),
            ParamKind::Scalar(t) if t.is_vector() && f.linkage == Linkage::Export => report(format!(
                "exported function has vector parameter `{}: {t}`; exported functions take scalars and slices",
                p.name
            )),
            _ => {}
        }
    }
    if let Some(t) = f.sig.ret.filter(|t| t.is_vector() && f.linkage == Linkage::Export) {
        report(format!("exported function returns vector type {t}; exported functions return scalars"));
    }
    // S5
    for (ss, slot) in f.stack_slots.iter() {
        if !slot.align.is_power_of_two() || slot.align > MAX_SLOT_ALIGN {
            report(format!(
                "stack slot {ss} has alignment {}, expected a power of two up to {MAX_SLOT_ALIGN}",
                slot.align
            ));
        }
        if slot.size > MAX_SLOT_SIZE {
            report(format!("stack slot {ss} has size {}, more than the limit of {MAX_SLOT_SIZE} bytes", slot.size));
        }
    }
}
