#!/usr/bin/python3
"""RTSP end to end on loopback, over TCP and over UDP: a real RTSP server
serves a face photo as a live H.264 camera, and the documented client
pipeline

  rtspsrc protocols=P ! rtph264depay ! h264parse ! avdec_h264 ! videoconvert
    ! faceattr ! faceattrjson location=tcp://127.0.0.1:L (or udp://)

sends its JSON lines to a socket this test listens on. Checks: a line for
>= 95% of the frames the server sent, each valid JSON with the frame size,
and faces with age and gender in >= 90% of them."""
import json
import os
import socket
import subprocess
import sys
import threading

from apps_testlib import RtspServer, face_photo_dir, skip

FRAMES = 40
WIDTH, HEIGHT = 640, 360


class LineCollector(threading.Thread):
    """Receives faceattrjson's lines on a loopback TCP or UDP socket."""

    def __init__(self, kind):
        super().__init__(daemon=True)
        self.kind = kind
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp"
                                  else socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        if kind == "tcp":
            self.sock.listen(1)
        self.sock.settimeout(1.0)
        self.location = "%s://127.0.0.1:%d" % (kind, self.sock.getsockname()[1])
        self.lines = []
        self.done = threading.Event()

    def run(self):
        buf = b""
        conn = None
        while not self.done.is_set():
            try:
                if self.kind == "udp":
                    self.lines.append(self.sock.recv(65536).decode().rstrip("\n"))
                    continue
                if conn is None:
                    conn, _ = self.sock.accept()
                    conn.settimeout(1.0)
                data = conn.recv(65536)
                if not data:
                    conn = None
                    continue
                buf += data
                *complete, buf = buf.split(b"\n")
                self.lines.extend(line.decode() for line in complete)
            except socket.timeout:
                continue


def run_transport(protocol, photo):
    server = RtspServer("--source", photo, "--frames", str(FRAMES), "--fps", "10",
                        "--width", str(WIDTH), "--height", str(HEIGHT))
    collector = LineCollector(protocol)
    collector.start()
    pipeline = ("rtspsrc location=%s protocols=%s latency=200 ! rtph264depay ! h264parse ! "
                "avdec_h264 ! videoconvert ! faceattr ! faceattrjson location=%s ! fakesink"
                % (server.url(), protocol, collector.location))
    try:
        client = subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(),
                                capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        server.stop()
        print("%s: the client did not finish within 90 s" % protocol)
        return 1
    server_out = server.stop()
    collector.done.set()
    collector.join(timeout=3)
    if client.returncode != 0:
        print("%s: client failed (%d):\n%s" % (protocol, client.returncode, client.stderr))
        return 1

    sent = [int(line.split()[2]) for line in server_out.splitlines() if line.startswith("SENT ")]
    sent = max(sent) if sent else FRAMES
    lines = collector.lines
    frames = [json.loads(line) for line in lines]
    with_faces = [f for f in frames if any("age" in o and "gender" in o for o in f["objects"])]
    sizes = {(f["resolution"]["width"], f["resolution"]["height"]) for f in frames}
    print("%s: server sent %d frames; %d JSON lines received, %d with faces (age+gender)"
          % (protocol, sent, len(frames), len(with_faces)))
    failures = 0
    if len(frames) < 0.95 * sent:
        print("%s: FAIL: lines for fewer than 95%% of the frames sent" % protocol)
        failures += 1
    if len(with_faces) < 0.9 * len(frames) or not frames:
        print("%s: FAIL: faces found in fewer than 90%% of the frames" % protocol)
        failures += 1
    if sizes != {(WIDTH, HEIGHT)}:
        print("%s: FAIL: resolution %s, expected %dx%d" % (protocol, sizes, WIDTH, HEIGHT))
        failures += 1
    if frames:
        print("%s: first line: %s" % (protocol, lines[0][:300]))
    return failures


def main():
    photos = face_photo_dir()
    if photos is None:
        skip("face-api demo photos not found (.cache/node or /tmp/npm/fa); "
             "run tools/setup-node-deps")
    photo = os.path.join(photos, "sample1.jpg")
    failures = run_transport("tcp", photo) + run_transport("udp", photo)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
