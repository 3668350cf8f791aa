//! A loop of typed calls, for counting instructions per call under callgrind (robust on a
//! shared machine, where wall-clock nanoseconds are noisy):
//!
//! ```text
//! cargo build --release -p strata-runtime --example call_loop
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/call_loop baseline empty 0
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/call_loop baseline empty 1000000
//! ```
//! The difference of the two totals divided by 1e6 is the instructions of one call.
//! Arguments: tier (`interpreter|baseline|optimized|adaptive`), kernel (`empty|add|slice`),
//! number of calls. It also prints the wall-clock ns per call (meaningless under valgrind).

use std::hint::black_box;
use std::time::Instant;
use strata_runtime::{Engine, Tier};

const EMPTY: &str = "export fn empty() {}\nexport fn add(a: i64, b: i64) -> i64 { return a + b; }\n\
                     export fn first(x: [f32]) -> i64 { return x.len(); }";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let tier: Tier = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(Tier::Baseline);
    let kernel = args.get(2).map(String::as_str).unwrap_or("empty");
    let n: u64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let engine = Engine::builder().tier(tier).build();
    let m = engine.load_source("empty.sk", EMPTY)?;
    let start = Instant::now();
    match kernel {
        "empty" => {
            let f = m.get::<(), ()>("empty")?;
            for _ in 0..n {
                f.call(())?;
            }
        }
        "add" => {
            let f = m.get::<(i64, i64), i64>("add")?;
            for i in 0..n as i64 {
                black_box(f.call((black_box(i), 2))?);
            }
        }
        "slice" => {
            let f = m.get::<&[f32], i64>("first")?;
            let x = [1.0f32; 4];
            for _ in 0..n {
                black_box(f.call(black_box(&x[..]))?);
            }
        }
        k => return Err(format!("unknown kernel `{k}` (empty, add, slice)").into()),
    }
    let ns = start.elapsed().as_nanos() as f64 / n.max(1) as f64;
    println!("{tier} {kernel}: {n} calls, {ns:.2} ns/call");
    Ok(())
}
