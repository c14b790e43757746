/* Crop preparation for AgeGenderNet: see fa-classify-crop.h. */
#include "fa-classify-crop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fa-internal.h"

/* Where BlazeFace (long-range model, the face on a canvas twice the chip's
 * size, as faces sit in frames) puts the eyes, nose tip and mouth centre on
 * UTKFace's aligned 200x200 chips, in chip units (0..1): the mean over the
 * 2,457 utkface-dev chips it found (tools/fit-chip-keypoints). Fitted on the
 * development set; the two halves of the set give positions within 0.004 of
 * each other, and a crop built from one half's fit scores the same on the
 * other half as the fit on all (MAE 4.562 vs 4.564, every 4th crop). */
static const float chip_keypoints[4][2] = {
    {0.2894f, 0.2956f}, /* FA_KP_RIGHT_EYE (image left) */
    {0.6888f, 0.2947f}, /* FA_KP_LEFT_EYE */
    {0.4859f, 0.5157f}, /* FA_KP_NOSE */
    {0.4873f, 0.7259f}, /* FA_KP_MOUTH */
};

/* Box prefilter taps per axis are at most this (faces over ~900 px). */
#define FA_CROP_MAX_TAPS 8

void fa_crop_geometry_default(fa_crop_geometry *g) {
  /* Box crop: on utkface-dev's tight crops the first-look BlazeFace box is
   * 0.751 of the chip side with its centre 0.043 chip sides above the
   * chip's, so this crop is about the chip. Measured (every 4th crop, mirror
   * on): expand 1.2 MAE 5.24, 1.33 4.80, 1.45 5.02, 1.5 (shift 0) 5.15. On
   * faces in frames the same rule crops 1.2 chip sides (mosaic-dev), which
   * is why the keypoint crop is the default. */
  g->expand = 1.33f;
  g->shift_y = 0.057f;
  g->scale = 1.f;
}

static int iclamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* The canonical positions, or the developer knob FACEATTR_CHIP_KEYPOINTS
 * ("x,y" for right eye, left eye, nose, mouth: 8 numbers) to measure a fit
 * on one half of the set against the other (tools/fit-chip-keypoints). */
static void canonical_keypoints(float kp[4][2]) {
  memcpy(kp, chip_keypoints, sizeof chip_keypoints);
  const char *env = getenv("FACEATTR_CHIP_KEYPOINTS");
  if (!env)
    return;
  float v[8];
  char *end;
  for (int i = 0; i < 8; i++, env = end + (*end == ',')) {
    v[i] = strtof(env, &end);
    if (end == env)
      return; /* malformed: keep the built-in positions */
  }
  memcpy(kp, v, sizeof v);
}

int fa_chip_transform(const fa_face *face, float scale, int side, double m[6]) {
  float chip_kp[4][2];
  canonical_keypoints(chip_kp);
  /* Least squares similarity frame -> chip (the direction measured in the
   * tuning scripts: it weighs the detector's keypoint jitter, not the
   * canonical positions' spread), then inverted. */
  double ms[2] = {0, 0}, md[2] = {0, 0};
  for (int i = 0; i < 4; i++)
    for (int c = 0; c < 2; c++) {
      ms[c] += 0.25 * face->keypoints[i][c];
      md[c] += 0.25 * chip_kp[i][c];
    }
  double ss = 0, sa = 0, sb = 0;
  for (int i = 0; i < 4; i++) {
    double sx = face->keypoints[i][0] - ms[0], sy = face->keypoints[i][1] - ms[1];
    double dx = chip_kp[i][0] - md[0], dy = chip_kp[i][1] - md[1];
    ss += sx * sx + sy * sy;
    sa += sx * dx + sy * dy;
    sb += sx * dy - sy * dx;
  }
  if (!(ss > 1e-6) || !isfinite(ss))
    return -1;
  double a = sa / ss, b = sb / ss; /* chip = [a -b; b a] frame + t */
  double det = a * a + b * b;
  if (!(det > 1e-12) || !isfinite(det))
    return -1;
  double tx = md[0] - (a * ms[0] - b * ms[1]), ty = md[1] - (b * ms[0] + a * ms[1]);
  /* Inverse: frame = [a b; -b a] (chip - t) / det. */
  double ia = a / det, ib = b / det;
  /* Output sample u reads chip position u * k + o: TF's legacy resize of the
   * chip (no half-pixel offset), scaled about the chip centre. */
  double k = scale / side, o = 0.5 * (1.0 - scale);
  /* frame = [ia ib; -ib ia] (q - t), q = (u k + o, v k + o) */
  m[0] = ia * k;
  m[1] = ib * k;
  m[3] = -ib * k;
  m[4] = ia * k;
  m[2] = ia * (o - tx) + ib * (o - ty);
  m[5] = -ib * (o - tx) + ia * (o - ty);
  return isfinite(m[2]) && isfinite(m[5]) ? 0 : -1;
}

