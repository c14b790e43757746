#!/usr/bin/python3
"""models/age-gender.onnx must reproduce face-api's own AgeGenderNet.

Face crops (fixed boxes) and whole photos from face-api's demo images are run
through face-api 1.7.15 in Node (TF.js CPU backend) and through the converted
ONNX model on the input made by tools/faceapi_preprocess.py. Checks:
  1. the Python preprocessing is bitwise equal to face-api's own network input
     (this is the formula models/README.md documents for the C face core);
  2. age within 0.05 years and P(male) within 1e-3 of face-api, for every
     available ONNX runner: OpenCV dnn (always), ONNX Runtime through
     tools/ort-run.mjs, and nnrt-run. A runner that is not available is
     reported and skipped; OpenCV alone is enough for the test to pass.

usage: age_gender_vs_faceapi.py REPO_ROOT [NNRT_RUN]
Exit 77 (skip) when the face-api package or the Node references are missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

AGE_TOL = 0.05
GENDER_TOL = 1e-3

# (image, x0, y0, x1, y1) in the original pixels; None = whole photo.
# Odd and even pad amounts, down- and up-scaling, and the no-resize 112 path.
CASES = [
    ("sample1.jpg", 400, 260, 661, 620),    # 261x360: odd pad, downscale
    ("sample1.jpg", 1440, 170, 1700, 470),  # 260x300: even pad
    ("sample3.jpg", 510, 290, 841, 640),
    ("sample3.jpg", 1040, 200, 1330, 520),
    ("sample3.jpg", 1050, 230, 1162, 342),  # exactly 112x112: no resize
    ("sample3.jpg", 1460, 250, 1720, 580),
    ("sample5.jpg", 320, 820, 590, 1180),
    ("sample5.jpg", 1400, 380, 1660, 700),
    ("sample5.jpg", 800, 180, 850, 244),    # 50x64: upscale
    ("sample2.jpg", None, None, None, None),  # 1920x1367: odd pad, whole photo
    ("sample6.jpg", None, None, None, None),
]


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def run_faceapi(repo, crops, tmp):
    files = []
    for i, crop in enumerate(crops):
        path = os.path.join(tmp, "crop%02d.npy" % i)
        np.save(path, crop)
        files.append(path)
    dump = os.path.join(tmp, "faceapi-input")
    out = subprocess.run(["node", os.path.join(repo, "tools/ref/faceapi-age-gender.mjs"),
                          "--dump-input", dump] + files,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if len(results) != len(crops):
        raise RuntimeError("face-api gave %d results for %d crops" % (len(results), len(crops)))
    inputs = [np.load(os.path.join(dump, "crop%02d_0.npy" % i)) for i in range(len(crops))]
    return [(r["age"], r["p_male"]) for r in results], inputs


def run_cv2(model, inputs):
    import cv2
    net = cv2.dnn.readNetFromONNX(model)
    out = []
    for x in inputs:
        net.setInput(x)
        age, gender = net.forward(["age", "gender"])
        out.append((float(age.ravel()[0]), float(gender.ravel()[0])))
    return out


def save_inputs(inputs, tmp):
    paths = []
    for i, x in enumerate(inputs):
        path = os.path.join(tmp, "input%02d.npy" % i)
        np.save(path, x)
        paths.append(path)
    return paths


def read_outputs(outdir):
    age = np.load(os.path.join(outdir, "age.npy"))
    gender = np.load(os.path.join(outdir, "gender.npy"))
    if age.shape != (1, 1) or gender.shape != (1, 2):
        raise RuntimeError("%s: outputs have shapes %s %s, want (1,1) (1,2)"
                           % (outdir, age.shape, gender.shape))
    return float(age[0, 0]), float(gender[0, 0])


def run_ort(repo, model, input_paths, tmp):
    """ONNX Runtime through the ops engineer's tools/ort-run.mjs (batch form)."""
    jobs = [{"model": model, "outdir": os.path.join(tmp, "ort%02d" % i), "inputs": {"image": p}}
            for i, p in enumerate(input_paths)]
    jobs_file = os.path.join(tmp, "ort-jobs.json")
    with open(jobs_file, "w") as f:
        json.dump(jobs, f)
    subprocess.run(["node", os.path.join(repo, "tools/ort-run.mjs"), "--batch", jobs_file],
                   check=True, stdout=subprocess.DEVNULL)
    return [read_outputs(j["outdir"]) for j in jobs]


