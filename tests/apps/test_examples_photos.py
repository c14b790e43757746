#!/usr/bin/python3
"""The C and Python examples on real photos with faces (face-api's demo
photos) through the real faceattr: every path (probe, appsink, message)
must report the same faces, C and Python must agree, and every face must
carry a plausible age, an Adience group and a gender."""
import os
import re
import subprocess
import sys

from apps_testlib import face_photo_dir, skip

GROUPS = {"0-2", "4-6", "8-12", "15-20", "25-32", "38-43", "48-53", "60+"}
FACE = re.compile(r"  face x=\d+ y=\d+ w=\d+ h=\d+ confidence=(\S+) age=(\d+) group=(\S+) "
                  r"gender=(Male|Female)\((\S+)\) id=\d+$")


def blocks(stdout):
    """{path: [face lines of frame 0]}"""
    out, current = {}, None
    for line in stdout.splitlines():
        if line.startswith("  face "):
            if current is not None:
                out[current].append(line)
        else:
            path, frame = line.split()[0], re.search(r"frame=(\d+)", line)
            current = path if frame and frame.group(1) == "0" else None
            if current is not None:
                out[current] = []
    return out


def main():
    c_example, py_example = sys.argv[1], sys.argv[2]
    photos = face_photo_dir()
    if photos is None:
        skip("face-api demo photos not found (.cache/node or /tmp/npm/fa); run tools/setup-node-deps")
    failures = 0
    for name in ("sample1.jpg", "sample2.jpg"):
        source = "filesrc location=%s ! jpegdec ! imagefreeze num-buffers=1" % os.path.join(photos, name)
        c = subprocess.run([c_example, source], capture_output=True, text=True, timeout=60)
        py = subprocess.run(["/usr/bin/python3", py_example, source], capture_output=True,
                            text=True, timeout=60)
        if c.returncode or py.returncode:
            print("%s: example failed:\n%s\n%s" % (name, c.stderr, py.stderr))
            failures += 1
            continue
        cb, pb = blocks(c.stdout), blocks(py.stdout)
        faces = cb.get("message", [])
        reports = {"C " + k: v for k, v in cb.items()}
        reports.update({"Python " + k: v for k, v in pb.items()})
        print("%s: %d faces; paths: %s" % (name, len(faces), ", ".join(sorted(reports))))
        for line in faces:
            print(line)
        if sorted(reports) != ["C appsink", "C message", "C probe", "Python appsink",
                               "Python message"]:
            print("%s: FAIL: a path reported nothing" % name)
            failures += 1
        if any(v != faces for v in reports.values()):
            print("%s: FAIL: the paths disagree:\n%s" % (name, reports))
            failures += 1
        if not faces:
            print("%s: FAIL: no face found in a photo of faces" % name)
            failures += 1
        for line in faces:
            m = FACE.match(line)
            if not m or not (0 < float(m.group(1)) <= 1 and 1 <= int(m.group(2)) <= 100
                             and m.group(3) in GROUPS and 0.5 <= float(m.group(5)) <= 1):
                print("%s: FAIL: implausible face: %s" % (name, line))
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
