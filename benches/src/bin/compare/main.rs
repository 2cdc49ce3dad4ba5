//! `compare`: the end-to-end comparison, side by side in one run.
//!
//! - HTTP load (`wrk`, 1/16/64 connections): bare hyper + serde_json, our
//!   `hello_http`, rmcp 3.11 (stateless, JSON responses), and `hello_http` behind the
//!   auth layer (memory store; Redis when `redis-server` is on PATH) and behind a
//!   local quota; req/s, p50/p99, server CPU per request, peak RSS, memory per idle
//!   keep-alive connection, ratios to bare and to rmcp.
//! - stdio: bare line responder, our `hello`, rmcp (`stdio()` and `stdio_pipes()`);
//!   pipelined and lockstep calls/s, peak RSS.
//! - Instruction counts under callgrind per HTTP request and per stdio call.
//! - Start-up: process start to first answered request, HTTP and stdio.
//!
//! Run with `bash benches/run.sh` (builds everything in release first, then runs
//! this with the same arguments); `--quick` for a short pass, `--help` for the knobs.

mod http;
mod instructions;
mod report;
mod startup;
mod stdio;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Parts of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Part {
    /// HTTP load with wrk.
    Http,
    /// stdio pipelined and lockstep.
    Stdio,
    /// Instruction counts under callgrind.
    Instructions,
    /// Start-up: process start to first answered request.
    Startup,
}

/// Compare our MCP servers with a bare baseline and rmcp.
#[derive(Parser, Debug)]
struct Args {
    /// A short pass: 2 s runs, fewer calls and requests.
    #[arg(long)]
    quick: bool,
    /// Seconds of each measured wrk run.
    #[arg(long, default_value_t = 5)]
    secs: u64,
    /// Seconds of the wrk warm-up before each measured run.
    #[arg(long, default_value_t = 1)]
    warmup: u64,
    /// Repetitions of every measurement (interleaved); the median is reported.
    #[arg(long, default_value_t = 1)]
    reps: usize,
    /// Connection counts for wrk.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    connections: Vec<usize>,
    /// wrk threads (at most one per connection).
    #[arg(long, default_value_t = 2)]
    wrk_threads: usize,
    /// Idle keep-alive connections opened to measure memory per connection (the
    /// growth over the second half is reported; our default cap is 1024).
    #[arg(long, default_value_t = 1000)]
    idle_connections: usize,
    /// Pipelined stdio calls per run.
    #[arg(long, default_value_t = 20_000)]
    stdio_calls: usize,
    /// Lockstep stdio calls per run.
    #[arg(long, default_value_t = 2_000)]
    lockstep_calls: usize,
    /// Requests (or stdio calls) counted under callgrind, after the warm-up.
    #[arg(long, default_value_t = 2_000)]
    cg_requests: usize,
    /// stdio calls in the input file of the second callgrind method (that many
    /// minus none).
    #[arg(long, default_value_t = 10_000)]
    cg_file_calls: usize,
    /// Warm-up requests under callgrind (both runs answer these).
    #[arg(long, default_value_t = 200)]
    cg_warmup: usize,
    /// `TOKIO_WORKER_THREADS` of the servers under callgrind (0: the runtime's
    /// default, one per core; counts then vary by a few thousand per request).
    #[arg(long, default_value_t = 1)]
    cg_workers: usize,
    /// Fresh starts per target for the start-up time (the median is reported).
    #[arg(long, default_value_t = 30)]
    startup_runs: usize,
    /// Only the targets whose name contains one of these (e.g. `ours,bare`).
    #[arg(long, value_delimiter = ',')]
    filter: Vec<String>,
    /// A label for the report's first line (run.sh passes the commit).
    #[arg(long, default_value = "")]
    label: String,
    /// Parts to run (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<Part>,
    /// Where the release binaries are (default: next to this program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// Scratch directory for scripts and profiles (default: a new one under /tmp).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Also write the report (markdown) to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Everything the parts need.
struct Setup {
    args: Args,
    bins: PathBuf,
    work: PathBuf,
}

impl Setup {
    fn run_secs(&self) -> Duration {
        Duration::from_secs(if self.args.quick { 2 } else { self.args.secs })
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.bins.join(name)
    }

    fn example(&self, name: &str) -> PathBuf {
        self.bins.join("examples").join(name)
    }

    fn selected(&self, name: &str) -> bool {
        self.args.filter.is_empty() || self.args.filter.iter().any(|f| name.contains(f.as_str()))
    }

    fn wants(&self, part: Part) -> bool {
        self.args.only.is_empty() || self.args.only.contains(&part)
    }
}

fn main() -> Result<(), benches::Error> {
    let mut args = Args::parse();
    if args.quick {
        args.reps = 1;
        args.stdio_calls = args.stdio_calls.min(5_000);
        args.lockstep_calls = args.lockstep_calls.min(500);
        args.cg_requests = args.cg_requests.min(500);
        args.cg_warmup = args.cg_warmup.min(100);
        args.cg_file_calls = args.cg_file_calls.min(2_000);
        args.idle_connections = args.idle_connections.min(400);
        args.startup_runs = args.startup_runs.min(10);
    }
    let bins = match &args.bin_dir {
        Some(dir) => dir.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("no directory for this program")?
            .to_path_buf(),
    };
    let work = match &args.work_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("mcp-benches-{}", std::process::id())),
    };
    std::fs::create_dir_all(&work)?;
    let bins = snapshot(&bins, &work)?;
    let setup = Setup { args, bins, work };
    let mut report = report::Report::new(&setup);
    eprintln!("work directory: {}", setup.work.display());

    if setup.wants(Part::Http) {
        report.http = Some(http::run(&setup)?);
    }
    if setup.wants(Part::Stdio) {
        report.stdio = Some(stdio::run(&setup)?);
    }
    if setup.wants(Part::Instructions) {
        report.instructions = Some(instructions::run(&setup)?);
    }
    if setup.wants(Part::Startup) {
        report.startup = Some(startup::run(&setup));
    }
    let text = report.render();
    println!("{text}");
    if let Some(out) = &setup.args.out {
        std::fs::write(out, &text)?;
    }
    Ok(())
}

/// Copies the servers into `work/bin` and returns that directory: the target
/// directory is shared, and a rebuild there during the run must not change what is
/// measured.
fn snapshot(bins: &std::path::Path, work: &std::path::Path) -> Result<PathBuf, benches::Error> {
    let dest = work.join("bin");
    std::fs::create_dir_all(dest.join("examples"))?;
    let files = [
        "bare_http",
        "bare_stdio",
        "rmcp_server",
        "layered_http",
        "examples/hello",
        "examples/hello_http",
    ];
    for file in files {
        std::fs::copy(bins.join(file), dest.join(file)).map_err(|e| {
            format!(
                "{}: {e} (build first: bash benches/run.sh)",
                bins.join(file).display()
            )
        })?;
    }
    Ok(dest)
}

/// The median of `values` (the upper one for an even count); 0 when empty.
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
