#!/usr/bin/python3
"""models/README.md's provenance table must state the sha256 of every
committed models/*.onnx (and every .onnx must be in the table)."""
import glob
import hashlib
import os
import re
import sys

repo = os.path.abspath(sys.argv[1])
readme = open(os.path.join(repo, "models", "README.md"), encoding="utf-8").read()
stated = dict(re.findall(r"^\| `([\w.-]+\.onnx)` \|.*\| `([0-9a-f]{64})` \|$", readme, re.M))
ok = True
for path in sorted(glob.glob(os.path.join(repo, "models", "*.onnx"))):
    name = os.path.basename(path)
    actual = hashlib.sha256(open(path, "rb").read()).hexdigest()
    want = stated.pop(name, None)
    status = "OK" if want == actual else ("NOT IN README" if want is None else "README SAYS " + want)
    ok &= status == "OK"
    print("%-26s %s %s" % (name, actual, status))
for name in stated:
    print("%-26s listed in README but missing from models/" % name)
    ok = False
sys.exit(0 if ok else 1)
