#!/usr/bin/python3
"""faceattr on the face-api demo photos (MIT, from the npm package cache):
every JSON line holds the schema with the right types, and the faces are
where they are: each face OpenCV's Haar cascade finds (an independent
detector) is matched by a faceattr face. Skips (77) without the photos."""
import glob
import json
import os
import subprocess
import sys
import tempfile

import cv2

root = os.environ.get("FACEATTR_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
photos = sorted(glob.glob(os.path.join(root, ".cache/npm/face-api/package/demo/sample*.jpg")))
haar_xml = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
if not photos:
    print("SKIP: face-api demo photos not in .cache/npm (run tools/fetch-model-packages)")
    sys.exit(77)
if not os.path.exists(haar_xml):
    print("SKIP: opencv-data's Haar cascade is not installed")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_object(o, w, h, where):
    for k, t in (("x", int), ("y", int), ("w", int), ("h", int), ("id", int), ("roi_type", str)):
        check(isinstance(o.get(k), t), f"{where}: {k} is {type(o.get(k)).__name__}")
    check(o["roi_type"] == "face", f"{where}: roi_type")
    check(0 <= o["x"] and o["x"] + o["w"] <= w and 0 <= o["y"] and o["y"] + o["h"] <= h,
          f"{where}: box outside the frame")
    d = o.get("detection", {})
    bb = d.get("bounding_box", {})
    for k in ("x_min", "y_min", "x_max", "y_max"):
        check(is_num(bb.get(k)) and 0 <= bb[k] <= 1, f"{where}: detection.bounding_box.{k}")
    check(is_num(d.get("confidence")) and 0 <= d["confidence"] <= 1, f"{where}: confidence")
    check(d.get("label") == "face" and d.get("label_id") == 0, f"{where}: detection label")
    a = o.get("age", {})
    check(isinstance(a.get("label"), str) and a["label"].isdigit(), f"{where}: age.label")
    check(is_num(a.get("value")) and 0 <= a["value"] < 120, f"{where}: age.value")
    check(abs(round(a.get("value", -99)) - int(a.get("label", "0"))) <= 1, f"{where}: age label/value")
    check(a.get("group") in ("0-2", "4-6", "8-12", "15-20", "25-32", "38-43", "48-53", "60+"),
          f"{where}: age.group {a.get('group')}")
    g = o.get("gender", {})
    check(g.get("label") in ("Male", "Female"), f"{where}: gender.label")
    check(is_num(g.get("confidence")) and 0.5 <= g["confidence"] <= 1, f"{where}: gender.confidence")
    check(g.get("label_id") == (1 if g.get("label") == "Male" else 0), f"{where}: gender.label_id")


def iou(a, b):
    ax0, ay0, ax1, ay1 = a[0], a[1], a[0] + a[2], a[1] + a[3]
    bx0, by0, bx1, by1 = b[0], b[1], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0, min(ax1, bx1) - max(ax0, bx0)), max(0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    return inter / float(a[2] * a[3] + b[2] * b[3] - inter)


haar = cv2.CascadeClassifier(haar_xml)
eyes = cv2.CascadeClassifier(haar_xml.replace("frontalface_default", "eye"))


def reference_faces(gray, w, h):
    """Haar faces confirmed by an eye found in their upper half: the face
    cascade alone fires on window blinds and fabric."""
    out = []
    for (x, y, fw, fh) in haar.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=8,
                                               minSize=(max(60, min(w, h) // 15),) * 2):
        top = gray[y:y + fh // 2, x:x + fw]
        if len(eyes.detectMultiScale(top, 1.1, 5, minSize=(fw // 10, fw // 10))):
            out.append((int(x), int(y), int(fw), int(fh)))
    return out

matched = total = 0
with tempfile.TemporaryDirectory() as tmp:
    for photo in photos:
        out = os.path.join(tmp, "out.jsonl")
        cmd = ["gst-launch-1.0", "-q", "filesrc", f"location={photo}", "!", "jpegdec", "!",
               "videoconvert", "!", "video/x-raw,format=I420", "!", "imagefreeze", "num-buffers=2",
               "!", "faceattr", "threads=2", "!", "faceattrjson", f"location={out}", "!", "fakesink"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=100)
        check(r.returncode == 0, f"{photo}: gst-launch failed: {r.stderr.strip()[-300:]}")
        if r.returncode:
            continue
        lines = open(out).read().splitlines()
        check(len(lines) == 2, f"{photo}: {len(lines)} JSON lines for 2 frames")
        img = cv2.imread(photo)
        h, w = img.shape[:2]
        for i, line in enumerate(lines):
            j = json.loads(line)
            check(set(j) == {"timestamp", "frame", "resolution", "objects"}, f"{photo}: keys {set(j)}")
            check(j["frame"] == i and isinstance(j["timestamp"], int), f"{photo}: frame/timestamp")
            check(j["resolution"] == {"width": w, "height": h}, f"{photo}: resolution")
            for k, o in enumerate(j["objects"]):
                check_object(o, w, h, f"{os.path.basename(photo)} object {k}")
        objs = json.loads(lines[-1])["objects"]
        # the same faces keep their ids from one frame to the next
        ids0 = sorted(o["id"] for o in json.loads(lines[0])["objects"])
        check(ids0 == sorted(o["id"] for o in objs), f"{photo}: ids changed between frames")
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        refs = reference_faces(gray, w, h)
        for ref in refs:
            total += 1
            best = max((iou(tuple(ref), (o["x"], o["y"], o["w"], o["h"])) for o in objs), default=0)
            matched += best >= 0.3
        print(f"{os.path.basename(photo)}: {len(objs)} faces, Haar {len(refs)}")

print(f"Haar faces matched by faceattr: {matched}/{total}")
check(total > 0, "Haar found no faces at all")
check(matched >= 0.8 * total, f"only {matched}/{total} Haar faces matched")
sys.exit(1 if failures else 0)
