//! The interpreter's memory: a table of regions a call may touch, and checked,
//! unaligned, little-endian loads and stores into them. This is the interpreter's only
//! `unsafe` code.
//!
//! Pointers in the IR are real host addresses. Each call builds a [`Memory`] holding one
//! region per slice argument (writable only for a `mut` parameter passed a mutable slice),
//! one per module data object (read-only), and one per stack slot of each live frame
//! (writable, zeroed on entry, removed on return). Every access must lie entirely inside
//! one region, or it traps `out_of_bounds`; a store must also hit a writable region.
//!
//! Soundness: each region keeps the raw pointer it was created from (so accesses use that
//! pointer's provenance, never an integer cast back to a pointer) and its length, and
//! [`Region::at`] only returns pointers to bytes inside it. Slice regions come from borrows
//! that outlive the `Memory` (`'a`), and while it lives the interpreter touches those
//! slices through it only. A mutable slice is a unique `&mut` borrow, so no other region
//! aliases it; read-only regions may overlap each other but are never written. Stack
//! buffers are owned here and only freed or reused after their regions are removed.

use crate::instructions::TrapCode;
use std::marker::PhantomData;

/// Largest stack frame (all slots of one function) the interpreter allocates.
pub(crate) const MAX_FRAME_BYTES: u64 = 64 << 20;
/// Largest stack-slot alignment honoured (larger ones are rejected by the decoder).
pub(crate) const MAX_SLOT_ALIGN: u32 = 4096;

/// Where a function's stack slots go in its frame buffer, computed by the decoder.
#[derive(Clone, Debug, Default)]
pub(crate) struct StackLayout {
    /// Offset and size of each slot, by slot index.
    pub slots: Vec<(u32, u32)>,
    /// Bytes of all slots, with alignment padding.
    pub size: u32,
    /// The largest slot alignment (a power of two, at least 1).
    pub align: u32,
}

/// A range of host memory the program may touch.
#[derive(Copy, Clone, Debug)]
struct Region {
    start: u64,
    len: u64,
    ptr: *mut u8,
    writable: bool,
}

impl Region {
    const EMPTY: Region = Region { start: 0, len: 0, ptr: std::ptr::null_mut(), writable: false };

    /// A pointer to `addr` if `[addr, addr + size)` lies inside this region.
    #[inline(always)]
    fn at(&self, addr: u64, size: u64) -> Option<*mut u8> {
        let off = addr.wrapping_sub(self.start);
        // `off < len` also rejects addresses below `start` (they wrap to huge offsets).
        if off < self.len && size <= self.len - off {
            // `off < len <= isize::MAX` (it is inside one allocation), so the cast is lossless
            // and the result stays inside the region's allocation.
            Some(self.ptr.wrapping_add(off as usize))
        } else {
            None
        }
    }
}

/// The regions of one call, and the stack buffers of its live frames.
pub(crate) struct Memory<'a> {
    regions: Vec<Region>,
    /// The region the last access hit: loops touch the same slice again and again.
    cache: Region,
    /// Buffers of live frames that have stack slots, innermost last.
    frames: Vec<Vec<u8>>,
    /// Freed frame buffers, reused to avoid an allocation per call.
    pool: Vec<Vec<u8>>,
    borrows: PhantomData<&'a mut [u8]>,
}

/// The address of a pointer as the program sees it.
pub(crate) fn addr_of(p: *const u8) -> u64 {
    p.addr() as u64
}

impl<'a> Memory<'a> {
    pub(crate) fn new() -> Self {
        Memory { regions: Vec::new(), cache: Region::EMPTY, frames: Vec::new(), pool: Vec::new(), borrows: PhantomData }
    }

    /// Adds a read-only region (a `[T]` argument or a data object); returns its address.
    pub(crate) fn add_readonly(&mut self, s: &'a [u8]) -> u64 {
        // The pointer is only ever read through (the region is not writable).
        let r = Region { start: addr_of(s.as_ptr()), len: s.len() as u64, ptr: s.as_ptr().cast_mut(), writable: false };
        self.regions.push(r);
        r.start
    }

    /// Adds a writable region (a `mut [T]` argument); returns its address.
    pub(crate) fn add_writable(&mut self, s: &'a mut [u8]) -> u64 {
        let ptr = s.as_mut_ptr();
        let r = Region { start: addr_of(ptr), len: s.len() as u64, ptr, writable: true };
        self.regions.push(r);
        r.start
    }

    /// Allocates a zeroed frame for `layout`, adds one region per slot, and returns the
    /// frame's base address (slot `i` is at `base + layout.slots[i].0`).
    pub(crate) fn push_frame(&mut self, layout: &StackLayout) -> u64 {
        if layout.size == 0 {
            // Slots of size 0 get empty regions so that `pop_frame` stays symmetric.
            self.regions.extend(layout.slots.iter().map(|_| Region::EMPTY));
            return 0;
        }
        let align = layout.align.max(1) as usize;
        let mut buf = self.pool.pop().unwrap_or_default();
        buf.clear();
        buf.resize(layout.size as usize + align - 1, 0);
        let ptr = buf.as_mut_ptr();
        let pad = addr_of(ptr).wrapping_neg() as usize & (align - 1);
        // `pad < align`, so the frame (`size` bytes from `pad`) fits in the buffer.
        let base = ptr.wrapping_add(pad);
        for &(off, size) in &layout.slots {
            let p = base.wrapping_add(off as usize);
            self.regions.push(Region { start: addr_of(p), len: size as u64, ptr: p, writable: true });
        }
        // Moving the Vec does not move its heap buffer, so the region pointers stay valid.
        self.frames.push(buf);
        addr_of(base)
    }

