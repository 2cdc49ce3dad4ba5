//! The stdio side of the client: a child process speaking newline-delimited JSON.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Error;

type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

pub(crate) struct StdioTransport {
    stdin: tokio::sync::Mutex<ChildStdin>,
    pending: Pending,
    timeout: Duration,
    reader: JoinHandle<()>,
    _child: Child,
}

impl Drop for StdioTransport {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl StdioTransport {
    /// Starts `command` with piped stdin/stdout (stderr is inherited); the child is
    /// killed when the client is dropped.
    pub(crate) fn spawn(mut command: Command, timeout: Duration) -> Result<Self, Error> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::Protocol(
                "the child process has no stdin/stdout".into(),
            ));
        };
        let pending: Pending = Arc::default();
        let reader = tokio::spawn(read_responses(stdout, Arc::clone(&pending)));
        Ok(Self {
            stdin: tokio::sync::Mutex::new(stdin),
            pending,
            timeout,
            reader,
            _child: child,
        })
    }

    /// Writes one message; waits for the response to `id` (`None`: a notification).
    pub(crate) async fn send(&self, body: Bytes, id: Option<i64>) -> Result<Option<Value>, Error> {
        let rx = id.map(|id| {
            let (tx, rx) = oneshot::channel();
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, tx);
            rx
        });
        {
            let mut stdin = self.stdin.lock().await;
            stdin.write_all(&body).await?;
            stdin.write_all(b"\n").await?;
            stdin.flush().await?;
        }
        let Some(rx) = rx else { return Ok(None) };
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(v)) => Ok(Some(v)),
            Ok(Err(_)) => Err(Error::Protocol(
                "the server process closed its output before answering".into(),
            )),
            Err(_) => {
                if let Some(id) = id {
                    self.pending
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&id);
                }
                Err(Error::Timeout(self.timeout))
            }
        }
    }
}

/// Routes each response line to the request waiting for its id; notifications and
/// lines that are not JSON are skipped.
async fn read_responses(stdout: tokio::process::ChildStdout, pending: Pending) {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            tracing::debug!("skipping a stdout line that is not JSON");
            continue;
        };
        let Some(id) = v.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let waiter = pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
        if let Some(tx) = waiter {
            let _ = tx.send(v);
        }
    }
    // End of output: waiters see their sender dropped.
    pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
}
