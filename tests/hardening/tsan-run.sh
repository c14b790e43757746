#!/bin/sh
# Builds the thread tests and the plugin with ThreadSanitizer in a build dir
# of their own and runs them: 8 threads sharing one model set through the
# core (everything instrumented), then 8 pipelines in one process sharing
# the cached models through the element. GLib and GStreamer themselves are
# not instrumented and GMutex is a futex, invisible to TSan: hard-load links
# tsan-glib-locks.c, which makes GLib's locks (as called from GStreamer and
# the plugin) and its quark table visible, so no stack through GLib or
# GStreamer needs suppressing (tsan.supp).
#
#   tsan-run.sh SOURCE_ROOT BUILD_DIR
set -u
src=$1; build=$2
if [ -n "${FACEATTR_HARD_SANITIZED:-}" ] && [ "${FACEATTR_HARD_SANITIZED}" != none ]; then
  echo "SKIP: sanitizer build (TSan cannot be combined with ASan; run from the normal build)"
  exit 77
fi
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$src" -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized \
    >"$build.setup.log" 2>&1 ||
    { tail -n 30 "$build.setup.log"; echo "FAIL: meson setup of the TSan build"; exit 1; }
fi
ninja -C "$build" tests/hardening/hard-core-threads tests/hardening/hard-load \
  plugin/gst/libgstfaceattr.so >"$build.build.log" 2>&1 ||
  { tail -n 40 "$build.build.log"; echo "FAIL: building the TSan targets"; exit 1; }

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$src/tests/hardening/tsan.supp"
# GSlice hands memory from thread to thread through its own (unseen) locks:
# plain malloc/free instead, which TSan intercepts.
export G_SLICE=always-malloc
# In-process registry scan: the (uninstrumented) plugin scanner cannot load a
# TSan plugin ("cannot allocate memory in static TLS block"). Only the
# plugins the pipelines use are scanned: loading every installed plugin in
# this process ran third-party constructors under TSan (libOpenNI2, pulled in
# by gst-plugins-bad's openni2, unlocks a mutex from another thread at load).
sysplugins=$(pkg-config --variable=pluginsdir gstreamer-1.0 2>/dev/null)
[ -n "$sysplugins" ] || sysplugins=/usr/lib/$(gcc -print-multiarch 2>/dev/null)/gstreamer-1.0
plugins=$build/tsan-plugins
rm -rf "$plugins"; mkdir -p "$plugins"
for p in coreelements videotestsrc app; do
  [ -f "$sysplugins/libgst$p.so" ] || { echo "SKIP: GStreamer plugin $p not found in $sysplugins"; exit 77; }
  ln -s "$sysplugins/libgst$p.so" "$plugins/"
done
rm -f "$build/tsan-registry.bin"
export GST_PLUGIN_SYSTEM_PATH_1_0="$plugins" GST_PLUGIN_PATH="$build/plugin/gst"
export GST_REGISTRY="$build/tsan-registry.bin" GST_REGISTRY_FORK=no
status=0
"$build/tests/hardening/hard-core-threads" 8 2 || status=1
"$build/tests/hardening/hard-load" parallel 8 20
rc=$?
if [ $rc -eq 77 ] && [ $status -eq 0 ]; then exit 77; fi
[ $rc -eq 0 ] || status=1
[ $status -eq 0 ] && echo "tsan: no data race reported"
exit $status
