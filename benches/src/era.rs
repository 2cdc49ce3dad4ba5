//! [`Era`]: the measured request, `tools/call echo`, in each protocol era.

use std::fmt;

/// A protocol era, with the `tools/call echo` request every target answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// `2025-11-25`: no `_meta`, the version in the `MCP-Protocol-Version` header.
    Legacy,
    /// `2026-07-28`: version and client capabilities in `params._meta`, mirrored
    /// in the `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers.
    Modern,
}

/// The text `echo` sends back.
pub const ECHO_TEXT: &str = "hello";

impl Era {
    /// Both eras, legacy first.
    pub const ALL: [Era; 2] = [Era::Legacy, Era::Modern];

    /// The protocol version string.
    pub fn version(self) -> &'static str {
        match self {
            Era::Legacy => "2025-11-25",
            Era::Modern => "2026-07-28",
        }
    }

    /// The JSON-RPC `params` of the call.
    fn params(self) -> String {
        let args = format!(r#""name":"echo","arguments":{{"text":"{ECHO_TEXT}"}}"#);
        match self {
            Era::Legacy => format!("{{{args}}}"),
            Era::Modern => format!(
                r#"{{{args},"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{{}}}}}}"#
            ),
        }
    }

    /// The HTTP request body (id 1: the servers are stateless).
    pub fn http_body(self) -> String {
        self.line(1)
    }

    /// The call as one JSON-RPC line with the given id (no newline).
    pub fn line(self, id: u64) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{}}}"#,
            self.params()
        )
    }

    /// The HTTP request headers (besides `Host`), in both eras the same set; legacy
    /// servers ignore `Mcp-Method` and `Mcp-Name`.
    pub fn headers(self) -> Vec<(&'static str, String)> {
        vec![
            ("Content-Type", "application/json".to_owned()),
            ("Accept", "application/json, text/event-stream".to_owned()),
            ("MCP-Protocol-Version", self.version().to_owned()),
            ("Mcp-Method", "tools/call".to_owned()),
            ("Mcp-Name", "echo".to_owned()),
        ]
    }

    /// The stdio preamble every server gets before the measured calls: a legacy
    /// `initialize` (id 0) and `notifications/initialized`.
    pub fn stdio_preamble() -> [&'static str; 2] {
        [
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        ]
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.version())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_json() {
        for era in Era::ALL {
            let v: serde_json::Value = serde_json::from_str(&era.line(7)).unwrap();
            assert_eq!(v["id"], 7);
            assert_eq!(v["params"]["arguments"]["text"], ECHO_TEXT);
            assert_eq!(
                v["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"].is_string(),
                era == Era::Modern
            );
        }
        for line in Era::stdio_preamble() {
            let _: serde_json::Value = serde_json::from_str(line).unwrap();
        }
    }
}
