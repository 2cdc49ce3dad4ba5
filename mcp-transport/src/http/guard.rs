//! The `Host` and `Origin` checks that stop DNS rebinding, run before anything else.

use http::header::{HOST, ORIGIN};
use http::{HeaderMap, HeaderValue, Uri};

/// Which names a check accepts.
#[derive(Clone, Debug)]
pub(crate) enum Allow {
    /// `localhost`, `127.0.0.1` and `[::1]`, any port.
    Loopback,
    /// Exactly these (lower-cased); `"*"` accepts everything.
    List(Vec<String>),
}

impl Allow {
    pub(crate) fn list<I: IntoIterator<Item = T>, T: Into<String>>(items: I) -> Self {
        Self::List(
            items
                .into_iter()
                .map(|s| s.into().trim().trim_end_matches('/').to_ascii_lowercase())
                .collect(),
        )
    }

    fn any(&self) -> bool {
        matches!(self, Self::List(l) if l.iter().any(|s| s == "*"))
    }
}

/// What the checks decided for a request that passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cors {
    /// No CORS headers: no `Origin`, or an accepted non-CORS origin.
    None,
    /// Echo the request's `Origin` and allow credentials.
    Echo,
    /// `Access-Control-Allow-Origin: *`, no credentials.
    Wildcard,
}

#[derive(Debug)]
pub(crate) struct Guard {
    hosts: Allow,
    origins: Allow,
    cors: Allow,
}

impl Guard {
    pub(crate) fn new(hosts: Allow, origins: Allow, cors: Allow) -> Self {
        Self {
            hosts,
            origins,
            cors,
        }
    }

    /// Whether hosts are limited to loopback names (the default).
    pub(crate) fn loopback_hosts_only(&self) -> bool {
        matches!(self.hosts, Allow::Loopback)
    }

    /// Checks `Host` and `Origin`; `Err(())` means `403`.
    pub(crate) fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<Cors, ()> {
        if !self.host_ok(headers, uri) {
            return Err(());
        }
        let Some(origin) = headers.get(ORIGIN) else {
            return Ok(Cors::None);
        };
        let origin = origin.to_str().map_err(|_| ())?.trim();
        let cors = match &self.cors {
            Allow::List(l) if l.iter().any(|c| c == "*") => Cors::Wildcard,
            Allow::List(l) if l.iter().any(|c| c.eq_ignore_ascii_case(origin)) => Cors::Echo,
            _ => Cors::None,
        };
        if cors != Cors::None || origin_allowed(&self.origins, origin) {
            Ok(cors)
        } else {
            Err(())
        }
    }

    fn host_ok(&self, headers: &HeaderMap, uri: &Uri) -> bool {
        if self.hosts.any() {
            return true;
        }
        let host = match host_of(uri, headers.get(HOST)) {
            Some(h) => h,
            None => return false,
        };
        match &self.hosts {
            Allow::Loopback => is_loopback_authority(host),
            Allow::List(list) => {
                let host = host.to_ascii_lowercase();
                let name = strip_port(&host);
                list.iter().any(|a| *a == host || *a == name)
            }
        }
    }
}

/// The request's authority: the URI's (HTTP/2, absolute form), else `Host`.
fn host_of<'a>(uri: &'a Uri, header: Option<&'a HeaderValue>) -> Option<&'a str> {
    match uri.authority() {
        Some(a) => Some(a.as_str()),
        None => header.and_then(|h| h.to_str().ok()).map(str::trim),
    }
}

/// `host[:port]` → `host` (IPv6 literals keep their brackets).
fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(i) => &authority[..=i],
            None => authority,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Exactly `localhost`, `127.0.0.1` or `[::1]`, with an optional numeric port.
fn is_loopback_authority(authority: &str) -> bool {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(i) => (&authority[..=i], &authority[i + 1..]),
            None => return false,
        }
    } else {
        match authority.find(':') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        }
    };
    let port_ok = port.is_empty()
        || (port.len() > 1
            && port.starts_with(':')
            && port[1..].bytes().all(|b| b.is_ascii_digit()));
    port_ok && (host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]")
}

fn origin_allowed(allow: &Allow, origin: &str) -> bool {
    match allow {
        Allow::Loopback => {
            let rest = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            rest.is_some_and(is_loopback_authority)
        }
        Allow::List(list) => list
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(origin)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::request::Parts;

    impl Guard {
        fn check_parts(&self, parts: &Parts) -> Result<Cors, ()> {
            self.check(&parts.headers, &parts.uri)
        }
    }

    fn parts(host: Option<&str>, origin: Option<&str>) -> Parts {
        let mut b = http::Request::builder().uri("/mcp");
        if let Some(h) = host {
            b = b.header(HOST, h);
        }
        if let Some(o) = origin {
            b = b.header(ORIGIN, o);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn loopback_default_accepts_only_loopback_names() {
        let g = Guard::new(Allow::Loopback, Allow::Loopback, Allow::List(vec![]));
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:3000",
            "LOCALHOST",
        ] {
            assert!(g.check_parts(&parts(Some(ok), None)).is_ok(), "{ok}");
        }
        for bad in [
            "evil.com",
            "localhost.evil.com",
            "127.0.0.1.nip.io",
            "localhost:",
            "localhost:80x",
            "[::1]x",
            "127.0.0.2",
        ] {
            assert!(g.check_parts(&parts(Some(bad), None)).is_err(), "{bad}");
        }
        assert!(g.check_parts(&parts(None, None)).is_err());
    }

    #[test]
    fn origins_null_and_lookalikes_are_refused() {
        let g = Guard::new(Allow::Loopback, Allow::Loopback, Allow::List(vec![]));
        let h = Some("localhost:8080");
        assert_eq!(
            g.check_parts(&parts(h, Some("http://localhost:8080"))),
            Ok(Cors::None)
        );
        assert!(g.check_parts(&parts(h, Some("https://127.0.0.1"))).is_ok());
        for bad in [
            "null",
            "http://localhost.evil.com",
            "http://evil.com",
            "http://localhost@evil.com",
            "file://localhost",
            "",
        ] {
            assert!(g.check_parts(&parts(h, Some(bad))).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lists_and_cors() {
        let g = Guard::new(
            Allow::list(["mcp.example.com"]),
            Allow::list(["https://a.example"]),
            Allow::list(["https://app.example"]),
        );
        assert!(
            g.check_parts(&parts(Some("mcp.example.com:443"), None))
                .is_ok()
        );
        assert!(g.check_parts(&parts(Some("MCP.example.com"), None)).is_ok());
        assert!(g.check_parts(&parts(Some("localhost"), None)).is_err());
        let h = Some("mcp.example.com");
        assert_eq!(
            g.check_parts(&parts(h, Some("https://a.example"))),
            Ok(Cors::None)
        );
        assert_eq!(
            g.check_parts(&parts(h, Some("https://app.example"))),
            Ok(Cors::Echo)
        );
        assert!(g.check_parts(&parts(h, Some("https://b.example"))).is_err());
        let any = Guard::new(Allow::list(["*"]), Allow::Loopback, Allow::list(["*"]));
        assert_eq!(
            any.check_parts(&parts(Some("x"), Some("https://z"))),
            Ok(Cors::Wildcard)
        );
    }
}
