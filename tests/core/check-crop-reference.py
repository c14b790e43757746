#!/usr/bin/python3
"""The core's AgeGenderNet crop (no alignment) must equal face-api's
preprocessing computed independently by tools/faceapi_preprocess.py (numpy,
bitwise equal to TF.js) on the same pixels: clip the crop to the image, pad
to a square (odd pixel bottom/right), TF legacy bilinear resize to 112.

usage: check-crop-reference.py DUMP_CROP_EXE SOURCE_ROOT"""
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("SKIP: numpy is not available")
    sys.exit(77)

exe, root = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, "tools"))
try:
    import faceapi_preprocess as ref
except ImportError as e:
    print("SKIP: tools/faceapi_preprocess.py not importable: %s" % e)
    sys.exit(77)

# (image W, H, box x, y, w, h, expand): inside, clipped on each side,
# non-square after clipping (padding both ways), up- and downscaled, exact 112.
CASES = [
    (200, 150, 40.3, 30.2, 90, 90, 1.0),
    (200, 150, 60, 20, 100, 110, 1.3),
    (97, 61, 10, 5, 40, 40, 1.2),
    (300, 200, -20.4, 50, 90, 90, 1.0),
    (300, 200, 240, -15, 80, 80, 1.1),
    (300, 200, 100, 150, 81, 81, 1.0),
    (130, 130, 9, 9, 112, 112, 1.0),
    (640, 480, 200, 100, 260, 250, 1.5),
]

failures = 0
for (w, h, x, y, bw, bh, expand) in CASES:
    out = subprocess.run([exe, str(w), str(h), str(x), str(y), str(bw), str(bh), str(expand)],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    bx0, by0, bx1, by1 = map(int, out[0].split())
    got = np.array([float(v) for v in out[1:] if v], np.float32).reshape(112, 112, 3)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([(xx * 7 + yy * 3) % 256, (xx * xx + 5 * yy) % 256, (xx * yy) % 256],
                   axis=-1).astype(np.uint8)
    want = ref.faceapi_input_hwc(img[by0:by1, bx0:bx1])
    d = float(np.abs(got - want).max())
    ok = d < 2e-3
    failures += not ok
    print("%s case %s crop [%d,%d)-[%d,%d) max |diff| %.6f" %
          ("ok  " if ok else "FAIL", (w, h, x, y, bw, bh, expand), bx0, by0, bx1, by1, d))
sys.exit(1 if failures else 0)
