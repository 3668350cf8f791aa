//! Specialization: binding parameters of a function to constants known at compile time.
//!
//! [`specialize`] replaces a function, in place, by a version without the bound
//! parameters (same name, same linkage). A bound scalar becomes an `iconst`/`fconst`/
//! `bconst` at the top of the entry block; a bound read-only slice becomes a read-only
//! [`DataObject`] whose `data_addr` and constant length replace the slice's `ptr` and
//! `len` values. Later passes (const-fold, bounds-check elimination, unrolling) then see
//! constant coefficients, lengths and trip counts.
//!
//! Calls from inside the module keep working: when other functions (or the function
//! itself, recursively) call the function being specialized, an unspecialized copy is kept
//! under a fresh internal (`Local`) name, `<name>.generic`, and every such call is
//! redirected to it. Nothing else in the module changes.
//!
//! What it must not do: bind a `mut` slice (the caller's writes would be lost), bind a
//! parameter with a value of another type, or leave a module that does not verify.

use crate::entities::{FuncId, SecondaryMap, Value};
use crate::function::{Function, Linkage};
use crate::instructions::InstData;
use crate::interp::Val;
use crate::module::{DataObject, Module};
use crate::signature::ParamKind;
use crate::types::Type;
use crate::verifier::verify_module;

/// The constant a parameter is bound to.
#[derive(Clone, Debug)]
pub enum Binding {
    /// A scalar parameter's value; its type must be the parameter's type.
    Scalar(Val),
    /// A read-only slice's contents: elements of type `elem`, little-endian.
    Array { elem: Type, bytes: Vec<u8> },
}

/// Why a specialization was rejected. Nothing in the module has changed when it is
/// returned, except for [`SpecializeError::Verifier`] (an internal bug).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SpecializeError {
    #[error("no function `{0}` in the module")]
    UnknownFunction(String),
    #[error("function `{func}` has no parameter `{param}` (its signature is {sig})")]
    UnknownParam { func: String, param: String, sig: String },
    #[error("parameter `{0}` is bound twice")]
    BoundTwice(String),
    #[error("parameter `{param}` is {expected}, got {found}")]
    TypeMismatch { param: String, expected: String, found: String },
    #[error("parameter `{0}` is a `mut` slice, which cannot be bound to constant data (its writes would be lost)")]
    MutableSlice(String),
    #[error("parameter `{param}`: array of {len} bytes is not a whole number of {elem} elements ({size} bytes each)")]
    BadLength { param: String, elem: Type, len: usize, size: u32 },
    #[error("parameter `{param}`: values of type {ty} cannot be bound")]
    Unbindable { param: String, ty: Type },
    #[error("function `{0}` has no body to specialize")]
    NoBody(String),
    #[error("internal error: the specialized module does not verify:\n{0}")]
    Verifier(String),
}

/// A binding checked against the signature: which ABI values it replaces, and by what.
enum Resolved {
    Scalar { abi: usize, val: Val },
    Array { abi: usize, elem: Type, bytes: Vec<u8>, name: String },
}

/// Binds the parameters of `func` named in `bindings` to constants, replacing the function
/// in place by one without them (see the module docs for calls from inside the module).
///
/// ```
/// use strata_ir::passes::{specialize, Binding};
/// use strata_ir::{parse_module, print_module, Val};
///
/// let mut m = parse_module(
///     "export fn @scale(x: f32, g: f32) -> f32 {\n\
///      block0(v0: f32, v1: f32):\n    v2 = fmul.f32 v0, v1\n    return v2\n}\n",
/// )?;
/// specialize(&mut m, "scale", &[("g".to_string(), Binding::Scalar(Val::F32(0.5)))])?;
/// assert!(print_module(&m).contains("export fn @scale(x: f32) -> f32"));
/// assert!(print_module(&m).contains("fconst.f32 0.5"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn specialize(module: &mut Module, func: &str, bindings: &[(String, Binding)]) -> Result<(), SpecializeError> {
    let id = module.func_by_name(func).ok_or_else(|| SpecializeError::UnknownFunction(func.to_string()))?;
    let f = &module.functions[id];
    if f.entry_block().is_none() {
        return Err(SpecializeError::NoBody(func.to_string()));
    }
    let resolved = resolve(module, f, bindings)?;
    if resolved.is_empty() {
        return Ok(());
    }
    keep_generic_copy(module, id);
    let mut data_ids = Vec::new();
    for r in &resolved {
        if let Resolved::Array { elem, bytes, name, .. } = r {
            data_ids.push(module.add_data(DataObject { name: name.clone(), elem: *elem, bytes: bytes.clone() }));
        }
    }
    rewrite(&mut module.functions[id], &resolved, &data_ids, bindings);
    verify_module(module).map_err(|e| SpecializeError::Verifier(e.to_string()))
}

