//! Running the same call on the interpreter (`strata_ir::Interpreter`) for comparison:
//! array-call slots become interpreter values, slice arguments (pointer and length slots)
//! are copied, and afterwards the result, the trap code and every slice's contents must
//! match tier 1's (floats compare with all NaNs equal).

use super::reference::same;
use super::Compiled;
use strata_ir::{Arg, InterpError, Interpreter, LaneType, ParamKind, Signature, TrapCode, Type, Val, VmContext};

/// An interpreter value from an array-call slot (the trampoline's reading of it).
pub fn to_val(ty: Type, slot: u64) -> Val {
    match ty.lane() {
        LaneType::Bool => Val::Bool(slot & 0xff != 0),
        LaneType::I8 => Val::I8(slot as i8),
        LaneType::I16 => Val::I16(slot as i16),
        LaneType::I32 => Val::I32(slot as i32),
        LaneType::I64 => Val::I64(slot as i64),
        LaneType::F32 => Val::F32(f32::from_bits(slot as u32)),
        LaneType::F64 => Val::F64(f64::from_bits(slot)),
        LaneType::Ptr => Val::Ptr(slot),
    }
}

/// The slot of a scalar interpreter value.
pub fn from_val(v: &Val) -> u64 {
    match *v {
        Val::Bool(b) => u64::from(b),
        Val::I8(x) => x as u64,
        Val::I16(x) => x as u64,
        Val::I32(x) => x as u64,
        Val::I64(x) => x as u64,
        Val::F32(x) => u64::from(x.to_bits()),
        Val::F64(x) => x.to_bits(),
        Val::Ptr(x) => x,
        Val::Vector(_) => panic!("exported functions return no vectors"),
    }
}

fn elem_size(t: Type) -> usize {
    (t.lane_bits() / 8) as usize
}

/// Whether two slices of `elem`s hold the same values.
pub fn same_elems(elem: Type, a: &[u8], b: &[u8]) -> bool {
    let w = elem_size(elem);
    a.len() == b.len()
        && a.chunks(w).zip(b.chunks(w)).all(|(x, y)| {
            let (mut p, mut q) = ([0u8; 8], [0u8; 8]);
            p[..w].copy_from_slice(x);
            q[..w].copy_from_slice(y);
            same(elem, u64::from_le_bytes(p), u64::from_le_bytes(q))
        })
}

/// The interpreter's outcome of a call, with the slices as they were passed in.
pub struct Expected {
    name: String,
    result: Result<Option<u64>, TrapCode>,
    slices: Vec<(Type, Vec<u8>)>,
}

impl Expected {
    /// Runs `name` on the interpreter with `args` (array-call slots; slices are read from
    /// the caller's memory before tier 1 runs) and the budgets in `ctx`. `None` when the
    /// interpreter does not support the module (vectors wider than 512 bits).
    pub fn new(c: &Compiled, sig: &Signature, name: &str, args: &[u64], ctx: &VmContext) -> Option<Expected> {
        let mut slices: Vec<(Type, Vec<u8>)> = Vec::new();
        let mut k = 0;
        for p in &sig.params {
            match p.kind {
                ParamKind::Scalar(_) => k += 1,
                ParamKind::Slice { elem, .. } => {
                    let (ptr, len) = (args[k] as *const u8, args[k + 1] as usize);
                    let bytes = if len == 0 {
                        Vec::new()
                    } else {
                        // SAFETY: the test passes a slice of `len` elements at `ptr`.
                        unsafe { std::slice::from_raw_parts(ptr, len * elem_size(elem)) }.to_vec()
                    };
                    slices.push((elem, bytes));
                    k += 2;
                }
            }
        }
        let mut interp = match Interpreter::new(&c.module) {
            Ok(i) => i,
            Err(InterpError::Unsupported { .. }) => return None,
            Err(e) => panic!("interpreter refused a verified module: {e}"),
        };
        if c.opts.fuel {
            interp = interp.with_fuel(ctx.fuel.max(0) as u64);
        }
        if c.opts.depth_limit {
            interp = interp.with_max_call_depth(ctx.depth_remaining);
        }
        let mut bufs: Vec<Vec<u8>> = slices.iter().map(|(_, b)| b.clone()).collect();
        let mut it = bufs.iter_mut();
        let mut vals = Vec::new();
        let mut k = 0;
        for p in &sig.params {
            match p.kind {
                ParamKind::Scalar(t) => {
                    vals.push(Arg::Val(to_val(t, args[k])));
                    k += 1;
                }
                ParamKind::Slice { .. } => {
                    vals.push(Arg::SliceMut(it.next().expect("one buffer per slice").as_mut_slice()));
                    k += 2;
                }
            }
        }
        let result = match interp.call(name, &mut vals) {
            Ok(v) => Ok(v.as_ref().map(from_val)),
            Err(e) => Err(e.trap_code().unwrap_or_else(|| panic!("interpreter refused `{name}`: {e}"))),
        };
        drop(vals);
        let slices = slices.into_iter().zip(bufs).map(|((t, _), b)| (t, b)).collect();
        Some(Expected { name: name.to_string(), result, slices })
    }

    /// Asserts that tier 1's outcome (and the slices now in the caller's memory) match.
    pub fn assert_agrees(&self, sig: &Signature, args: &[u64], got: Result<u64, TrapCode>) {
        let name = &self.name;
        match (&self.result, got) {
            (Err(want), Err(got)) => assert_eq!(*want, got, "`{name}` {args:x?}: trap codes differ"),
            (Ok(want), Ok(got)) => {
                if let (Some(t), Some(w)) = (sig.ret, want) {
                    assert!(same(t, *w, got), "`{name}` {args:x?}: interpreter {w:#x}, tier 1 {got:#x}");
                }
                let mut k = 0;
                let mut s = self.slices.iter();
                for p in &sig.params {
                    match p.kind {
                        ParamKind::Scalar(_) => k += 1,
                        ParamKind::Slice { elem, .. } => {
                            let (_, want) = s.next().expect("slice");
                            let (ptr, len) = (args[k] as *const u8, args[k + 1] as usize);
                            let now = if len == 0 {
                                &[][..]
                            } else {
                                // SAFETY: as in `new`: the caller's slice, still alive.
                                unsafe { std::slice::from_raw_parts(ptr, len * elem_size(elem)) }
                            };
                            assert!(same_elems(elem, want, now), "`{name}` {args:x?}: slice `{}` differs", p.name);
                            k += 2;
                        }
                    }
                }
            }
            (want, got) => panic!("`{name}` {args:x?}: interpreter {want:x?}, tier 1 {got:x?}"),
        }
    }
}
