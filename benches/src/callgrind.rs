//! Instruction counts with `valgrind --tool=callgrind` (Debian package `valgrind`).
//!
//! Each figure is the difference of two runs of the same server: one that answers
//! `warmup` requests and one that answers `warmup + n`, divided by `n`, so start-up,
//! warm-up and shutdown cancel out. Every thread of the server is counted (the
//! runtime's idle work included). The larger run's output file is kept for
//! `callgrind_annotate`.

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

/// `valgrind --tool=callgrind` running `program args`, writing to `out`.
pub fn command(program: &Path, args: &[String], out: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg("-q")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(program)
        .args(args);
    command
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

/// Instructions per HTTP request of `era` sent on one keep-alive connection to the
/// server `program args` (which must print `MCP endpoint: <url>` and stop on
/// `SIGINT`). A server that prints a token gets it back as `Authorization`
/// ([`ServerProcess::auth_headers`]).
///
/// # Errors
/// valgrind or the server fails, or a request is not answered with `200`.
pub fn http_per_request(
    program: &Path,
    args: &[String],
    era: Era,
    (warmup, n): (usize, usize),
    dir: &Path,
    name: &str,
) -> Result<PerRequest, Error> {
    let run = |count: usize, tag: &str| -> Result<(u64, PathBuf), Error> {
        let out = dir.join(format!("callgrind.{name}.{tag}.out"));
        let _ = std::fs::remove_file(&out);
        let server = ServerProcess::spawn(command(program, args, &out), SLOW)?;
        {
            let mut conn = HttpConn::connect(server.authority())?;
            let mut headers = era.headers();
            headers.extend(server.auth_headers());
            let request = conn.request(server.path(), &headers, &era.http_body());
            for _ in 0..count {
                let reply = conn.send(&request)?;
                if reply.status != 200 {
                    return Err(format!("{name}: status {} {}", reply.status, reply.text()).into());
                }
            }
        }
        server.stop(SLOW);
        Ok((total(&out)?, out))
    };
    let (base, _) = run(warmup, "base")?;
    let (full, profile) = run(warmup + n, "full")?;
    Ok(PerRequest {
        instructions: full.saturating_sub(base) as f64 / n.max(1) as f64,
        profile,
    })
}

/// Instructions per stdio call of `era` to the server `program args`, pipelined.
///
/// # Errors
/// valgrind or the server fails, or calls go unanswered.
pub fn stdio_per_call(
    program: &Path,
    args: &[String],
    era: Era,
    (warmup, n): (usize, usize),
    dir: &Path,
    name: &str,
) -> Result<PerRequest, Error> {
    let run = |count: usize, tag: &str| -> Result<(u64, PathBuf), Error> {
        let out = dir.join(format!("callgrind.{name}.{tag}.out"));
        let _ = std::fs::remove_file(&out);
        let result = stdio_run(
            command(program, args, &out),
            era,
            count,
            StdioMode::Pipelined,
            SLOW,
        )?;
        if result.failed > 0 {
            return Err(format!("{name}: {} calls failed", result.failed).into());
        }
        Ok((total(&out)?, out))
    };
    let (base, _) = run(warmup, "base")?;
    let (full, profile) = run(warmup + n, "full")?;
    Ok(PerRequest {
        instructions: full.saturating_sub(base) as f64 / n.max(1) as f64,
        profile,
    })
}
