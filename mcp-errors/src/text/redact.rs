//! Redacting credentials from upstream text: bearer tokens, API keys, passwords and
//! `Authorization` values an upstream echoes back.

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

/// Words after which the next word is a credential.
const KEYS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "bearer",
    "basic",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "x-api-key",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "passwd",
    "secret",
    "private_key",
    "session_token",
    "signature",
    "sig",
];

/// Auth schemes that follow `Authorization:` and are not secret themselves.
const SCHEMES: &[&str] = &["bearer", "basic", "token", "digest"];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'+' | b'/')
}

/// Redacts credential-looking words.
pub(super) fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last_end = 0;
    // The previous word, and the separator bytes since it ended.
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
        let secret = match prev {
            Some(p) => follows_key(p, gap, word),
            None => false,
        } || looks_secret(word);
        out.push_str(gap);
        if secret {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        last_end = i;
        prev = Some(word);
    }
    out.push_str(&text[last_end..]);
    out
}

/// Whether `word` is the value of the key `prev`, separated by `gap`.
fn follows_key(prev: &str, gap: &str, word: &str) -> bool {
    let key = prev.trim_end_matches(['.', '/']).to_ascii_lowercase();
    let key = key.trim_start_matches(['-', '_', '.']);
    let is_key = KEYS.contains(&key) || key.ends_with("_token") || key.ends_with("_secret");
    if !is_key || gap.len() > 4 || word.is_empty() {
        return false;
    }
    if SCHEMES.contains(&word.to_ascii_lowercase().as_str()) {
        // `Authorization: Bearer x`: the scheme stays, the next word goes.
        return false;
    }
    let separators_ok = gap
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b':' | b'=' | b'"' | b'\''));
    if !separators_ok || gap.is_empty() {
        return false;
    }
    // Prose like "token expired" or "password is wrong": `key word` with a bare space
    // redacts only for auth schemes.
    if gap.bytes().all(|b| b == b' ') {
        return matches!(key, "bearer" | "basic" | "digest" | "token") && token_like(word);
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
    // Long random-looking strings: upper, lower and digits, no path or host shape.
    word.len() >= 32
        && !word.contains(['/', '.'])
        && word.bytes().any(|b| b.is_ascii_uppercase())
        && word.bytes().any(|b| b.is_ascii_lowercase())
        && word.bytes().any(|b| b.is_ascii_digit())
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
}