/// Checks every binding against `f`'s signature.
fn resolve(module: &Module, f: &Function, bindings: &[(String, Binding)]) -> Result<Vec<Resolved>, SpecializeError> {
    let mut out = Vec::with_capacity(bindings.len());
    let mut seen: Vec<&str> = Vec::new();
    let mut data_names: Vec<String> = Vec::new();
    for (name, binding) in bindings {
        let (index, param) = f.sig.param(name).ok_or_else(|| SpecializeError::UnknownParam {
            func: f.name.clone(),
            param: name.clone(),
            sig: f.sig.to_string(),
        })?;
        if seen.contains(&name.as_str()) {
            return Err(SpecializeError::BoundTwice(name.clone()));
        }
        seen.push(name);
        let abi = f.sig.abi_index(index);
        let mismatch = |found: String| SpecializeError::TypeMismatch {
            param: name.clone(),
            expected: param.kind.to_string(),
            found,
        };
        match (param.kind, binding) {
            (ParamKind::Scalar(ty), Binding::Scalar(val)) => {
                if val.ty() != ty {
                    return Err(mismatch(val.ty().to_string()));
                }
                if !ty.is_scalar() || ty.is_ptr() {
                    return Err(SpecializeError::Unbindable { param: name.clone(), ty });
                }
                out.push(Resolved::Scalar { abi, val: *val });
            }
            (ParamKind::Scalar(_), Binding::Array { elem, .. }) => return Err(mismatch(format!("an array of {elem}"))),
            (ParamKind::Slice { .. }, Binding::Scalar(val)) => return Err(mismatch(format!("a scalar {}", val.ty()))),
            (ParamKind::Slice { elem, mutable }, Binding::Array { elem: got, bytes }) => {
                if mutable {
                    return Err(SpecializeError::MutableSlice(name.clone()));
                }
                if elem != *got {
                    return Err(mismatch(format!("[{got}]")));
                }
                let size = elem.bytes().unwrap_or(0);
                if size == 0 || !elem.is_scalar() || elem.is_bool() || elem.is_ptr() {
                    return Err(SpecializeError::Unbindable { param: name.clone(), ty: elem });
                }
                if bytes.len() % size as usize != 0 {
                    return Err(SpecializeError::BadLength { param: name.clone(), elem, len: bytes.len(), size });
                }
                let data_name = fresh_name(module, &format!("{}.{name}", f.name), &data_names);
                data_names.push(data_name.clone());
                out.push(Resolved::Array { abi, elem, bytes: bytes.clone(), name: data_name });
            }
        }
    }
    Ok(out)
}

/// `base`, or `base.N` for the first N that names nothing in `module` or `taken`.
fn fresh_name(module: &Module, base: &str, taken: &[String]) -> String {
    let free = |n: &str| {
        module.func_by_name(n).is_none()
            && module.data_by_name(n).is_none()
            && module.extern_by_name(n).is_none()
            && !taken.iter().any(|t| t == n)
    };
    if free(base) {
        return base.to_string();
    }
    (1u64..).map(|i| format!("{base}.{i}")).find(|n| free(n)).unwrap_or_else(|| base.to_string())
}

/// If anything in the module calls `id`, adds an unspecialized copy under a fresh local
/// name and points those calls at it.
fn keep_generic_copy(module: &mut Module, id: FuncId) {
    let called = module.functions.values().any(|f| {
        f.layout.blocks().any(|b| {
            f.layout.block_insts(b).any(|i| matches!(&f.dfg.insts[i], InstData::Call { func, .. } if *func == id))
        })
    });
    if !called {
        return;
    }
    let mut copy = module.functions[id].clone();
    copy.name = fresh_name(module, &format!("{}.generic", copy.name), &[]);
    copy.linkage = Linkage::Local;
    let copy_id = module.add_function(copy);
    for f in module.functions.values_mut() {
        for data in f.dfg.insts.values_mut() {
            if let InstData::Call { func, .. } = data {
                if *func == id {
                    *func = copy_id;
                }
            }
        }
    }
}

