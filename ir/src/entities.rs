//! Entity handles and the arenas that hold them.
//!
//! Every IR object that other objects refer to (blocks, values, instructions, stack slots,
//! functions, data objects, host functions) is a `u32` newtype into an arena
//! ([`PrimaryMap`]); analyses keep their facts in side tables ([`SecondaryMap`]) keyed by
//! the same handles. No `Rc` graphs. This file must not know what the entities mean.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A handle that is an index into an arena.
pub trait EntityRef: Copy + Eq {
    fn new(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! entity {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl EntityRef for $name {
            fn new(index: usize) -> Self {
                // Arenas hold far fewer than 2^32 entries; the IR refuses to grow past that
                // (see `PrimaryMap::push`), so the conversion cannot truncate.
                $name(index as u32)
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl $name {
            /// The handle with raw index `n`.
            pub const fn from_u32(n: u32) -> Self {
                $name(n)
            }
            /// The raw index.
            pub const fn as_u32(self) -> u32 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

entity!(
    /// A basic block.
    Block,
    "block"
);
entity!(
    /// An SSA value: an instruction result or a block parameter.
    Value,
    "v"
);
entity!(
    /// An instruction.
    Inst,
    "inst"
);
entity!(
    /// A stack slot of a function (fixed size and alignment).
    StackSlot,
    "ss"
);
entity!(
    /// A function of a module.
    FuncId,
    "fn"
);
entity!(
    /// A read-only data object of a module.
    DataId,
    "data"
);
entity!(
    /// A host function declared by a module (`extern fn`).
    ExternId,
    "extern"
);

/// An arena: owns values of type `V`, handing out keys of type `K`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PrimaryMap<K: EntityRef, V> {
    elems: Vec<V>,
    unused: PhantomData<K>,
}

impl<K: EntityRef, V> Default for PrimaryMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V> PrimaryMap<K, V> {
    pub fn new() -> Self {
        PrimaryMap { elems: Vec::new(), unused: PhantomData }
    }
    /// Adds `v` and returns its key.
    pub fn push(&mut self, v: V) -> K {
        let k = K::new(self.elems.len());
        assert!(self.elems.len() < u32::MAX as usize, "arena overflow");
        self.elems.push(v);
        k
    }
    pub fn len(&self) -> usize {
        self.elems.len()
    }
    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }
    /// The key the next `push` will return.
    pub fn next_key(&self) -> K {
        K::new(self.elems.len())
    }
    pub fn is_valid(&self, k: K) -> bool {
        k.index() < self.elems.len()
    }
    pub fn get(&self, k: K) -> Option<&V> {
        self.elems.get(k.index())
    }
    pub fn get_mut(&mut self, k: K) -> Option<&mut V> {
        self.elems.get_mut(k.index())
    }
    /// All keys, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator + use<K, V> {
        (0..self.elems.len()).map(K::new)
    }
    pub fn values(&self) -> std::slice::Iter<'_, V> {
        self.elems.iter()
    }
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.elems.iter_mut()
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (K, &V)> {
        self.elems.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (K, &mut V)> {
        self.elems.iter_mut().enumerate().map(|(i, v)| (K::new(i), v))
    }
}

impl<K: EntityRef, V> Index<K> for PrimaryMap<K, V> {
    type Output = V;
    fn index(&self, k: K) -> &V {
        &self.elems[k.index()]
    }
}

impl<K: EntityRef, V> IndexMut<K> for PrimaryMap<K, V> {
    fn index_mut(&mut self, k: K) -> &mut V {
        &mut self.elems[k.index()]
    }
}

/// A side table: a value for every key, defaulting to `V::default()`, growing on write.
#[derive(Clone, Debug)]
pub struct SecondaryMap<K: EntityRef, V: Clone> {
    elems: Vec<V>,
    default: V,
    unused: PhantomData<K>,
}

impl<K: EntityRef, V: Clone + Default> Default for SecondaryMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V: Clone + Default> SecondaryMap<K, V> {
    pub fn new() -> Self {
        Self::with_default(V::default())
    }
}

impl<K: EntityRef, V: Clone> SecondaryMap<K, V> {
    /// A map whose unset entries read as `default`.
    pub fn with_default(default: V) -> Self {
        SecondaryMap { elems: Vec::new(), default, unused: PhantomData }
    }
    /// A map pre-sized for `n` keys.
    pub fn with_capacity(n: usize, default: V) -> Self {
        SecondaryMap { elems: vec![default.clone(); n], default, unused: PhantomData }
    }
    pub fn get(&self, k: K) -> &V {
        self.elems.get(k.index()).unwrap_or(&self.default)
    }
    pub fn set(&mut self, k: K, v: V) {
        self[k] = v;
    }
    pub fn clear(&mut self) {
        self.elems.clear();
    }
    /// Keys that have been written (or lie below a written key), with their values.
    pub fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        self.elems.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }
}

impl<K: EntityRef, V: Clone> Index<K> for SecondaryMap<K, V> {
    type Output = V;
    fn index(&self, k: K) -> &V {
        self.get(k)
    }
}

impl<K: EntityRef, V: Clone> IndexMut<K> for SecondaryMap<K, V> {
    fn index_mut(&mut self, k: K) -> &mut V {
        let i = k.index();
        if i >= self.elems.len() {
            self.elems.resize(i + 1, self.default.clone());
        }
        &mut self.elems[i]
    }
}

/// Equality compares the logical maps: trailing default entries don't matter.
impl<K: EntityRef, V: Clone + PartialEq> PartialEq for SecondaryMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        let n = self.elems.len().max(other.elems.len());
        self.default == other.default && (0..n).all(|i| self.get(K::new(i)) == other.get(K::new(i)))
    }
}
impl<K: EntityRef, V: Clone + Eq> Eq for SecondaryMap<K, V> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_and_secondary() {
        let mut m: PrimaryMap<Value, &str> = PrimaryMap::new();
        let a = m.push("a");
        let b = m.push("b");
        assert_eq!((a.to_string(), b.to_string()), ("v0".into(), "v1".into()));
        assert_eq!(m[b], "b");
        let mut s: SecondaryMap<Value, u32> = SecondaryMap::new();
        assert_eq!(s[b], 0);
        s[b] = 7;
        assert_eq!(s[b], 7);
        let mut t: SecondaryMap<Value, u32> = SecondaryMap::new();
        t[b] = 7;
        t[Value::from_u32(9)] = 0;
        assert_eq!(s, t);
    }
}
