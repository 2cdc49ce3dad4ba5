//! The stdio part: each server started afresh per run, pipelined and lockstep.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use benches::{Era, StdioMode, stdio_run};

use super::http::{Kind, era_index};
use super::{Setup, median};

/// One stdio server of the comparison.
pub(crate) struct StdioTarget {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
}

/// The medians of one (target, era) cell.
#[derive(Clone, Debug, Default)]
pub(crate) struct StdioCell {
    pub(crate) pipelined: f64,
    pub(crate) lockstep: f64,
    pub(crate) peak_rss_kib: u64,
}

#[derive(Default)]
pub(crate) struct StdioResults {
    pub(crate) targets: Vec<(&'static str, Kind)>,
    /// `(target index, era)` → cell; missing when the target fails that era.
    pub(crate) cells: BTreeMap<(usize, usize), StdioCell>,
    pub(crate) notes: Vec<String>,
}

pub(crate) fn targets(setup: &Setup) -> Vec<StdioTarget> {
    let rmcp = |flag: &str| vec![flag.to_owned()];
    let mut targets = vec![
        StdioTarget {
            name: "bare line responder",
            kind: Kind::Bare,
            program: setup.bin("bare_stdio"),
            args: vec![],
        },
        StdioTarget {
            name: "ours: hello",
            kind: Kind::Ours,
            program: setup.example("hello"),
            args: vec![],
        },
        StdioTarget {
            name: "rmcp 3.11 stdio()",
            kind: Kind::Rmcp,
            program: setup.bin("rmcp_server"),
            args: rmcp("--stdio"),
        },
        StdioTarget {
            name: "rmcp 3.11 stdio_pipes()",
            kind: Kind::RmcpVariant,
            program: setup.bin("rmcp_server"),
            args: rmcp("--stdio-pipes"),
        },
    ];
    targets.retain(|t| setup.selected(t.name));
    targets
}

pub(crate) fn run(setup: &Setup) -> Result<StdioResults, benches::Error> {
    let args = &setup.args;
    let targets = targets(setup);
    let mut results = StdioResults {
        targets: targets.iter().map(|t| (t.name, t.kind)).collect(),
        ..StdioResults::default()
    };
    let grace = Duration::from_secs(10);
    // (pipelined calls/s, lockstep calls/s, peak RSS KiB) per run.
    type Runs = Vec<(f64, f64, u64)>;
    let mut raw: BTreeMap<(usize, usize), Runs> = BTreeMap::new();
    let mut failed: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for rep in 0..args.reps {
        for (t, target) in targets.iter().enumerate() {
            for era in Era::ALL {
                let key = (t, era_index(era));
                if failed.contains_key(&key) {
                    continue;
                }
                eprintln!("stdio: rep {}: {} {era}", rep + 1, target.name);
                let command = || {
                    let mut c = Command::new(&target.program);
                    c.args(&target.args);
                    c
                };
                let measured = stdio_run(
                    command(),
                    era,
                    args.stdio_calls,
                    StdioMode::Pipelined,
                    grace,
                )
                .and_then(|p| {
                    let l = stdio_run(
                        command(),
                        era,
                        args.lockstep_calls,
                        StdioMode::Lockstep,
                        grace,
                    )?;
                    Ok((p, l))
                });
                match measured {
                    Ok((p, l)) if p.failed == 0 && l.failed == 0 => {
                        raw.entry(key).or_default().push((
                            p.calls_per_sec(),
                            l.calls_per_sec(),
                            p.peak_rss_kib,
                        ));
                    }
                    Ok((p, l)) => {
                        failed.insert(
                            key,
                            format!(
                                "{} fails {era}: {} of {} pipelined and {} of {} lockstep calls not answered with a result",
                                target.name, p.failed, args.stdio_calls, l.failed, args.lockstep_calls
                            ),
                        );
                    }
                    Err(e) => {
                        failed.insert(key, format!("{} fails {era}: {e}", target.name));
                    }
                }
            }
        }
    }
    for (key, runs) in raw {
        if failed.contains_key(&key) {
            continue;
        }
        let peak = runs.iter().map(|r| r.2).max().unwrap_or(0);
        results.cells.insert(
            key,
            StdioCell {
                pipelined: median(&runs.iter().map(|r| r.0).collect::<Vec<_>>()),
                lockstep: median(&runs.iter().map(|r| r.1).collect::<Vec<_>>()),
                peak_rss_kib: peak,
            },
        );
    }
    results.notes.extend(failed.into_values());
    Ok(results)
}
