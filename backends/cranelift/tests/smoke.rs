mod common;
use common::*;
use strata_ir::{IntCC, Type};

#[test]
fn add_and_loop() {
    let m = module1(&[Type::I64, Type::I64], Some(Type::I64), |b, p| {
        let s = b.iadd(p[0], p[1]);
        b.ret(Some(s));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[2, 40]), Ok(42));

    // sum 0..n
    let m = module1(&[Type::I64], Some(Type::I64), |b, p| {
        let (i, s) = (b.declare_var(Type::I64), b.declare_var(Type::I64));
        let z = b.iconst(Type::I64, 0);
        b.def_var(i, z);
        b.def_var(s, z);
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        b.jump(head, &[]);
        b.switch_to_block(head);
        let iv = b.use_var(i);
        let c = b.icmp(IntCC::Slt, iv, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let (iv, sv) = (b.use_var(i), b.use_var(s));
        let s2 = b.iadd(sv, iv);
        b.def_var(s, s2);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(iv, one);
        b.def_var(i, i2);
        b.jump(head, &[]);
        b.switch_to_block(exit);
        let sv = b.use_var(s);
        b.ret(Some(sv));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[100]), Ok(4950));
    println!("{}", strata_cranelift::clif_text(&m, &opts()).unwrap());
}
