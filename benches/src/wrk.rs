//! [`Wrk`]: the `wrk` load generator (Debian package `wrk`) with a Lua script that
//! POSTs one JSON-RPC body with the MCP headers.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::{Era, Error};

/// One `wrk` configuration: the script and the target.
#[derive(Debug)]
pub struct Wrk {
    script: PathBuf,
    url: String,
}

/// What one `wrk` run measured.
#[derive(Clone, Debug, Default)]
pub struct WrkResult {
    /// Responses received.
    pub requests: u64,
    /// Length of the run in seconds.
    pub secs: f64,
    /// Median latency in microseconds.
    pub p50_us: f64,
    /// 99th percentile latency in microseconds.
    pub p99_us: f64,
    /// Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses.
    pub errors: u64,
}

impl WrkResult {
    /// Responses per second.
    pub fn rps(&self) -> f64 {
        if self.secs > 0.0 {
            self.requests as f64 / self.secs
        } else {
            0.0
        }
    }
}

/// The Lua script: method, body and headers, and a `done` hook printing one
/// machine-readable `RESULT` line.
fn script(era: Era, extra_headers: &[(&str, String)]) -> String {
    let mut lua = String::from("wrk.method = \"POST\"\n");
    lua.push_str(&format!("wrk.body = [[{}]]\n", era.http_body()));
    for (name, value) in era.headers().iter().chain(extra_headers) {
        lua.push_str(&format!("wrk.headers[\"{name}\"] = [[{value}]]\n"));
    }
    lua.push_str(
        r#"done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"#,
    );
    lua
}

impl Wrk {
    /// Writes the script for `era` (plus `extra_headers`, e.g. `Authorization`) into
    /// `dir` as `name.lua`, aimed at `url`.
    ///
    /// # Errors
    /// The script cannot be written.
    pub fn new(
        dir: &Path,
        name: &str,
        url: &str,
        era: Era,
        extra_headers: &[(&str, String)],
    ) -> Result<Self, Error> {
        let script_path = dir.join(format!("{name}.lua"));
        std::fs::write(&script_path, script(era, extra_headers))?;
        Ok(Self {
            script: script_path,
            url: url.to_owned(),
        })
    }

    /// Runs `wrk` with `connections` connections over `threads` threads for
    /// `duration` (whole seconds, at least 1).
    ///
    /// # Errors
    /// `wrk` is missing, fails, or prints no `RESULT` line.
    pub fn run(
        &self,
        connections: usize,
        threads: usize,
        duration: Duration,
    ) -> Result<WrkResult, Error> {
        let secs = duration.as_secs().max(1);
        let output = Command::new("wrk")
            .arg(format!("-t{}", threads.clamp(1, connections.max(1))))
            .arg(format!("-c{connections}"))
            .arg(format!("-d{secs}s"))
            .arg("--timeout")
            .arg("10s")
            .arg("-s")
            .arg(&self.script)
            .arg(&self.url)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run wrk (apt-get install -y wrk): {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .ok_or_else(|| {
                format!(
                    "wrk printed no result: {stdout} {}",
                    String::from_utf8_lossy(&output.stderr)
                )
            })?;
        let n: Vec<u64> = line
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [requests, duration_us, p50, p99, errors] = n[..] else {
            return Err(format!("bad wrk result line {line:?}").into());
        };
        Ok(WrkResult {
            requests,
            secs: duration_us as f64 / 1e6,
            p50_us: p50 as f64,
            p99_us: p99 as f64,
            errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_has_headers_and_body() {
        let lua = script(Era::Modern, &[("Authorization", "Bearer t".to_owned())]);
        assert!(lua.contains("wrk.headers[\"Mcp-Name\"] = [[echo]]"));
        assert!(lua.contains("wrk.headers[\"Authorization\"] = [[Bearer t]]"));
        assert!(lua.contains(&format!("wrk.body = [[{}]]", Era::Modern.http_body())));
    }
}
