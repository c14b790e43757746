#!/usr/bin/python3
"""Runs the C and Python consumer examples against the contract mock element
and checks every path (probe, appsink, bus message) reports every frame with
the mock's two faces, field by field."""
import os
import re
import subprocess
import sys

FRAMES = 4
SOURCE = "videotestsrc num-buffers=%d ! video/x-raw,width=320,height=240" % FRAMES
FACES = [
    "  face x=80 y=60 w=64 h=48 confidence=0.90 age=31 group=25-32 gender=Male(0.80) id=7",
    "  face x=160 y=120 w=32 h=24 confidence=0.60 age=9 group=8-12 gender=Female(0.70) id=8",
]


def check(name, cmd, paths):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        print("%s: exit %d\n%s" % (name, out.returncode, out.stderr))
        return 1
    lines = out.stdout.splitlines()
    failures = 0
    for path in paths:
        heads = [i for i, line in enumerate(lines) if line.startswith(path + " ")]
        frames = [int(re.search(r"frame=(\d+)", lines[i]).group(1)) for i in heads]
        if frames != list(range(FRAMES)):
            print("%s: %s reported frames %s, expected 0..%d" % (name, path, frames, FRAMES - 1))
            failures += 1
        for i in heads:
            if not lines[i].endswith("faces=2") or lines[i + 1:i + 3] != FACES:
                print("%s: %s frame block differs:\n%s" % (name, path, "\n".join(lines[i:i + 3])))
                failures += 1
                break
    print("%s: %s" % (name, "ok" if failures == 0 else "FAILED"))
    return failures


def main():
    c_example, py_example = sys.argv[1], sys.argv[2]
    failures = check("read-results (C)", [c_example, "--element", "faceattrmock", SOURCE],
                     ["probe", "appsink", "message"])
    failures += check("read_results.py", ["/usr/bin/python3", py_example, "--element",
                                          "faceattrmock", SOURCE], ["appsink", "message"])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
