//! Converting between JSON and call arguments/results, for the CLI's `--args JSON` and
//! its JSON output, and for tests that state inputs and expected outputs in JSON.
//!
//! Arguments are a JSON array with one entry per *source-level* parameter: a number (or
//! `true`/`false`) for a scalar, an array of numbers for a slice. Floats also accept the
//! strings `"NaN"`, `"inf"` and `"-inf"`, and results print non-finite floats the same
//! way, since JSON numbers cannot express them. Every error names the parameter.
//! This module knows nothing about tiers: it produces owned argument buffers and reads
//! results back.

use serde_json::{json, Map, Number, Value as Json};
use strata_ir::interp::{Arg, Val};
use strata_ir::{ParamKind, Signature, Type};

/// Why a JSON argument list does not fit a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    #[error("--args is not valid JSON: {0}")]
    Syntax(String),
    #[error("--args must be a JSON array with one entry per parameter, e.g. [[1.0, 2.0], 0.5]")]
    NotAnArray,
    #[error("function `{func}` takes {expected} argument(s) ({sig}), but {found} were given")]
    Count { func: String, sig: String, expected: usize, found: usize },
    #[error("argument {index} (`{param}`): {message}")]
    Param { index: usize, param: String, message: String },
}

/// An argument owned by the caller: a scalar, or a slice's bytes (little-endian).
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedArg {
    Scalar(Val),
    Slice { elem: Type, mutable: bool, bytes: Vec<u8> },
}

impl OwnedArg {
    /// Borrows the argument in the interpreter's form.
    pub fn as_arg(&mut self) -> Arg<'_> {
        match self {
            OwnedArg::Scalar(v) => Arg::Val(*v),
            OwnedArg::Slice { mutable: true, bytes, .. } => Arg::SliceMut(bytes),
            OwnedArg::Slice { mutable: false, bytes, .. } => Arg::Slice(bytes),
        }
    }
}

/// Parses `text` (a JSON array) into arguments for a function with signature `sig`.
pub fn parse_args(func: &str, sig: &Signature, text: &str) -> Result<Vec<OwnedArg>, ArgError> {
    let json: Json = serde_json::from_str(text).map_err(|e| ArgError::Syntax(e.to_string()))?;
    args_from_json(func, sig, &json)
}

/// Converts a parsed JSON array into arguments for `sig`.
pub fn args_from_json(func: &str, sig: &Signature, json: &Json) -> Result<Vec<OwnedArg>, ArgError> {
    let items = json.as_array().ok_or(ArgError::NotAnArray)?;
    if items.len() != sig.params.len() {
        return Err(ArgError::Count {
            func: func.to_string(),
            sig: sig.to_string(),
            expected: sig.params.len(),
            found: items.len(),
        });
    }
    let mut out = Vec::with_capacity(items.len());
    for (index, (param, item)) in sig.params.iter().zip(items).enumerate() {
        let err = |message: String| ArgError::Param { index: index + 1, param: param.name.clone(), message };
        match param.kind {
            ParamKind::Scalar(ty) => out.push(OwnedArg::Scalar(scalar_from_json(ty, item).map_err(err)?)),
            ParamKind::Slice { elem, mutable } => {
                let arr = item.as_array().ok_or_else(|| {
                    err(format!("expected an array of {elem} for `{}`, found {}", param.kind, describe(item)))
                })?;
                let mut bytes = Vec::with_capacity(arr.len() * elem.bytes().unwrap_or(1) as usize);
                for (i, x) in arr.iter().enumerate() {
                    let v = scalar_from_json(elem, x).map_err(|m| err(format!("element {i}: {m}")))?;
                    push_le_bytes(&mut bytes, v);
                }
                out.push(OwnedArg::Slice { elem, mutable, bytes });
            }
        }
    }
    Ok(out)
}

