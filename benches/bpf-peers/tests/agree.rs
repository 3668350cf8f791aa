//! Every engine (rbpf's three, Strata's tiers) gives the same r0 and the same final memory
//! on every benchmark program, at a small size: the check that the bench compares engines
//! doing the same work. Also checks the instruction count the bench divides by, and that
//! the agreement check itself catches an engine that differs.

use strata_bpf_peers::{agree, all_engines, counting_copy, executed, programs, Engine};

#[test]
fn all_engines_agree() {
    for p in programs(false) {
        let insns = p.insns().unwrap();
        let mut engines = all_engines(&insns).unwrap();
        assert!(engines.len() >= 4, "{}: rbpf's three engines and at least the interpreter", p.name);
        let (r0, _) = agree(&p, &mut engines).unwrap_or_else(|e| panic!("{e}"));
        println!("{}: {} engines agree, r0 = {r0:#x}", p.name, engines.len());
    }
}

/// A wrong r0 or a different final memory is reported, naming the engine.
#[test]
fn agree_reports_the_engine_that_differs() {
    let p = strata_bpf_peers::count_loop(10);
    let mut engines = all_engines(&p.insns().unwrap()).unwrap();
    engines.push(Engine { name: "wrong".into(), run: Box::new(|_| Ok(u64::MAX)) });
    let e = agree(&p, &mut engines).unwrap_err();
    assert!(e.contains("wrong returns 0xffffffffffffffff"), "{e}");
    let p = strata_bpf_peers::sort(8);
    let insns = p.insns().unwrap();
    let mut engines = all_engines(&insns).unwrap();
    let mut good = all_engines(&insns).unwrap().remove(0);
    engines.push(Engine {
        name: "scribbler".into(),
        run: Box::new(move |mem| {
            let r = (good.run)(mem);
            if let Some(b) = mem.last_mut() {
                *b ^= 1;
            }
            r
        }),
    });
    let e = agree(&p, &mut engines).unwrap_err();
    assert!(e.contains("scribbler leaves different memory"), "{e}");
}

/// The counting copy counts what the program executes: 2 + 4 per trip for the register
/// loop (mov, mov, then mul/add/sub/jne per trip, and exit).
#[test]
fn counts_executed_instructions() {
    let p = strata_bpf_peers::count_loop(10);
    let insns = p.insns().unwrap();
    assert_eq!(executed(&insns, &p.mem).unwrap(), 2 + 4 * 10 + 1);
    let mut with_r9 = insns.clone();
    with_r9[0].dst = 9;
    assert!(counting_copy(&with_r9).is_err());
}
