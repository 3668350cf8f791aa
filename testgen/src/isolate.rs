//! Running difftest batches in worker processes, so that a tier that crashes the process
//! (a segfault in a JIT, an abort in LLVM) or never returns becomes a [`Finding`] naming
//! the batch instead of ending the whole run without a word.
//!
//! The parent ([`Worker`]) keeps one child per job thread and feeds it batch numbers over
//! stdin; the child ([`serve`]) runs each batch in process and answers with its findings and
//! counts over stdout. A child that dies or exceeds the batch timeout is reported and
//! replaced, and the run goes on with the next batch. This file knows the line protocol only;
//! what a batch does is `difftest`'s business.
//!
//! Protocol, one line per message, fields separated by tabs (escaped inside fields):
//! - parent → child: `BATCH COUNT`
//! - child → parent: `finding ORIGIN MESSAGE FILE` (FILE empty when none was written), then
//!   `done PROGRAMS CALLS MUTANTS`.

use crate::difftest::{run_batch, BatchOutcome, Finding, Settings};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How to start a worker process: `program args…` must run [`serve`] with the same kind,
/// seed, inputs and output directory as the parent.
#[derive(Clone, Debug)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// A batch that takes longer than this is reported as a hang and its worker killed.
    pub batch_timeout: Duration,
}

/// A worker process as seen from the parent; started on first use, restarted after a crash.
pub struct Worker {
    cmd: WorkerCommand,
    running: Option<Running>,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    pub fn new(cmd: WorkerCommand) -> Self {
        Worker { cmd, running: None }
    }

    /// Runs batch `batch` (`count` programs) in the worker; a crash, hang or protocol error
    /// comes back as one finding (and no programs counted), with the command to reproduce it.
    pub fn run(&mut self, s: &Settings, batch: u64, count: usize) -> BatchOutcome {
        match self.try_run(batch, count) {
            Ok(done) => done,
            Err(why) => {
                let status = self.stop();
                let first = batch * s.batch as u64;
                BatchOutcome {
                    findings: vec![Finding {
                        origin: format!(
                            "kind {} batch {:#x} (programs {first}..{} of seed {:#x})",
                            s.kind.name(),
                            crate::mix(s.seed, batch),
                            first + count as u64,
                            s.seed
                        ),
                        message: format!(
                            "the worker process {why}{status}; reproduce in one process with \
                             `strata-difftest --kind {} --seed {:#x} --first-program {first} --programs {count} \
                             --batch {} --inputs {} --no-isolate`, and print the batch with --print-batch",
                            s.kind.name(),
                            s.seed,
                            s.batch,
                            s.inputs
                        ),
                        file: None,
                    }],
                    ..BatchOutcome::default()
                }
            }
        }
    }

    fn try_run(&mut self, batch: u64, count: usize) -> Result<BatchOutcome, String> {
        if self.running.is_none() {
            self.running = Some(self.start().map_err(|e| format!("could not be started ({e})"))?);
        }
        let Some(r) = self.running.as_mut() else { return Err("could not be started".into()) };
        writeln!(r.stdin, "{batch} {count}")
            .and_then(|_| r.stdin.flush())
            .map_err(|e| format!("did not take the batch ({e})"))?;
        let mut done = BatchOutcome::default();
        loop {
            let line = match r.lines.recv_timeout(self.cmd.batch_timeout) {
                Ok(l) => l,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("hung: no answer in {} s", self.cmd.batch_timeout.as_secs()))
                }
                Err(RecvTimeoutError::Disconnected) => return Err("died".into()),
            };
            let fields: Vec<String> = line.split('\t').map(unescape).collect();
            match fields.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["finding", origin, message, file] => done.findings.push(Finding {
                    origin: origin.to_string(),
                    message: message.to_string(),
                    file: (!file.is_empty()).then(|| PathBuf::from(file)),
                }),
                ["done", programs, calls, mutants] => {
                    let num = |x: &str| x.parse::<u64>().map_err(|_| format!("sent a bad count `{x}`"));
                    done.programs = num(programs)?;
                    done.calls = num(calls)?;
                    done.mutants = num(mutants)?;
                    return Ok(done);
                }
                _ => return Err(format!("sent an unexpected line `{line}`")),
            }
        }
    }

    fn start(&self) -> std::io::Result<Running> {
        let mut child = Command::new(&self.cmd.program)
            .args(&self.cmd.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("no pipes to the child"));
        };
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Ok(Running { child, stdin, lines })
    }

    /// Kills and reaps the child; returns how it ended, for the finding's message.
    fn stop(&mut self) -> String {
        let Some(mut r) = self.running.take() else { return String::new() };
        // A dead child keeps its exit status; a live one (hung) is killed first.
        let status = match r.child.try_wait() {
            Ok(Some(st)) => Some(st),
            _ => {
                let _ = r.child.kill();
                r.child.wait().ok()
            }
        };
        status.map(|st| format!(" ({st})")).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut r) = self.running.take() {
            // Closing stdin ends `serve`'s loop; wait for it so no child outlives the run.
            drop(r.stdin);
            let _ = r.child.wait();
        }
    }
}

