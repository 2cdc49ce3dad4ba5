//! Instruction counts with `valgrind --tool=callgrind` (Debian package `valgrind`).
//!
//! Each figure is the difference of two runs of the same server: one that answers
//! `warmup` requests and one that answers `warmup + n`, divided by `n`, so start-up,
//! warm-up and shutdown cancel out. Every thread of the server is counted (the
//! runtime's idle work included). The larger run's output file is kept for
//! `callgrind_annotate`.
//!
//! Tokio servers are run with `TOKIO_WORKER_THREADS=1` by default
//! ([`Callgrind::tokio_workers`]): with several workers, which thread wakes which
//! changes from run to run and moves the count by a few thousand instructions per
//! request; with one, the count repeats to within a few instructions.
//!
//! [`Callgrind::http_zeroed`] is the second, independent method: the server pinned to
//! one core (`taskset -c 0`, one Tokio worker), warmed up, its counters zeroed
//! (`callgrind_control --zero`), `requests` sequential requests on one keep-alive
//! connection, a dump (`callgrind_control --dump`), and the dump's total divided by
//! `requests`. Only the work between the two is charged, so the fixed cost of
//! waking up is the same share as in the load, not a start-up difference. Its stdio
//! form is [`Callgrind::stdio_file`]: the whole input written to stdin at once from a
//! file, pinned, `file_calls` calls minus none, divided by `file_calls`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::{Era, Error, HttpConn, ServerProcess, StdioMode, stdio_run};

/// How long a server under valgrind may take to start and to stop.
const SLOW: Duration = Duration::from_secs(120);

/// An instruction count per request, and the profile it came from.
#[derive(Clone, Debug)]
pub struct PerRequest {
    /// Instructions per request (or stdio call).
    pub instructions: f64,
    /// The callgrind output of the larger run.
    pub profile: PathBuf,
}

/// How servers are counted: where outputs go, how many requests, which runtime.
#[derive(Clone, Debug)]
pub struct Callgrind {
    /// Directory for the output files.
    pub dir: PathBuf,
    /// Requests both runs answer.
    pub warmup: usize,
    /// Requests only the larger run answers (the divisor).
    pub requests: usize,
    /// `TOKIO_WORKER_THREADS` for the server; `None` leaves the runtime's default.
    pub tokio_workers: Option<usize>,
    /// Calls in the stdio input file of [`Callgrind::stdio_file`] (the divisor).
    pub file_calls: usize,
}

/// The total instruction count in a callgrind output file.
///
/// # Errors
/// The file cannot be read or has no `summary:`/`totals:` line.
pub fn total(file: &Path) -> Result<u64, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("no callgrind output {}: {e}", file.display()))?;
    text.lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("no totals in {}", file.display()).into())
}

impl Callgrind {
    /// `valgrind --tool=callgrind` running `program args`, writing to `out`.
    pub fn command(&self, program: &Path, args: &[String], out: &Path) -> Command {
        let mut command = Command::new("valgrind");
        command
            .arg("--tool=callgrind")
            .arg("-q")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(program)
            .args(args);
        if let Some(n) = self.tokio_workers {
            command.env("TOKIO_WORKER_THREADS", n.to_string());
        }
        command
    }

    /// Runs `run(count, out)` for `warmup` and `warmup + requests` and divides the
    /// difference of the totals.
    fn difference(
        &self,
        name: &str,
        run: impl Fn(usize, &Path) -> Result<(), Error>,
    ) -> Result<PerRequest, Error> {
        let mut totals = [0u64; 2];
        let mut profile = PathBuf::new();
        for (i, (count, tag)) in [(self.warmup, "base"), (self.warmup + self.requests, "full")]
            .into_iter()
            .enumerate()
        {
            let out = self.dir.join(format!("callgrind.{name}.{tag}.out"));
            let _ = std::fs::remove_file(&out);
            run(count, &out)?;
            totals[i] = total(&out)?;
            profile = out;
        }
        Ok(PerRequest {
            instructions: totals[1].saturating_sub(totals[0]) as f64 / self.requests.max(1) as f64,
            profile,
        })
    }

    /// Instructions per HTTP request of `era` sent on one keep-alive connection to
    /// the server `program args` (which must print `MCP endpoint: <url>` and stop on
    /// `SIGINT`). A server that prints a token gets it back as `Authorization`
    /// ([`ServerProcess::auth_headers`]).
    ///
    /// # Errors
    /// valgrind or the server fails, or a request is not answered with `200`.
    pub fn http_per_request(
        &self,
        program: &Path,
        args: &[String],
        era: Era,
        name: &str,
    ) -> Result<PerRequest, Error> {
        self.difference(name, |count, out| {
            let server = ServerProcess::spawn(self.command(program, args, out), SLOW)?;
            {
                let mut conn = HttpConn::connect(server.authority())?;
                let mut headers = era.headers();
                headers.extend(server.auth_headers());
                let request = conn.request(server.path(), &headers, &era.http_body());
                for _ in 0..count {
                    let reply = conn.send(&request)?;
                    if reply.status != 200 {
                        return Err(
                            format!("{name}: status {} {}", reply.status, reply.text()).into()
                        );
                    }
                }
            }
            server.stop(SLOW);
            Ok(())
        })
    }

