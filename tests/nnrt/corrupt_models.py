#!/usr/bin/env python3
"""Feeds corrupted copies of the real models to nnrt-run.

    corrupt_models.py NNRT_RUN MODEL [MODEL...]

Each model gets truncated copies (every one must fail with a message) and
bit-flipped copies (each must fail with a message or run; a flip inside weight
bytes legitimately runs). Nothing may crash: a signal, a sanitizer report or a
failure without a message fails the test. The mutations come from a fixed seed,
so a failure reproduces. Exits 77 (skip) when no model file is present.
"""
import os
import random
import subprocess
import sys
import tempfile

MUTATIONS = int(os.environ.get("NNRT_MUTATIONS", "200"))
TIMEOUT_S = 30


def run(nnrt_run, path):
    p = subprocess.run([nnrt_run, path], capture_output=True, text=True, errors="replace", timeout=TIMEOUT_S)
    return p.returncode, p.stderr


def check(nnrt_run, data, label, must_fail, tmpdir):
    path = os.path.join(tmpdir, "mutant.onnx")
    with open(path, "wb") as f:
        f.write(data)
    try:
        rc, err = run(nnrt_run, path)
    except subprocess.TimeoutExpired:
        return f"{label}: timed out after {TIMEOUT_S} s", None
    if rc < 0:
        return f"{label}: killed by signal {-rc}", rc
    if "Sanitizer" in err or "runtime error" in err:
        return f"{label}: sanitizer report:\n{err[:2000]}", rc
    if rc != 0 and "nnrt-run: " not in err:
        return f"{label}: exit {rc} without a message (stderr: {err[:300]!r})", rc
    if must_fail and rc == 0:
        return f"{label}: a truncated file loaded and ran", rc
    return None, rc


def main():
    nnrt_run, models = sys.argv[1], [m for m in sys.argv[2:] if os.path.exists(m)]
    if not models:
        print("SKIP: none of the model files exist:", " ".join(sys.argv[2:]))
        return 77
    problems, counts = [], {"fail": 0, "ok": 0}
    with tempfile.TemporaryDirectory() as tmpdir:
        for model in models:
            data = open(model, "rb").read()
            rng = random.Random(f"nnrt-corrupt-{os.path.basename(model)}")
            name = os.path.basename(model)
            for i in range(MUTATIONS):
                if i % 2 == 0:
                    cut = rng.randrange(0, len(data))
                    if i < 8:
                        cut = [0, 1, 2, 7, 16, len(data) - 1, len(data) - 2, len(data) // 2][i]
                    mutant, label, must_fail = data[:cut], f"{name} truncated to {cut} bytes", True
                else:
                    buf = bytearray(data)
                    # Half the flips hit the first 4 KiB, where structure (not weights) lives.
                    span = 4096 if rng.random() < 0.5 else len(buf)
                    flips = []
                    for _ in range(rng.randint(1, 4)):
                        pos, bit = rng.randrange(min(span, len(buf))), rng.randrange(8)
                        buf[pos] ^= 1 << bit
                        flips.append(f"{pos}:{bit}")
                    mutant, label, must_fail = bytes(buf), f"{name} with bits flipped at {','.join(flips)}", False
                problem, rc = check(nnrt_run, mutant, label, must_fail, tmpdir)
                if problem:
                    problems.append(problem)
                counts["ok" if rc == 0 else "fail"] += 1
    for p in problems:
        print("FAIL:", p)
    print(f"{len(models)} model(s), {MUTATIONS} mutations each: {counts['fail']} refused with a message, "
          f"{counts['ok']} ran (flips in weights), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
