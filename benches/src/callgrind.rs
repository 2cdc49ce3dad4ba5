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
