//! Redacting credentials from upstream text: bearer tokens, API keys, passwords and
//! `Authorization` values an upstream echoes back.

use std::borrow::Cow;

pub(super) const REDACTED: &str = "[REDACTED]";

/// Prefixes of well-known credential formats (Stripe, Slack, GitHub, GitLab, AWS,
/// Google, HubSpot, Shopify, SendGrid, JWTs).
const PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "whsec_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "xapp-",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "AKIA",
    "ASIA",
    "AIza",
    "ya29.",
    "pat-na1-",
    "pat-eu1-",
    "shpat_",
    "shpss_",
    "SG.",
    "eyJ",
];

/// Keys after which the next word is a credential, compared lowercased and without
/// `-` and `_` (so `accessToken`, `access_token` and `X-Access-Token` all match).
const KEYS: &[&str] = &[
    "authorization",
    "proxyauthorization",
    "bearer",
    "basic",
    "token",
    "apikey",
    "xapikey",
    "password",
    "passwd",
    "secret",
    "privatekey",
    "signature",
    "sig",
];

/// Key endings that make any key a credential's (`refresh_token`, `clientSecret`,
/// `X-Auth-Token`, `aws_secret_access_key`, `dbPassword`).
const KEY_ENDINGS: &[&str] = &[
    "token",
    "secret",
    "password",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
];

/// Keys whose whole value, to the end of the line or the closing quote, is secret.
const WHOLE_VALUE_KEYS: &[&str] = &["cookie", "setcookie"];

/// Auth schemes that follow `Authorization:` and are not secret themselves.
const SCHEMES: &[&str] = &["bearer", "basic", "token", "digest"];

/// The SDK's own tokens: `mcp_` and (at least) 32 hex digits.
const OWN_PREFIX: &str = "mcp_";

/// The longest run of separators between a key and its value (`" : "`, `'" = "'`).
const MAX_GAP: usize = 8;

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'+' | b'/')
}

/// Redacts credential-looking words, URL user-info and PEM blocks.
pub(super) fn redact(text: &str) -> String {
    let text = pem_blocks(text);
    let text = user_info(&text);
    words(&text)
}

