//! The AOT kernels against plain-Rust references.

use strata_aot_demo::kernels;

fn assert_close(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{a:?} vs {b:?}");
    }
}

fn signal(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2654435761).max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s % 2001) as f32 / 1000.0 - 1.0
        })
        .collect()
}

#[test]
fn ola_matches_reference() {
    for n in [0, 1, 3, 17, 256, 1000] {
        let frame = signal(n, 1);
        let win = signal(n, 2);
        let mut out = signal(n, 3);
        let mut expect = out.clone();
        for i in 0..n {
            expect[i] += (frame[i] * win[i] * 2.0).clamp(-0.75, 0.75);
        }
        kernels::ola(&frame, &win, &mut out, 2.0, -0.75, 0.75).unwrap();
        assert_close(&out, &expect);
    }
}

#[test]
fn ola_out_of_bounds_traps() {
    let frame = [1.0f32; 8];
    let win = [1.0f32; 8];
    let mut out = [0.0f32; 4];
    let err = kernels::ola(&frame, &win, &mut out, 1.0, -1.0, 1.0).unwrap_err();
    assert_eq!(err.kind, "out_of_bounds");
    assert_eq!(err.code, 2);
    assert!(err.to_string().contains("out_of_bounds"));
}

#[test]
fn dot_matches_reference() {
    let a = signal(1001, 4);
    let b = signal(999, 5);
    let expect: f32 = a.iter().zip(&b).fold(0.0, |acc, (x, y)| acc + x * y);
    assert_close(&[kernels::dot(&a, &b).unwrap()], &[expect]);
    let a64: Vec<f64> = a.iter().map(|&x| x as f64).collect();
    let b64: Vec<f64> = b.iter().map(|&x| x as f64).collect();
    let expect64 = a64.iter().zip(&b64).fold(0.0f64, |acc, (x, y)| x.mul_add(*y, acc));
    assert_eq!(kernels::dot_f64(&a64, &b64).unwrap(), expect64);
    assert_eq!(kernels::dot(&[], &[]).unwrap(), 0.0);
}

#[test]
fn fir_matches_reference() {
    let x = signal(300, 6);
    let taps = signal(13, 7);
    let mut y = vec![0.0f32; 300];
    kernels::fir(&x, &taps, &mut y).unwrap();
    let mut expect = vec![0.0f32; 300];
    for n in 0..300 {
        let mut acc = 0.0f32;
        for k in 0..taps.len().min(n + 1) {
            acc += taps[k] * x[n - k];
        }
        expect[n] = acc;
    }
    assert_close(&y, &expect);
}

fn fmix32(x: u32) -> u32 {
    let mut h = x;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85ebca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2ae35);
    h ^= h >> 16;
    h
}

#[test]
fn hashes_match_reference() {
    let words: Vec<i32> = (0..100i32).map(|i| i.wrapping_mul(-7919)).collect();
    let mut h: u32 = 0x811c9dc5;
    for &w in &words {
        for b in 0..4 {
            h = (h ^ ((w as u32 >> (b * 8)) & 0xff)).wrapping_mul(16777619);
        }
    }
    assert_eq!(kernels::fnv1a(&words).unwrap() as u32, h);
    for &w in &words {
        assert_eq!(kernels::fmix32(w).unwrap() as u32, fmix32(w as u32));
    }
    let mut out = vec![0i32; words.len()];
    kernels::hash_all(&words, &mut out).unwrap();
    for (w, o) in words.iter().zip(&out) {
        assert_eq!(*o as u32, fmix32(*w as u32 ^ 0x9e3779b9));
    }
    let mut short = vec![0i32; 3];
    assert_eq!(kernels::hash_all(&words, &mut short).unwrap_err().kind, "out_of_bounds");
}

#[test]
fn pow_treats_a_signalling_nan_like_any_nan() {
    // glibc's pow(sNaN, 0) is NaN and pow(qNaN, 0) is 1; Strata's `fpow` quiets NaN operands
    // first on every tier, so AOT code must too (it calls the C library's pow directly).
    let snan64 = f64::from_bits(0x7ff0_0000_0000_0001);
    let snan32 = f32::from_bits(0x7f80_0001);
    assert_eq!(kernels::pow64(snan64, 0.0).unwrap(), 1.0);
    assert_eq!(kernels::pow64(1.0, snan64).unwrap(), 1.0);
    assert_eq!(kernels::pow64(f64::NAN, 0.0).unwrap(), 1.0);
    assert!(kernels::pow64(snan64, 2.0).unwrap().is_nan());
    assert_eq!(kernels::pow64(2.0, 10.0).unwrap(), 1024.0);
    assert_eq!(kernels::pow32(snan32, 0.0).unwrap(), 1.0);
    assert_eq!(kernels::pow32(1.0, snan32).unwrap(), 1.0);
    assert_eq!(kernels::pow32(3.0, 2.0).unwrap(), 9.0);
}

#[test]
fn header_declares_the_kernels() {
    let h = strata_aot_demo::HEADER;
    assert!(h.contains("#include <stdint.h>"));
    assert!(h.contains("typedef struct strata_vm_context"));
    assert!(h.contains(
        "void ola(const float *frame, int64_t frame_len, const float *win, int64_t win_len, float *out, \
         int64_t out_len, float gain, float lo, float hi, strata_vm_context *ctx);"
    ));
    assert!(h.contains("int32_t fmix32(int32_t x, strata_vm_context *ctx);"));
}

/// The shared libraries the ELF executable `bytes` needs (its `DT_NEEDED` entries).
fn needed_libraries(bytes: &[u8]) -> Vec<String> {
    use object::read::elf::{Dyn, ElfFile64, FileHeader};
    let elf = ElfFile64::<object::Endianness>::parse(bytes).unwrap();
    let endian = elf.endian();
    let sections = elf.elf_header().sections(endian, bytes).unwrap();
    let Some((dyns, link)) = sections.dynamic(endian, bytes).unwrap() else {
        return Vec::new();
    };
    let strings = sections.strings(endian, bytes, link).unwrap();
    dyns.iter()
        .filter(|d| d.tag(endian) == object::elf::DT_NEEDED)
        .map(|d| String::from_utf8_lossy(d.string(endian, strings).unwrap()).into_owned())
        .collect()
}

#[test]
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn test_binary_does_not_depend_on_llvm() {
    use object::{Object, ObjectSymbol};
    let exe = std::env::current_exe().unwrap();
    let bytes = std::fs::read(&exe).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    // The kernels are linked in...
    assert!(file.symbols().any(|s| s.name() == Ok("ola")), "ola is not defined in {}", exe.display());
    // ...and nothing of LLVM is: no libLLVM among the needed libraries, no LLVM symbol.
    let needed = needed_libraries(&bytes);
    assert!(needed.iter().any(|l| l.starts_with("libc.so")), "{needed:?}");
    assert!(!needed.iter().any(|l| l.contains("LLVM")), "{needed:?}");
    for sym in file.dynamic_symbols() {
        let name = sym.name().unwrap_or("");
        assert!(!name.starts_with("LLVM"), "imports {name}");
    }
}
