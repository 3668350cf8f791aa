//! `--specialize NAME=VALUE,NAME=VALUE` for `strata run`, `dump` and `build`: parses the
//! bindings, converts each value to the bound parameter's type, and calls
//! `strata_ir::passes::specialize` before the pass pipeline runs.
//!
//! A VALUE is a JSON number (or `true`/`false`, `"NaN"`, `"inf"`), a JSON array `[..]`,
//! or `@PATH`: a file (relative to the current directory) holding such a number or array.
//! Commas inside `[..]` do not separate bindings. The option may be repeated.
//! This file only parses and converts; it does not run or compile anything.

use serde_json::Value as Json;
use strata::json_args::{self, ArgError, OwnedArg};
use strata_ir::passes::{specialize, Binding};
use strata_ir::{Module, Signature};

/// The `--specialize` option, flattened into a subcommand's arguments.
#[derive(clap::Args, Default)]
pub struct SpecializeArgs {
    /// Bind parameters of the function to constants before optimizing:
    /// `win=@win.json,gain=0.5,taps=[0.25,0.5,0.25]` (a JSON number, a JSON array, or
    /// @FILE holding one). Bound parameters are removed from the signature.
    #[arg(long = "specialize", value_name = "NAME=VALUE,…")]
    pub specs: Vec<String>,
}

impl SpecializeArgs {
    /// Whether any binding was given.
    pub fn is_empty(&self) -> bool {
        self.specs.iter().all(|s| s.trim().is_empty())
    }

    /// The bound parameter names, in the order given.
    pub fn names(&self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for spec in &self.specs {
            for item in split_top_level(spec) {
                let (name, _) = split_binding(item)?;
                out.push(name.to_string());
            }
        }
        Ok(out)
    }

    /// Specializes `func` in `module` with every binding given (nothing if none).
    pub fn apply(&self, module: &mut Module, func: &str) -> Result<(), String> {
        if self.is_empty() {
            return Ok(());
        }
        let id = module.func_by_name(func).ok_or_else(|| format!("--specialize: no function `{func}`"))?;
        let sig = module.functions[id].sig.clone();
        let mut bindings = Vec::new();
        for spec in &self.specs {
            for item in split_top_level(spec) {
                let (name, value) = split_binding(item)?;
                let json = read_value(value).map_err(|e| format!("--specialize {name}: {e}"))?;
                bindings.push((name.to_string(), binding(func, &sig, name, &json)?));
            }
        }
        specialize(module, func, &bindings).map_err(|e| format!("--specialize: {e}"))
    }
}

/// `--specialize` for subcommands where `--fn` is optional (`dump`, `build`).
pub fn apply_for(spec: &SpecializeArgs, func: Option<&str>, module: &mut Module) -> Result<(), String> {
    match func {
        _ if spec.is_empty() => Ok(()),
        Some(f) => spec.apply(module, f),
        None => Err("--specialize needs --fn NAME (the function whose parameters it binds)".into()),
    }
}

/// Splits `a=1,b=[1,2],c=@f` at the commas outside brackets; empty items are dropped.
fn split_top_level(spec: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in spec.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&spec[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&spec[start..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// `name=value` → `(name, value)`.
fn split_binding(item: &str) -> Result<(&str, &str), String> {
    match item.split_once('=') {
        Some((n, v)) if !n.trim().is_empty() && !v.trim().is_empty() => Ok((n.trim(), v.trim())),
        _ => Err(format!("--specialize: `{item}` is not NAME=VALUE (e.g. gain=0.5, win=[1,0.5], win=@win.json)")),
    }
}

/// The JSON a value stands for: inline, or read from `@PATH`.
fn read_value(value: &str) -> Result<Json, String> {
    let (text, origin) = match value.strip_prefix('@') {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
            (text, format!("`{path}`"))
        }
        None => (value.to_string(), "the value".to_string()),
    };
    serde_json::from_str(&text).map_err(|e| format!("{origin} is not valid JSON: {e}"))
}

/// Converts `json` to a binding for parameter `name` of `sig`, checking its shape.
fn binding(func: &str, sig: &Signature, name: &str, json: &Json) -> Result<Binding, String> {
    let Some((_, param)) = sig.param(name) else {
        return Err(format!("--specialize: function `{func}` has no parameter `{name}` (its signature is {sig})"));
    };
    // Reuse `--args` conversion on a one-parameter signature, so values read identically.
    let one = Signature::new(vec![param.clone()], None);
    let arg = json_args::args_from_json(func, &one, &Json::Array(vec![json.clone()])).map_err(|e| match e {
        ArgError::Param { message, .. } => format!("--specialize {name}: {message}"),
        other => format!("--specialize {name}: {other}"),
    })?;
    match arg.into_iter().next() {
        Some(OwnedArg::Scalar(v)) => Ok(Binding::Scalar(v)),
        Some(OwnedArg::Slice { elem, bytes, .. }) => Ok(Binding::Array { elem, bytes }),
        None => Err(format!("--specialize {name}: no value")),
    }
}

/// The arguments of the specialized function from `--args`: either only the unbound
/// parameters, in order, or every parameter of the original signature (the bound
/// positions are then ignored).
pub fn remaining_args(original: &Signature, bound: &[String], text: &str) -> Result<String, String> {
    if bound.is_empty() {
        return Ok(text.to_string());
    }
    let json: Json = serde_json::from_str(text).map_err(|e| format!("--args is not valid JSON: {e}"))?;
    let Some(items) = json.as_array() else { return Ok(text.to_string()) };
    let remaining = original.params.len().saturating_sub(bound.len());
    if items.len() != original.params.len() || items.len() == remaining {
        return Ok(text.to_string());
    }
    let kept: Vec<Json> =
        original.params.iter().zip(items).filter(|(p, _)| !bound.contains(&p.name)).map(|(_, j)| j.clone()).collect();
    Ok(Json::Array(kept).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_keeps_arrays_whole() {
        assert_eq!(split_top_level("a=1, b=[1,2,[3]],c=@x.json,"), vec!["a=1", "b=[1,2,[3]]", "c=@x.json"]);
        assert_eq!(split_binding("gain = 0.5"), Ok(("gain", "0.5")));
        assert!(split_binding("gain").is_err());
        assert!(split_binding("=1").is_err());
    }
}
