//! Every engine (rbpf's three, Strata's tiers) gives the same r0 and the same final memory
//! on every benchmark program, at a small size: the check that the bench compares engines
//! doing the same work. Also checks the instruction count the bench divides by.

mod common;
use strata_bpf_peers::{counting_copy, executed, programs, strata_engines};
use strata_frontend::bpf;

#[test]
fn all_engines_agree() {
    for p in programs(false) {
        let insns = p.insns().unwrap();
        let mut engines = common::rbpf_engines::rbpf_engines(bpf::encode(&insns)).unwrap();
        engines.extend(strata_engines(&insns).unwrap());
        assert!(engines.len() >= 4, "{}: rbpf's three engines and at least the interpreter", p.name);
        let mut want: Option<(u64, Vec<u8>)> = None;
        for e in &mut engines {
            let mut mem = p.mem.clone();
            let r = (e.run)(&mut mem).unwrap_or_else(|err| panic!("{}: {}: {err}", p.name, e.name));
            match &want {
                None => want = Some((r, mem)),
                Some((w, wmem)) => {
                    assert_eq!(r, *w, "{}: {} disagrees with rbpf-interp", p.name, e.name);
                    assert!(mem == *wmem, "{}: {} leaves different memory", p.name, e.name);
                }
            }
        }
        println!("{}: {} engines agree, r0 = {:#x}", p.name, engines.len(), want.map_or(0, |w| w.0));
    }
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
