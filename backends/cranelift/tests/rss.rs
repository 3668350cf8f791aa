//! Compiling and dropping many small kernels must not grow resident memory: every
//! `CompiledModule` frees its code and data mappings when dropped. This is its own test
//! binary (one test, so nothing else runs in the process while RSS is measured).

mod common;
use common::*;
use strata_cranelift::{compile, CraneliftOptions};
use strata_ir::{DataObject, IntCC, Linkage, Module, Param, Type};

fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS line")
}

/// A small kernel with a loop, a bounds check, a data object and a trampoline.
fn kernel() -> Module {
    let mut m = Module::new();
    let taps = m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5, 0.25, 1.0]));
    m.add_function(build("k", Linkage::Export, vec![Param::slice("x", Type::F32, true)], None, |b, p| {
        let head = b.create_block();
        let i = b.append_block_param(head, Type::I64);
        let (body, exit) = (b.create_block(), b.create_block());
        let zero = b.iconst(Type::I64, 0);
        b.jump(head, &[zero]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[1]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.bounds_check(i, p[1]);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let x = b.load(Type::F32, p[0], off);
        let t = b.data_addr(taps);
        let three = b.iconst(Type::I64, 3);
        let j = b.binary(strata_ir::Opcode::Band, i, three);
        let toff = b.imul(j, four);
        let w = b.load(Type::F32, t, toff);
        let y = b.fmul(x, w);
        b.store(p[0], off, y);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2]);
        b.switch_to_block(exit);
        b.ret(None);
    }));
    m
}

#[test]
fn compiling_and_dropping_10000_kernels_does_not_grow_rss() {
    let m = kernel();
    let o = CraneliftOptions { verify: false, ..opts() };
    let mut data = [1.0f32; 8];
    let mut once = |cm: &strata_cranelift::CompiledModule| {
        let mut ctx = strata_ir::VmContext::default();
        call_raw(cm, "k", &[data.as_mut_ptr() as u64, data.len() as u64], &mut ctx).unwrap();
    };
    for _ in 0..500 {
        once(&compile(&m, &o).unwrap());
    }
    let before = vm_rss_kib();
    let start = std::time::Instant::now();
    for _ in 0..10_000 {
        once(&compile(&m, &o).unwrap());
    }
    let after = vm_rss_kib();
    eprintln!(
        "RSS {before} KiB -> {after} KiB after 10000 compile+drop ({:.1} us each)",
        start.elapsed().as_secs_f64() * 100.0
    );
    assert!(after < before + 8 * 1024, "RSS grew from {before} KiB to {after} KiB");
}
