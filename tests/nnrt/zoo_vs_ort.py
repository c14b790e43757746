#!/usr/bin/python3
"""The op zoo (and the real models) through nnrt-run under every ISA the CPU
supports, against ONNX Runtime.

    zoo_vs_ort.py --src SRCROOT --work DIR --nnrt-run PATH [--only SUBSTR]

1. tools/gen-op-zoo.py writes the zoo into DIR/zoo;
2. models/blazeface-front-128.onnx, models/blazeface-back-256.onnx and
   models/age-gender.onnx are added when present (random inputs from a fixed
   seed; each one is skipped, with a line saying so, when absent);
3. tools/ort-run.mjs --batch computes the references (one thread, no graph
   rewrites);
4. nnrt-run runs each model with --isa scalar|sse4|avx2|avx512 (those the
   CPU or the build lacks are skipped: nnrt-run refuses them) with one
   thread, and once more with two threads on the best ISA for the models
   whose ops split work over the pool (Conv, Gemm, MatMul, pools, networks).
   Models made only of ops that never touch the kernel table (shape and
   data-movement ops, Resize, Softmax, LRN) run under scalar and the best
   ISA only: the other tables cannot change their result;
5. every output must have the reference's shape and
       max|nnrt - ort| <= 1e-4 * (1 + max|ort|)
   (real models: 2e-4, their sums are long).

Prints one line per model and exits 1 on any mismatch or failure, 77 (skip)
when Node or onnxruntime-node is not installed.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

ISAS = ["scalar", "sse4", "avx2", "avx512"]
THREADED = ("conv", "gemm", "matmul", "pool", "net_", "blazeface", "age-gender")
# ops whose run goes through the kernel table (directly or once fused)
KERNEL_OPS = {"Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "Add", "Sub", "Mul", "Div", "Relu",
              "LeakyRelu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "BatchNormalization"}
TOL_ZOO = 1e-4
TOL_REAL = 2e-4
REAL_MODELS = ["blazeface-front-128.onnx", "blazeface-back-256.onnx", "age-gender.onnx"]


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def node_modules(src):
    return os.path.abspath(os.environ.get("FACEATTR_NODE_MODULES") or os.path.join(src, ".cache", "node", "node_modules"))


def real_model_cases(src, work):
    """Random inputs for the product models that exist (free dims -> 1)."""
    import onnx

    cases = []
    rng = np.random.default_rng(7)
    for fname in REAL_MODELS:
        path = os.path.join(src, "models", fname)
        if not os.path.exists(path):
            print("SKIP %-40s (models/%s is absent)" % (fname, fname))
            continue
        m = onnx.load(path)
        init = {i.name for i in m.graph.initializer}
        d = os.path.join(work, "real", fname[:-5])
        os.makedirs(d, exist_ok=True)
        inputs = {}
        for vi in m.graph.input:
            if vi.name in init:
                continue
            dims = [x.dim_value if x.dim_value > 0 else 1 for x in vi.type.tensor_type.shape.dim]
            arr = rng.uniform(0.0, 1.0, size=dims).astype(np.float32)
            f = os.path.join(d, "in_%s.npy" % vi.name.replace("/", "_"))
            np.save(f, arr)
            inputs[vi.name] = f
        cases.append({"name": fname[:-5], "model": path, "inputs": inputs, "real": True})
    return cases


def load_outputs(d):
    out = {}
    if not os.path.isdir(d):
        return out
    for f in sorted(os.listdir(d)):
        if f.endswith(".npy"):
            out[f[:-4]] = np.load(os.path.join(d, f))
    return out


def run_nnrt(nnrt_run, case, isa, threads, outdir):
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    cmd = [nnrt_run, case["model"], "--isa", isa, "--threads", str(threads), "--output-dir", outdir]
    for k, f in case["inputs"].items():
        cmd += ["--input", "%s=%s" % (k, f)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    return p.returncode, (p.stderr or p.stdout).strip()


def compare(ref, got, tol):
    """Worst relative error over the outputs, or an error string."""
    worst = 0.0
    if set(ref) != set(got):
        return None, "outputs differ: ort %s, nnrt %s" % (sorted(ref), sorted(got))
    for k, r in ref.items():
        g = got[k]
        if tuple(r.shape) != tuple(g.shape):
            return None, "%s: shape ort %s, nnrt %s" % (k, r.shape, g.shape)
        r = r.astype(np.float64)
        g = g.astype(np.float64)
        if r.size == 0:
            continue
        if not np.all(np.isfinite(g) == np.isfinite(r)):
            return None, "%s: non-finite values differ" % k
        fin = np.isfinite(r)
        scale = 1.0 + (np.max(np.abs(r[fin])) if fin.any() else 0.0)
        err = np.max(np.abs(r[fin] - g[fin])) / scale if fin.any() else 0.0
        if err > tol:
            idx = np.unravel_index(np.argmax(np.abs(np.where(fin, r - g, 0))), r.shape)
            return None, "%s: max|diff|/(1+max|ref|) = %.3g > %.0e at %s (ort %.6g, nnrt %.6g)" % (
                k, err, tol, list(idx), r[idx], g[idx])
        worst = max(worst, err)
    return worst, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nnrt-run", required=True)
    ap.add_argument("--only", default=None, help="run the cases whose name contains this")
    a = ap.parse_args()

    node = shutil.which("node")
    if not node:
        skip("node is not installed")
    nm = node_modules(a.src)
    if not os.path.isdir(os.path.join(nm, "onnxruntime-node")):
        skip("onnxruntime-node is not installed in %s (the test setup installs it into <repo>/.cache/node with npm; or set FACEATTR_NODE_MODULES)" % nm)
    if not os.access(a.nnrt_run, os.X_OK):
        print("FAIL: nnrt-run not found at %s" % a.nnrt_run)
        return 1

    work = os.path.abspath(a.work)
    zoo = os.path.join(work, "zoo")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run(["/usr/bin/python3", os.path.join(a.src, "tools", "gen-op-zoo.py"), zoo], check=True)
    with open(os.path.join(zoo, "manifest.json")) as f:
        cases = json.load(f)
    cases += real_model_cases(a.src, work)
    if a.only:
        cases = [c for c in cases if a.only in c["name"]]

    jobs = [{"model": c["model"], "outdir": os.path.join(work, "ort", c["name"]), "inputs": c["inputs"]}
            for c in cases]
    with open(os.path.join(work, "ort-jobs.json"), "w") as f:
        json.dump(jobs, f)
    env = dict(os.environ, FACEATTR_NODE_MODULES=nm)
    p = subprocess.run([node, os.path.join(a.src, "tools", "ort-run.mjs"), "--batch",
                        os.path.join(work, "ort-jobs.json")], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        print("FAIL: ort-run.mjs failed: %s" % p.stderr.strip()[-2000:])
        return 1

    # ISAs: nnrt-run refuses the ones this CPU (or build) lacks.
    probe = cases[0]
    isas = []
    for isa in ISAS:
        rc, msg = run_nnrt(a.nnrt_run, probe, isa, 1, os.path.join(work, "probe"))
        if rc == 0:
            isas.append(isa)
        else:
            print("SKIP isa %s: %s" % (isa, msg.splitlines()[-1] if msg else "rc %d" % rc))
    if "scalar" not in isas:
        print("FAIL: nnrt-run cannot even run the scalar ISA")
        return 1
    runs = [(isa, 1) for isa in isas] + [(isas[-1], 2)]
    print("comparing %d models under %s (t2: threaded ops only); tolerance max|diff| <= %.0e*(1+max|ref|) (real models %.0e)" % (
        len(cases), ", ".join("%s/t%d" % r for r in runs), TOL_ZOO, TOL_REAL))

    failures = 0
    for c in cases:
        name = c["name"]
        refdir = os.path.join(work, "ort", name)
        if os.path.exists(os.path.join(refdir, "error.txt")):
            with open(os.path.join(refdir, "error.txt")) as f:
                print("FAIL %-44s ONNX Runtime refused the model: %s" % (name, f.read().strip()[:300]))
            failures += 1
            continue
        ref = load_outputs(refdir)
        tol = TOL_REAL if c.get("real") else TOL_ZOO
        errs = []
        problem = None
        for isa, th in runs:
            if th > 1 and not any(t in name for t in THREADED):
                continue
            uses_kernels = "ops" not in c or KERNEL_OPS & set(c["ops"])
            if not uses_kernels and isa not in (isas[0], isas[-1]):
                continue
            outdir = os.path.join(work, "nnrt", name, "%s-t%d" % (isa, th))
            rc, msg = run_nnrt(a.nnrt_run, c, isa, th, outdir)
            if rc != 0:
                problem = "%s/t%d: nnrt-run failed: %s" % (isa, th, msg[-400:])
                break
            err, why = compare(ref, load_outputs(outdir), tol)
            if why:
                problem = "%s/t%d: %s" % (isa, th, why)
                break
            errs.append(err)
        if problem:
            failures += 1
            print("FAIL %-44s %s" % (name, problem))
        else:
            print("ok   %-44s max rel err %.2e" % (name, max(errs)))
    print("%d of %d models match ONNX Runtime" % (len(cases) - failures, len(cases)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
