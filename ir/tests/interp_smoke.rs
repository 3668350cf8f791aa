mod common;
use common::*;
use strata_ir::{Arg, IntCC, Param, Type, Val};

#[test]
fn sumsq() {
    let f = func("sumsq", vec![Param::slice("x", Type::F32, false)], Some(Type::F32), |b, p| {
        let (x, n) = (p[0], p[1]);
        let head = b.create_block();
        let body = b.create_block();
        let exit = b.create_block();
        let i = b.append_block_param(head, Type::I64);
        let acc = b.append_block_param(head, Type::F32);
        let z = b.iconst(Type::I64, 0);
        let fz = b.fconst(Type::F32, 0.0);
        b.jump(head, &[z, fz]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, n);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.bounds_check(i, n);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let v = b.load(Type::F32, x, off);
        let sq = b.fmul(v, v);
        let acc2 = b.fadd(acc, sq);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
    });
    let data = bytes(&[1.0f32, 2.0, 3.0]);
    assert_eq!(run(f, &mut [Arg::Slice(&data)]).unwrap(), Some(Val::F32(14.0)));
}
