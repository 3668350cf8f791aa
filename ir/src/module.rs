//! A module: functions, read-only data objects and host-function declarations. Calls refer
//! to functions by [`FuncId`], so a module is the unit the backends compile and the
//! interpreter runs.

use crate::entities::{DataId, ExternId, FuncId, PrimaryMap};
use crate::function::Function;
use crate::types::Type;

/// Read-only constant data (e.g. a specialized coefficient array). `bytes` holds the
/// elements in little-endian order; `elem` is their scalar type, used for printing.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DataObject {
    pub name: String,
    pub elem: Type,
    pub bytes: Vec<u8>,
}

impl DataObject {
    /// A data object holding `values` as `f32`s.
    pub fn from_f32s(name: impl Into<String>, values: &[f32]) -> Self {
        DataObject { name: name.into(), elem: Type::F32, bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect() }
    }
    /// A data object holding `values` as `f64`s.
    pub fn from_f64s(name: impl Into<String>, values: &[f64]) -> Self {
        DataObject { name: name.into(), elem: Type::F64, bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect() }
    }
    /// A data object holding integers of type `elem` (truncated to its width).
    pub fn from_ints(name: impl Into<String>, elem: Type, values: &[i64]) -> Self {
        let w = elem.bytes().unwrap_or(8) as usize;
        DataObject {
            name: name.into(),
            elem,
            bytes: values.iter().flat_map(|v| v.to_le_bytes()[..w].to_vec()).collect(),
        }
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.bytes.len() / self.elem.bytes().unwrap_or(1).max(1) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// A host function the module calls by symbol (`extern fn`). Parameters and the result
/// are scalars.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExternFunc {
    pub name: String,
    pub params: Vec<Type>,
    pub ret: Option<Type>,
}

/// A compilation unit.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Module {
    pub functions: PrimaryMap<FuncId, Function>,
    pub data: PrimaryMap<DataId, DataObject>,
    pub externs: PrimaryMap<ExternId, ExternFunc>,
}

impl Module {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add_function(&mut self, f: Function) -> FuncId {
        self.functions.push(f)
    }
    pub fn add_data(&mut self, d: DataObject) -> DataId {
        self.data.push(d)
    }
    pub fn add_extern(&mut self, e: ExternFunc) -> ExternId {
        self.externs.push(e)
    }
    /// The function named `name`.
    pub fn func_by_name(&self, name: &str) -> Option<FuncId> {
        self.functions.iter().find(|(_, f)| f.name == name).map(|(id, _)| id)
    }
    /// The data object named `name`.
    pub fn data_by_name(&self, name: &str) -> Option<DataId> {
        self.data.iter().find(|(_, d)| d.name == name).map(|(id, _)| id)
    }
    /// The host function named `name`.
    pub fn extern_by_name(&self, name: &str) -> Option<ExternId> {
        self.externs.iter().find(|(_, e)| e.name == name).map(|(id, _)| id)
    }
}
