//! `Content-Type` and `Accept` checks.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

/// Whether `Content-Type` is `application/json` (parameters such as `charset` allowed).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return false;
    };
    value.as_bytes() == b"application/json"
        || value
            .to_str()
            .is_ok_and(|v| essence(v).eq_ignore_ascii_case("application/json"))
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
        let mut values = headers.get_all(ACCEPT).iter();
        let Some(first) = values.next() else {
            return Self {
                json: true,
                sse: false,
            };
        };
        let second = values.next();
        // What MCP clients send: answered without parsing.
        if second.is_none() && first.as_bytes() == b"application/json, text/event-stream" {
            return Self {
                json: true,
                sse: true,
            };
        }
        Self::parse(std::iter::once(first).chain(second).chain(values))
    }

    fn parse<'a>(values: impl Iterator<Item = &'a http::HeaderValue>) -> Self {
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
                if params.any(refuses) {
                    continue;
                }
                if media == "*/*" {
                    any = true;
                } else if media.eq_ignore_ascii_case("application/json")
                    || media.eq_ignore_ascii_case("application/*")
                {
                    accept.json = true;
                } else if media.eq_ignore_ascii_case("text/event-stream") {
                    accept.sse = true;
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

/// Whether a media-range parameter is `q=0` (the range is refused).
fn refuses(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("q") && value.trim().trim_end_matches(['0', '.']).is_empty()
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
