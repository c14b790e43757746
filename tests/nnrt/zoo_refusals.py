#!/usr/bin/python3
"""Models nnrt must refuse (unsupported or invalid attribute values, shapes
that do not agree, computed shapes): nnrt-run must fail cleanly, not crash,
and its message must name the node and the attribute or cause.

    zoo_refusals.py --src SRCROOT --work DIR --nnrt-run PATH

The models come from tools/gen-op-zoo.py (OUTDIR/refusals.json). Needs
/usr/bin/python3 with onnx and numpy; skips (77) without onnx.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nnrt-run", required=True)
    a = ap.parse_args()
    try:
        import onnx  # noqa: F401  (the generator needs it)
    except ImportError:
        print("SKIP: the onnx Python module is not installed (python3-onnx)")
        return 77
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["/usr/bin/python3", os.path.join(a.src, "tools", "gen-op-zoo.py"), work], check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "refusals.json")) as f:
        cases = json.load(f)
    failures = 0
    for c in cases:
        cmd = [a.nnrt_run, c["model"], "--isa", "scalar", "--output-dir", os.path.join(work, "out")]
        for k, v in c["inputs"].items():
            cmd += ["--input", "%s=%s" % (k, v)]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        msg = (p.stderr or "").strip().splitlines()
        msg = msg[-1] if msg else ""
        if p.returncode == 0:
            why = "was accepted"
        elif p.returncode < 0 or p.returncode >= 128:
            why = "crashed (status %d)" % p.returncode
        elif c["node"] not in msg:
            why = "message does not name node %s" % c["node"]
        elif c["expect"].lower() not in msg.lower():
            why = "message lacks '%s'" % c["expect"]
        else:
            why = None
        if why:
            failures += 1
        print("%s %-36s %s%s" % ("FAIL" if why else "ok  ", c["name"], (why + ": ") if why else "", msg))
    print("%d of %d refusals as expected" % (len(cases) - failures, len(cases)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
