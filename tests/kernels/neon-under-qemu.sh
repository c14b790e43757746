#!/bin/sh
# Cross-builds just the kernel test for aarch64 (NEON table) and runs it under
# qemu-aarch64. Usage: neon-under-qemu.sh SOURCE_ROOT BUILD_DIR [rounds]
# Exits 77 (meson's skip) when the cross compiler or qemu is missing.
set -u
src=$1
build=$2
rounds=${3:-150}

for tool in aarch64-linux-gnu-gcc qemu-aarch64; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "skip: $tool not found (apt-get install gcc-aarch64-linux-gnu qemu-user)"
    exit 77
  fi
done
if [ ! -d /usr/aarch64-linux-gnu/lib ]; then
  echo "skip: no arm64 sysroot in /usr/aarch64-linux-gnu (apt-get install libc6-dev-arm64-cross)"
  exit 77
fi

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$src" --cross-file "$src/tests/kernels/cross-aarch64.ini" \
    -Dplugin=false -Dbuildtype=debugoptimized >"$build.setup.log" 2>&1 || {
    cat "$build.setup.log"
    echo "error: cross setup failed"
    exit 1
  }
fi
# Only the kernel test: the rest of the tree is not needed here.
ninja -C "$build" tests/kernels/test_kernels || exit 1
exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$build/tests/kernels/test_kernels" 20260401 "$rounds"
