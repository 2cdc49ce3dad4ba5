//! The report: markdown tables, ratios, and each target of issue 7 met or not.

use std::fmt::Write;

use benches::Era;

use super::Setup;
use super::http::{HttpResults, Kind, era_index};
use super::instructions::{Count, Instructions};
use super::stdio::StdioResults;

pub(crate) struct Report {
    header: String,
    load_before: String,
    pub(crate) http: Option<HttpResults>,
    pub(crate) stdio: Option<StdioResults>,
    pub(crate) instructions: Option<Instructions>,
    pub(crate) startup: Option<super::startup::Startup>,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn ratio(a: f64, b: Option<f64>) -> String {
    match b {
        Some(b) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**not met**" }
}

impl Report {
    pub(crate) fn new(setup: &Setup) -> Self {
        let a = &setup.args;
        let date = std::process::Command::new("date")
            .arg("-u")
            .arg("+%Y-%m-%d %H:%M UTC")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let header = format!(
            "Run {date}{} on {} × {} (nproc {cores}). wrk: {} s runs after {} s warm-up, {} thread(s), connections {:?}, {} repetition(s) (medians). stdio: {} pipelined, {} lockstep calls. callgrind: {} requests after {} warm-up, TOKIO_WORKER_THREADS={}.",
            if a.label.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.label)
            },
            cores,
            cpu_model(),
            setup.run_secs().as_secs(),
            a.warmup,
            a.wrk_threads,
            a.connections,
            a.reps,
            a.stdio_calls,
            a.lockstep_calls,
            a.cg_requests,
            a.cg_warmup,
            if a.cg_workers == 0 {
                "default".to_owned()
            } else {
                a.cg_workers.to_string()
            },
        );
        Self {
            header,
            load_before: load_average(),
            http: None,
            stdio: None,
            instructions: None,
            startup: None,
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.header);
        let _ = writeln!(
            out,
            "Load average (1/5/15 min) before: {}; after: {}.\n",
            self.load_before,
            load_average()
        );
        let mut targets = Vec::new();
        if let Some(http) = &self.http {
            render_http(&mut out, http, &mut targets);
        }
        if let Some(stdio) = &self.stdio {
            render_stdio(&mut out, stdio, &mut targets);
        }
        if let Some(ins) = &self.instructions {
            render_instructions(&mut out, ins, &mut targets);
        }
        if let Some(startup) = &self.startup {
            startup.render(&mut out);
        }
        if !targets.is_empty() {
            let _ = writeln!(out, "### Targets (issue 7)\n");
            for t in &targets {
                let _ = writeln!(out, "- {t}");
            }
            let _ = writeln!(out);
        }
        if let Some(ins) = &self.instructions {
            for (what, top) in &ins.profiles {
                let _ = writeln!(
                    out,
                    "### Top functions, {what} (exclusive Ir of the larger run, start-up included)\n\n```\n{top}\n```\n"
                );
            }
        }
        out
    }
}

