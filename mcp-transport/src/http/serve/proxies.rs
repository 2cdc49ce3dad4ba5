//! Trusted reverse proxies: who they are, and the client address their forwarding
//! header names.

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;
use http::header::{FORWARDED, HeaderName};

use super::config::ProxyHeader;
use crate::Error;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// An address block: `addr/prefix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let addr = canonical(addr);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The trusted proxies of a [`ServeConfig`](super::ServeConfig).
#[derive(Debug, Default)]
pub(super) struct Proxies {
    nets: Vec<Cidr>,
    header: ProxyHeader,
}

impl Proxies {
    /// # Errors
    /// [`Error::Config`] naming an entry that is not an address or a CIDR block.
    pub(super) fn new(list: &[String], header: ProxyHeader) -> Result<Self, Error> {
        let nets = list
            .iter()
            .map(|entry| {
                Cidr::parse(entry).ok_or_else(|| {
                    Error::Config(format!(
                        "trusted proxy {entry:?} is neither an IP address nor a CIDR block"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { nets, header })
    }

    /// Whether `ip` is a trusted proxy.
    pub(super) fn trusts(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(ip))
    }

    /// The client a request from `peer` comes from: `peer` itself unless it is a
    /// trusted proxy, else the rightmost untrusted hop of the forwarding header (the
    /// leftmost when every hop is trusted). A hop that is not an address (`unknown`,
    /// an obfuscated name, garbage) ends the walk: the last trusted hop stays.
    pub(super) fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if self.nets.is_empty() || !self.trusts(peer.ip()) {
            return peer;
        }
        let mut client = peer;
        let mut walk = |hop: Option<SocketAddr>| -> bool {
            match hop {
                Some(hop) => {
                    client = hop;
                    self.trusts(hop.ip())
                }
                None => false,
            }
        };
        let lines = |name| {
            headers
                .get_all(name)
                .iter()
                .rev()
                .filter_map(|v| v.to_str().ok())
        };
        match self.header {
            ProxyHeader::XForwardedFor => {
                'lines: for line in lines(X_FORWARDED_FOR) {
                    for hop in line.rsplit(',') {
                        if !walk(parse_hop(hop)) {
                            break 'lines;
                        }
                    }
                }
            }
            ProxyHeader::Forwarded => {
                'lines: for line in lines(FORWARDED) {
                    for element in line.rsplit(',') {
                        if !walk(forwarded_for(element)) {
                            break 'lines;
                        }
                    }
                }
            }
        }
        client
    }
}

/// The `for=` node of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<SocketAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_hop(value.trim().trim_matches('"')))
            .flatten()
    })
}

/// `1.2.3.4`, `1.2.3.4:5`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:5`.
fn parse_hop(hop: &str) -> Option<SocketAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(SocketAddr::new(canonical(ip), 0));
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(SocketAddr::new(canonical(addr.ip()), addr.port()));
    }
    let inner = hop.strip_prefix('[')?.strip_suffix(']')?;
    Some(SocketAddr::new(canonical(inner.parse().ok()?), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str], header: ProxyHeader) -> Proxies {
        let list: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        Proxies::new(&list, header).unwrap()
    }

    fn headers(name: &str, lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                l.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn cidr_blocks() {
        let p = proxies(
            &["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"],
            ProxyHeader::default(),
        );
        for ip in ["10.1.2.3", "::ffff:10.9.9.9", "2001:db8:1::5", "192.0.2.1"] {
            assert!(p.trusts(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["11.0.0.1", "2001:db9::1", "192.0.2.2"] {
            assert!(!p.trusts(ip.parse().unwrap()), "{ip}");
        }
        assert!(proxies(&["0.0.0.0/0"], ProxyHeader::default()).trusts("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", ""] {
            assert!(
                Proxies::new(&[bad.to_owned()], ProxyHeader::default()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn rightmost_untrusted_hop() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeader::XForwardedFor);
        let proxy: SocketAddr = "10.0.0.1:4000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        let client = |peer, lines: &[&str]| {
            p.client(peer, &headers("x-forwarded-for", lines))
                .to_string()
        };
        // The client's own (spoofed) entries are left of the one the proxy appended.
        assert_eq!(client(proxy, &["6.6.6.6, 198.51.100.7"]), "198.51.100.7:0");
        assert_eq!(
            client(proxy, &["6.6.6.6", "198.51.100.7, 10.0.0.2"]),
            "198.51.100.7:0"
        );
        assert_eq!(client(proxy, &["[2001:db8::7]:443"]), "[2001:db8::7]:443");
        assert_eq!(client(proxy, &["10.0.0.3, 10.0.0.2"]), "10.0.0.3:0");
        assert_eq!(client(proxy, &["garbage, 198.51.100.7"]), "198.51.100.7:0");
        assert_eq!(client(proxy, &["198.51.100.7, garbage"]), "10.0.0.1:4000");
        assert_eq!(client(proxy, &[]), "10.0.0.1:4000");
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(client(stranger, &["198.51.100.7"]), "203.0.113.9:4000");
    }

    #[test]
    fn forwarded_header() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeader::Forwarded);
        let proxy: SocketAddr = "10.0.0.1:4000".parse().unwrap();
        let client = |lines: &[&str]| p.client(proxy, &headers("forwarded", lines)).to_string();
        assert_eq!(
            client(&["for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https"]),
            "[2001:db8:cafe::17]:4711"
        );
        assert_eq!(
            client(&["For=198.51.100.7;by=10.0.0.1, for=10.0.0.5"]),
            "198.51.100.7:0"
        );
        assert_eq!(client(&["for=unknown"]), "10.0.0.1:4000");
        // Only the configured header counts.
        let xff = p.client(proxy, &headers("x-forwarded-for", &["198.51.100.7"]));
        assert_eq!(xff, proxy);
    }
}