/// Replaces the bound ABI values of `f` by constants and drops them from the signature.
fn rewrite(
    f: &mut Function,
    resolved: &[Resolved],
    data_ids: &[crate::entities::DataId],
    bindings: &[(String, Binding)],
) {
    let Some(entry) = f.entry_block() else { return };
    let params: Vec<Value> = f.dfg.block_params(entry).to_vec();
    let first = f.layout.first_inst(entry);
    let place = |f: &mut Function, data: InstData, ty: Type| -> Value {
        let inst = f.dfg.make_inst(data, Some(ty));
        match first {
            Some(first) => f.layout.insert_inst_before(inst, first),
            None => f.layout.append_inst(inst, entry),
        }
        // make_inst with a result type always creates the result.
        f.dfg.inst_result(inst).unwrap_or(Value::from_u32(0))
    };
    let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
    let mut removed_abi: Vec<usize> = Vec::new();
    let mut data_iter = data_ids.iter();
    for r in resolved {
        match r {
            Resolved::Scalar { abi, val } => {
                let data = match *val {
                    Val::Bool(b) => InstData::BoolConst { imm: b },
                    Val::F32(x) => InstData::FloatConst { bits: x.to_bits() as u64 },
                    Val::F64(x) => InstData::FloatConst { bits: x.to_bits() },
                    Val::I8(x) => InstData::IntConst { imm: x as i64 },
                    Val::I16(x) => InstData::IntConst { imm: x as i64 },
                    Val::I32(x) => InstData::IntConst { imm: x as i64 },
                    Val::I64(x) => InstData::IntConst { imm: x },
                    // Rejected by `resolve`.
                    Val::Ptr(_) | Val::Vector(_) => continue,
                };
                let v = place(f, data, val.ty());
                if let Some(&p) = params.get(*abi) {
                    subst[p] = Some(v);
                }
                removed_abi.push(*abi);
            }
            Resolved::Array { abi, elem, bytes, .. } => {
                let Some(&data) = data_iter.next() else { continue };
                let len = (bytes.len() / elem.bytes().unwrap_or(1).max(1) as usize) as i64;
                let len_v = place(f, InstData::IntConst { imm: len }, Type::I64);
                let addr_v = place(f, InstData::DataAddr { data }, Type::PTR);
                if let (Some(&p), Some(&l)) = (params.get(*abi), params.get(abi + 1)) {
                    subst[p] = Some(addr_v);
                    subst[l] = Some(len_v);
                }
                removed_abi.push(*abi);
                removed_abi.push(abi + 1);
            }
        }
    }
    f.dfg.replace_uses(&subst);
    removed_abi.sort_unstable();
    for &i in removed_abi.iter().rev() {
        f.dfg.remove_block_param(entry, i);
    }
    f.sig.params.retain(|p| !bindings.iter().any(|(n, _)| *n == p.name));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::{Arg, Interpreter};
    use crate::text::{parse_module, print_module};

    const SUM: &str = "export fn @sum(x: [f32], g: f32) -> f32 {
block0(v0: ptr, v1: i64, v2: f32):
    v3 = iconst.i64 0
    v4 = fconst.f32 0.0
    br block1(v3, v4)
block1(v5: i64, v6: f32):
    v7 = icmp.bool slt v5, v1
    brif v7, block2, block3
block2:
    bounds_check v5, v1
    v8 = iconst.i64 4
    v9 = imul.i64 v5, v8
    v10 = load.f32 v0, v9
    v11 = fmul.f32 v10, v2
    v12 = fadd.f32 v6, v11
    v13 = iconst.i64 1
    v14 = iadd.i64 v5, v13
    br block1(v14, v12)
block3:
    return v6
}
";

    fn module(text: &str) -> Module {
        match parse_module(text) {
            Ok(m) => m,
            Err(e) => panic!("test module does not parse: {e}"),
        }
    }

    fn f32s(xs: &[f32]) -> Vec<u8> {
        xs.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn run(m: &Module, func: &str, args: &mut [Arg<'_>]) -> Option<Val> {
        let interp = match Interpreter::new(m) {
            Ok(i) => i,
            Err(e) => panic!("interpreter rejects the module: {e}"),
        };
        match interp.call(func, args) {
            Ok(v) => v,
            Err(e) => panic!("call failed: {e}"),
        }
    }

    fn bits(v: Option<Val>) -> Option<u64> {
        v.and_then(|v| v.to_bits())
    }

    #[test]
    fn binds_slice_and_scalar_and_agrees_with_the_original() {
        let orig = module(SUM);
        let xs = f32s(&[1.0, 2.5, -3.0, 0.125]);
        let want = run(&orig, "sum", &mut [Arg::Slice(&xs), Arg::Val(Val::F32(0.75))]);
        let mut m = orig.clone();
        let bindings = vec![
            ("x".to_string(), Binding::Array { elem: Type::F32, bytes: xs.clone() }),
            ("g".to_string(), Binding::Scalar(Val::F32(0.75))),
        ];
        assert_eq!(specialize(&mut m, "sum", &bindings), Ok(()));
        let text = print_module(&m);
        assert!(text.contains("data @sum.x: f32 = [1.0, 2.5, -3.0, 0.125]"), "{text}");
        assert!(text.contains("export fn @sum() -> f32"), "{text}");
        assert!(text.contains("iconst.i64 4\n"), "{text}");
        assert_eq!(bits(run(&m, "sum", &mut [])), bits(want));
    }

    #[test]
    fn binding_only_the_scalar_keeps_the_slice() {
        let mut m = module(SUM);
        assert_eq!(specialize(&mut m, "sum", &[("g".to_string(), Binding::Scalar(Val::F32(2.0)))]), Ok(()));
        let xs = f32s(&[1.0, 2.0]);
        assert_eq!(bits(run(&m, "sum", &mut [Arg::Slice(&xs)])), Some(6.0f32.to_bits() as u64));
        assert!(print_module(&m).contains("export fn @sum(x: [f32]) -> f32"));
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let m0 = module(SUM);
        let err = |func: &str, b: Vec<(&str, Binding)>| {
            let mut m = m0.clone();
            let b: Vec<(String, Binding)> = b.into_iter().map(|(n, b)| (n.to_string(), b)).collect();
            let e = specialize(&mut m, func, &b).err().map(|e| e.to_string()).unwrap_or_default();
            assert_eq!(m, m0, "a rejected specialization must not change the module");
            e
        };
        assert!(err("nope", vec![]).contains("no function `nope`"));
        assert!(err("sum", vec![("q", Binding::Scalar(Val::F32(1.0)))]).contains("no parameter `q`"));
        assert_eq!(err("sum", vec![("g", Binding::Scalar(Val::I64(1)))]), "parameter `g` is f32, got i64");
        let twice = err("sum", vec![("g", Binding::Scalar(Val::F32(1.0))), ("g", Binding::Scalar(Val::F32(2.0)))]);
        assert!(twice.contains("bound twice"), "{twice}");
        let odd = err("sum", vec![("x", Binding::Array { elem: Type::F32, bytes: vec![0; 6] })]);
        assert!(odd.contains("6 bytes") && odd.contains("f32"), "{odd}");
        let wrong = err("sum", vec![("x", Binding::Array { elem: Type::F64, bytes: vec![0; 8] })]);
        assert!(wrong.contains("is [f32], got [f64]"), "{wrong}");
        assert!(err("sum", vec![("x", Binding::Scalar(Val::F32(1.0)))]).contains("got a scalar f32"));
        assert!(err("sum", vec![("g", Binding::Array { elem: Type::F32, bytes: vec![] })]).contains("array of f32"));
    }

    #[test]
    fn mut_slices_cannot_be_bound() {
        let text = "export fn @w(y: mut [i32]) {\nblock0(v0: ptr, v1: i64):\n    return\n}\n";
        let mut m = module(text);
        let e = specialize(&mut m, "w", &[("y".into(), Binding::Array { elem: Type::I32, bytes: vec![0; 4] })]);
        assert_eq!(e, Err(SpecializeError::MutableSlice("y".into())));
    }

    #[test]
    fn internal_callers_get_the_generic_copy() {
        let text = "export fn @add(a: i32, b: i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd.i32 v0, v1
    return v2
}

export fn @twice(a: i32) -> i32 {
block0(v0: i32):
    v1 = call.i32 @add(v0, v0)
    return v1
}
";
        let mut m = module(text);
        assert_eq!(specialize(&mut m, "add", &[("b".into(), Binding::Scalar(Val::I32(10)))]), Ok(()));
        let out = print_module(&m);
        assert!(out.contains("fn @add.generic(a: i32, b: i32) -> i32"), "{out}");
        assert!(out.contains("call.i32 @add.generic(v0, v0)"), "{out}");
        assert!(!out.contains("export fn @add.generic"), "{out}");
        assert_eq!(bits(run(&m, "add", &mut [Arg::Val(Val::I32(5))])), Some(15));
        assert_eq!(bits(run(&m, "twice", &mut [Arg::Val(Val::I32(7))])), Some(14));
    }

    #[test]
    fn empty_array_and_integer_elements() {
        let text = "export fn @n(x: [i16]) -> i64 {\nblock0(v0: ptr, v1: i64):\n    return v1\n}\n";
        let mut m = module(text);
        assert_eq!(specialize(&mut m, "n", &[("x".into(), Binding::Array { elem: Type::I16, bytes: vec![] })]), Ok(()));
        assert_eq!(bits(run(&m, "n", &mut [])), Some(0));
        let mut m = module(text);
        let b = Binding::Array { elem: Type::I16, bytes: vec![1, 0, 0xff, 0xff, 3, 0] };
        assert_eq!(specialize(&mut m, "n", &[("x".into(), b)]), Ok(()));
        assert!(print_module(&m).contains("data @n.x: i16 = [1, -1, 3]"));
        assert_eq!(bits(run(&m, "n", &mut [])), Some(3));
    }
}
