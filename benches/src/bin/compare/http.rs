//! The HTTP part: every server started up front, then `wrk` runs interleaved
//! (each repetition goes through every connection count, target and era), then
//! memory.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use benches::{ECHO_TEXT, Era, HttpConn, ServerProcess, Wrk, cpu_time, peak_rss_kib, rss_kib};

use super::{Setup, median};

/// Which column a target's ratios are taken against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Bare,
    Ours,
    Rmcp,
    /// Ours behind a layer: compared with ours.
    Layered,
    /// Another configuration of rmcp: shown, not a ratio base.
    RmcpVariant,
}

/// One HTTP server of the comparison.
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
}

/// The medians of one (target, era, connections) cell.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cell {
    pub(crate) rps: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) cpu_us: f64,
    pub(crate) errors: u64,
    pub(crate) rounds: Vec<f64>,
}

/// Memory of one target after the load.
#[derive(Clone, Debug)]
pub(crate) struct Memory {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) peak_rss_kib: u64,
    pub(crate) idle_kib_per_conn: f64,
}

/// What the HTTP part measured.
#[derive(Default)]
pub(crate) struct HttpResults {
    /// `(target index, era, connections)` → cell.
    pub(crate) cells: BTreeMap<(usize, usize, usize), Cell>,
    pub(crate) targets: Vec<(String, Kind)>,
    pub(crate) memory: Vec<Memory>,
    pub(crate) notes: Vec<String>,
}

/// A `redis-server` of our own on a free loopback port, stopped by PID on drop.
pub(crate) struct Redis {
    child: Child,
    pub(crate) url: String,
}