    /// Instructions per HTTP request by zeroing and dumping the counters of a warm,
    /// pinned server (see the module docs).
    ///
    /// # Errors
    /// valgrind, `callgrind_control` or the server fails, or a request is not
    /// answered with `200`.
    pub fn http_zeroed(
        &self,
        program: &Path,
        args: &[String],
        era: Era,
        name: &str,
    ) -> Result<f64, Error> {
        let out = self.dir.join(format!("callgrind.{name}.zeroed.out"));
        let server = ServerProcess::spawn(pinned(program, args, &out), SLOW)?;
        let pid = server.pid();
        let mut conn = HttpConn::connect(server.authority())?;
        let mut headers = era.headers();
        headers.extend(server.auth_headers());
        let request = conn.request(server.path(), &headers, &era.http_body());
        let mut send = |count: usize| -> Result<(), Error> {
            for _ in 0..count {
                let reply = conn.send(&request)?;
                if reply.status != 200 {
                    return Err(format!("{name}: status {} {}", reply.status, reply.text()).into());
                }
            }
            Ok(())
        };
        send(self.warmup)?;
        control("--zero", pid)?;
        send(self.requests)?;
        let before: Vec<PathBuf> = dumps(&out);
        control("--dump", pid)?;
        let dump = dumps(&out)
            .into_iter()
            .find(|d| !before.contains(d))
            .ok_or_else(|| format!("{name}: callgrind wrote no dump"))?;
        drop(conn);
        server.stop(SLOW);
        Ok(total(&dump)? as f64 / self.requests.max(1) as f64)
    }

    /// Instructions per stdio call of `era`, the input a file on stdin (`initialize`,
    /// `notifications/initialized`, then `file_calls` calls or none), the server
    /// pinned to one core: the difference of the two totals divided by `file_calls`.
    ///
    /// # Errors
    /// valgrind or the server fails.
    pub fn stdio_file(
        &self,
        program: &Path,
        args: &[String],
        era: Era,
        name: &str,
    ) -> Result<f64, Error> {
        let mut totals = [0u64; 2];
        for (i, count) in [0, self.file_calls].into_iter().enumerate() {
            let input = self.dir.join(format!("stdio.{name}.{count}.jsonl"));
            let mut text = Era::stdio_preamble().join("\n");
            text.push('\n');
            for id in 1..=count {
                text.push_str(&era.line(id as u64));
                text.push('\n');
            }
            std::fs::write(&input, text)?;
            let out = self.dir.join(format!("callgrind.{name}.file{count}.out"));
            let status = pinned(program, args, &out)
                .stdin(std::fs::File::open(&input)?)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()?;
            if !status.success() {
                return Err(format!("{name}: {count} calls from a file: {status}").into());
            }
            totals[i] = total(&out)?;
        }
        Ok(totals[1].saturating_sub(totals[0]) as f64 / self.file_calls.max(1) as f64)
    }

    /// Instructions per stdio call of `era` to the server `program args`, pipelined.
    ///
    /// # Errors
    /// valgrind or the server fails, or calls go unanswered.
    pub fn stdio_per_call(
        &self,
        program: &Path,
        args: &[String],
        era: Era,
        name: &str,
    ) -> Result<PerRequest, Error> {
        self.difference(name, |count, out| {
            let command = self.command(program, args, out);
            let result = stdio_run(command, era, count, StdioMode::Pipelined, SLOW)?;
            if result.failed > 0 {
                return Err(format!("{name}: {} calls failed", result.failed).into());
            }
            Ok(())
        })
    }
}

/// `program args` under callgrind, writing to `out`, pinned to core 0 with one Tokio
/// worker.
fn pinned(program: &Path, args: &[String], out: &Path) -> Command {
    let mut command = Command::new("taskset");
    command
        .args(["-c", "0", "valgrind", "--tool=callgrind", "-q"])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(program)
        .args(args)
        .env("TOKIO_WORKER_THREADS", "1");
    command
}

/// `callgrind_control ACTION PID`.
fn control(action: &str, pid: u32) -> Result<(), Error> {
    let status = Command::new("callgrind_control")
        .arg(action)
        .arg(pid.to_string())
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("callgrind_control: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("callgrind_control {action} {pid}: {status}").into())
    }
}

/// The dump files callgrind wrote next to `out` (`out.1`, `out.2`, ...).
fn dumps(out: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(stem)) = (out.parent(), out.file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}.", stem.to_string_lossy());
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
                })
                .collect()
        })
        .unwrap_or_default()
}
