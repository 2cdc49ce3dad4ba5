//! `Content-Type` and `Accept` checks.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

/// Whether `Content-Type` is `application/json` (parameters such as `charset` allowed).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| essence(v).eq_ignore_ascii_case("application/json"))
}

/// What the client's `Accept` allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Accept {
    /// JSON responses are acceptable.
    pub(crate) json: bool,
    /// SSE responses are acceptable.
    pub(crate) sse: bool,
}

impl Accept {
    /// Reads every `Accept` header. No header means anything (but SSE only when named,
    /// so plain HTTP clients always get JSON).
    pub(crate) fn of(headers: &HeaderMap) -> Self {
        let mut values = headers.get_all(ACCEPT).iter().peekable();
        if values.peek().is_none() {
            return Self {
                json: true,
                sse: false,
            };
        }
        let mut accept = Self {
            json: false,
            sse: false,
        };
        let mut any = false;
        for value in values {
            let Ok(value) = value.to_str() else { continue };
            for range in value.split(',') {
                let mut params = range.split(';');
                let media = params.next().unwrap_or("").trim();
                if params.any(|p| p.trim().replace(' ', "") == "q=0") {
                    continue;
                }
                match media.to_ascii_lowercase().as_str() {
                    "*/*" => any = true,
                    "application/json" | "application/*" => accept.json = true,
                    "text/event-stream" => accept.sse = true,
                    _ => {}
                }
            }
        }
        if any {
            accept.json = true;
        }
        accept
    }

    /// The request may be answered: JSON is acceptable (SSE only ever follows JSON
    /// being acceptable, since most answers are JSON).
    pub(crate) fn acceptable(self) -> bool {
        self.json
    }
}

fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> Accept {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, v.parse().unwrap());
        Accept::of(&h)
    }

    #[test]
    fn accept_ranges() {
        assert_eq!(
            accept("application/json, text/event-stream"),
            Accept {
                json: true,
                sse: true
            }
        );
        assert!(accept("*/*").acceptable());
        assert!(!accept("*/*").sse);
        assert!(!accept("text/html").acceptable());
        assert!(!accept("text/event-stream").acceptable());
        assert!(!accept("application/json;q=0, text/event-stream").acceptable());
        assert!(Accept::of(&HeaderMap::new()).acceptable());
    }

    #[test]
    fn content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        h.insert(
            CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert!(is_json(&h));
        h.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_json(&h));
    }
}
