#!/usr/bin/env bash
# Fuzzes one target, or every target one after the other, with libFuzzer (nightly,
# cargo-fuzz), at the lowest priority and in one process at a time.
#
#   fuzz/run.sh TARGET|all SECONDS
#
# New inputs go to fuzz/cargo-fuzz/work/TARGET/ (not committed; copy the interesting
# ones to fuzz/corpus/TARGET/), crashing ones to fuzz/cargo-fuzz/artifacts/TARGET/. A
# crash does not end the run (libFuzzer's fork mode with -ignore_crashes): it is
# counted. One summary line per target goes to stdout and to
# fuzz/cargo-fuzz/work/summary.tsv (appended).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project="$here/cargo-fuzz"
all=(jsonrpc_decode call_prepare session_id param_headers cursor request_state uri_template
  rate_limit normalizers ruleset)
if [ $# -ne 2 ]; then
  echo "usage: $0 TARGET|all SECONDS (targets: ${all[*]})" >&2
  exit 2
fi
if [ "$1" = all ]; then targets=("${all[@]}"); else targets=("$1"); fi
seconds=$2
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$project/target}
nice -n 19 cargo +nightly fuzz build --fuzz-dir "$project" -O
mkdir -p "$project/work"
[ -f "$project/work/summary.tsv" ] || printf 'target\tseconds\texecs\texec/s\tcov\tft\tcorpus\tcrashes\n' >"$project/work/summary.tsv"
for t in "${targets[@]}"; do
  mkdir -p "$project/work/$t" "$project/artifacts/$t"
  log="$project/work/$t.log"
  before=$(find "$project/artifacts/$t" -type f | wc -l)
  # libFuzzer stops itself after max_total_time; timeout(1) is the backstop.
  timeout --kill-after=30 $((seconds + 120)) \
    nice -n 19 cargo +nightly fuzz run --fuzz-dir "$project" -O "$t" \
    "$project/work/$t" "$here/corpus/$t" -- \
    -max_total_time="$seconds" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -timeout=10 -rss_limit_mb=2048 -max_len=8192 >"$log" 2>&1 || true
  after=$(find "$project/artifacts/$t" -type f | wc -l)
  # Fork mode's status lines (exec/s there is the last job's; the table has the run's mean): "#N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: a/b/c time: Ts ..."
  line=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  if [ -z "$line" ]; then
    printf '%s\t%s\t?\t?\t?\t?\t?\t%s artifacts (no status line: see %s)\n' \
      "$t" "$seconds" $((after - before)) "$log" | tee -a "$project/work/summary.tsv"
    continue
  fi
  awk -v t="$t" -v s="$seconds" '
    { for (i = 1; i <= NF; i++) f[$i] = $(i + 1); n = $1; sub(/^#/, "", n); sub(/:$/, "", n)
      split(f["oom/timeout/crash:"], c, "/")
      secs = f["time:"]; sub(/s$/, "", secs)
      printf "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", t, s, n, n / (secs > 0 ? secs : 1), f["cov:"], f["ft:"], f["corp:"], c[3] + 0 }
  ' <<<"$line" | tee -a "$project/work/summary.tsv"
done