static void prepare_box_crop(const fa_frame *f, const fa_face *face, const fa_crop_geometry *g,
                             fa_sample_target *t) {
  float size = face->w > face->h ? face->w : face->h;
  float side = g->expand * size;
  float cx = face->x + 0.5f * face->w;
  float cy = face->y + 0.5f * face->h + g->shift_y * face->h;
  int x0 = (int)lrintf(cx - 0.5f * side), y0 = (int)lrintf(cy - 0.5f * side);
  int s = (int)lrintf(side);
  if (s < 1)
    s = 1;
  int bx0 = iclamp(x0, 0, f->width - 1), by0 = iclamp(y0, 0, f->height - 1);
  int bx1 = iclamp(x0 + s, bx0 + 1, f->width), by1 = iclamp(y0 + s, by0 + 1, f->height);
  int bw = bx1 - bx0, bh = by1 - by0;
  /* padToSquare(isCenter): append round(diff / 2) (JavaScript rounds .5
   * up), prepend the rest, so the odd pixel goes to the bottom/right. */
  int diff = bw > bh ? bw - bh : bh - bw;
  int append = (int)floor(diff * 0.5 + 0.5);
  int prepend = diff - append;
  int px0 = bx0, py0 = by0, S = bw > bh ? bw : bh;
  if (bh > bw)
    px0 -= prepend;
  else
    py0 -= prepend;
  double k = (double)S / t->width;
  double m[6] = {k, 0., px0, 0., k, py0};
  t->valid_x0 = bx0;
  t->valid_y0 = by0;
  t->valid_x1 = bx1;
  t->valid_y1 = by1;
  t->clamp_x0 = px0;
  t->clamp_y0 = py0;
  t->clamp_x1 = px0 + S;
  t->clamp_y1 = py0 + S;
  fa_sample_affine(f, m, t);
}

int fa_prepare_crop(const fa_frame *f, const fa_face *face, const fa_crop_geometry *g,
                    int align, int mirror, fa_sample_target *t, fa_error *err) {
  t->mirror = mirror;
  for (int c = 0; c < 3; c++)
    t->fill[c] = 0.f;
  double m[6];
  if (!align || fa_chip_transform(face, g->scale, t->width, m) != 0) {
    prepare_box_crop(f, face, g, t);
    return 0;
  }
  t->valid_x0 = 0;
  t->valid_y0 = 0;
  t->valid_x1 = f->width;
  t->valid_y1 = f->height;
  t->clamp_x1 = t->clamp_x0 = 0; /* no clamp */
  t->clamp_y1 = t->clamp_y0 = 0;

  /* A face larger than the input aliases under plain bilinear sampling (it
   * reads 4 of the k x k source pixels behind each output sample): average
   * an n x n grid of bilinear samples spread over the footprint instead.
   * Measured on utkface-dev (every 4th crop): MAE 4.56 -> 4.50, age bias
   * +0.58 -> +0.08 years (face-api's own resize aliases too, and its
   * whole-crop figures gain the same from it). */
  double k = hypot(m[0], m[3]);
  int n = (int)ceil(k - 1e-3);
  if (n > FA_CROP_MAX_TAPS)
    n = FA_CROP_MAX_TAPS;
  if (n <= 1) {
    fa_sample_affine(f, m, t);
    return 0;
  }
  size_t count = (size_t)t->width * t->height * 3;
  float *acc = calloc(count, sizeof *acc);
  float *one = malloc(count * sizeof *one);
  if (!acc || !one) {
    free(acc);
    free(one);
    return fa_fail(err, "out of memory for the face crop (%zu floats)", count);
  }
  fa_sample_target sub = *t;
  sub.data = one;
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++) {
      double du = (i + 0.5) / n - 0.5, dv = (j + 0.5) / n - 0.5;
      double mm[6] = {m[0], m[1], m[2] + m[0] * du + m[1] * dv,
                      m[3], m[4], m[5] + m[3] * du + m[4] * dv};
      fa_sample_affine(f, mm, &sub);
      for (size_t q = 0; q < count; q++)
        acc[q] += one[q];
    }
  float inv = 1.f / (float)(n * n);
  for (size_t q = 0; q < count; q++)
    t->data[q] = acc[q] * inv;
  free(acc);
  free(one);
  return 0;
}
