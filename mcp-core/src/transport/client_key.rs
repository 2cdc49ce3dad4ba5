//! The one rule for grouping network clients: every per-client budget (the
//! failed-authentication throttle, the quota, the per-peer connection cap) keys on it.

use std::net::{IpAddr, Ipv6Addr};

/// The budget key of a client address: an IPv4 address counts alone, an IPv6 address
/// by its `/64` (one subscriber usually holds a whole `/64`, so a per-`/128` budget
/// is no budget), and an IPv4-mapped IPv6 address as the IPv4 address it carries.
///
/// ```
/// use std::net::IpAddr;
/// let key = |s: &str| mcp_core::transport::client_key(s.parse::<IpAddr>().unwrap());
/// assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
/// assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
/// assert_eq!(key("::ffff:10.0.0.1"), key("10.0.0.1"));
/// ```
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    }
}
