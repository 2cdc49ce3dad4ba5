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
///
/// Linear in the page: every search starts where the previous one ended, and
/// the page is lowercased once.
pub(crate) fn html_summary(text: &str) -> Option<String> {
    let text = prefix(text, SCAN);
    let lower = text.to_ascii_lowercase();
    for tag in ["title", "h1", "h2"] {
        if let Some((start, end)) = element(&lower, tag) {
            let plain = squash(&decode(&strip_tags(&text[start..end], &lower[start..end])));
            if !plain.is_empty() {
                return Some(plain);
            }
        }
    }
    let at = find(&lower, "<body").unwrap_or(0);
    let plain = squash(&decode(&strip_tags(&text[at..], &lower[at..])));
    (!plain.is_empty()).then(|| super::prefix(&plain, 200).to_owned())
}

/// Where the inner text of the first `<tag ...>...</tag>` lies in `lower`.
fn element(lower: &str, tag: &str) -> Option<(usize, usize)> {
    let open = format!("<{tag}");
    let mut from = 0;
    loop {
        let at = from + find(&lower[from..], &open)?;
        let after = lower.as_bytes().get(at + open.len()).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            let start = at + find(&lower[at..], ">")? + 1;
            let end = start + find(&lower[start..], &format!("</{tag}"))?;
            return Some((start, end));
        }
        from = at + open.len();
    }
}

/// Drops tags, `<script>`/`<style>` contents and comments; `lower` is `html`
/// lowercased (the same offsets).
fn strip_tags(html: &str, lower: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut at = 0;
    while let Some(lt) = find(&lower[at..], "<") {
        let tag = at + lt;
        out.push_str(&html[at..tag]);
        out.push(' ');
        let tail = &lower[tag..];
        let skip_to = if tail.starts_with("<!--") {
            find(tail, "-->").map(|e| e + 3)
        } else if let Some(close) = ["script", "style"]
            .into_iter()
            .find(|name| tail[1..].starts_with(name))
        {
            let close = if close == "script" {
                "</script"
            } else {
                "</style"
            };
            find(tail, close).and_then(|e| find(&tail[e..], ">").map(|g| e + g + 1))
        } else {
            find(tail, ">").map(|g| g + 1)
        };
        match skip_to {
            Some(n) => at = tag + n,
            None => return out,
        }
    }
    out.push_str(&html[at..]);
    out
}

/// The longest character reference decoded (`&#x10FFFF;`).
const MAX_ENTITY: usize = 10;

/// Decodes the common named and numeric character references.
fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = find(rest, "&") {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        // Only the next few bytes can hold the `;` (searching the whole tail for
        // it made a page of `&`s quadratic).
        let window = super::prefix(tail, MAX_ENTITY + 1);
        let entity = find(window, ";").map(|e| &tail[1..e]);
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

/// `hay.find(needle)`, counting the bytes it looks at in tests.
fn find(hay: &str, needle: &str) -> Option<usize> {
    let found = hay.find(needle);
    #[cfg(test)]
    tests::SCANNED.with(|n| n.set(n.get() + found.map_or(hay.len(), |at| at + needle.len())));
    found
}

/// Collapses all whitespace to single spaces.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Bytes looked at by [`find`] on this thread.
        pub(super) static SCANNED: Cell<usize> = const { Cell::new(0) };
    }

    /// Pages that made the reducer quadratic (each `<script>` lowercased the rest
    /// of the page; each `&` searched the rest for `;`) or could: the work stays
    /// a small multiple of the page (`&` looks at most 11 bytes ahead for `;`).
    #[test]
    fn work_is_linear_in_the_page() {
        let n = 4000;
        let pages = [
            "<script></script>".repeat(n),
            "<style>x</style>".repeat(n),
            format!("<title>{}</title>", "&".repeat(16 * n)),
            format!("<p>{}", "&amp".repeat(4 * n)),
            "<h1 <h2 <title ".repeat(n),
            "<!-- x --><".repeat(n),
            format!("<html><body>{}</body></html>", "<b>x</b>".repeat(n)),
            "<".repeat(16 * n),
        ];
        for page in pages {
            SCANNED.with(|s| s.set(0));
            let _ = html_summary(&page);
            let scanned = SCANNED.with(Cell::get);
            let len = page.len().min(SCAN);
            assert!(
                scanned <= 16 * len,
                "{}: {scanned} bytes scanned for a page of {len}",
                &page[..24]
            );
        }
    }

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
