//! `bare_stdio`: the stdio baseline. Reads a line, parses it as JSON, and writes a
//! fixed `tools/call` result carrying the request's id (notifications get nothing);
//! one thread, no runtime, output flushed whenever no input is waiting.
//!
//! Run with `cargo run -p benches --release --bin bare_stdio`, then type a JSON-RPC
//! request on one line. End of input stops it.

use std::io::{self, BufRead, BufReader, BufWriter, Write};

use serde_json::Value;

fn main() -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, io::stdin().lock());
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(mut message)) => {
                if let Some(id) = message.remove("id") {
                    writeln!(
                        out,
                        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[{{"type":"text","text":"hello"}}],"isError":false}}}}"#
                    )?;
                }
            }
            _ => writeln!(
                out,
                r#"{{"jsonrpc":"2.0","id":null,"error":{{"code":-32700,"message":"Parse error"}}}}"#
            )?,
        }
        if reader.buffer().is_empty() {
            out.flush()?;
        }
    }
    out.flush()
}
