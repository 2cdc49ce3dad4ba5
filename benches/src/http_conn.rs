//! [`HttpConn`]: one blocking HTTP/1.1 keep-alive connection, enough to send a
//! fixed request many times (instruction counts) or to hold a connection idle.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::Error;

/// A blocking HTTP/1.1 connection to `127.0.0.1`.
#[derive(Debug)]
pub struct HttpConn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    authority: String,
}

/// A response: status and body.
#[derive(Debug)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl HttpReply {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl HttpConn {
    /// Connects to `authority` (`127.0.0.1:port`).
    ///
    /// # Errors
    /// The connection fails.
    pub fn connect(authority: &str) -> Result<Self, Error> {
        let stream = TcpStream::connect(authority)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Self {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
            authority: authority.to_owned(),
        })
    }

    /// The bytes of a `POST` request (so callers can build it once).
    pub fn request(&self, path: &str, headers: &[(&str, String)], body: &str) -> Vec<u8> {
        let mut out = format!("POST {path} HTTP/1.1\r\nHost: {}\r\n", self.authority);
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        out.into_bytes()
    }

    /// Sends a request built by [`request`](Self::request) and reads the response.
    ///
    /// # Errors
    /// I/O errors, or a response this small parser does not understand.
    pub fn send(&mut self, request: &[u8]) -> Result<HttpReply, Error> {
        self.writer.write_all(request)?;
        self.read_reply()
    }

    fn read_reply(&mut self) -> Result<HttpReply, Error> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err("connection closed in the response head".into());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                let (name, value) = (name.trim(), value.trim());
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding")
                    && value.eq_ignore_ascii_case("chunked")
                {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| format!("bad chunk size {line:?}"))?;
                let start = body.len();
                body.resize(start + size, 0);
                self.reader.read_exact(&mut body[start..])?;
                line.clear();
                self.reader.read_line(&mut line)?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.reader.read_exact(&mut body)?;
        }
        Ok(HttpReply { status, body })
    }
}