fn render_http(out: &mut String, http: &HttpResults, targets: &mut Vec<String>) {
    let find = |kind: Kind| http.targets.iter().position(|(_, k)| *k == kind);
    let (bare, ours, rmcp) = (find(Kind::Bare), find(Kind::Ours), find(Kind::Rmcp));
    let rps = |t: Option<usize>, e: usize, c: usize| {
        t.and_then(|t| http.cells.get(&(t, e, c)))
            .map(|cell| cell.rps)
    };
    let max_conns = http.cells.keys().map(|k| k.2).max().unwrap_or(0);
    for era in Era::ALL {
        let e = era_index(era);
        let _ = writeln!(out, "### HTTP `tools/call echo`, {era}\n");
        let _ = writeln!(
            out,
            "| target | conns | req/s | × bare | × rmcp | × ours | p50 µs | p99 µs | server CPU µs/req | rounds req/s |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (t, (name, _)) in http.targets.iter().enumerate() {
            for (&(_, _, c), cell) in http.cells.range((t, e, 0)..(t, e, usize::MAX)) {
                let rounds: Vec<String> = cell.rounds.iter().map(|r| format!("{r:.0}")).collect();
                let errors = if cell.errors > 0 {
                    format!(" ({} errors)", cell.errors)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "| {name} | {c} | {:.0}{errors} | {} | {} | {} | {:.0} | {:.0} | {:.1} | {} |",
                    cell.rps,
                    ratio(cell.rps, rps(bare, e, c)),
                    ratio(cell.rps, rps(rmcp, e, c)),
                    ratio(cell.rps, rps(ours, e, c)),
                    cell.p50_us,
                    cell.p99_us,
                    cell.cpu_us,
                    rounds.join(" / "),
                );
            }
        }
        let _ = writeln!(out);
        if let (Some(o), Some(b)) = (rps(ours, e, max_conns), rps(bare, e, max_conns)) {
            targets.push(format!(
                "HTTP {era}: req/s at {max_conns} connections ≥ 50% of bare: {:.0}% → {}",
                o / b * 100.0,
                verdict(o >= 0.5 * b)
            ));
        }
        let auth = http
            .targets
            .iter()
            .position(|(n, k)| *k == Kind::Layered && n.contains("memory"));
        let mut levels = vec![16, max_conns];
        levels.dedup();
        for &c in &levels {
            if let (Some(a), Some(o)) = (rps(auth, e, c), rps(ours, e, c)) {
                let cost = (1.0 - a / o) * 100.0;
                targets.push(format!(
                    "HTTP {era}: auth layer (memory) costs < 5% of throughput at {c} connections: {cost:+.1}% → {}",
                    verdict(cost < 5.0)
                ));
            }
        }
    }
    let _ = writeln!(out, "### HTTP memory\n");
    let _ = writeln!(
        out,
        "| target | peak RSS (VmHWM) MiB | × rmcp | RSS per idle keep-alive connection KiB | × rmcp |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    let rmcp_mem = http.memory.iter().find(|m| m.kind == Kind::Rmcp);
    for m in &http.memory {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} | {:.1} | {} |",
            m.name,
            m.peak_rss_kib as f64 / 1024.0,
            ratio(
                m.peak_rss_kib as f64,
                rmcp_mem.map(|r| r.peak_rss_kib as f64)
            ),
            m.idle_kib_per_conn,
            ratio(m.idle_kib_per_conn, rmcp_mem.map(|r| r.idle_kib_per_conn)),
        );
    }
    let _ = writeln!(out);
    if let (Some(o), Some(r)) = (http.memory.iter().find(|m| m.kind == Kind::Ours), rmcp_mem) {
        targets.push(format!(
            "HTTP: peak RSS after {max_conns} connections no worse than rmcp: {:.1} vs {:.1} MiB → {}",
            o.peak_rss_kib as f64 / 1024.0,
            r.peak_rss_kib as f64 / 1024.0,
            verdict(o.peak_rss_kib <= r.peak_rss_kib)
        ));
        targets.push(format!(
            "HTTP: memory per idle keep-alive connection no worse than rmcp: {:.1} vs {:.1} KiB → {}",
            o.idle_kib_per_conn,
            r.idle_kib_per_conn,
            verdict(o.idle_kib_per_conn <= r.idle_kib_per_conn * 1.05 + 0.5)
        ));
    }
    for note in &http.notes {
        let _ = writeln!(out, "- note: {note}");
    }
    if !http.notes.is_empty() {
        let _ = writeln!(out);
    }
}

