#!/usr/bin/python3
"""Reference measurement (not a test): face-api's own AgeGenderNet on every
crop of ../shared/data/utkface-dev, whole 200x200 crop as input, face-api's
own preprocessing (it pads nothing, resizes 200 -> 112 with TF legacy bilinear).

JPEGs are decoded with OpenCV (face-api in Node takes tensors, not files),
handed to tools/ref/faceapi-age-gender.mjs as uint8 RGB batches, and scored
with tools/age_gender_metrics.py.

usage: tools/ref/faceapi-utkface.py [DATA_DIR] [--save-predictions FILE.tsv]
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import age_gender_metrics as metrics  # noqa: E402

BATCH = 256


def main(argv):
    repo = os.path.dirname(os.path.dirname(HERE))
    args = [a for a in argv[1:]]
    save = None
    if "--save-predictions" in args:
        i = args.index("--save-predictions")
        save = args[i + 1]
        del args[i:i + 2]
    data = args[0] if args else os.path.join(repo, "..", "shared", "data", "utkface-dev")
    files = sorted(glob.glob(os.path.join(data, "*.jpg")))
    if not files:
        sys.exit("faceapi-utkface: no .jpg in %s" % data)
    preds = []
    with tempfile.TemporaryDirectory() as tmp:
        batches = []
        for b in range(0, len(files), BATCH):
            imgs = []
            for f in files[b:b + BATCH]:
                bgr = cv2.imread(f, cv2.IMREAD_COLOR)
                if bgr is None or bgr.shape[:2] != (200, 200):
                    sys.exit("faceapi-utkface: %s is not a 200x200 image" % f)
                imgs.append(bgr[:, :, ::-1])
            path = os.path.join(tmp, "b%04d.npy" % (b // BATCH))
            np.save(path, np.ascontiguousarray(np.stack(imgs)))
            batches.append(path)
        out = subprocess.run(["node", os.path.join(HERE, "faceapi-age-gender.mjs")] + batches,
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        for line in out.splitlines():
            r = json.loads(line)
            preds.append((r["age"], r["p_male"]))
    if len(preds) != len(files):
        sys.exit("faceapi-utkface: %d predictions for %d files" % (len(preds), len(files)))
    rows = []
    for f, (age, p_male) in zip(files, preds):
        t_age, is_male = metrics.utkface_labels(f)
        rows.append((t_age, is_male, age, p_male))
    if save:
        with open(save, "w") as fh:
            fh.write("file\ttrue_age\ttrue_male\tage\tp_male\n")
            for f, (t_age, is_male, age, p_male) in zip(files, rows):
                fh.write("%s\t%d\t%d\t%.6f\t%.6f\n" % (os.path.basename(f), t_age, is_male, age, p_male))
    print(metrics.format_table("face-api 1.7.15 (TF.js CPU) on utkface-dev", metrics.score(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
