#!/usr/bin/env bash
# Soak test (not in CI): mixed traffic for MINUTES (default 15) against `hello_http`
# and `multi_tenant` (tokens in Redis), then a summary: RSS and open file
# descriptors of each server at the start, every minute and at the end, the
# traffic sent, and the panics in the servers' logs.
#
#   benches/soak/soak.sh [MINUTES]
#
# Needs redis-server and python3 on PATH. Builds the examples with the release
# profile (SOAK_PROFILE=dev for a quicker build; CARGO_TARGET_DIR is honoured). Logs and the driver's JSON go to
# $SOAK_DIR (default: a new directory under /tmp). Every process it starts is
# stopped by its PID on exit.
set -euo pipefail
minutes=${1:-15}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${SOAK_DIR:-$(mktemp -d /tmp/soak.XXXXXX)}
mkdir -p "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for_port() {
  for _ in $(seq 1 200); do
    if (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

profile=${SOAK_PROFILE:-release}
echo "== building the examples ($profile)"
(cd "$root" && nice cargo build --profile "$profile" -p examples --example hello_http --example multi_tenant)
dir=$profile
[ "$profile" = dev ] && dir=debug
bin="${CARGO_TARGET_DIR:-$root/target}/$dir/examples"

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$out/redis.log" 2>&1 &
pids+=($!)
wait_for_port "$redis_port"

hello_port=$(free_port)
RUST_LOG=warn "$bin/hello_http" --listen "127.0.0.1:$hello_port" >"$out/hello_http.log" 2>&1 &
hello_pid=$!
pids+=($hello_pid)

tenant_port=$(free_port)
admin_key=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
signing_key=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
MCP_ADMIN_KEY=$admin_key MCP_SIGNING_KEY=$signing_key RUST_LOG=warn \
  "$bin/multi_tenant" --listen "127.0.0.1:$tenant_port" --redis "redis://127.0.0.1:$redis_port" \
  >"$out/multi_tenant.log" 2>&1 &
tenant_pid=$!
pids+=($tenant_pid)
wait_for_port "$hello_port"
wait_for_port "$tenant_port"

# A per-account MCP URL from the management API.
tenant_url=$(python3 - "$tenant_port" "$admin_key" <<'PY'
import json, sys, urllib.request
port, key = sys.argv[1], sys.argv[2]
body = json.dumps({"name": "soak", "config": {}, "expires_at": None}).encode()
req = urllib.request.Request(f"http://127.0.0.1:{port}/integrated-account/acct_soak/mcp", body,
                             {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=10))["url"])
PY
)

echo "== $minutes min of traffic: hello_http (pid $hello_pid), multi_tenant (pid $tenant_pid), logs in $out"
python3 "$root/benches/soak/driver.py" "$minutes" \
  "hello_http=http://127.0.0.1:$hello_port/mcp:$hello_pid" \
  "multi_tenant=$tenant_url:$tenant_pid" >"$out/driver.json"

alive() { kill -0 "$1" 2>/dev/null && echo yes || echo "NO (exited)"; }
echo "== summary"
for name in hello_http multi_tenant; do
  pid=$hello_pid
  [ "$name" = multi_tenant ] && pid=$tenant_pid
  panics=$(grep -c "panicked" "$out/$name.log" || true)
  echo "$name: alive at the end: $(alive "$pid"); panics in its log: $panics"
done
python3 - "$out/driver.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for name, t in report["targets"].items():
    s = t["samples"]
    print(f"{name}: RSS KiB and open fds per sample (minute: rss/fds):")
    print("  " + ", ".join(f"{x['minute']}: {x['rss_kib']}/{x['fds']}" for x in s))
    first, last = s[0], s[-1]
    print(f"  start {first['rss_kib']} KiB / {first['fds']} fds -> end {last['rss_kib']} KiB / {last['fds']} fds")
    total = sum(t["requests"].values())
    print(f"  {total} exchanges:")
    for k, v in t["requests"].items():
        print(f"    {v:7d}  {k}")
PY
