//! Helper threads that compile parts of a module in parallel with the calling thread.
//!
//! One pool per process, started on first use: one helper fewer than the CPUs the process
//! may use, at most [`MAX_HELPERS`]. A caller queues its jobs, runs its own jobs from the
//! queue on its own thread until none is left, then waits for the ones helpers took; so a
//! compile always makes progress even when every helper is busy with other compiles.
//! Helpers live as long as the process, which keeps their thread-local LLVM target
//! machines (`TargetSpec::with_machine`) warm: creating one costs about a millisecond.
//!
//! What it must not do: lose a job's result (a panicking job is caught on the helper and
//! re-raised on the caller), or let a caller wait for a job nobody will run.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Condvar, Mutex, OnceLock};

/// The most helper threads the pool starts.
pub(crate) const MAX_HELPERS: usize = 7;

type Task = Box<dyn FnOnce() + Send>;

/// The shared queue: `(caller id, task)`.
struct Pool {
    queue: Mutex<VecDeque<(u64, Task)>>,
    ready: Condvar,
    /// The helpers that started.
    helpers: AtomicUsize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<&'static Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let wanted = cpus.saturating_sub(1).min(MAX_HELPERS);
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            helpers: AtomicUsize::new(0),
        }));
        for i in 0..wanted {
            if std::thread::Builder::new().name(format!("strata-llvm-{i}")).spawn(move || helper(pool)).is_ok() {
                pool.helpers.fetch_add(1, Ordering::Relaxed);
            }
        }
        pool
    })
}

fn helper(pool: &'static Pool) {
    loop {
        let task = {
            let Ok(mut q) = pool.queue.lock() else { return };
            loop {
                if let Some((_, t)) = q.pop_front() {
                    break t;
                }
                q = match pool.ready.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
        };
        task();
    }
}

/// How many helper threads the pool has (0 on a single-CPU machine).
pub(crate) fn helpers() -> usize {
    pool().helpers.load(Ordering::Relaxed)
}

/// Runs every job, on this thread and on helpers, and returns their results in order. A
/// job that panicked re-raises its panic here.
pub(crate) fn run_all<T: Send + 'static>(jobs: Vec<Box<dyn FnOnce() -> T + Send>>) -> Vec<T> {
    static NEXT_CALLER: AtomicU64 = AtomicU64::new(0);
    let me = NEXT_CALLER.fetch_add(1, Ordering::Relaxed);
    let n = jobs.len();
    let pool = pool();
    let (tx, rx) = channel::<(usize, std::thread::Result<T>)>();
    let tasks: Vec<Task> = jobs
        .into_iter()
        .enumerate()
        .map(|(k, job)| {
            let tx = tx.clone();
            Box::new(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                let _ = tx.send((k, r));
            }) as Task
        })
        .collect();
    drop(tx);
    let mut local: Vec<Task> = Vec::new();
    match pool.queue.lock() {
        Ok(mut q) if pool.helpers.load(Ordering::Relaxed) > 0 => {
            q.extend(tasks.into_iter().map(|t| (me, t)));
            pool.ready.notify_all();
        }
        _ => local = tasks,
    }
    for t in local {
        t();
    }
    // Run our own queued jobs until none is left in the queue.
    loop {
        let mine = pool.queue.lock().ok().and_then(|mut q| {
            let at = q.iter().position(|(owner, _)| *owner == me)?;
            q.remove(at).map(|(_, t)| t)
        });
        match mine {
            Some(t) => t(),
            None => break,
        }
    }
    let mut out: Vec<Option<std::thread::Result<T>>> = (0..n).map(|_| None).collect();
    // Every task sends exactly once (panics are caught), so this ends after `n` results.
    for (k, r) in rx.iter().take(n) {
        out[k] = Some(r);
    }
    out.into_iter()
        .map(|r| match r {
            Some(Ok(v)) => v,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            // Unreachable: a dropped sender means the task ran and sent.
            None => std::panic::resume_unwind(Box::new("a compile job was lost")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order() {
        let jobs: Vec<Box<dyn FnOnce() -> usize + Send>> = (0..20usize)
            .map(|i| {
                Box::new(move || {
                    std::thread::sleep(std::time::Duration::from_millis((20 - i) as u64 % 3));
                    i * i
                }) as Box<dyn FnOnce() -> usize + Send>
            })
            .collect();
        assert_eq!(run_all(jobs), (0..20usize).map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_job_panics_the_caller_and_the_pool_keeps_working() {
        let jobs: Vec<Box<dyn FnOnce() -> u8 + Send>> = vec![Box::new(|| 1), Box::new(|| panic!("job failed"))];
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_all(jobs)));
        assert!(r.is_err());
        let jobs: Vec<Box<dyn FnOnce() -> u8 + Send>> = vec![Box::new(|| 1), Box::new(|| 2), Box::new(|| 3)];
        assert_eq!(run_all(jobs), [1, 2, 3]);
    }

    #[test]
    fn concurrent_callers_each_get_their_own_results() {
        let handles: Vec<_> = (0..4u32)
            .map(|c| {
                std::thread::spawn(move || {
                    let jobs: Vec<Box<dyn FnOnce() -> u32 + Send>> =
                        (0..8u32).map(|i| Box::new(move || c * 100 + i) as Box<dyn FnOnce() -> u32 + Send>).collect();
                    run_all(jobs)
                })
            })
            .collect();
        for (c, h) in handles.into_iter().enumerate() {
            let got = h.join().expect("caller thread");
            assert_eq!(got, (0..8u32).map(|i| c as u32 * 100 + i).collect::<Vec<_>>());
        }
    }
}
