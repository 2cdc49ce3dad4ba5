//! [`stdio_run`]: `tools/call echo` sent to a stdio server, pipelined (write all,
//! read all) or in lockstep (one at a time).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Era, Error, peak_rss_kib};

/// How the calls are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdioMode {
    /// All calls written at once (by a writer thread) while the answers are read.
    Pipelined,
    /// One call, its answer, the next call.
    Lockstep,
}

/// What one stdio run measured.
#[derive(Clone, Debug, Default)]
pub struct StdioRun {
    /// Calls answered with a result.
    pub ok: usize,
    /// Calls answered with an error (or not a result).
    pub failed: usize,
    /// Time from the first call written to the last answer read.
    pub elapsed: Duration,
    /// Peak resident memory of the server (`VmHWM`, KiB), read before its input ends.
    pub peak_rss_kib: u64,
}

impl StdioRun {
    /// Answers per second.
    pub fn calls_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.ok + self.failed) as f64 / secs
        } else {
            0.0
        }
    }
}

/// Starts `command`, sends the preamble ([`Era::stdio_preamble`]) and waits for its
/// answer, then sends `calls` calls of `era` in `mode`, closes its stdin and waits
/// (at most `grace`, then kills it).
///
/// # Errors
/// The server cannot be started, or stops answering.
pub fn stdio_run(
    mut command: Command,
    era: Era,
    calls: usize,
    mode: StdioMode,
    grace: Duration,
) -> Result<StdioRun, Error> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let result = drive(&mut child, era, calls, mode);
    // Closing stdin (dropped in `drive`) ends the server; wait for it, bounded.
    let deadline = Instant::now() + grace;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    result
}

fn drive(child: &mut Child, era: Era, calls: usize, mode: StdioMode) -> Result<StdioRun, Error> {
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut writer = BufWriter::with_capacity(64 * 1024, stdin);
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    for line in Era::stdio_preamble() {
        writeln!(writer, "{line}")?;
    }
    writer.flush()?;
    let mut answer = String::new();
    if reader.read_line(&mut answer)? == 0 {
        return Err("the server closed stdout before answering initialize".into());
    }
    // Every call has its own id (some servers track requests in flight by id).
    let lines: Vec<String> = (0..calls).map(|i| era.line(i as u64 + 1)).collect();
    let mut run = StdioRun::default();
    let started = Instant::now();
    match mode {
        StdioMode::Pipelined => {
            let feeder = std::thread::spawn(move || write_all(writer, &lines));
            read_answers(&mut reader, calls, &mut run)?;
            // Its input ends only now: some servers stop answering at end of input.
            let writer = feeder.join().map_err(|_| "the writer thread panicked")??;
            drop(writer);
        }
        StdioMode::Lockstep => {
            for line in &lines {
                writeln!(writer, "{line}")?;
                writer.flush()?;
                read_answers(&mut reader, 1, &mut run)?;
            }
            drop(writer);
        }
    }
    run.elapsed = started.elapsed();
    run.peak_rss_kib = peak_rss_kib(child.id()).unwrap_or(0);
    Ok(run)
}

fn write_all(
    mut writer: BufWriter<ChildStdin>,
    lines: &[String],
) -> Result<BufWriter<ChildStdin>, Error> {
    for line in lines {
        writer.write_all(line.as_bytes())?;
        writer.write_all(b"\n")?;
    }
    writer.flush()?;
    Ok(writer)
}

fn read_answers(
    reader: &mut BufReader<ChildStdout>,
    n: usize,
    run: &mut StdioRun,
) -> Result<(), Error> {
    let mut line = String::new();
    for _ in 0..n {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(format!(
                "the server closed stdout after {} answers",
                run.ok + run.failed
            )
            .into());
        }
        if line.contains("\"result\"") && !line.contains("\"isError\":true") {
            run.ok += 1;
        } else {
            run.failed += 1;
        }
    }
    Ok(())
}
