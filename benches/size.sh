#!/usr/bin/env bash
# Stripped release sizes of our servers, the rmcp server and the bare baselines, all
# built with the same profile: bash benches/size.sh [--profile NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${2:-release}
[ "${1:-}" = "--profile" ] || profile=release
cargo build --locked --profile "$profile" -p examples --example hello --example hello_http \
  -p benches --bin rmcp_server --bin bare_http --bin bare_stdio >&2
dir=${CARGO_TARGET_DIR:-target}/$profile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| binary | stripped bytes | MB |\n|---|---:|---:|\n'
for bin in examples/hello_http examples/hello rmcp_server bare_http bare_stdio; do
  cp "$dir/$bin" "$tmp/b"
  strip "$tmp/b"
  bytes=$(stat -c %s "$tmp/b")
  printf '| %s | %d | %.1f |\n' "$(basename "$bin")" "$bytes" "$(awk "BEGIN{print $bytes/1000000}")"
done
