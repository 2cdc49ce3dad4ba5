#!/usr/bin/env bash
# Runs the official MCP conformance suite (both protocol eras) against the
# `conformance` example. Needs: the example built (target/debug/examples/conformance),
# Node.js >= 22 as $NODE, and `npm ci` done in this folder.
# Usage: conformance/run.sh [results-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${1:-$here/results}"
node="${NODE:-node}"
cli="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
bin="$root/target/debug/examples/conformance"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$bin" --listen "127.0.0.1:$port" >"$out.server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

status=0
for version in 2025-11-25 2026-07-28; do
  echo "--- conformance suite, spec version $version"
  # A localhost URL: the DNS-rebinding scenario needs one.
  "$node" "$cli" server --url "http://localhost:$port/mcp" --suite all \
    --spec-version "$version" --expected-failures "$here/expected-failures-$version.yml" \
    -o "$out/$version" >"$out.$version.log" 2>&1 || status=1
  sed -n '/=== SUMMARY ===/,$p' "$out.$version.log"
done
exit "$status"
