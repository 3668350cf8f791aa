//! The background thread that compiles tier 2 for adaptive kernels: one per process, fed
//! by a queue, running at a lower scheduling priority.
//!
//! One thread (not one per request) bounds the CPU that tier-up takes from the program: at
//! most one LLVM compile runs at a time, and a request whose kernel was dropped while it
//! waited is skipped (each job checks that itself). The lower priority (Linux: nice
//! [`TIER_UP_NICE`]) lets the compile use idle CPU rather than time the threads calling
//! kernels need; with Linux's autogroup scheduling, nice only weighs threads of the same
//! process against each other, so it is the caller's share that the compile does not take.
//! Measured on a busy 2-core machine (10,000 FIR calls): tier-1 calls ran ~40% slower next
//! to an LLVM compile at normal priority, adaptive runs were ~1.2x tier-1-only at nice 10
//! and on par at nice 19; with one thread per request, compiles of short-lived engines
//! piled up. On an idle core the compile runs at full speed whatever its nice value; on a
//! saturated machine tier 2 arrives late (or not within a short run): tier-up is
//! opportunistic. This file only runs jobs; what a job does is in `kernel.rs`.

use std::sync::mpsc::{channel, Sender};
use std::sync::OnceLock;

/// A tier-up job: compile, then install if the kernel is still alive.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// The nice value of the tier-up thread on Linux.
pub(crate) const TIER_UP_NICE: i32 = 19;

static QUEUE: OnceLock<Option<Sender<Job>>> = OnceLock::new();

/// Queues `job` for the tier-up thread (started on first use). False when the thread
/// could not be started or has stopped: the caller then stays on its current tier.
pub(crate) fn submit(job: Job) -> bool {
    match QUEUE.get_or_init(start) {
        Some(tx) => tx.send(job).is_ok(),
        None => false,
    }
}

fn start() -> Option<Sender<Job>> {
    let (tx, rx) = channel::<Job>();
    let spawned = std::thread::Builder::new().name("strata-tier-up".into()).spawn(move || {
        lower_thread_priority();
        for job in rx {
            // A panicking compile must not stop tier-up for every other kernel.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        }
    });
    spawned.ok().map(|_| tx)
}

/// Lowers the calling thread's scheduling priority to [`TIER_UP_NICE`] (best effort).
fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscall wrapper; on Linux `PRIO_PROCESS` with `who == 0` applies to the
    // calling thread only. A failure (e.g. a seccomp policy) leaves the priority as it is.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, TIER_UP_NICE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;
    use std::time::Duration;

    #[test]
    fn runs_jobs_in_order_on_one_thread_and_survives_a_panic() {
        let (tx, rx) = sync_channel(8);
        for i in 0..4 {
            let tx = tx.clone();
            assert!(submit(Box::new(move || {
                if i == 1 {
                    panic!("a failing job");
                }
                let _ = tx.send((i, std::thread::current().name().map(str::to_string)));
            })));
        }
        let got: Vec<_> = (0..3).filter_map(|_| rx.recv_timeout(Duration::from_secs(60)).ok()).collect();
        let name = Some("strata-tier-up".to_string());
        assert_eq!(got, vec![(0, name.clone()), (2, name.clone()), (3, name)]);
    }
}