/// Replaces each `-----BEGIN ...-----` ... `-----END ...-----` block (to the end of
/// the text when it is cut off).
fn pem_blocks(text: &str) -> Cow<'_, str> {
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "-----END ";
    if !text.contains(BEGIN) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(BEGIN) {
        out.push_str(&rest[..at]);
        out.push_str(REDACTED);
        let block = &rest[at..];
        rest = match block.find(END) {
            Some(end) => {
                let tail = &block[end + END.len()..];
                // The closing dashes of the END line.
                match tail.find("-----") {
                    Some(dashes) if !tail[..dashes].contains('\n') => &tail[dashes + 5..],
                    _ => tail.find('\n').map_or("", |nl| &tail[nl..]),
                }
            }
            None => "",
        };
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Replaces the user-info of URLs: `postgres://user:pass@host` keeps the user,
/// `https://token@host` keeps nothing.
fn user_info(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let start = at + 3;
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let authority_end = tail
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>')
            })
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(amp) if amp > 0 => {
                match authority[..amp].find(':') {
                    Some(colon) => {
                        out.push_str(&authority[..=colon]);
                        out.push_str(REDACTED);
                    }
                    None => out.push_str(REDACTED),
                }
                out.push_str(&authority[amp..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Redacts values after credential keys and words that look like credentials.
fn words(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last_end = 0;
    // The previous word.
    let mut prev: Option<&str> = None;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        let gap = &text[last_end..start];
        out.push_str(gap);
        if let Some(end) = prev.and_then(|p| whole_value_end(p, gap, text, start)) {
            // `Cookie: a=1; b=2`: everything up to the end of the value.
            out.push_str(REDACTED);
            i = end;
            last_end = end;
            prev = None;
            continue;
        }
        if prev.is_some_and(|p| follows_key(p, gap, word)) {
            out.push_str(REDACTED);
        } else {
            push_word(&mut out, word);
        }
        last_end = i;
        prev = Some(word);
    }
    out.push_str(&text[last_end..]);
    out
}

/// A word as is, or with its credential-looking parts (path segments) redacted.
fn push_word(out: &mut String, word: &str) {
    if looks_secret(word) {
        out.push_str(REDACTED);
        return;
    }
    if !word.contains('/') {
        out.push_str(word);
        return;
    }
    for (n, segment) in word.split('/').enumerate() {
        if n > 0 {
            out.push('/');
        }
        out.push_str(if looks_secret(segment) {
            REDACTED
        } else {
            segment
        });
    }
}

/// Lowercased, without `-`, `_` and trailing `.`/`/`.
fn normalized_key(word: &str) -> String {
    word.trim_end_matches(['.', '/'])
        .bytes()
        .filter(|b| !matches!(b, b'-' | b'_' | b'.'))
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

/// Where the value of a whole-value key (`Cookie:`) starting at `start` ends.
fn whole_value_end(prev: &str, gap: &str, text: &str, start: usize) -> Option<usize> {
    if !gap.contains([':', '=']) || !separators_only(gap) {
        return None;
    }
    if !WHOLE_VALUE_KEYS.contains(&normalized_key(prev).as_str()) {
        return None;
    }
    let rest = &text[start..];
    let end = match gap.chars().last() {
        Some(q @ ('"' | '\'')) => rest.find(q),
        _ => rest.find(['\n', '\r']),
    };
    Some(start + end.unwrap_or(rest.len()))
}

fn separators_only(gap: &str) -> bool {
    !gap.is_empty()
        && gap.len() <= MAX_GAP
        && gap
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b':' | b'=' | b'"' | b'\''))
}

/// Whether `word` is the value of the key `prev`, separated by `gap`.
fn follows_key(prev: &str, gap: &str, word: &str) -> bool {
    let key = normalized_key(prev);
    let is_key = KEYS.contains(&key.as_str()) || KEY_ENDINGS.iter().any(|e| key.ends_with(e));
    if !is_key || word.is_empty() || !separators_only(gap) {
        return false;
    }
    if SCHEMES.contains(&word.to_ascii_lowercase().as_str()) {
        // `Authorization: Bearer x`: the scheme stays, the next word goes.
        return false;
    }
    // Prose like "token expired" or "password is wrong": `key word` with bare spaces
    // redacts only for auth schemes.
    if gap.bytes().all(|b| b == b' ') {
        return matches!(key.as_str(), "bearer" | "basic" | "digest" | "token") && token_like(word);
    }
    true
}

/// At least 8 bytes with a digit or mixed case: a credential, not a word of prose.
fn token_like(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 8
        && (b.iter().any(u8::is_ascii_digit)
            || (b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase)))
}

