/* The sampler's axis-aligned fast path (fa-frame-sample-rows.c) must give
 * exactly what the general path gives, for every pixel format, with mirror,
 * clamping, valid windows, fill, both layouts, down- and upsampling and
 * rectangles partly or wholly outside the frame. And it must really be taken
 * for those warps, and refuse rotated ones. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fa-frame-sample.h"
#include "../core/test-core-util.h"

static uint32_t rng = 12345u;
static uint32_t next(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 8;
}
static float frand(float lo, float hi) { return lo + (hi - lo) * (float)(next() % 100000) / 1e5f; }

typedef struct owned {
  fa_frame f;
  uint8_t *mem[3];
} owned;

/* Random bytes in every plane (noise is the hardest case for equality). */
static void make_frame(fa_pixel_format fmt, int w, int h, owned *o) {
  memset(o, 0, sizeof *o);
  o->f.format = fmt;
  o->f.width = w;
  o->f.height = h;
  static const int bpp[FA_FMT_I420] = {3, 3, 4, 4, 4, 4, 4, 4, 4, 4};
  int n_planes = fmt == FA_FMT_I420 ? 3 : fmt == FA_FMT_NV12 ? 2 : 1;
  for (int p = 0; p < n_planes; p++) {
    int pw, ph;
    if (p == 0) {
      pw = fmt < FA_FMT_I420 ? w * bpp[fmt] : w;
      ph = h;
    } else {
      pw = fmt == FA_FMT_NV12 ? (w + 1) / 2 * 2 : (w + 1) / 2;
      ph = (h + 1) / 2;
    }
    int stride = pw + 7; /* padded */
    o->mem[p] = malloc((size_t)stride * ph);
    for (int i = 0; i < stride * ph; i++)
      o->mem[p][i] = (uint8_t)next();
    o->f.planes[p] = o->mem[p];
    o->f.strides[p] = stride;
  }
}

static void free_frame(owned *o) {
  for (int p = 0; p < 3; p++)
    free(o->mem[p]);
}

static void one_case(const fa_frame *f, int tw, int th, int k, float *a, float *b) {
  fa_sample_target t;
  fa_sample_target_init(&t, a, tw, th);
  t.layout = (k & 1) ? FA_LAYOUT_CHW : FA_LAYOUT_HWC;
  t.mirror = (k >> 1) & 1;
  for (int c = 0; c < 3; c++) {
    t.scale[c] = frand(0.001f, 0.02f);
    t.offset[c] = frand(-1.f, 1.f);
    t.fill[c] = frand(0.f, 255.f);
  }
  if ((k >> 2) & 1) { /* a valid window and clamping, as face crops use */
    t.valid_x0 = (int)(next() % (unsigned)f->width);
    t.valid_y0 = (int)(next() % (unsigned)f->height);
    t.valid_x1 = t.valid_x0 + 1 + (int)(next() % (unsigned)f->width);
    t.valid_y1 = t.valid_y0 + 1 + (int)(next() % (unsigned)f->height);
    t.clamp_x0 = t.valid_x0 - 3;
    t.clamp_y0 = t.valid_y0 - 2;
    t.clamp_x1 = t.valid_x1 + 2;
    t.clamp_y1 = t.valid_y1 + 4;
  }
  /* Rectangles from well inside to mostly outside the frame, down- and
   * upsampling; sometimes an integer grid (weights exactly 0). */
  float rw = frand(0.1f, 2.f) * (float)f->width, rh = frand(0.1f, 2.f) * (float)f->height;
  float rx = frand(-0.6f, 0.9f) * (float)f->width, ry = frand(-0.6f, 0.9f) * (float)f->height;
  if ((k >> 3) & 1) {
    rx = (float)(int)rx;
    ry = (float)(int)ry;
    rw = (float)tw;
    rh = (float)th;
  }
  double sx = (double)rw / tw, sy = (double)rh / th;
  double m[6] = {sx, 0., rx + 0.5 * sx - 0.5, 0., sy, ry + 0.5 * sy - 0.5};
  size_t n = (size_t)tw * th * 3;
  memset(a, 0xFF, n * sizeof *a); /* NaN: an unwritten sample shows */
  memset(b, 0xFF, n * sizeof *b);
  CHECK(fa_sample_axis_aligned(f, m, &t) == 1, "fast path not taken");
  t.data = b;
  fa_sample_affine_general(f, m, &t);
  size_t bad = 0;
  for (size_t i = 0; i < n; i++)
    bad += memcmp(&a[i], &b[i], sizeof *a) != 0;
  CHECK(bad == 0, "format %d %dx%d -> %dx%d case %d: %zu of %zu values differ", (int)f->format,
        f->width, f->height, tw, th, k, bad, n);
}

int main(void) {
  static float a[256 * 256 * 3], b[256 * 256 * 3];
  static const int sizes[][2] = {{1, 1}, {2, 3}, {37, 23}, {161, 97}, {640, 360}};
  for (int fmt = 0; fmt < FA_FMT_COUNT; fmt++)
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      owned o;
      make_frame((fa_pixel_format)fmt, sizes[s][0], sizes[s][1], &o);
      CHECK(fa_frame_is_valid(&o.f), "frame valid");
      for (int k = 0; k < 16; k++) {
        int tw = 1 + (int)(next() % 256), th = 1 + (int)(next() % 256);
        if (k == 15)
          tw = th = 256; /* the long-range detector's input */
        one_case(&o.f, tw, th, k, a, b);
      }
      free_frame(&o);
    }
  /* A rotated warp is not the fast path's. */
  owned o;
  make_frame(FA_FMT_RGB, 16, 16, &o);
  fa_sample_target t;
  fa_sample_target_init(&t, a, 8, 8);
  const double rot[6] = {0.9, -0.3, 4., 0.3, 0.9, 1.5};
  CHECK(fa_sample_axis_aligned(&o.f, rot, &t) == 0, "rotated warp refused");
  free_frame(&o);
  return test_result("sample-fast-path");
}
