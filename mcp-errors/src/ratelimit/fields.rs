//! The structured `RateLimit` and `RateLimit-Policy` fields (IETF
//! draft-ietf-httpapi-ratelimit-headers): `"default";r=0;t=42` and
//! `"default";q=100;w=60`, plus the older dictionary form
//! `limit=100, remaining=0, reset=42`.

use std::time::Duration;

use super::seconds;

/// One `RateLimit` field, reduced to its most constraining item.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Structured {
    pub(super) name: Option<String>,
    pub(super) limit: Option<u64>,
    pub(super) remaining: Option<u64>,
    pub(super) reset: Option<Duration>,
}

/// An item: its bare value (a token or string) and its parameters.
struct Item<'a> {
    value: &'a str,
    params: Vec<(&'a str, &'a str)>,
}

impl Item<'_> {
    fn param(&self, key: &str) -> Option<u64> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| seconds(v))
            .map(|n| n as u64)
    }
}

/// Splits a list on commas outside quoted strings (at most 16 members).
fn members(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if out.len() >= 16 {
            return out;
        }
    }
    out.push(&value[start..]);
    out
}

fn item(member: &str) -> Item<'_> {
    let mut parts = member.split(';');
    let value = parts.next().unwrap_or_default().trim();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
        .take(16)
        .collect();
    Item { value, params }
}

/// Parses a `RateLimit` field; `None` when it holds nothing usable.
pub(super) fn parse_ratelimit(value: &str) -> Option<Structured> {
    let items: Vec<Item<'_>> = members(value).into_iter().map(item).collect();
    // Dictionary form: `limit=100, remaining=0, reset=42`.
    let dict = |key: &str| {
        items.iter().find_map(|i| {
            let (k, v) = i.value.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(key)
                .then(|| seconds(v))
                .flatten()
                .map(|n| n as u64)
        })
    };
    let (limit, remaining, reset) = (dict("limit"), dict("remaining"), dict("reset"));
    if limit.is_some() || remaining.is_some() || reset.is_some() {
        return Some(Structured {
            name: None,
            limit,
            remaining,
            reset: reset.map(Duration::from_secs),
        });
    }
    // Structured list: pick the item with the fewest remaining, then the longest wait.
    let best = items
        .iter()
        .filter(|i| i.param("r").is_some() || i.param("t").is_some())
        .min_by_key(|i| {
            (
                i.param("r").unwrap_or(u64::MAX),
                u64::MAX - i.param("t").unwrap_or(0),
            )
        })?;
    Some(Structured {
        name: Some(best.value.trim_matches('"').to_owned()),
        limit: None,
        remaining: best.param("r"),
        reset: best.param("t").map(Duration::from_secs),
    })
}

/// The quota of the policy named `name` (or the first policy) in a
/// `RateLimit-Policy` field; also reads the older `100;w=60` form.
pub(super) fn parse_policy(value: &str, name: Option<&str>) -> Option<u64> {
    let items: Vec<Item<'_>> = members(value).into_iter().map(item).collect();
    let named = name.and_then(|n| items.iter().find(|i| i.value.trim_matches('"') == n));
    let chosen = named.or_else(|| items.first())?;
    chosen
        .param("q")
        .or_else(|| seconds(chosen.value).map(|n| n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_and_dictionary_forms() {
        let s = parse_ratelimit(r#""burst";r=5;t=1, "daily";r=0;t=3600"#).unwrap();
        assert_eq!(s.name.as_deref(), Some("daily"));
        assert_eq!(
            (s.remaining, s.reset),
            (Some(0), Some(Duration::from_secs(3600)))
        );
        let d = parse_ratelimit("limit=100, remaining=0, reset=42").unwrap();
        assert_eq!((d.limit, d.remaining), (Some(100), Some(0)));
        assert!(parse_ratelimit("garbage").is_none());
        assert_eq!(
            parse_policy(r#""burst";q=10;w=1, "daily";q=1000;w=86400"#, Some("daily")),
            Some(1000)
        );
        assert_eq!(parse_policy("100;w=60", None), Some(100));
    }
}