/// The worker's side: runs the batches named on `input` with `s`, answering on `output`
/// until `input` ends.
pub fn serve(s: &Settings, input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        let mut it = line.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(batch)), Some(Ok(count)), None) = (it.next(), it.next(), it.next()) else {
            return Err(std::io::Error::other(format!("bad request `{line}`")));
        };
        let done = run_batch(s, batch, count as usize);
        for f in &done.findings {
            let file = f.file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            writeln!(output, "finding\t{}\t{}\t{}", escape(&f.origin), escape(&f.message), escape(&file))?;
        }
        writeln!(output, "done\t{}\t{}\t{}", done.programs, done.calls, done.mutants)?;
        output.flush()?;
    }
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::difftest::Kind;

    #[test]
    fn escaping_round_trips() {
        for s in ["", "plain", "a\tb\nc\\d", "\\n is not a newline", "trailing\\"] {
            assert_eq!(unescape(&escape(s)), s);
            assert!(!escape(s).contains(['\n', '\t']));
        }
    }

    fn settings() -> Settings {
        Settings { kind: Kind::Ir, seed: 7, batch: 4, inputs: 1, ..Settings::default() }
    }

    fn shell(script: &str, timeout: Duration) -> Worker {
        Worker::new(WorkerCommand {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            batch_timeout: timeout,
        })
    }

    #[test]
    fn a_crashing_worker_becomes_a_finding_and_is_replaced() {
        let s = settings();
        let mut w = shell("read line; kill -SEGV $$", Duration::from_secs(60));
        for batch in [3, 4] {
            let done = w.run(&s, batch, 4);
            assert_eq!(done.programs, 0);
            assert_eq!(done.findings.len(), 1);
            let f = &done.findings[0];
            assert!(f.origin.contains(&format!("programs {}..{}", batch * 4, batch * 4 + 4)), "{}", f.origin);
            assert!(f.message.contains("died") && f.message.contains("SIGSEGV"), "{}", f.message);
            assert!(f.message.contains(&format!("--first-program {}", batch * 4)), "{}", f.message);
        }
    }

    #[test]
    fn a_hanging_worker_is_killed_after_the_timeout() {
        let mut w = shell("read line; sleep 100", Duration::from_millis(300));
        let t = std::time::Instant::now();
        let done = w.run(&settings(), 0, 4);
        assert!(t.elapsed() < Duration::from_secs(20));
        assert!(done.findings[0].message.contains("hung"), "{}", done.findings[0].message);
    }

    #[test]
    fn answers_are_parsed_and_garbage_is_a_finding() {
        let mut w = shell(
            r"while read b c; do printf 'finding\torigin %s\tline1\\nline2\t\n' $b; printf 'done\t%s\t9\t0\n' $c; done",
            Duration::from_secs(60),
        );
        let done = w.run(&settings(), 5, 3);
        assert_eq!((done.programs, done.calls, done.mutants), (3, 9, 0));
        assert_eq!(done.findings.len(), 1);
        assert_eq!(done.findings[0].origin, "origin 5");
        assert_eq!(done.findings[0].message, "line1\nline2");
        assert_eq!(done.findings[0].file, None);
        let mut bad = shell("read line; echo nonsense; sleep 5", Duration::from_secs(60));
        let done = bad.run(&settings(), 0, 3);
        assert!(done.findings[0].message.contains("unexpected line `nonsense`"), "{}", done.findings[0].message);
    }

    #[test]
    fn serve_runs_the_requested_batches() {
        let s = settings();
        let mut out = Vec::new();
        serve(&s, "2 4\n3 1\n".as_bytes(), &mut out).expect("serves");
        let text = String::from_utf8(out).expect("utf-8");
        let dones: Vec<&str> = text.lines().filter(|l| l.starts_with("done\t")).collect();
        assert_eq!(dones.len(), 2, "{text}");
        assert!(dones[0].starts_with("done\t4\t") && dones[1].starts_with("done\t1\t"), "{text}");
        assert!(serve(&s, "nonsense\n".as_bytes(), Vec::new()).is_err());
    }
}
