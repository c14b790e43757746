#!/bin/sh
# Builds the libFuzzer targets in a clang ASan+UBSan build dir and runs each
# for a bounded time on its seeds; prints executions and coverage (cov: and
# ft: of libFuzzer's last line) per target. A crash fails the test and leaves
# the input in BUILD/work-TARGET/: copy it into tests/fuzz/corpus-TARGET/ so
# that the fuzz-replay-* tests keep replaying it.
#
#   fuzz-run.sh SOURCE_ROOT BUILD_DIR SECONDS_PER_TARGET
set -u
src=$1; build=$2; secs=$3

if [ -n "${FACEATTR_HARD_SANITIZED:-}" ] && [ "${FACEATTR_HARD_SANITIZED}" != none ]; then
  echo "SKIP: sanitizer build (the fuzz build is ASan+UBSan itself; run from the normal build)"
  exit 77
fi
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
  rm -rf "$probe"; echo "SKIP: clang has no libFuzzer (-fsanitize=fuzzer)"; exit 77
fi
rm -rf "$probe"

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$src" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dsanitize_simd_kernels=false >"$build.setup.log" 2>&1 ||
    { tail -n 30 "$build.setup.log"; echo "FAIL: meson setup of the fuzz build"; exit 1; }
fi
targets="fuzz_frame fuzz_onnx_reader fuzz_npy"
paths=""
for t in $targets; do paths="$paths tests/fuzz/$t"; done
# Only what the three targets link is built, and nnrt's SIMD kernel tables
# without sanitizers at -O3 (-Dsanitize_simd_kernels=false): the targets test
# the readers and the frame path, not the kernels (tests/kernels checks those
# against the scalar table, also under ASan), and clang+ASan spent minutes per
# SIMD file. The scalar table alone made fuzz_frame time out.
t0=$(date +%s)
# shellcheck disable=SC2086
ninja -C "$build" $paths >"$build.build.log" 2>&1 ||
  { tail -n 40 "$build.build.log"; echo "FAIL: building the fuzz targets"; exit 1; }
echo "fuzz build: $(($(date +%s) - t0)) s"

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fz=$src/tests/fuzz
failed=0
for t in $targets; do
  case $t in
    fuzz_frame) seeds="$fz/corpus-frame" ;;
    fuzz_onnx_reader) seeds="$fz/seeds $fz/corpus-onnx-reader" ;;
    fuzz_npy) seeds="$fz/seed_small.npy $fz/corpus-npy" ;;
  esac
  work=$build/work-$t
  mkdir -p "$work/corpus" "$work/seeds"
  for s in $seeds; do
    if [ -d "$s" ]; then cp "$s"/* "$work/seeds/" 2>/dev/null; elif [ -f "$s" ]; then cp "$s" "$work/seeds/"; fi
  done
  # the real models are good seeds for the reader (large: a few only)
  [ "$t" = fuzz_onnx_reader ] && cp "$src/models/blazeface-front-128.onnx" "$work/seeds/" 2>/dev/null
  log=$work/log.txt
  (cd "$work" && "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
     -print_final_stats=1 -artifact_prefix="$work/" corpus seeds) >"$log" 2>&1
  rc=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  echo "$t: rc=$rc execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} in ${secs}s (corpus $(ls "$work/corpus" | wc -l) files)"
  if [ $rc -ne 0 ]; then
    failed=1
    grep -E 'ERROR|SUMMARY|runtime error|abort|==[0-9]+==|Test unit written' "$log" | head -n 20
    ls "$work"/crash-* "$work"/timeout-* "$work"/oom-* 2>/dev/null
  fi
done
[ $failed -eq 0 ] && echo "fuzz: no crash" || echo "FAIL: a fuzz target crashed (inputs above)"
exit $failed
