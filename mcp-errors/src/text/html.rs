//! Reducing an HTML error page to its title or first heading.

use std::borrow::Cow;

use super::prefix;

/// How much of a page is searched for a title or heading.
const SCAN: usize = 64 * 1024;

/// Whether a body is an HTML document.
pub(crate) fn looks_like_html(content_type: Option<&str>, text: &str) -> bool {
    if content_type.is_some_and(|ct| ct.contains("html")) {
        return true;
    }
    let head = prefix(text.trim_start(), 64).to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head")
}

/// The page's `<title>`, else its first `<h1>`/`<h2>`, else the start of its text.
pub(crate) fn html_summary(text: &str) -> Option<String> {
    let text = prefix(text, SCAN);
    let lower = text.to_ascii_lowercase();
    for tag in ["title", "h1", "h2"] {
        if let Some(inner) = element(text, &lower, tag) {
            let plain = squash(&decode(&strip_tags(inner)));
            if !plain.is_empty() {
                return Some(plain);
            }
        }
    }
    let body = match lower.find("<body") {
        Some(at) => &text[at..],
        None => text,
    };
    let plain = squash(&decode(&strip_tags(body)));
    (!plain.is_empty()).then(|| super::prefix(&plain, 200).to_owned())
}

/// The inner text of the first `<tag ...>...</tag>`.
fn element<'a>(text: &'a str, lower: &str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}");
    let mut from = 0;
    loop {
        let at = from + lower[from..].find(&open)?;
        let after = lower.as_bytes().get(at + open.len()).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            let start = at + lower[at..].find('>')? + 1;
            let end = start + lower[start..].find(&format!("</{tag}"))?;
            return Some(&text[start..end]);
        }
        from = at + open.len();
    }
}

/// Drops tags, `<script>`/`<style>` contents and comments.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let tail = &rest[lt..];
        let lower_head = prefix(tail, 16).to_ascii_lowercase();
        let skip_to = if lower_head.starts_with("<!--") {
            tail.find("-->").map(|e| e + 3)
        } else if lower_head.starts_with("<script") || lower_head.starts_with("<style") {
            let close = if lower_head.starts_with("<script") {
                "</script"
            } else {
                "</style"
            };
            tail.to_ascii_lowercase()
                .find(close)
                .and_then(|e| tail[e..].find('>').map(|g| e + g + 1))
        } else {
            tail.find('>').map(|g| g + 1)
        };
        match skip_to {
            Some(n) => rest = &tail[n..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the common named and numeric character references.
fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let entity = tail.find(';').filter(|&e| e <= 10).map(|e| &tail[1..e]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ => e
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (decoded, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &tail[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Collapses all whitespace to single spaces.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_title_then_heading_then_text() {
        let page = "<!DOCTYPE html><html><head><TITLE>502 Bad &amp; Gateway</TITLE></head></html>";
        assert_eq!(html_summary(page).as_deref(), Some("502 Bad & Gateway"));
        let page =
            "<html><body><h1 class=x>Service <b>Unavailable</b></h1><pre>trace</pre></body></html>";
        assert_eq!(html_summary(page).as_deref(), Some("Service Unavailable"));
        let page =
            "<html><body><script>var x='<h1>';</script><p>Oops &#8212; down</p></body></html>";
        assert_eq!(html_summary(page).as_deref(), Some("Oops — down"));
        assert!(looks_like_html(None, "  <!doctype HTML><p>x"));
        assert!(!looks_like_html(Some("text/plain"), "hello"));
    }
}
