//! Start-up: the time from starting a server process to its first answered request,
//! the median of `--startup-runs` fresh starts per target, interleaved.
//!
//! stdio: `initialize` is written to stdin at once and the clock stops at the first
//! line on stdout. HTTP: the clock stops when the answer to the first `tools/call
//! echo` (legacy era) arrives; the server binds `127.0.0.1:0` and prints its
//! endpoint, then the request goes out on a new connection.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use benches::{Era, HttpConn, ServerProcess};

use super::http::Kind;
use super::{Setup, median};

/// How long one start may take.
const WAIT: Duration = Duration::from_secs(10);

struct Target {
    name: String,
    kind: Kind,
    http: bool,
    program: PathBuf,
    args: Vec<String>,
}

/// Median start-up per target.
pub(crate) struct Startup {
    rows: Vec<(String, Kind, bool, Option<f64>)>,
    runs: usize,
}

fn targets(setup: &Setup) -> Vec<Target> {
    let mut targets: Vec<Target> = super::http::targets(setup, None)
        .into_iter()
        .filter(|t| t.kind != Kind::Layered)
        .map(|t| Target {
            name: t.name,
            kind: t.kind,
            http: true,
            program: t.program,
            args: t.args,
        })
        .collect();
    targets.extend(
        super::stdio::targets(setup)
            .into_iter()
            .filter(|t| t.kind != Kind::RmcpVariant)
            .map(|t| Target {
                name: t.name.to_owned(),
                kind: t.kind,
                http: false,
                program: t.program,
                args: t.args,
            }),
    );
    targets
}

/// One start to first answer over HTTP.
fn http_once(target: &Target) -> Result<Duration, benches::Error> {
    let era = Era::Legacy;
    let start = Instant::now();
    let mut command = Command::new(&target.program);
    command.args(&target.args);
    let server = ServerProcess::spawn(command, WAIT)?;
    let mut conn = HttpConn::connect(server.authority())?;
    let request = conn.request(server.path(), &era.headers(), &era.http_body());
    let reply = conn.send(&request)?;
    let elapsed = start.elapsed();
    server.stop(WAIT);
    if reply.status != 200 {
        return Err(format!("{}: status {}", target.name, reply.status).into());
    }
    Ok(elapsed)
}

/// One start to first answer over stdio.
fn stdio_once(target: &Target) -> Result<Duration, benches::Error> {
    let start = Instant::now();
    let mut child = Command::new(&target.program)
        .args(&target.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    writeln!(stdin, "{}", Era::stdio_preamble()[0])?;
    stdin.flush()?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let elapsed = start.elapsed();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    if !line.contains("\"result\"") {
        return Err(format!("{}: no initialize result: {line}", target.name).into());
    }
    Ok(elapsed)
}

pub(crate) fn run(setup: &Setup) -> Startup {
    let runs = setup.args.startup_runs.max(1);
    let targets = targets(setup);
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
    let mut failed: Vec<bool> = vec![false; targets.len()];
    for _ in 0..runs {
        for (i, target) in targets.iter().enumerate() {
            if failed[i] {
                continue;
            }
            let once = if target.http {
                http_once(target)
            } else {
                stdio_once(target)
            };
            match once {
                Ok(d) => samples[i].push(d.as_secs_f64() * 1e3),
                Err(e) => {
                    eprintln!("startup: {}: {e}", target.name);
                    failed[i] = true;
                }
            }
        }
    }
    Startup {
        rows: targets
            .iter()
            .zip(&samples)
            .zip(&failed)
            .map(|((t, s), f)| (t.name.clone(), t.kind, t.http, (!f).then(|| median(s))))
            .collect(),
        runs,
    }
}

impl Startup {
    pub(crate) fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "#### Start-up: process start to first answered request (median of {} starts)\n",
            self.runs
        );
        let _ = writeln!(out, "| target | transport | ms | × bare | × rmcp |");
        let _ = writeln!(out, "|---|---|---:|---:|---:|");
        for http in [true, false] {
            let of = |kind: Kind| {
                self.rows
                    .iter()
                    .find(|r| r.1 == kind && r.2 == http)
                    .and_then(|r| r.3)
            };
            let (bare, rmcp) = (of(Kind::Bare), of(Kind::Rmcp));
            for (name, _, _, ms) in self.rows.iter().filter(|r| r.2 == http) {
                let ratio = |base: Option<f64>| match (ms, base) {
                    (Some(m), Some(b)) if b > 0.0 => format!("{:.2}×", m / b),
                    _ => "–".to_owned(),
                };
                let ms = ms.map_or("failed".to_owned(), |m| format!("{m:.2}"));
                let transport = if http { "HTTP" } else { "stdio" };
                let _ = writeln!(
                    out,
                    "| {name} | {transport} | {ms} | {} | {} |",
                    ratio(bare),
                    ratio(rmcp)
                );
            }
        }
        let _ = writeln!(out);
    }
}
