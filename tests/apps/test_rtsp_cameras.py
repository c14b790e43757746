#!/usr/bin/python3
"""faceattr-rtsp with two cameras in one process writing one file each
(--output DIR), and its refusals: a bad camera id, a missing element, no
camera. Uses the contract mock element (faceattrmock)."""
import json
import os
import subprocess
import sys
import tempfile

from apps_testlib import BUILD_ROOT, RtspServer

EXE = os.path.join(BUILD_ROOT, "pipelines", "faceattr-rtsp")


def main():
    failures = 0
    server = RtspServer("--mounts", "2", "--fps", "10", "--width", "320", "--height", "180")
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([EXE, "--element", "faceattrmock", "--protocols", "tcp",
                              "--duration", "6", "--output", out,
                              "door=" + server.url("/cam0"), "hall=" + server.url("/cam1")],
                             capture_output=True, text=True, timeout=60)
        server.stop()
        if run.returncode != 0:
            print("FAIL: exit %d\n%s" % (run.returncode, run.stderr))
            return 1
        for cam in ("door", "hall"):
            path = os.path.join(out, cam + ".jsonl")
            lines = open(path).read().splitlines() if os.path.exists(path) else []
            objs = [json.loads(line) for line in lines]
            ok = (len(objs) >= 10 and all(o["camera"] == cam and len(o["objects"]) == 2
                                           and o["resolution"] == {"width": 320, "height": 180}
                                           for o in objs))
            print("%s: %d lines in %s.jsonl %s" % (cam, len(objs), cam, "ok" if ok else "FAIL"))
            failures += not ok

    refusals = [
        (["--element", "faceattrmock", "bad/id=rtsp://127.0.0.1:1/x"], 2, "camera id"),
        (["--element", "no-such-element", "rtsp://127.0.0.1:1/x"], 1, "no-such-element"),
        ([], 2, "at least one camera"),
    ]
    for args, status, words in refusals:
        run = subprocess.run([EXE] + args, capture_output=True, text=True, timeout=30)
        ok = run.returncode == status and words in run.stderr
        print("refuses %s: %s" % (args, "ok" if ok else "FAIL (exit %d: %s)"
                                  % (run.returncode, run.stderr.strip())))
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