fn render_stdio(out: &mut String, stdio: &StdioResults, targets: &mut Vec<String>) {
    let find = |kind: Kind| stdio.targets.iter().position(|(_, k)| *k == kind);
    let (bare, ours, rmcp) = (find(Kind::Bare), find(Kind::Ours), find(Kind::Rmcp));
    let _ = writeln!(out, "### stdio `tools/call echo`\n");
    let _ = writeln!(
        out,
        "| target | era | pipelined calls/s | × bare | × rmcp | lockstep calls/s | × bare | × rmcp | peak RSS MiB |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for era in Era::ALL {
        let e = era_index(era);
        let cell = |t: Option<usize>| t.and_then(|t| stdio.cells.get(&(t, e)));
        for (t, (name, _)) in stdio.targets.iter().enumerate() {
            let Some(c) = stdio.cells.get(&(t, e)) else {
                let _ = writeln!(out, "| {name} | {era} | n/a | | | | | | |");
                continue;
            };
            let _ = writeln!(
                out,
                "| {name} | {era} | {:.0} | {} | {} | {:.0} | {} | {} | {:.1} |",
                c.pipelined,
                ratio(c.pipelined, cell(bare).map(|b| b.pipelined)),
                ratio(c.pipelined, cell(rmcp).map(|b| b.pipelined)),
                c.lockstep,
                ratio(c.lockstep, cell(bare).map(|b| b.lockstep)),
                ratio(c.lockstep, cell(rmcp).map(|b| b.lockstep)),
                c.peak_rss_kib as f64 / 1024.0,
            );
        }
        if let (Some(o), Some(r)) = (cell(ours), cell(rmcp)) {
            targets.push(format!(
                "stdio {era}: pipelined calls/s ≥ 3× rmcp stdio(): {:.1}× → {}",
                o.pipelined / r.pipelined,
                verdict(o.pipelined >= 3.0 * r.pipelined)
            ));
        }
    }
    let _ = writeln!(out);
    for note in &stdio.notes {
        let _ = writeln!(out, "- note: {note}");
    }
    if !stdio.notes.is_empty() {
        let _ = writeln!(out);
    }
}

fn instruction_table(out: &mut String, title: &str, counts: &[Count]) {
    let _ = writeln!(out, "### Instructions per {title} (callgrind)\n");
    let _ = writeln!(
        out,
        "| target | era | instructions (difference of two runs) | × bare | × rmcp | pinned: zeroed and dumped (HTTP), a file on stdin (stdio) | × bare | × rmcp |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    let of = |kind: Kind, era: Era, pick: fn(&Count) -> Option<f64>| {
        counts
            .iter()
            .find(|c| c.kind == kind && c.era == era)
            .and_then(pick)
    };
    let cells = |c: &Count, pick: fn(&Count) -> Option<f64>| match pick(c) {
        Some(n) => format!(
            "{n:.0} | {} | {}",
            ratio(n, of(Kind::Bare, c.era, pick)),
            ratio(n, of(Kind::Rmcp, c.era, pick))
        ),
        None => "n/a | |".to_owned(),
    };
    for c in counts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.name,
            c.era,
            cells(c, |c| c.per_request),
            cells(c, |c| c.zeroed)
        );
    }
    let _ = writeln!(out);
}

fn render_instructions(out: &mut String, ins: &Instructions, targets: &mut Vec<String>) {
    instruction_table(out, "HTTP request", &ins.http);
    instruction_table(out, "stdio call", &ins.stdio);
    let of = |counts: &[Count], kind: Kind, era: Era| {
        counts
            .iter()
            .find(|c| c.kind == kind && c.era == era)
            .and_then(|c| c.per_request)
    };
    for era in Era::ALL {
        if let (Some(o), Some(b)) = (
            of(&ins.http, Kind::Ours, era),
            of(&ins.http, Kind::Bare, era),
        ) {
            targets.push(format!(
                "HTTP {era}: instructions per request ≤ 2× bare: {:.2}× → {}",
                o / b,
                verdict(o <= 2.0 * b)
            ));
        }
        if let (Some(o), Some(b)) = (
            of(&ins.stdio, Kind::Ours, era),
            of(&ins.stdio, Kind::Bare, era),
        ) {
            targets.push(format!(
                "stdio {era}: instructions per call ≤ 3× bare: {:.2}× → {}",
                o / b,
                verdict(o <= 3.0 * b)
            ));
        }
    }
    for note in &ins.notes {
        let _ = writeln!(out, "- note: {note}");
    }
    if !ins.notes.is_empty() {
        let _ = writeln!(out);
    }
}