impl Redis {
    pub(crate) fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let redis = Self {
            child,
            url: format!("redis://127.0.0.1:{port}/"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(redis);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The HTTP servers: bare, ours, rmcp, then ours behind layers.
pub(crate) fn targets(setup: &Setup, redis: Option<&Redis>) -> Vec<Target> {
    let listen = || vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
    let layered = |name: &str, extra: &[&str]| Target {
        name: name.to_owned(),
        kind: Kind::Layered,
        program: setup.bin("layered_http"),
        args: listen()
            .into_iter()
            .chain(extra.iter().map(|s| (*s).to_owned()))
            .collect(),
    };
    let mut targets = vec![
        Target {
            name: "bare hyper + serde_json".to_owned(),
            kind: Kind::Bare,
            program: setup.bin("bare_http"),
            args: listen(),
        },
        Target {
            name: "ours: hello_http".to_owned(),
            kind: Kind::Ours,
            program: setup.example("hello_http"),
            // The idle-connection probe opens up to 1000 from one address.
            args: listen()
                .into_iter()
                .chain(["--max-connections-per-peer".to_owned(), "4096".to_owned()])
                .collect(),
        },
        Target {
            name: "rmcp 3.11 (stateless, JSON)".to_owned(),
            kind: Kind::Rmcp,
            program: setup.bin("rmcp_server"),
            args: vec!["--http".to_owned(), "127.0.0.1:0".to_owned()],
        },
        layered("ours + auth (memory)", &["--auth", "memory"]),
    ];
    if let Some(redis) = redis {
        targets.push(layered(
            "ours + auth (Redis)",
            &["--auth", "redis", "--redis-url", &redis.url],
        ));
    }
    targets.push(layered("ours + local quota", &["--quota"]));
    targets.retain(|t| setup.selected(&t.name));
    targets
}

/// A started target: its process, its extra headers, the eras it answers.
pub(crate) struct Running {
    pub(crate) server: ServerProcess,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) eras: Vec<Era>,
}

/// Starts `target` and finds out which eras it answers correctly.
pub(crate) fn start(target: &Target, notes: &mut Vec<String>) -> Result<Running, benches::Error> {
    let mut command = Command::new(&target.program);
    command.args(&target.args);
    let server = ServerProcess::spawn(command, Duration::from_secs(30))?;
    let headers = server.auth_headers();
    let mut eras = Vec::new();
    for era in Era::ALL {
        let mut conn = HttpConn::connect(server.authority())?;
        let mut all = era.headers();
        all.extend(headers.iter().cloned());
        let reply = conn.send(&conn.request(server.path(), &all, &era.http_body()))?;
        let text = reply.text();
        if reply.status == 200 && text.contains(ECHO_TEXT) && !text.contains("\"error\"") {
            eras.push(era);
        } else {
            notes.push(format!(
                "{} does not answer {era}: status {}, {}",
                target.name,
                reply.status,
                text.chars().take(200).collect::<String>()
            ));
        }
    }
    Ok(Running {
        server,
        headers,
        eras,
    })
}

pub(crate) fn run(setup: &Setup) -> Result<HttpResults, benches::Error> {
    let args = &setup.args;
    let redis = Redis::start();
    let mut results = HttpResults::default();
    if redis.is_none() {
        results
            .notes
            .push("no redis-server on PATH: the Redis row is skipped".to_owned());
    }
    let targets = targets(setup, redis.as_ref());
    let mut running = Vec::new();
    for target in &targets {
        running.push(start(target, &mut results.notes)?);
        results.targets.push((target.name.clone(), target.kind));
    }
    // Scripts, one per (target, era).
    let mut scripts = BTreeMap::new();
    for (t, run) in running.iter().enumerate() {
        for &era in &run.eras {
            let e = era_index(era);
            let wrk = Wrk::new(
                &setup.work,
                &format!("t{t}-{era}"),
                run.server.url(),
                era,
                &run.headers,
            )?;
            scripts.insert((t, e), wrk);
        }
    }
    let secs = setup.run_secs();
    let warmup = Duration::from_secs(args.warmup);
    let mut raw: BTreeMap<(usize, usize, usize), Vec<(benches::WrkResult, f64)>> = BTreeMap::new();
    for rep in 0..args.reps {
        for &conns in &args.connections {
            for ((t, e), wrk) in &scripts {
                eprintln!(
                    "http: rep {} conns {conns}: {} {}",
                    rep + 1,
                    targets[*t].name,
                    Era::ALL[*e]
                );
                if warmup > Duration::ZERO {
                    wrk.run(conns, args.wrk_threads, warmup)?;
                }
                let pid = running[*t].server.pid();
                let cpu_before = cpu_time(pid).unwrap_or_default();
                let result = wrk.run(conns, args.wrk_threads, secs)?;
                let cpu = cpu_time(pid).unwrap_or_default().saturating_sub(cpu_before);
                let cpu_us = cpu.as_secs_f64() * 1e6 / result.requests.max(1) as f64;
                raw.entry((*t, *e, conns))
                    .or_default()
                    .push((result, cpu_us));
            }
        }
    }
    for (key, runs) in raw {
        let pick = |f: &dyn Fn(&(benches::WrkResult, f64)) -> f64| {
            median(&runs.iter().map(f).collect::<Vec<_>>())
        };
        results.cells.insert(
            key,
            Cell {
                rps: pick(&|r| r.0.rps()),
                p50_us: pick(&|r| r.0.p50_us),
                p99_us: pick(&|r| r.0.p99_us),
                cpu_us: pick(&|r| r.1),
                errors: runs.iter().map(|r| r.0.errors).sum(),
                rounds: runs.iter().map(|r| r.0.rps()).collect(),
            },
        );
    }
    for (target, run) in targets.iter().zip(&running) {
        let pid = run.server.pid();
        let peak_rss_kib = peak_rss_kib(pid).unwrap_or(0);
        let idle_kib_per_conn = idle_memory(run, args.idle_connections)?;
        results.memory.push(Memory {
            name: target.name.clone(),
            kind: target.kind,
            peak_rss_kib,
            idle_kib_per_conn,
        });
    }
    for run in running {
        run.server.stop(Duration::from_secs(15));
    }
    drop(redis);
    Ok(results)
}

pub(crate) fn era_index(era: Era) -> usize {
    Era::ALL.iter().position(|e| *e == era).unwrap_or(0)
}

/// Resident memory added per idle keep-alive connection: `n` connections opened in
/// two halves, each answered once and left open; the second half's growth divided by
/// its size (the first half absorbs one-off growth such as allocator arenas).
fn idle_memory(run: &Running, n: usize) -> Result<f64, benches::Error> {
    let Some(&era) = run.eras.first() else {
        return Ok(0.0);
    };
    let pid = run.server.pid();
    let mut headers = era.headers();
    headers.extend(run.headers.iter().cloned());
    let half = (n / 2).max(1);
    let mut conns = Vec::with_capacity(2 * half);
    let mut rss = Vec::new();
    for _ in 0..2 {
        for _ in 0..half {
            let mut conn = HttpConn::connect(run.server.authority())?;
            let request = conn.request(run.server.path(), &headers, &era.http_body());
            conn.send(&request)?;
            conns.push(conn);
        }
        std::thread::sleep(Duration::from_millis(500));
        rss.push(rss_kib(pid).unwrap_or(0));
    }
    drop(conns);
    Ok(rss[1].saturating_sub(rss[0]) as f64 / half as f64)
}