fn describe(j: &Json) -> String {
    match j {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("the string {s:?}"),
        Json::Array(_) => "an array".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// Converts one JSON value to a scalar of type `ty`.
pub fn scalar_from_json(ty: Type, j: &Json) -> Result<Val, String> {
    if ty == Type::BOOL {
        return j.as_bool().map(Val::Bool).ok_or_else(|| format!("expected true or false, found {}", describe(j)));
    }
    if ty.is_float() {
        let x = match j {
            Json::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not representable as {ty}"))?,
            Json::String(s) => match s.as_str() {
                "NaN" | "nan" => f64::NAN,
                "inf" | "+inf" | "Infinity" => f64::INFINITY,
                "-inf" | "-Infinity" => f64::NEG_INFINITY,
                _ => return Err(format!("expected a number ({ty}), found {}", describe(j))),
            },
            _ => return Err(format!("expected a number ({ty}), found {}", describe(j))),
        };
        return Ok(if ty == Type::F32 { Val::F32(x as f32) } else { Val::F64(x) });
    }
    if ty.is_int() && ty.is_scalar() {
        let n = match j {
            Json::Number(n) => n,
            _ => return Err(format!("expected an integer ({ty}), found {}", describe(j))),
        };
        let v: i128 = if let Some(i) = n.as_i64() {
            i as i128
        } else if let Some(u) = n.as_u64() {
            u as i128
        } else {
            return Err(format!("expected an integer ({ty}), found {n}"));
        };
        let bits = ty.lane_bits();
        // Accept the signed range, and the unsigned range as a bit pattern.
        let (min, max_unsigned) = (-(1i128 << (bits - 1)), (1i128 << bits) - 1);
        if v < min || v > max_unsigned {
            return Err(format!("{v} does not fit in {ty}"));
        }
        return Ok(match bits {
            8 => Val::I8(v as i8),
            16 => Val::I16(v as i16),
            32 => Val::I32(v as i32),
            _ => Val::I64(v as i64),
        });
    }
    Err(format!("parameters of type {ty} cannot be given in JSON"))
}

fn push_le_bytes(out: &mut Vec<u8>, v: Val) {
    match v {
        Val::I8(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::F32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::F64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::Bool(b) => out.push(b as u8),
        Val::Ptr(p) => out.extend_from_slice(&p.to_le_bytes()),
        Val::Vector(_) => {}
    }
}

/// A float as JSON: the shortest decimal that round-trips in its own type, or a string
/// for NaN and infinities.
fn float_json(x: f64, shortest: String) -> Json {
    if x.is_nan() {
        json!("NaN")
    } else if x.is_infinite() {
        json!(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        // Re-parse the shortest form so an f32 like 0.1 prints as 0.1, not 0.10000000149…
        let y: f64 = shortest.parse().unwrap_or(x);
        Number::from_f64(y).map(Json::Number).unwrap_or(Json::Null)
    }
}

/// A scalar value as JSON.
pub fn val_to_json(v: &Val) -> Json {
    match *v {
        Val::Bool(b) => json!(b),
        Val::I8(x) => json!(x),
        Val::I16(x) => json!(x),
        Val::I32(x) => json!(x),
        Val::I64(x) => json!(x),
        Val::Ptr(p) => json!(p),
        Val::F32(x) => float_json(x as f64, format!("{x:?}")),
        Val::F64(x) => float_json(x, format!("{x:?}")),
        Val::Vector(_) => Json::Null,
    }
}

fn slice_to_json(elem: Type, bytes: &[u8]) -> Json {
    let w = elem.bytes().unwrap_or(1).max(1) as usize;
    let items = bytes.chunks_exact(w).map(|c| {
        let mut b = [0u8; 8];
        b[..w].copy_from_slice(c);
        let v = match (elem.is_float(), w) {
            (true, 4) => Val::F32(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            (true, _) => Val::F64(f64::from_le_bytes(b)),
            (false, 1) => Val::I8(b[0] as i8),
            (false, 2) => Val::I16(i16::from_le_bytes([b[0], b[1]])),
            (false, 4) => Val::I32(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            (false, _) => Val::I64(i64::from_le_bytes(b)),
        };
        val_to_json(&v)
    });
    Json::Array(items.collect())
}

/// The CLI's result object: `{"ret": value, "outputs": {"param": [..]}}`, with the final
/// contents of every mutable slice parameter.
pub fn result_json(sig: &Signature, ret: Option<&Val>, args: &[OwnedArg]) -> Json {
    let mut outputs = Map::new();
    for (p, a) in sig.params.iter().zip(args) {
        if let OwnedArg::Slice { elem, mutable: true, bytes } = a {
            outputs.insert(p.name.clone(), slice_to_json(*elem, bytes));
        }
    }
    json!({ "ret": ret.map(val_to_json).unwrap_or(Json::Null), "outputs": outputs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_ir::Param;

    fn sig() -> Signature {
        Signature::new(
            vec![
                Param::slice("x", Type::F32, false),
                Param::scalar("n", Type::I32),
                Param::slice("y", Type::F32, true),
            ],
            Some(Type::F32),
        )
    }

    #[test]
    fn good_args() {
        let a = parse_args("f", &sig(), "[[1, 2.5], 7, [0, 0]]").unwrap();
        assert_eq!(a[1], OwnedArg::Scalar(Val::I32(7)));
        let j = result_json(&sig(), Some(&Val::F32(0.1)), &a);
        assert_eq!(j.to_string(), r#"{"outputs":{"y":[0.0,0.0]},"ret":0.1}"#);
    }

    #[test]
    fn errors_name_the_parameter() {
        let e = |t: &str| parse_args("f", &sig(), t).unwrap_err().to_string();
        assert_eq!(
            e("[[1], 2]"),
            "function `f` takes 3 argument(s) ((x: [f32], n: i32, y: mut [f32]) -> f32), but 2 were given"
        );
        assert_eq!(e("[[1], 2.5, []]"), "argument 2 (`n`): expected an integer (i32), found 2.5");
        assert_eq!(e("[[1], 4294967296, []]"), "argument 2 (`n`): 4294967296 does not fit in i32");
        assert_eq!(e("[1, 2, []]"), "argument 1 (`x`): expected an array of f32 for `[f32]`, found 1");
        assert_eq!(
            e("[[1, \"a\"], 2, []]"),
            "argument 1 (`x`): element 1: expected a number (f32), found the string \"a\""
        );
        assert!(e("[1,").starts_with("--args is not valid JSON"));
        assert_eq!(e("{}"), ArgError::NotAnArray.to_string());
    }

    #[test]
    fn non_finite_floats() {
        let s = Signature::new(vec![Param::scalar("a", Type::F64)], None);
        let a = parse_args("f", &s, r#"["-inf"]"#).unwrap();
        assert_eq!(a[0], OwnedArg::Scalar(Val::F64(f64::NEG_INFINITY)));
        assert_eq!(val_to_json(&Val::F32(f32::NAN)), json!("NaN"));
    }
}
