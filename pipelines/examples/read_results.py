#!/usr/bin/python3
"""read_results.py: read faceattr's results from Python (python3-gi).

Two ways, using only GStreamer's public API and the documented contract
(README "Metadata"):

  1. the "faceattr" element message on the bus: per frame, its timestamps
     and the faces as a list of structures (x, y, w, h and the structures
     detection, age, gender, object_id);
  2. an appsink: each buffer carries one GstVideoRegionOfInterestMeta per
     face (roi_type "face") with the same four params structures (see
     faces_from_buffer for how Python reaches them).

Usage:
  read_results.py [--element NAME] [--json] SOURCE-PIPELINE
e.g.
  read_results.py "filesrc location=photo.jpg ! jpegdec ! imagefreeze num-buffers=1"

Prints, per frame, "appsink frame=N faces=K" and "message frame=N faces=K",
each followed by one line per face; --json prints one JSON object per
appsink frame instead.
"""
import argparse
import json
import sys
import warnings

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import GLib, Gst, GstApp, GstVideo  # noqa: E402,F401

FACE = "face"


def face_from_structures(x, y, w, h, get):
    """One face as a dict; `get(name)` returns a params structure or None."""
    face = {"x": x, "y": y, "w": w, "h": h}
    det = get("detection")
    if det is not None:
        ok, conf = det.get_double("confidence")
        face["confidence"] = conf if ok else None
        face["box"] = [det.get_double(k)[1] for k in ("x_min", "y_min", "x_max", "y_max")]
    age = get("age")
    if age is not None:
        face["age"] = age.get_double("value")[1]
        face["age_label"] = age.get_string("label")
        face["age_group"] = age.get_string("group")
    gender = get("gender")
    if gender is not None:
        face["gender"] = gender.get_string("label")
        face["gender_confidence"] = gender.get_double("confidence")[1]
    track = get("object_id")
    if track is not None:
        face["id"] = track.get_int("id")[1]
    return face


def faces_from_buffer(buf):
    """The faces attached to a buffer as region-of-interest metas.

    PyGObject cannot iterate a buffer's metas; it can only look a region meta
    up by its id. faceattr leaves the ids at GStreamer's default, 0, so on a
    copy of the buffer (the metas are copied with it) the example reads the
    meta with id 0 and renumbers it out of the way, until none is left; then
    it tries id 1, 2, ... for producers that number their regions."""
    work = buf.copy()
    faces = []
    meta_id = 0
    while True:
        found = False
        while True:
            roi = GstVideo.buffer_get_video_region_of_interest_meta_id(work, meta_id)
            if roi is None:
                break
            if GLib.quark_to_string(roi.roi_type) == FACE:
                faces.append(face_from_structures(roi.x, roi.y, roi.w, roi.h, roi.get_param))
            roi.id = -1  # seen (only the copy changes)
            found = True
        if not found:
            return faces
        meta_id += 1


def faces_from_message(structure):
    ok, faces_value = structure.get_list("faces")
    faces = []
    if not ok:
        return faces
    for i in range(faces_value.n_values):
        with warnings.catch_warnings():
            # GValueArray is deprecated in GLib, but it is what PyGObject
            # gives for a GstValueList.
            warnings.simplefilter("ignore", DeprecationWarning)
            fs = faces_value.get_nth(i)
        coords = [fs.get_uint(k)[1] for k in ("x", "y", "w", "h")]

        faces.append(face_from_structures(*coords, fs.get_value))
    return faces


def describe(face):
    return ("  face x=%d y=%d w=%d h=%d confidence=%.2f age=%s group=%s gender=%s(%.2f) id=%d"
            % (face["x"], face["y"], face["w"], face["h"], face.get("confidence") or -1,
               face.get("age_label", "?"), face.get("age_group", "?"),
               face.get("gender", "?"), face.get("gender_confidence", -1), face.get("id", 0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--element", default="faceattr")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("source")
    args = parser.parse_args()

    Gst.init(None)
    try:
        pipeline = Gst.parse_launch("%s ! videoconvert ! %s ! appsink name=sink sync=false"
                                    % (args.source, args.element))
    except GLib.Error as e:
        print("read_results: cannot build the pipeline: %s" % e.message, file=sys.stderr)
        return 1
    sink = pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    status = 0
    frames = messages = 0

    def on_message(msg):
        """Handles one bus message; returns False on EOS or error."""
        nonlocal messages, status
        if msg.type == Gst.MessageType.ELEMENT and msg.has_name("faceattr"):
            structure = msg.get_structure()
            faces = faces_from_message(structure)
            if not args.json:
                print("message frame=%d faces=%d" % (messages, len(faces)))
                for f in faces:
                    print(describe(f))
            messages += 1
        elif msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print("read_results: error from %s: %s (%s)" % (msg.src.get_name(), err.message, dbg),
                  file=sys.stderr)
            status = 1
            return False
        elif msg.type == Gst.MessageType.EOS:
            return False
        return True

    def on_sample(sample):
        nonlocal frames
        buf = sample.get_buffer()
        faces = faces_from_buffer(buf)
        if args.json:
            caps = sample.get_caps().get_structure(0)
            print(json.dumps({"timestamp": buf.pts, "frame": frames,
                              "resolution": {"width": caps.get_int("width")[1],
                                             "height": caps.get_int("height")[1]},
                              "objects": faces}))
        else:
            print("appsink frame=%d faces=%d" % (frames, len(faces)))
            for f in faces:
                print(describe(f))
        frames += 1

    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        print("read_results: the pipeline would not start", file=sys.stderr)
        status = 1
    running = status == 0
    while running:
        while running:
            msg = bus.pop()
            if msg is None:
                break
            running = on_message(msg)
        sample = sink.try_pull_sample(50 * Gst.MSECOND)
        if sample is not None:
            on_sample(sample)
        sys.stdout.flush()
    # Frames still queued in the appsink when EOS reached the bus.
    while status == 0:
        sample = sink.try_pull_sample(0)
        if sample is None:
            break
        on_sample(sample)
    pipeline.set_state(Gst.State.NULL)
    print("read_results: %d frames via appsink, %d messages" % (frames, messages), file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
