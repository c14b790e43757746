"""Shared pieces of the apps tests: the test RTSP server as a subprocess,
the face photos, free ports, skipping."""
import os
import socket
import subprocess
import sys
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("FACEATTR_SOURCE_ROOT", os.path.dirname(os.path.dirname(HERE)))
BUILD_ROOT = os.environ.get("FACEATTR_BUILD_ROOT", "")


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(SKIP)


def face_photo_dir():
    """face-api's demo photos (real faces), from the npm cache the test setup
    fills, or the unpacked tarball; None when neither is there."""
    candidates = [
        os.path.join(SOURCE_ROOT, ".cache/node/node_modules/@vladmandic/face-api/demo"),
        os.path.join(SOURCE_ROOT, ".cache/npm/face-api/package/demo"),
        "/tmp/npm/fa/package/demo",
    ]
    for d in candidates:
        if os.path.isfile(os.path.join(d, "sample1.jpg")):
            return d
    return None


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class RtspServer:
    """tests/apps/rtsp_server.py in a subprocess; .port once it listens."""

    def __init__(self, *args, port=0):
        cmd = ["/usr/bin/python3", os.path.join(HERE, "rtsp_server.py"), "--port", str(port)]
        self.proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError("the RTSP server did not start: %r" % line)
        self.port = int(line.split()[1])

    def url(self, mount="/cam0"):
        return "rtsp://127.0.0.1:%d%s" % (self.port, mount)

    def stop(self, kill=False):
        """Stops the server; returns what it printed after PORT."""
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out or ""


def wait_for(predicate, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
