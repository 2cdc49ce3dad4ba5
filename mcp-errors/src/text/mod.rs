//! Making upstream text safe and short for a model: stack traces dropped, secrets
//! and internal host names redacted, HTML reduced, length capped.

mod hosts;
mod html;
mod redact;
mod stack;

pub(crate) use html::{html_summary, looks_like_html};

/// The default cap on a message, in bytes.
pub(crate) const DEFAULT_MAX_LEN: usize = 8 * 1024;

const TRUNCATED: &str = " … [truncated]";

/// Cleans one piece of upstream text.
#[derive(Clone, Debug)]
pub(crate) struct Sanitizer {
    pub(crate) max_len: usize,
    pub(crate) secrets: Vec<String>,
}

impl Default for Sanitizer {
    fn default() -> Self {
        Self {
            max_len: DEFAULT_MAX_LEN,
            secrets: Vec::new(),
        }
    }
}

impl Sanitizer {
    /// Drops stack frames, redacts secrets (patterns, the configured ones and
    /// `extra`) and internal host names, collapses blank lines and caps the length.
    pub(crate) fn clean(&self, text: &str, extra: &[String]) -> String {
        // Bound the work: only a few times the cap is ever looked at.
        let text = prefix(text, self.max_len.saturating_mul(4).max(256));
        let mut text = stack::strip(text);
        for secret in self.secrets.iter().chain(extra) {
            if secret.len() >= 8 && text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), redact::REDACTED);
            }
        }
        let text = redact::redact(&text);
        let text = hosts::redact(&text);
        cap(collapse(&text), self.max_len)
    }
}

/// The longest prefix of `text` of at most `max` bytes, on a char boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Caps `text` at `max` bytes, marking the cut.
fn cap(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let keep = prefix(&text, max.saturating_sub(TRUNCATED.len()));
    let mut out = String::with_capacity(max);
    out.push_str(keep.trim_end());
    out.push_str(TRUNCATED);
    out
}

/// Trims lines, drops control characters and runs of blank lines.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.extend(
            line.chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .filter(|c| !c.is_control()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_on_a_char_boundary() {
        let s = Sanitizer {
            max_len: 40,
            secrets: Vec::new(),
        };
        let out = s.clean(&"é".repeat(100), &[]);
        assert!(out.len() <= 40, "{}", out.len());
        assert!(out.ends_with("[truncated]"));
    }

    #[test]
    fn collapses_blank_lines_and_controls() {
        assert_eq!(collapse("  a\u{7}b \n\n\n\tc\t\n"), "ab\n\nc");
    }

    #[test]
    fn redacts_known_secrets() {
        let s = Sanitizer::default();
        let out = s.clean(
            "echo: my-own-secret-value!",
            &["my-own-secret-value".into()],
        );
        assert_eq!(out, "echo: [REDACTED]!");
    }
}
