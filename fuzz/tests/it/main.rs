//! Replays every committed corpus file through its target: how CI covers fuzzing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Replays every file under `dir/<target>/` through its target: the files that
/// panicked.
fn replay(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut failed = Vec::new();
    for (name, target) in mcp_fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .filter_map(|entry| entry.ok())
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failed.push(file);
            }
        }
    }
    failed
}

#[test]
fn every_corpus_replays_without_a_crash() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, _) in mcp_fuzz::TARGETS {
        let files = std::fs::read_dir(root.join(name)).map_or(0, Iterator::count);
        assert!(files > 0, "{name}: empty corpus");
    }
    let failed = replay("corpus");
    assert!(failed.is_empty(), "crashed: {failed:#?}");
}

#[test]
fn empty_and_tiny_inputs() {
    for (_, target) in mcp_fuzz::TARGETS {
        for data in [&b""[..], b"\n", b"{", b"\0\0", b"\n\n\n"] {
            target(data);
        }
    }
}
