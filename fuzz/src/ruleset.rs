//! `ruleset`: a [`RuleSet`] of jq rules over arbitrary responses.

use mcp_errors::{NormalizerChain, RuleSet};

use crate::normalizers::{CALL_SECRET, CHAIN_SECRET, check};
use crate::upstream::response;

/// Rules that read every part of the input: fields, the whole body recursively,
/// the text, headers, arithmetic on the status.
const RULES: &str = r#"
[[rules]]
name = "acme"
provider = "Acme"
when = '.body.result == "failure"'
status = 'if .body.reason == "missing" then 404 else 400 end'
code = ".body.reason"
message = ".body.details[0].text"
retry_after = '.headers["retry-after"]'
needs_reauth = ".status == 401"

[[rules]]
name = "deep"
when = '(.body | type) == "array" and (.body | length) > 0'
message = '[.body | .. | strings] | join(" ")'
code = ".body | tostring"
hint = '[.body | .. | numbers] | add'
retry_after = ".body[0]"

[[rules]]
name = "object"
when = '(.body | type) == "object"'
message = '.body | to_entries | map(.key) | join(",")'
status = ".status + 1"
code = ".body.code"

[[rules]]
name = "text"
when = '.text != null and (.text | length) > 0'
message = ".text | ascii_downcase"
code = '.text | split(" ") | .[0]'
status = ".status"
"#;

thread_local! {
    static CHAIN: NormalizerChain = match RuleSet::from_toml(RULES) {
        Ok(rules) => NormalizerChain::new().with(rules).redact(CHAIN_SECRET),
        Err(e) => panic!("{e}"),
    };
}

/// `data` is an upstream response (see the crate's `upstream` module): the rules
/// run over it without panicking, and what they produce obeys the invariants of
/// every normalized error (the chain's and the response's secrets are redacted
/// from whatever a rule copies out of the body).
pub fn ruleset(data: &[u8]) {
    let upstream = response(data).with_secret(CALL_SECRET);
    if let Some(error) = CHAIN.with(|chain| chain.normalize(&upstream)) {
        check(&error);
    }
}
