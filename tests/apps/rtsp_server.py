#!/usr/bin/python3
"""A real RTSP server on 127.0.0.1 (gst-rtsp-server through python3-gi) that
serves a video as H.264 over RTP, for the apps tests and the RTSP benchmarks.

  rtsp_server.py [--port N] [--source FILE] [--frames N] [--fps F]
                 [--width W --height H] [--mounts K]

--source: a video file (decoded and re-encoded) or a still image (repeated).
--frames: frames per client session, then end of stream (0: endless, live).
--mounts: serve /cam0 .. /cam{K-1} (each client gets its own session).
Prints "PORT <n>" on stdout once listening (port 0 picks a free one),
"FIRST <mount> <unix-ns> <pts-ns>" when a session's first raw frame leaves
the source (for latency: frame k left at unix-ns + k frame durations), and
"SENT <mount> <frames>" when a session's media is torn down.
--shared: all clients of a mount share one encoder (benchmarks of many
clients, so the server's encoding does not grow with them).
"""
import argparse
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def launch_line(args):
    if args.source is None:
        src = "videotestsrc is-live=true pattern=ball"
        if args.frames:
            src = "videotestsrc is-live=true pattern=ball num-buffers=%d" % args.frames
    elif args.source.lower().endswith(IMAGE_SUFFIXES):
        # A still photo as a live camera: repeat it at the frame rate.
        src = ("filesrc location=\"%s\" ! decodebin ! videoconvert ! videoscale ! "
               "imagefreeze is-live=true%s" % (args.source,
                                               " num-buffers=%d" % args.frames if args.frames else ""))
    else:
        # A file played at its own pace (the RTSP server's sinks sync).
        src = "filesrc location=\"%s\" ! decodebin ! videoconvert ! videoscale ! videorate" % args.source
        if args.frames:
            src += " ! identity eos-after=%d" % (args.frames + 1)
    caps = "video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1" % (
        args.width, args.height, args.fps)
    # zerolatency: no B-frames or lookahead (a camera's encoder); a key frame
    # every second so that a reconnecting client starts within a second.
    return ("( %s ! videoconvert ! videoscale ! %s ! identity name=stamp ! "
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d bitrate=%d ! "
            "video/x-h264,profile=constrained-baseline ! "
            "rtph264pay name=pay0 pt=96 config-interval=1 )"
            % (src, caps, args.fps, args.bitrate))


class CountingFactory(GstRtspServer.RTSPMediaFactory):
    """Counts the frames each session's payloader sends."""

    def __init__(self, mount, launch, shared):
        super().__init__()
        self.mount = mount
        self.set_launch(launch)
        self.set_shared(shared)
        self.set_eos_shutdown(False)

    def do_configure(self, media):
        element = media.get_element()
        pay = element.get_by_name("pay0")
        counter = {"frames": 0}

        def on_buffer(pad, info):
            counter["frames"] += 1
            return Gst.PadProbeReturn.OK

        # Frames entering the payloader: one buffer per encoded frame.
        pay.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer)

        def on_first_raw(pad, info):
            print("FIRST %s %d %d" % (self.mount, time.time_ns(), info.get_buffer().pts),
                  flush=True)
            return Gst.PadProbeReturn.REMOVE

        stamp = element.get_by_name("stamp")
        stamp.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_first_raw)

        def report(*_):
            if counter.get("reported"):
                return
            counter["reported"] = True
            print("SENT %s %d" % (self.mount, counter["frames"]), flush=True)

        media.connect("unprepared", report)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--source")
    ap.add_argument("--frames", type=int, default=0)
    ap.add_argument("--fps", type=int, default=10)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--bitrate", type=int, default=1500, help="kbit/s")
    ap.add_argument("--mounts", type=int, default=1)
    ap.add_argument("--shared", action="store_true")
    args = ap.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    launch = launch_line(args)
    for i in range(args.mounts):
        mounts.add_factory("/cam%d" % i, CountingFactory("/cam%d" % i, launch, args.shared))
    if server.attach(None) == 0:
        print("rtsp_server: cannot listen on 127.0.0.1:%d" % args.port, file=sys.stderr)
        return 1
    print("PORT %d" % server.get_bound_port(), flush=True)

    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
