/* Crop preparation for AgeGenderNet: see fa-classify-crop.h. */
#include <math.h>

#include "fa-classify-crop.h"

void fa_crop_geometry_default(fa_crop_geometry *g) {
  /* On utkface-dev the BlazeFace box is 0.751 of the chip side with its
   * centre 0.043 chip sides above the chip's (tools/eval-utkface), so this
   * crop is about the UTKFace chip the network's reference accuracy is
   * quoted on. Measured (every 4th crop, align off, mirror on): expand 1.2
   * MAE 5.24, 1.33 4.80, 1.45 5.02, 1.5 (shift 0) 5.15. */
  g->expand = 1.33f;
  g->shift_y = 0.057f;
}

static int iclamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

void fa_prepare_crop(const fa_frame *f, const fa_face *face, const fa_crop_geometry *g,
                     int align, int mirror, fa_sample_target *t) {
  float size = face->w > face->h ? face->w : face->h;
  float side = g->expand * size;
  float cx = face->x + 0.5f * face->w;
  float cy = face->y + 0.5f * face->h + g->shift_y * face->h;
  t->mirror = mirror;
  for (int c = 0; c < 3; c++)
    t->fill[c] = 0.f;
  const float out = (float)t->width;

  if (!align) {
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
    double k = (double)S / out;
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
    return;
  }

  /* Rotation that levels the eyes: right eye (image left) to left eye. */
  float dx = face->keypoints[FA_KP_LEFT_EYE][0] - face->keypoints[FA_KP_RIGHT_EYE][0];
  float dy = face->keypoints[FA_KP_LEFT_EYE][1] - face->keypoints[FA_KP_RIGHT_EYE][1];
  float ang = (dx == 0.f && dy == 0.f) ? 0.f : atan2f(dy, dx);
  double co = cos(ang), si = sin(ang);
  double k = side / out;
  /* src = centre + R * (dst * k - side / 2): with no rotation this is the
   * legacy rule over the square starting at centre - side / 2. */
  double h = 0.5 * side;
  double m[6] = {co * k, -si * k, cx - co * h + si * h, si * k, co * k, cy - si * h - co * h};
  t->valid_x0 = 0;
  t->valid_y0 = 0;
  t->valid_x1 = f->width;
  t->valid_y1 = f->height;
  t->clamp_x1 = t->clamp_x0 = 0; /* no clamp */
  t->clamp_y1 = t->clamp_y0 = 0;
  fa_sample_affine(f, m, t);
}
