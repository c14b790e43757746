#!/usr/bin/python3
"""faceattr-image on face-api's demo photos (MIT, from the npm package
fetched into .cache or /tmp/npm) finds the clearly visible faces where they
are, and an unreadable file fails with a message while the others go on.

usage: check-photos.py FACEATTR_IMAGE SOURCE_ROOT"""
import json
import os
import subprocess
import sys

tool, root = sys.argv[1], sys.argv[2]
candidates = [os.path.join(root, ".cache", "npm", "fa", "package", "demo"),
              os.path.join(root, ".cache", "node", "node_modules", "@vladmandic", "face-api", "demo"),
              "/tmp/npm/fa/package/demo"]
demo = next((d for d in candidates if os.path.exists(os.path.join(d, "sample1.jpg"))), None)
if not demo:
    print("SKIP: face-api demo photos not found in %s" % candidates)
    sys.exit(77)

# The three unoccluded frontal faces of sample1.jpg (1920x1280), centre and size.
EXPECTED = [(515, 500, 193), (1568, 344, 153), (948, 558, 179)]

photo = os.path.join(demo, "sample1.jpg")
p = subprocess.run([tool, "--json", photo, "/nonexistent/photo.jpg", photo],
                   capture_output=True, text=True)
failures = 0
if p.returncode == 0:
    print("FAIL: exit status 0 although a file was unreadable"); failures += 1
if "/nonexistent/photo.jpg" not in p.stderr:
    print("FAIL: no message naming the unreadable file: %r" % p.stderr); failures += 1
lines = [json.loads(l) for l in p.stdout.splitlines()]
if len(lines) != 2:
    print("FAIL: expected 2 JSON lines (the good photo twice), got %d" % len(lines)); failures += 1
for r in lines:
    if (r["width"], r["height"]) != (1920, 1280):
        print("FAIL: size %sx%s" % (r["width"], r["height"])); failures += 1
    for (cx, cy, s) in EXPECTED:
        hit = None
        for o in r["objects"]:
            b = o["detection"]["bounding_box"]
            ox, oy = (b["x_min"] + b["x_max"]) / 2 * 1920, (b["y_min"] + b["y_max"]) / 2 * 1280
            ow = (b["x_max"] - b["x_min"]) * 1920
            if abs(ox - cx) < 0.25 * s and abs(oy - cy) < 0.25 * s and 0.7 * s < ow < 1.4 * s:
                hit = o
        if not hit:
            print("FAIL: no face near (%d, %d) size %d" % (cx, cy, s)); failures += 1
        elif not (hit["detection"]["confidence"] >= 0.7 and "age" in hit and "gender" in hit):
            print("FAIL: face at (%d, %d): %s" % (cx, cy, hit)); failures += 1
        elif not (10 <= hit["age"]["value"] <= 60):
            print("FAIL: implausible age %s" % hit["age"]); failures += 1
print("photos: %d failure(s)" % failures)
sys.exit(1 if failures else 0)
