//! Real `redis-server` processes for the tests: each on a free 127.0.0.1 port,
//! without persistence unless asked, stopped by PID when dropped.
//!
//! Tests that do not break the server use `MCP_TEST_REDIS_URL` when it is set
//! (with a key prefix of their own) instead of starting one.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use redis::Commands;

pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    aof: bool,
}

impl RedisServer {
    /// A server without persistence (`--save '' --appendonly no`).
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// A server that persists every write to its append-only file.
    pub fn start_with_aof() -> Self {
        Self::start_with(true)
    }

    fn start_with(aof: bool) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let dir =
            std::env::temp_dir().join(format!("mcp-auth-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = Self {
            child: None,
            port,
            dir,
            aof,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--daemonize", "no", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.aof {
            command.args(["--appendonly", "yes", "--appendfsync", "always"]);
        } else {
            command.args(["--appendonly", "no"]);
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("cannot start redis-server ({e}); install it: apt-get install -y redis-server")
        });
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&self) {
        for _ in 0..400 {
            if let Ok(mut conn) = self.try_conn()
                && redis::cmd("PING").query::<String>(&mut conn).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server on port {} did not start", self.port);
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("running")
    }

    fn try_conn(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url())?.get_connection_with_timeout(Duration::from_millis(500))
    }

    /// A plain connection for inspecting and breaking the server.
    pub fn conn(&self) -> redis::Connection {
        self.try_conn().expect("redis connection")
    }

    /// `kill -9`, then reap.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port and directory (the AOF, if any, is replayed).
    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    fn signal(&self, signal: &str) -> bool {
        Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// `SIGSTOP`: the server hangs with its connections open.
    pub fn pause(&self) {
        assert!(self.signal("-STOP"), "kill -STOP failed");
    }

    /// `SIGCONT`.
    pub fn resume(&self) {
        assert!(self.signal("-CONT"), "kill -CONT failed");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.signal("-CONT");
        }
        self.kill9();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where a non-fault test's Redis is: `MCP_TEST_REDIS_URL`, or a server of its own.
pub struct TestRedis {
    pub url: String,
    pub prefix: String,
    _server: Option<RedisServer>,
}

impl TestRedis {
    pub fn new() -> Self {
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).expect("random");
        let prefix = format!("mcp-auth-test-{}:", hex::encode(suffix));
        match std::env::var("MCP_TEST_REDIS_URL") {
            Ok(url) if !url.is_empty() => Self {
                url,
                prefix,
                _server: None,
            },
            _ => {
                let server = RedisServer::start();
                Self {
                    url: server.url(),
                    prefix,
                    _server: Some(server),
                }
            }
        }
    }

    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)))
            .expect("redis connection")
    }
}

/// Every key under `prefix` with its value and its absolute expiry in ms (-1: none).
pub fn dump(conn: &mut redis::Connection, prefix: &str) -> Vec<(String, String, i64)> {
    let keys: Vec<String> = conn
        .scan_match::<_, String>(format!("{prefix}*"))
        .expect("scan")
        .collect::<Result<_, _>>()
        .expect("scan");
    let mut entries: Vec<(String, String, i64)> = keys
        .into_iter()
        .filter_map(|key| {
            let value: Option<String> = conn.get(&key).expect("get");
            let at: i64 = redis::cmd("PEXPIRETIME")
                .arg(&key)
                .query(conn)
                .expect("pexpiretime");
            value.map(|v| (key, v, at))
        })
        .collect();
    entries.sort();
    entries
}
