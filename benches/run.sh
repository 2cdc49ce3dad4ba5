#!/usr/bin/env bash
# The end-to-end comparison in one command: builds our servers, the bare baselines and
# the rmcp server in release, then runs `compare` with the same arguments.
#   bash benches/run.sh            # full run (~10 min on 2 cores)
#   bash benches/run.sh --quick    # short pass
#   bash benches/run.sh --help     # every knob (durations, connections, parts)
# Needs wrk and valgrind (Debian packages); redis-server is optional.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk valgrind; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y $tool" >&2; exit 1; }
done
cargo build --release --locked -p examples --example hello --example hello_http
cargo build --release --locked -p benches --bins
target_dir=${CARGO_TARGET_DIR:-target}
label="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD -- mcp-* examples benches 2>/dev/null || label="$label, uncommitted changes"
# compare copies the binaries it measures into its work directory first.
exec "$target_dir/release/compare" --bin-dir "$target_dir/release" --label "$label" "$@"
