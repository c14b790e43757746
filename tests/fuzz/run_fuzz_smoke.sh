#!/bin/sh
# Runs a libFuzzer target for a short time on a seed corpus.
#   run_fuzz_smoke.sh FUZZER SECONDS WORKDIR SEED_FILE...
# Seeds that do not exist are ignored; the run is skipped (77) without any.
# New corpus entries go to WORKDIR/corpus; a crash fails the test and leaves
# its input in WORKDIR.
set -u
fuzzer=$1; seconds=$2; work=$3; shift 3
mkdir -p "$work/corpus" "$work/seeds" || exit 1
n=0
for s in "$@"; do
  if [ -f "$s" ]; then cp "$s" "$work/seeds/" && n=$((n + 1)); fi
done
if [ "$n" -eq 0 ]; then
  echo "SKIP: no seed files found ($*)"
  exit 77
fi
cd "$work" || exit 1
exec "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" corpus seeds
