//! Dropping stack traces and source paths from upstream text.

/// File extensions of source code whose paths mark a stack frame.
const SOURCE_EXTS: &[&str] = &[
    "java", "py", "rb", "go", "js", "mjs", "ts", "php", "cs", "rs", "scala", "kt", "ex", "exs",
    "c", "cc", "cpp", "h", "jsp", "aspx", "cls", "groovy", "erl", "pl",
];

/// Removes stack frames, traceback headers and source file paths.
pub(super) fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_py_frame = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indented = trimmed.len() < line.len();
        if after_py_frame && indented {
            after_py_frame = false;
            continue;
        }
        after_py_frame = trimmed.starts_with("File \"");
        if after_py_frame || is_frame(trimmed) {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        push_without_paths(&mut out, line);
    }
    out
}

fn is_frame(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    if lower.starts_with("traceback (most recent call last)")
        || lower.starts_with("stack trace:")
        || lower.starts_with("stacktrace:")
        || lower.starts_with("stack backtrace:")
        || lower.starts_with("backtrace:")
        || (lower.starts_with("goroutine ") && lower.ends_with(':'))
        || (lower.starts_with("...") && lower.ends_with("more"))
    {
        return true;
    }
    if let Some(rest) = line.strip_prefix("at ") {
        // Java/JS/.NET/Rust frames: `at com.x.Y(Y.java:10)`, `at f (/app/x.js:1:2)`.
        return has_call(rest) || has_line_number(rest);
    }
    if let Some(rest) = lower.strip_prefix('#') {
        // PHP frames: `#0 /var/www/app.php(12): f()`.
        return rest.starts_with(|c: char| c.is_ascii_digit());
    }
    // Numbered Rust backtrace lines: `  3: core::panicking::panic`.
    if let Some((n, rest)) = lower.split_once(": ")
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && rest.contains("::")
    {
        return true;
    }
    false
}

/// `name(`: a call, as in a frame (`Foo.bar(`), not prose (`required (name)`).
fn has_call(text: &str) -> bool {
    let b = text.as_bytes();
    (1..b.len()).any(|i| b[i] == b'(' && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'>'))
}

/// `:12`: a source line number.
fn has_line_number(text: &str) -> bool {
    let b = text.as_bytes();
    (1..b.len()).any(|i| b[i - 1] == b':' && b[i].is_ascii_digit())
}

/// Copies `line`, replacing words that are source file paths with `[path]`.
fn push_without_paths(out: &mut String, line: &str) {
    let mut first = true;
    for word in line.split(' ') {
        if !first {
            out.push(' ');
        }
        first = false;
        if is_source_path(word) {
            out.push_str("[path]");
        } else {
            out.push_str(word);
        }
    }
}

fn is_source_path(word: &str) -> bool {
    if !(word.contains('/') || word.contains('\\')) {
        return false;
    }
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    let base = word.rsplit(['/', '\\']).next().unwrap_or_default();
    let Some((_, ext)) = base.rsplit_once('.') else {
        return false;
    };
    let ext = ext
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    SOURCE_EXTS.contains(&ext.as_str())
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn drops_java_python_php_frames() {
        let java = "java.lang.NullPointerException: boom\n\tat com.acme.Foo.bar(Foo.java:12)\n\t... 3 more";
        assert_eq!(strip(java), "java.lang.NullPointerException: boom");
        let py = "Traceback (most recent call last):\n  File \"/srv/app.py\", line 3, in <module>\n    main()\nValueError: bad id";
        assert_eq!(strip(py), "ValueError: bad id");
        let php = "Fatal error in /var/www/html/index.php:12\n#0 /var/www/x.php(3): f()";
        assert_eq!(strip(php), "Fatal error in [path]");
    }

    #[test]
    fn keeps_ordinary_text() {
        assert_eq!(
            strip("Record 12 at noon: not found"),
            "Record 12 at noon: not found"
        );
        assert_eq!(
            strip("see /v1/records for details"),
            "see /v1/records for details"
        );
        let prose = "at least one field is required (name)";
        assert_eq!(strip(prose), prose);
        assert_eq!(strip("  at Object.<anonymous> (/app/x.js:1:2)"), "");
    }
}