def run_nnrt(nnrt_run, model, input_paths, tmp, isa):
    out = []
    for i, p in enumerate(input_paths):
        outdir = os.path.join(tmp, "nnrt-%s-%02d" % (isa, i))
        subprocess.run([nnrt_run, model, "--isa", isa, "--input", "image=" + p, "--output-dir", outdir],
                       check=True, stdout=subprocess.DEVNULL)
        out.append(read_outputs(outdir))
    return out


def compare(name, ref, got):
    worst_age = max(abs(a - b[0]) for (a, _), b in zip(ref, got))
    worst_p = max(abs(p - b[1]) for (_, p), b in zip(ref, got))
    ok = worst_age <= AGE_TOL and worst_p <= GENDER_TOL
    print("%-24s max |age diff| %.6f years, max |P(male) diff| %.3g  %s"
          % (name, worst_age, worst_p, "OK" if ok else "FAIL"))
    if not ok:
        for i, ((a, p), (b, q)) in enumerate(zip(ref, got)):
            print("   case %2d: face-api age %.4f P(male) %.5f | %s age %.4f P(male) %.5f"
                  % (i, a, p, name, b, q))
    return ok


def main(argv):
    repo = os.path.abspath(argv[1])
    nnrt_run = argv[2] if len(argv) > 2 else ""
    sys.path.insert(0, os.path.join(repo, "tools"))
    import cv2
    import faceapi_preprocess as fp

    demo = os.path.join(repo, ".cache/npm/face-api/package/demo")
    if not os.path.isfile(os.path.join(demo, "sample1.jpg")):
        skip("face-api package not unpacked in .cache/npm (run tools/fetch-model-packages)")
    if shutil.which("node") is None:
        skip("node not found")
    if not os.path.isdir(os.path.join(repo, ".cache/node/node_modules/@tensorflow/tfjs")):
        skip("TF.js not installed in .cache/node (run tools/setup-node-deps)")

    crops = []
    for name, x0, y0, x1, y1 in CASES:
        rgb = cv2.imread(os.path.join(demo, name), cv2.IMREAD_COLOR)[:, :, ::-1]
        if x0 is not None:
            rgb = rgb[y0:y1, x0:x1]
        crops.append(np.ascontiguousarray(rgb))

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ref, faceapi_inputs = run_faceapi(repo, crops, tmp)
        ours = [fp.faceapi_input_nchw(c) for c in crops]
        worst = max(float(np.abs(o[0].transpose(1, 2, 0) - f).max()) for o, f in zip(ours, faceapi_inputs))
        print("preprocessing vs face-api's own input: max abs diff %g  %s"
              % (worst, "OK" if worst == 0 else "FAIL"))
        ok &= worst == 0
        model = os.path.join(repo, "models/age-gender.onnx")
        ok &= compare("OpenCV dnn", ref, run_cv2(model, ours))
        paths = save_inputs(ours, tmp)
        if not os.path.isfile(os.path.join(repo, "tools/ort-run.mjs")):
            print("ONNX Runtime: not checked, tools/ort-run.mjs is missing")
        elif not os.path.isdir(os.path.join(repo, ".cache/node/node_modules/onnxruntime-node")):
            print("ONNX Runtime: not checked, onnxruntime-node missing (run tools/setup-node-deps)")
        else:
            ok &= compare("ONNX Runtime", ref, run_ort(repo, model, paths, tmp))
        if nnrt_run and os.access(nnrt_run, os.X_OK):
            # The best ISA of this CPU, and the scalar reference kernels.
            for isa in ("auto", "scalar"):
                try:
                    ok &= compare("nnrt-run --isa " + isa, ref, run_nnrt(nnrt_run, model, paths, tmp, isa))
                except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
                    print("nnrt-run --isa %s FAIL: %s" % (isa, e))
                    ok = False
        else:
            print("nnrt-run: not checked, %s is not built" % (nnrt_run or "nnrt-run"))
    for (age, p), (name, *box) in zip(ref, CASES):
        print("   face-api: %-11s %-24s age %6.2f  P(male) %.4f" % (name, box if box[0] is not None else "whole", age, p))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