    /// Removes the innermost frame pushed with `layout`.
    pub(crate) fn pop_frame(&mut self, layout: &StackLayout) {
        let n = self.regions.len().saturating_sub(layout.slots.len());
        self.regions.truncate(n);
        // The cached region may have been one of the removed ones.
        self.cache = Region::EMPTY;
        if layout.size != 0 {
            if let Some(buf) = self.frames.pop() {
                self.pool.push(buf);
            }
        }
    }

    /// A pointer to `size` bytes at `addr` and whether they may be written, if they lie
    /// inside one region.
    #[inline(always)]
    fn locate(&mut self, addr: u64, size: u64) -> Option<(*mut u8, bool)> {
        match self.cache.at(addr, size) {
            Some(p) => Some((p, self.cache.writable)),
            None => self.locate_slow(addr, size),
        }
    }

    #[inline(never)]
    fn locate_slow(&mut self, addr: u64, size: u64) -> Option<(*mut u8, bool)> {
        // Innermost frames first: the current frame's slots are the likeliest target.
        let r = *self.regions.iter().rev().find(|r| r.at(addr, size).is_some())?;
        self.cache = r;
        r.at(addr, size).map(|p| (p, r.writable))
    }

    /// Reads `N` bytes at `addr`.
    #[inline(always)]
    pub(crate) fn load<const N: usize>(&mut self, addr: u64) -> Result<[u8; N], TrapCode> {
        let (p, _) = self.locate(addr, N as u64).ok_or(TrapCode::OutOfBounds)?;
        // SAFETY: `locate` returned a pointer to `N` bytes inside a live region (see the
        // module doc); the read is unaligned-safe and the bytes are plain data.
        Ok(unsafe { std::ptr::read_unaligned(p.cast::<[u8; N]>()) })
    }

    /// Writes `N` bytes at `addr`.
    #[inline(always)]
    pub(crate) fn store<const N: usize>(&mut self, addr: u64, bytes: [u8; N]) -> Result<(), TrapCode> {
        match self.locate(addr, N as u64) {
            // SAFETY: `N` bytes inside a live, writable region, which nothing else aliases
            // while this `Memory` lives (see the module doc).
            Some((p, true)) => unsafe { std::ptr::write_unaligned(p.cast::<[u8; N]>(), bytes) },
            _ => return Err(TrapCode::OutOfBounds),
        }
        Ok(())
    }

    /// Reads `out.len()` bytes at `addr` (vector loads).
    pub(crate) fn load_bytes(&mut self, addr: u64, out: &mut [u8]) -> Result<(), TrapCode> {
        let (p, _) = self.locate(addr, out.len() as u64).ok_or(TrapCode::OutOfBounds)?;
        // SAFETY: `out.len()` bytes inside a live region; `out` is the interpreter's own
        // buffer, never region memory, so the ranges do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(p.cast_const(), out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    /// Writes `src` at `addr` (vector stores).
    pub(crate) fn store_bytes(&mut self, addr: u64, src: &[u8]) -> Result<(), TrapCode> {
        match self.locate(addr, src.len() as u64) {
            // SAFETY: as for `store`; `src` is the interpreter's own buffer.
            Some((p, true)) => unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), p, src.len()) },
            _ => return Err(TrapCode::OutOfBounds),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_checked() {
        let ro = [1u8, 2, 3, 4];
        let mut rw = [0u8; 8];
        let mut m = Memory::new();
        let a = m.add_readonly(&ro);
        let b = m.add_writable(&mut rw);
        assert_eq!(m.load::<4>(a), Ok([1, 2, 3, 4]));
        assert_eq!(m.load::<2>(a + 2), Ok([3, 4]));
        assert_eq!(m.load::<4>(a + 1), Err(TrapCode::OutOfBounds), "straddles the end");
        assert_eq!(m.load::<1>(a.wrapping_sub(1)), Err(TrapCode::OutOfBounds));
        assert_eq!(m.store::<1>(a, [9]), Err(TrapCode::OutOfBounds), "read-only");
        assert_eq!(m.store::<4>(b + 3, [1, 2, 3, 4]), Ok(()));
        assert_eq!(m.load::<4>(b + 3), Ok([1, 2, 3, 4]));
        assert_eq!(m.load::<8>(u64::MAX - 3), Err(TrapCode::OutOfBounds), "wraps around");
        let mut out = [0u8; 3];
        assert_eq!(m.load_bytes(b + 3, &mut out), Ok(()));
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(m.store_bytes(b + 6, &out), Err(TrapCode::OutOfBounds));
        drop(m);
        assert_eq!(rw, [0, 0, 0, 1, 2, 3, 4, 0]);
    }

    #[test]
    fn frames_are_zeroed_aligned_and_removed() {
        let layout = StackLayout { slots: vec![(0, 4), (16, 16)], size: 32, align: 16 };
        let mut m = Memory::new();
        let base = m.push_frame(&layout);
        assert_eq!(base % 16, 0);
        assert_eq!(m.load::<4>(base), Ok([0; 4]));
        assert_eq!(m.load::<4>(base + 2), Err(TrapCode::OutOfBounds), "slot 0 is 4 bytes");
        m.store::<4>(base + 16, [7; 4]).unwrap();
        m.pop_frame(&layout);
        assert_eq!(m.load::<4>(base + 16), Err(TrapCode::OutOfBounds), "frame gone");
        let base = m.push_frame(&layout);
        assert_eq!(m.load::<4>(base + 16), Ok([0; 4]), "zeroed again on reuse");
    }
}
