//! [`ServerProcess`]: a server started as a child process, found by the endpoint line
//! it prints, and stopped by its PID.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::Error;

/// The line every HTTP server of the comparison prints once it listens
/// (`hello_http` prints it too).
const ENDPOINT_PREFIX: &str = "MCP endpoint: ";

/// An HTTP server running as a child process. Dropping it stops it: `SIGINT` (the
/// servers shut down gracefully, so profilers write their output), then `SIGKILL`
/// after a grace period.
#[derive(Debug)]
pub struct ServerProcess {
    child: Option<Child>,
    url: String,
    lines: Vec<String>,
}

impl ServerProcess {
    /// Starts `command` (stdout piped, stderr discarded) and waits up to `wait` for
    /// its `MCP endpoint: <url>` line. Lines printed before it are kept
    /// ([`lines`](Self::lines)), e.g. a token.
    ///
    /// # Errors
    /// The program cannot be started, or prints no endpoint line in time.
    pub fn spawn(mut command: Command, wait: Duration) -> Result<Self, Error> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        // Reads every line (so the pipe never fills) until the process closes stdout.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more: keep draining.
                }
            }
        });
        let mut process = Self {
            child: Some(child),
            url: String::new(),
            lines: Vec::new(),
        };
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => match line.strip_prefix(ENDPOINT_PREFIX) {
                    Some(url) => {
                        process.url = url.trim().to_owned();
                        return Ok(process);
                    }
                    None => process.lines.push(line),
                },
                Err(_) => return Err(format!("{command:?} printed no endpoint line").into()),
            }
        }
    }

    /// The endpoint URL, e.g. `http://127.0.0.1:40123/mcp`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `host:port` of the endpoint.
    pub fn authority(&self) -> &str {
        let rest = self.url.strip_prefix("http://").unwrap_or(&self.url);
        rest.split('/').next().unwrap_or(rest)
    }

    /// The endpoint's path, e.g. `/mcp`.
    pub fn path(&self) -> &str {
        let rest = self.url.strip_prefix("http://").unwrap_or(&self.url);
        rest.find('/').map_or("/", |i| &rest[i..])
    }

    /// Lines the server printed before its endpoint line.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// `Authorization: Bearer <token>` when the server printed `token: <token>`
    /// before its endpoint line (servers behind the auth layer do), else nothing.
    pub fn auth_headers(&self) -> Vec<(&'static str, String)> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix("token: "))
            .map(|t| vec![("Authorization", format!("Bearer {}", t.trim()))])
            .unwrap_or_default()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Stops the server (see the type's docs) and waits for it, at most `grace`
    /// before killing it.
    pub fn stop(mut self, grace: Duration) {
        self.stop_inner(grace);
    }

    fn stop_inner(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        interrupt(child.id());
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop_inner(Duration::from_secs(5));
    }
}

/// Sends `SIGINT` to `pid` (with the `kill` program: the crate has no `unsafe`).
pub(crate) fn interrupt(pid: u32) {
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
