#!/bin/sh
# valgrind memcheck over a small slice: nnrt-run on a real model, the core
# with two threads on one model set, and the element in a GstHarness (a few
# frames without timestamps). Any memory error or definitely lost block fails. gst.supp holds
# GLib/GStreamer's own one-time allocations.
#
#   valgrind-run.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1; build=$2
if [ -n "${FACEATTR_HARD_SANITIZED:-}" ] && [ "${FACEATTR_HARD_SANITIZED}" != none ]; then
  echo "SKIP: sanitizer build (valgrind cannot run ASan binaries)"
  exit 77
fi
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind not found"; exit 77; }
model=$src/models/blazeface-front-128.onnx
[ -f "$model" ] || { echo "SKIP: $model not found"; exit 77; }

# valgrind does not emulate AVX-512: nnrt's AVX2 kernels instead.
export NNRT_ISA=avx2
export G_SLICE=always-malloc G_DEBUG=gc-friendly HARD_WATCHDOG_SCALE=20
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --suppressions=$src/tests/hardening/gst.supp --num-callers=30"
status=0
run() { # label command...
  label=$1; shift
  echo "== valgrind: $label"
  # shellcheck disable=SC2086
  $vg "$@" >/dev/null 2>"$work/$label.log"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL: $label (exit $rc)"; cat "$work/$label.log" | head -n 80; status=1
  else
    echo "ok: $label (no error, nothing definitely lost)"
  fi
}
work=$build/tests/hardening/valgrind
mkdir -p "$work"
out=$work/out
mkdir -p "$out"
run nnrt-run "$build/nnrt/tools/nnrt-run" "$model" --output-dir "$out"
# one thread: valgrind runs threads one at a time, and nnrt's pool would
# only make it slower (the threaded path is TSan's job)
run core-threads "$build/tests/hardening/hard-core-threads" 1 1 1
run element-no-timestamps "$build/tests/hardening/hard-frames" no-timestamps
exit $status
