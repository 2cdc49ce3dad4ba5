//! RFC 6570 level-1 URI templates (`test://items/{id}`): expansion values are
//! percent-encoded unreserved strings, so a variable never spans `/`, `?` or `#`,
//! and neither does its percent-decoded value (`..%2F..%2Fx` matches nothing).
//! Reserved expansion (`{+path}`), whose value may span `/`, is parsed but only
//! served when the server opts in
//! ([`ServerBuilder::reserved_template_expansion`](crate::ServerBuilder::reserved_template_expansion)).

use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// A variable; `true` for reserved expansion (`{+name}`), which may span `/`.
    Var(String, bool),
}

/// A parsed template.
#[derive(Clone, Debug)]
pub(crate) struct UriTemplate {
    parts: Vec<Part>,
}

impl UriTemplate {
    /// Parses a template; only simple `{name}` expressions are supported.
    pub(crate) fn parse(template: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err(format!("unclosed '{{' in URI template {template:?}"));
            };
            let expression = &rest[open + 1..open + close];
            let (name, reserved) = match expression.strip_prefix('+') {
                Some(name) => (name, true),
                None => (expression, false),
            };
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return Err(format!(
                    "URI template {template:?}: {{{expression}}} is not a simple variable (only RFC 6570 level 1 and {{+name}} are supported)"
                ));
            }
            if matches!(parts.last(), Some(Part::Var(..))) {
                return Err(format!(
                    "URI template {template:?}: two variables need a literal between them"
                ));
            }
            parts.push(Part::Var(name.to_owned(), reserved));
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("unmatched '}}' in URI template {template:?}"));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(Self { parts })
    }

    /// Whether it uses reserved expansion (`{+name}`), whose values may span `/`.
    pub(crate) fn has_reserved(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var(_, true)))
    }

    /// The variables of `uri` when it matches, percent-decoded. A value never
    /// holds `?`, `#`, `\\` or NUL, nor is (or, for `{+name}`, has a segment
    /// that is) `.` or `..`; only `{+name}` values may hold `/`. Checked on the
    /// decoded value.
    pub(crate) fn matches(&self, uri: &str) -> Option<HashMap<String, String>> {
        let mut vars = HashMap::new();
        let mut rest = uri;
        let mut i = 0;
        while i < self.parts.len() {
            match &self.parts[i] {
                Part::Literal(lit) => rest = rest.strip_prefix(lit.as_str())?,
                Part::Var(name, reserved) => {
                    // A variable ends at the next literal, or at the end of the URI.
                    let end = match self.parts.get(i + 1) {
                        Some(Part::Literal(next)) => rest.find(next.as_str())?,
                        _ => rest.len(),
                    };
                    let value = &rest[..end];
                    if value.is_empty() || value.contains(['?', '#']) {
                        return None;
                    }
                    let value = percent_decode(value)?;
                    if !acceptable(&value, *reserved) {
                        return None;
                    }
                    vars.insert(name.clone(), value);
                    rest = &rest[end..];
                }
            }
            i += 1;
        }
        rest.is_empty().then_some(vars)
    }
}

/// Whether a decoded variable value is safe to hand to a handler.
fn acceptable(value: &str, reserved: bool) -> bool {
    if value.is_empty() || value.contains(['?', '#', '\\', '\0']) {
        return false;
    }
    let dot_segment = |s: &str| s == "." || s == "..";
    if reserved {
        !value.split('/').any(dot_segment)
    } else {
        !value.contains('/') && !dot_segment(value)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_level_one_templates() {
        let t = UriTemplate::parse("test://template/{id}/data").unwrap();
        assert_eq!(t.matches("test://template/123/data").unwrap()["id"], "123");
        assert_eq!(
            t.matches("test://template/a%20b/data").unwrap()["id"],
            "a b"
        );
        assert!(t.matches("test://template//data").is_none());
        assert!(t.matches("test://template/1/2/data").is_none());
        assert!(t.matches("test://template/123/datax").is_none());
        assert!(t.matches("test://other/123/data").is_none());
        let t = UriTemplate::parse("crm://{kind}/{id}").unwrap();
        let v = t.matches("crm://contact/42").unwrap();
        assert_eq!((v["kind"].as_str(), v["id"].as_str()), ("contact", "42"));
        assert!(t.matches("crm://contact/42?x").is_none());
    }

    #[test]
    fn rejects_what_it_cannot_match() {
        for bad in [
            "a/{", "a/{+}", "a/{?q}", "a/{x}{y}", "a/}", "a/{}", "a/{#f}",
        ] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad}");
        }
        assert!(!UriTemplate::parse("a/{x}").unwrap().has_reserved());
        assert!(UriTemplate::parse("a/{+x}").unwrap().has_reserved());
    }

    #[test]
    fn decoded_values_never_carry_separators_or_dot_segments() {
        let t = UriTemplate::parse("test://template/{id}/data").unwrap();
        for bad in [
            "..%2F..%2Fx",
            "a%2Fb",
            "a%2fb",
            "a%3Fb",
            "a%23b",
            "a%00b",
            "a%5Cb",
            "..",
            "%2E%2E",
            ".",
            "a%2",
            "%FF",
        ] {
            let uri = format!("test://template/{bad}/data");
            assert!(t.matches(&uri).is_none(), "{uri}");
        }
        assert_eq!(
            t.matches("test://template/a..b/data").unwrap()["id"],
            "a..b"
        );
        let files = UriTemplate::parse("file:///{+path}").unwrap();
        assert_eq!(
            files.matches("file:///src/a%20b.rs").unwrap()["path"],
            "src/a b.rs"
        );
        for bad in [
            "../etc/passwd",
            "src/%2E%2E/x",
            "a/./b",
            "a?b",
            "a%3Fb",
            "a%00",
        ] {
            let uri = format!("file:///{bad}");
            assert!(files.matches(&uri).is_none(), "{uri}");
        }
    }
}
