//! A small deterministic random source (SplitMix64) and edge-case lane values.
//!
//! Everything the generators produce is a pure function of the seed given to [`Rng::new`],
//! so a seed printed by a failing run reproduces the program exactly. This file must not
//! read any outside entropy (time, thread ids, hash seeds).

use strata_ir::{LaneType, Type};

/// SplitMix64: fast, tiny, and good enough to pick programs and inputs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose whole output stream is fixed by `seed`.
    ///
    /// ```
    /// let (mut a, mut b) = (strata_testgen::Rng::new(7), strata_testgen::Rng::new(7));
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A random element of `xs`, which must not be empty (the generators only pick from
    /// fixed, non-empty tables).
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// The bits of a lane of type `ty`: an edge case most of the time, random bits otherwise.
    pub fn lane(&mut self, ty: Type) -> u64 {
        if self.chance(70) {
            let edges = edge_values(ty.lane());
            self.pick(&edges)
        } else {
            let bits = ty.lane_bits();
            let x = self.next_u64();
            if ty.is_bool() {
                x & 1
            } else if bits >= 64 {
                x
            } else {
                x & ((1 << bits) - 1)
            }
        }
    }
}

/// Derives the seed of item `k` of a batch from the batch seed (so items are independent).
pub fn mix(seed: u64, k: u64) -> u64 {
    let mut r = Rng::new(seed ^ k.wrapping_mul(0xd6e8_feb8_6659_fd93));
    r.next_u64()
}

/// Edge-case bit patterns for a lane type: zeros, ones, extremes, NaNs (both signs and a
/// payload), infinities, subnormals, values near integer conversion limits.
pub fn edge_values(lane: LaneType) -> Vec<u64> {
    match lane {
        LaneType::F32 => [
            0.0f32,
            -0.0,
            1.0,
            -1.5,
            2.5,
            0.5,
            -0.5,
            3.7,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            1e-40,
            f32::MAX,
            f32::MIN,
            1e10,
            -3e9,
            255.7,
            65535.9,
            -129.5,
            2147483520.0,
            4294967040.0,
            9.3e18,
        ]
        .iter()
        .map(|x| u64::from(x.to_bits()))
        .chain([0x7fc0_0001, 0xffff_ffff, 0xffc0_0000])
        .collect(),
        LaneType::F64 => [
            0.0f64,
            -0.0,
            1.0,
            -1.5,
            2.5,
            0.5,
            -0.5,
            3.7,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::MIN,
            1e10,
            -3e9,
            255.7,
            65535.9,
            -129.5,
            2147483647.5,
            -2147483648.5,
            9.3e18,
            1.9e19,
            -9.3e18,
        ]
        .iter()
        .map(|x| x.to_bits())
        .chain([0xfff8_0000_0000_0000, 0x7ff0_0000_0000_0001])
        .collect(),
        LaneType::Bool => vec![0, 1],
        _ => {
            let bits = lane.bits().clamp(8, 64);
            let mask = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
            let min = 1u64 << (bits - 1);
            [0, 1, 2, 3, 7, 31, 63, 64, 100, min, min - 1, min + 1, mask, mask - 1, mask >> 1, 0x5555_5555_5555_5555]
                .iter()
                .map(|x| x & mask)
                .collect()
        }
    }
}
