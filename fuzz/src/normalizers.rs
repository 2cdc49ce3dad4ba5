//! `normalizers`: every built-in error normalizer over arbitrary responses.

use mcp_errors::{MAX_WAIT, NormalizedError, NormalizerChain};

use crate::upstream::response;

/// A secret every message must hide.
pub(crate) const CHAIN_SECRET: &str = "chain-secret-5f3a9c";
/// A per-response secret every message must hide.
pub(crate) const CALL_SECRET: &str = "call-secret-81b2e7";

thread_local! {
    static CHAIN: NormalizerChain = NormalizerChain::builtin().redact(CHAIN_SECRET);
}

/// `data` is an upstream response (see the crate's `upstream` module): the
/// built-in chain normalizes it; a status of 400 or more is always an error; the
/// result's texts are capped and hide the secrets; waits are capped.
pub fn normalizers(data: &[u8]) {
    let upstream = response(data).with_secret(CALL_SECRET);
    let found = CHAIN.with(|chain| chain.normalize(&upstream));
    if upstream.status() >= 400 {
        assert!(
            found.is_some(),
            "HTTP {} passed as a success",
            upstream.status()
        );
    }
    if let Some(error) = found {
        check(&error);
        let _ = error.into_tool_error();
    }
}

/// The invariants of every normalized error.
pub(crate) fn check(error: &NormalizedError) {
    let texts = [
        Some(&error.message),
        error.hint.as_ref(),
        error.code.as_ref(),
    ];
    for text in texts.into_iter().flatten() {
        assert!(text.len() <= 8 * 1024 + 64, "{} bytes of text", text.len());
        for secret in [CHAIN_SECRET, CALL_SECRET] {
            assert!(!text.contains(secret), "secret in {text:?}");
        }
    }
    assert!(error.retry_after.is_none_or(|w| w <= MAX_WAIT));
}
