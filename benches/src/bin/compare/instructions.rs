//! The instruction-count part: each server under callgrind, twice (see
//! [`benches::callgrind`]), and the top functions of ours.

use std::process::Command;

use benches::Era;
use benches::callgrind::{Callgrind, PerRequest};

use super::Setup;
use super::http::{Kind, era_index};

/// One instruction count.
pub(crate) struct Count {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) era: Era,
    pub(crate) per_request: Option<f64>,
    /// The second method: HTTP, counters zeroed on a warm, pinned server, then
    /// dumped ([`Callgrind::http_zeroed`]); stdio, a file of calls on stdin, pinned
    /// ([`Callgrind::stdio_file`]).
    pub(crate) zeroed: Option<f64>,
}

#[derive(Default)]
pub(crate) struct Instructions {
    pub(crate) http: Vec<Count>,
    pub(crate) stdio: Vec<Count>,
    /// `(what, callgrind_annotate's top lines)` for our servers.
    pub(crate) profiles: Vec<(String, String)>,
    pub(crate) notes: Vec<String>,
}

/// The first `lines` function lines of `callgrind_annotate` (exclusive costs).
fn top_functions(profile: &std::path::Path, lines: usize) -> String {
    let output = Command::new("callgrind_annotate")
        .arg("--inclusive=no")
        .arg(profile)
        .output();
    let Ok(output) = output else {
        return "(callgrind_annotate not found)".to_owned();
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let body = text
        .split_once("file:function")
        .map_or(text.as_ref(), |(_, rest)| rest);
    body.lines()
        .filter(|l| l.contains('(') && !l.trim().is_empty() && !l.starts_with('-'))
        .take(lines)
        .map(|l| l.chars().take(160).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn run(setup: &Setup) -> Result<Instructions, benches::Error> {
    let args = &setup.args;
    let cg = Callgrind {
        dir: setup.work.clone(),
        warmup: args.cg_warmup,
        requests: args.cg_requests,
        tokio_workers: (args.cg_workers > 0).then_some(args.cg_workers),
        file_calls: args.cg_file_calls,
    };
    let mut out = Instructions::default();
    // HTTP: bare, ours, rmcp, ours + memory auth, ours + quota (no Redis: its wait is not
    // instructions of ours).
    let targets = super::http::targets(setup, None);
    for target in &targets {
        // Which eras it answers, and its token, from a normal start.
        let running = super::http::start(target, &mut out.notes)?;
        let eras = running.eras.clone();
        running.server.stop(std::time::Duration::from_secs(10));
        for era in Era::ALL {
            eprintln!("instructions: {} {era}", target.name);
            let mut count = Count {
                name: target.name.clone(),
                kind: target.kind,
                era,
                per_request: None,
                zeroed: None,
            };
            if eras.contains(&era) {
                let name = format!("http-t{}-{}", era_index(era), slug(&target.name));
                let measured = cg.http_per_request(&target.program, &target.args, era, &name);
                match measured {
                    Ok(PerRequest {
                        instructions,
                        profile,
                    }) => {
                        count.per_request = Some(instructions);
                        if target.kind == Kind::Ours {
                            out.profiles.push((
                                format!("HTTP {era}, {}", target.name),
                                top_functions(&profile, 30),
                            ));
                        }
                    }
                    Err(e) => out.notes.push(format!("{} {era}: {e}", target.name)),
                }
                match cg.http_zeroed(&target.program, &target.args, era, &name) {
                    Ok(n) => count.zeroed = Some(n),
                    Err(e) => out
                        .notes
                        .push(format!("{} {era} (zeroed): {e}", target.name)),
                }
            }
            out.http.push(count);
        }
    }
    for target in super::stdio::targets(setup) {
        if target.kind == Kind::RmcpVariant {
            continue;
        }
        for era in Era::ALL {
            eprintln!("instructions: {} {era}", target.name);
            let name = format!("stdio-{}-{}", era_index(era), slug(target.name));
            let zeroed = match cg.stdio_file(&target.program, &target.args, era, &name) {
                Ok(n) => Some(n),
                Err(e) => {
                    out.notes.push(format!("{} {era} (file): {e}", target.name));
                    None
                }
            };
            let measured = cg.stdio_per_call(&target.program, &target.args, era, &name);
            let per_request = match measured {
                Ok(PerRequest {
                    instructions,
                    profile,
                }) => {
                    if target.kind == Kind::Ours {
                        out.profiles.push((
                            format!("stdio {era}, {}", target.name),
                            top_functions(&profile, 30),
                        ));
                    }
                    Some(instructions)
                }
                Err(e) => {
                    out.notes.push(format!("{} {era}: {e}", target.name));
                    None
                }
            };
            out.stdio.push(Count {
                name: target.name.to_owned(),
                kind: target.kind,
                era,
                per_request,
                zeroed,
            });
        }
    }
    Ok(out)
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
