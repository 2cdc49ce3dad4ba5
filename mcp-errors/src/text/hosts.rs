//! Redacting internal host names and private addresses from upstream text.

const INTERNAL: &str = "[internal host]";

/// Suffixes of names that only resolve inside a private network.
const SUFFIXES: &[&str] = &[
    ".internal",
    ".local",
    ".localdomain",
    ".lan",
    ".corp",
    ".intranet",
    ".private",
    ".home.arpa",
    ".svc",
    ".cluster.local",
    ".intra",
];

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

/// Replaces internal host names and private IPv4 addresses.
pub(super) fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_host_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_host_byte(bytes[i]) {
            i += 1;
        }
        let word = text[start..i].trim_end_matches('.');
        if is_internal(word) {
            out.push_str(&text[last..start]);
            out.push_str(INTERNAL);
            last = start + word.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

fn is_internal(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return true;
    }
    if SUFFIXES
        .iter()
        .any(|s| lower.ends_with(s) && lower.len() > s.len())
    {
        return true;
    }
    private_ipv4(&lower)
}

fn private_ipv4(word: &str) -> bool {
    let mut octets = [0u8; 4];
    let mut parts = word.split('.');
    for octet in &mut octets {
        match parts.next().and_then(|p| p.parse().ok()) {
            Some(n) => *octet = n,
            None => return false,
        }
    }
    if parts.next().is_some() {
        return false;
    }
    matches!(
        octets,
        [10, ..] | [127, ..] | [192, 168, ..] | [169, 254, ..] | [172, 16..=31, ..]
    )
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_internal_names_and_private_addresses() {
        assert_eq!(
            redact("connect to db-01.prod.internal:5432 failed"),
            "connect to [internal host]:5432 failed"
        );
        assert_eq!(
            redact("from 10.0.3.7 and 172.20.1.1."),
            "from [internal host] and [internal host]."
        );
        assert_eq!(redact("ip-10-0-0-1.ec2.internal"), "[internal host]");
        assert_eq!(
            redact("see api.example.com and 8.8.8.8"),
            "see api.example.com and 8.8.8.8"
        );
        assert_eq!(redact("localhost refused"), "[internal host] refused");
        assert_eq!(redact("version 1.2.3.4"), "version 1.2.3.4");
    }
}
