//! The rate-limit header parsers: a table of cases and a property test that no
//! input makes them panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use mcp_errors::{MAX_WAIT, RateLimitInfo, parse_retry_after};
use proptest::prelude::*;

/// Sat, 15 Nov 2025 08:12:31 GMT
const NOW: u64 = 1_763_194_351;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn secs(n: u64) -> Option<Duration> {
    Some(Duration::from_secs(n))
}

fn info(headers: &[(&str, &str)]) -> RateLimitInfo {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    RateLimitInfo::from_headers_at(&map, now())
}

#[test]
fn retry_after_table() {
    let cases: &[(&str, Option<Duration>)] = &[
        ("42", secs(42)),
        ("  7 ", secs(7)),
        ("0", secs(0)),
        ("-5", secs(0)),
        ("1.2", secs(2)),
        ("99999999999", Some(MAX_WAIT)),
        ("Sat, 15 Nov 2025 08:13:31 GMT", secs(60)),
        ("Saturday, 15-Nov-25 08:14:31 GMT", secs(120)),
        ("Sat Nov 15 08:12:41 2025", secs(10)),
        ("Sat, 15 Nov 2025 08:00:00 GMT", secs(0)),
        ("Sun, 15 Nov 2099 08:00:00 GMT", Some(MAX_WAIT)),
        ("soon", None),
        ("", None),
        ("12abc", None),
        ("NaN", None),
        ("inf", None),
        ("Sat, 32 Nov 2025 08:13:31 GMT", None),
    ];
    for (value, want) in cases {
        assert_eq!(
            parse_retry_after(value, now()),
            *want,
            "Retry-After: {value:?}"
        );
    }
}

#[test]
fn header_table() {
    let reset_in = |n: u64| (NOW + n).to_string();
    let github_reset = reset_in(1200);
    let ms_reset = ((NOW + 30) * 1000).to_string();
    type Want = (Option<u64>, Option<u64>, Option<Duration>, Option<Duration>);
    let cases: Vec<(Vec<(&str, &str)>, Want)> = vec![
        (
            vec![
                ("retry-after", "42"),
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "0"),
            ],
            (Some(100), Some(0), None, secs(42)),
        ),
        (
            vec![
                ("x-ratelimit-limit", "5000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &github_reset),
            ],
            (Some(5000), Some(0), secs(1200), None),
        ),
        (
            vec![("x-ratelimit-reset", "30")],
            (None, None, secs(30), None),
        ),
        (
            vec![("x-ratelimit-reset", &ms_reset)],
            (None, None, secs(30), None),
        ),
        (
            vec![("x-ratelimit-reset", "1000000000")],
            (None, None, secs(0), None),
        ),
        (
            vec![
                ("x-rate-limit-limit", "900"),
                ("x-rate-limit-remaining", "-3"),
            ],
            (Some(900), Some(0), None, None),
        ),
        (
            vec![
                ("ratelimit-limit", "50"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "17"),
            ],
            (Some(50), Some(0), secs(17), None),
        ),
        (
            vec![
                ("ratelimit-limit", "100, 100;w=60"),
                ("ratelimit-reset", "-1"),
            ],
            (Some(100), None, secs(0), None),
        ),
        (
            vec![
                ("ratelimit", "\"default\";r=0;t=33"),
                ("ratelimit-policy", "\"default\";q=250;w=60"),
            ],
            (Some(250), Some(0), secs(33), None),
        ),
        (
            vec![
                ("ratelimit", "\"burst\";r=9;t=1, \"day\";r=0;t=3600"),
                (
                    "ratelimit-policy",
                    "\"burst\";q=10;w=1, \"day\";q=1000;w=86400",
                ),
            ],
            (Some(1000), Some(0), secs(3600), None),
        ),
        (
            vec![("ratelimit", "limit=100, remaining=4, reset=9")],
            (Some(100), Some(4), secs(9), None),
        ),
        (
            vec![("ratelimit-policy", "120;w=60")],
            (Some(120), None, None, None),
        ),
        (
            vec![("ratelimit", "\"default\";r=0;t=999999999")],
            (None, Some(0), Some(MAX_WAIT), None),
        ),
        (
            vec![("x-ratelimit-reset-after", "2.5")],
            (None, None, secs(3), None),
        ),
        (
            vec![
                ("x-ratelimit-limit", "lots"),
                ("x-ratelimit-remaining", ""),
                ("retry-after", "later"),
            ],
            (None, None, None, None),
        ),
        (
            vec![("x-ratelimit-limit", "99999999999999999999999")],
            (Some(1 << 40), None, None, None),
        ),
        (
            vec![
                ("date", "Sat, 15 Nov 2025 08:00:00 GMT"),
                ("retry-after", "Sat, 15 Nov 2025 08:01:00 GMT"),
            ],
            (None, None, None, secs(60)),
        ),
        (
            vec![
                ("date", "not a date"),
                ("retry-after", "Sat, 15 Nov 2025 08:13:31 GMT"),
            ],
            (None, None, None, secs(60)),
        ),
        (
            vec![("ratelimit", "garbage;;;=,,"), ("ratelimit-remaining", "3")],
            (None, Some(3), None, None),
        ),
    ];
    assert!(cases.len() >= 15);
    for (headers, (limit, remaining, reset, retry_after)) in cases {
        let got = info(&headers);
        assert_eq!(
            (got.limit, got.remaining, got.reset, got.retry_after),
            (limit, remaining, reset, retry_after),
            "{headers:?}"
        );
    }
}

proptest! {
    #[test]
    fn no_retry_after_value_panics(value in ".{0,80}") {
        let got = parse_retry_after(&value, now());
        prop_assert!(got.is_none_or(|d| d <= MAX_WAIT));
    }

    #[test]
    fn no_header_values_panic(
        values in proptest::collection::vec(("[ -~]{0,60}", 0usize..12), 0..8),
        when in 0u64..(1u64 << 40),
    ) {
        const NAMES: [&str; 12] = [
            "retry-after", "date", "ratelimit", "ratelimit-policy", "ratelimit-limit",
            "ratelimit-remaining", "ratelimit-reset", "x-ratelimit-limit",
            "x-ratelimit-remaining", "x-ratelimit-reset", "x-rate-limit-reset",
            "x-ratelimit-reset-after",
        ];
        let mut map = HeaderMap::new();
        for (value, name) in &values {
            if let Ok(v) = HeaderValue::from_str(value) {
                map.append(NAMES[*name], v);
            }
        }
        let got = RateLimitInfo::from_headers_at(&map, UNIX_EPOCH + Duration::from_secs(when));
        prop_assert!(got.reset.is_none_or(|d| d <= MAX_WAIT));
        prop_assert!(got.retry_after.is_none_or(|d| d <= MAX_WAIT));
    }

    #[test]
    fn no_body_makes_the_chain_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let chain = mcp_errors::NormalizerChain::builtin();
        let response = mcp_errors::UpstreamResponse::new(
            http::StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            body,
        );
        if let Some(err) = chain.normalize(&response) {
            prop_assert!((400..=599).contains(&err.status));
        } else {
            prop_assert!(status < 400);
        }
    }
}