/// Credential formats recognisable without context.
fn looks_secret(word: &str) -> bool {
    if word.len() >= 16 && PREFIXES.iter().any(|p| word.starts_with(p)) {
        return !word.starts_with("eyJ") || word.matches('.').count() >= 2;
    }
    if let Some(hex) = word.strip_prefix(OWN_PREFIX) {
        return hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let has = |f: fn(&u8) -> bool| word.as_bytes().iter().any(f);
    // Long hex keys (one case, letters and digits: not a number).
    if word.len() >= 32
        && word.bytes().all(|b| b.is_ascii_hexdigit())
        && has(u8::is_ascii_digit)
        && (has(u8::is_ascii_lowercase) != has(u8::is_ascii_uppercase))
    {
        return true;
    }
    let mixed =
        has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit);
    // Long random-looking strings: upper, lower and digits, no path or host shape.
    if word.len() >= 32 && !word.contains(['/', '.']) && mixed {
        return true;
    }
    // Base64 secrets with `/` (AWS secret access keys): 40 characters or more of
    // the base64 alphabet, not a path (no leading `/`), with a long random run.
    word.len() >= 40
        && mixed
        && !word.starts_with('/')
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'='))
        && word.split('/').any(|segment| segment.len() >= 16)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_tokens_keys_and_auth_headers() {
        let cases = [
            (
                "Authorization: Bearer abc.def-123",
                "Authorization: Bearer [REDACTED]",
            ),
            ("authorization=s3cr3tvalue", "authorization=[REDACTED]"),
            (r#"{"api_key": "k-12345"}"#, r#"{"api_key": "[REDACTED]"}"#),
            (
                "key sk_live_51Habcdefghijklmnop used",
                "key [REDACTED] used",
            ),
            (
                "token xoxb-1234-5678-abcdefgh invalid",
                "token [REDACTED] invalid",
            ),
            (
                "?access_token=ya29.a0AfH6SM&x=1",
                "?access_token=[REDACTED]&x=1",
            ),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature_here",
                "jwt [REDACTED]",
            ),
            ("token expired", "token expired"),
            ("password is wrong", "password is wrong"),
            (
                "the basic plan excludes exports",
                "the basic plan excludes exports",
            ),
            (
                "Authorization: token ghp_abcdefghijklmnop1234",
                "Authorization: token [REDACTED]",
            ),
            ("record 0012345 not found", "record 0012345 not found"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    /// Shapes the first version let through (issue 10).
    #[test]
    fn redacts_common_secret_shapes() {
        let own = format!("mcp_{}", "0123456789abcdef".repeat(4) + "89abcdef");
        let cases = [
            (r#"{"accessToken":"abc123xyz"}"#.to_owned(), r#"{"accessToken":"[REDACTED]"}"#.to_owned()),
            (r#"{"clientSecret": "s3cr3t"}"#.into(), r#"{"clientSecret": "[REDACTED]"}"#.into()),
            ("refreshToken=r-1&x=1".into(), "refreshToken=[REDACTED]&x=1".into()),
            ("X-Auth-Token: abcdef0123".into(), "X-Auth-Token: [REDACTED]".into()),
            (
                "Cookie: session=abc123; csrftoken=zz9\nnext line".into(),
                "Cookie: [REDACTED]\nnext line".into(),
            ),
            (
                r#"{"set-cookie": "sid=1; Path=/", "ok": 1}"#.into(),
                r#"{"set-cookie": "[REDACTED]", "ok": 1}"#.into(),
            ),
            ("password : hunter2".into(), "password : [REDACTED]".into()),
            ("api_key = k-12345 rejected".into(), "api_key = [REDACTED] rejected".into()),
            (r#""password" : "hunter2""#.into(), r#""password" : "[REDACTED]""#.into()),
            (
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                "aws_secret_access_key=[REDACTED]".into(),
            ),
            (
                "bad key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY given".into(),
                "bad key [REDACTED] given".into(),
            ),
            (
                "cannot connect to postgres://app:pa55word@db.example.com:5432/app".into(),
                "cannot connect to postgres://app:[REDACTED]@db.example.com:5432/app".into(),
            ),
            (
                "clone https://ghtoken123@example.com/x.git failed".into(),
                "clone https://[REDACTED]@example.com/x.git failed".into(),
            ),
            (
                "key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 unknown".into(),
                "key [REDACTED] unknown".into(),
            ),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK==\n-----END RSA PRIVATE KEY-----\nafter".into(),
                "[REDACTED]\nafter".into(),
            ),
            ("cut -----BEGIN PRIVATE KEY-----\nMIIEow".into(), "cut [REDACTED]".into()),
            (format!("token {own} revoked"), "token [REDACTED] revoked".into()),
            (format!("GET /mcp/{own}/x failed"), "GET /mcp/[REDACTED]/x failed".into()),
        ];
        for (input, want) in cases {
            assert_eq!(redact(&input), want, "{input}");
        }
    }

    #[test]
    fn ordinary_prose_is_not_mangled() {
        for text in [
            "The access token expired; reconnect the account.",
            "Your password is too short: use at least 12 characters.",
            "Cookie consent is required before export.",
            "See https://docs.example.com/api/v2/errors#rate-limits for details.",
            "Record 0012345 of type Account/Contact was not found in /api/v2/records.",
            "Request 123e4567-e89b-12d3-a456-426614174000 failed at 2026-01-01T00:00:00Z.",
            "mcp_server_name is not a valid field; the secret word is banana.",
            "Deadline exceeded after 30000 ms (limit: 1048576 bytes).",
            "contact support@example.com or visit example.com/help",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
