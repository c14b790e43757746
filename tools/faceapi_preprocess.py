"""face-api's AgeGenderNet input preprocessing, reproduced exactly in numpy.

face-api (NetInput.toBatchTensor(112, isCenterInputs=true) for a tensor input):
  1. padToSquare(img, isCenterImage=true): zero pixels are added on the short
     axis; with diff = |H - W|, Math.round(diff / 2) = ceil(diff / 2) go to the
     END (bottom or right) and floor(diff / 2) to the START (top or left).
  2. if the square side S != 112: tf.image.resizeBilinear(x, [112, 112],
     alignCorners=false, halfPixelCenters=false), i.e. TF's legacy bilinear:
       src = r * (S / 112)                   (no half-pixel offset)
       r0 = floor(src), r1 = min(S - 1, ceil(src)), fr = src - r0
     and the same for columns; per channel
       top = tl + (tr - tl) * fc ; bottom = bl + (br - bl) * fc
       out = top + (bottom - top) * fr
     computed in double by the TF.js CPU backend, stored as float32.
  3. (inside models/age-gender.onnx) (x - mean_rgb) / 255.

The module is imported by the tests and the measurement drivers; run it as a
script to convert an image file:  faceapi_preprocess.py IMAGE OUT.npy
"""
import sys

import numpy as np

INPUT_SIZE = 112


def pad_to_square(rgb):
    """HxWx3 -> SxSx3 float64, zero padding, odd pixel at the bottom/right."""
    h, w = rgb.shape[:2]
    side = max(h, w)
    diff = side - min(h, w)
    start = diff // 2  # face-api prepends diff - Math.round(diff / 2)
    out = np.zeros((side, side, rgb.shape[2]), np.float64)
    if h < w:
        out[start:start + h, :, :] = rgb
    else:
        out[:, start:start + w, :] = rgb
    return out


def _taps(old, new):
    ratio = old / new  # a double, as in JS
    src = ratio * np.arange(new, dtype=np.float64)
    lo = np.maximum(0, np.floor(src)).astype(np.int64)
    hi = np.minimum(old - 1, np.ceil(src)).astype(np.int64)
    return lo, hi, src - lo


def resize_bilinear_legacy(img, size):
    """TF legacy bilinear resize (align_corners=False, half_pixel_centers=False)."""
    r0, r1, fr = _taps(img.shape[0], size)
    c0, c1, fc = _taps(img.shape[1], size)
    fc = fc[None, :, None]
    fr = fr[:, None, None]
    tl = img[r0][:, c0]
    tr = img[r0][:, c1]
    bl = img[r1][:, c0]
    br = img[r1][:, c1]
    top = tl + (tr - tl) * fc
    bottom = bl + (br - bl) * fc
    return top + (bottom - top) * fr


def faceapi_input_hwc(rgb):
    """uint8 HxWx3 RGB -> float32 112x112x3, face-api's network input before normalisation."""
    square = pad_to_square(np.asarray(rgb))
    if square.shape[0] != INPUT_SIZE:
        square = resize_bilinear_legacy(square, INPUT_SIZE)
    return square.astype(np.float32)


def faceapi_input_nchw(rgb):
    """uint8 HxWx3 RGB -> float32 [1, 3, 112, 112], the input of models/age-gender.onnx."""
    return np.ascontiguousarray(faceapi_input_hwc(rgb).transpose(2, 0, 1)[None])


if __name__ == "__main__":
    import cv2
    if len(sys.argv) != 3:
        sys.exit("usage: faceapi_preprocess.py IMAGE OUT.npy")
    bgr = cv2.imread(sys.argv[1], cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit("faceapi_preprocess: cannot read %s" % sys.argv[1])
    np.save(sys.argv[2], faceapi_input_nchw(bgr[:, :, ::-1]))
