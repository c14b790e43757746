/* Bilinear sampling of a frame into an RGB float tensor, colour converted per
 * sample. See fa-frame-sample.h. */
#include "fa-frame-sample.h"

#include <math.h>
#include <string.h>

/* Byte offsets of R, G, B and the pixel size of the packed formats. */
typedef struct packed_layout {
  int r, g, b, bytes;
} packed_layout;

static const packed_layout packed_layouts[FA_FMT_I420] = {
    [FA_FMT_RGB] = {0, 1, 2, 3},  [FA_FMT_BGR] = {2, 1, 0, 3},  [FA_FMT_RGBX] = {0, 1, 2, 4},
    [FA_FMT_BGRX] = {2, 1, 0, 4}, [FA_FMT_XRGB] = {1, 2, 3, 4}, [FA_FMT_XBGR] = {3, 2, 1, 4},
    [FA_FMT_RGBA] = {0, 1, 2, 4}, [FA_FMT_BGRA] = {2, 1, 0, 4}, [FA_FMT_ARGB] = {1, 2, 3, 4},
    [FA_FMT_ABGR] = {3, 2, 1, 4},
};

static inline float clamp255(float v) { return v < 0.f ? 0.f : (v > 255.f ? 255.f : v); }

/* BT.601 limited range ("studio swing"), what video decoders produce. */
static inline void yuv_to_rgb(int y, int u, int v, float rgb[3]) {
  float c = 1.164383f * (float)(y - 16);
  float d = (float)(u - 128), e = (float)(v - 128);
  rgb[0] = clamp255(c + 1.596027f * e);
  rgb[1] = clamp255(c - 0.391762f * d - 0.812968f * e);
  rgb[2] = clamp255(c + 2.017232f * d);
}

void fa_frame_read_rgb(const fa_frame *f, int x, int y, float rgb[3]) {
  switch (f->format) {
  case FA_FMT_I420: {
    int yy = f->planes[0][(size_t)y * f->strides[0] + x];
    int u = f->planes[1][(size_t)(y >> 1) * f->strides[1] + (x >> 1)];
    int v = f->planes[2][(size_t)(y >> 1) * f->strides[2] + (x >> 1)];
    yuv_to_rgb(yy, u, v, rgb);
    return;
  }
  case FA_FMT_NV12: {
    int yy = f->planes[0][(size_t)y * f->strides[0] + x];
    const uint8_t *uv = f->planes[1] + (size_t)(y >> 1) * f->strides[1] + (x & ~1);
    yuv_to_rgb(yy, uv[0], uv[1], rgb);
    return;
  }
  case FA_FMT_GRAY8: {
    float g = f->planes[0][(size_t)y * f->strides[0] + x];
    rgb[0] = rgb[1] = rgb[2] = g;
    return;
  }
  default: {
    const packed_layout *l = &packed_layouts[f->format];
    const uint8_t *p = f->planes[0] + (size_t)y * f->strides[0] + (size_t)x * l->bytes;
    rgb[0] = p[l->r];
    rgb[1] = p[l->g];
    rgb[2] = p[l->b];
    return;
  }
  }
}

int fa_frame_is_valid(const fa_frame *f) {
  if (!f || f->width <= 0 || f->height <= 0 || (int)f->format < 0 || f->format >= FA_FMT_COUNT)
    return 0;
  if (!f->planes[0] || f->strides[0] <= 0)
    return 0;
  /* 64-bit: a claimed width near INT_MAX must be refused, not overflow */
  int64_t w = f->width, half = (w + 1) / 2;
  switch (f->format) {
  case FA_FMT_I420:
    return f->planes[1] && f->planes[2] && f->strides[0] >= w && f->strides[1] >= half &&
           f->strides[2] >= half;
  case FA_FMT_NV12:
    return f->planes[1] && f->strides[0] >= w && f->strides[1] >= half * 2;
  case FA_FMT_GRAY8:
    return f->strides[0] >= w;
  default:
    return f->strides[0] >= w * packed_layouts[f->format].bytes;
  }
}

void fa_sample_target_init(fa_sample_target *t, float *data, int width, int height) {
  memset(t, 0, sizeof *t);
  t->data = data;
  t->width = width;
  t->height = height;
  t->layout = FA_LAYOUT_HWC;
  for (int c = 0; c < 3; c++)
    t->scale[c] = 1.f;
  t->valid_x0 = t->valid_y0 = -(1 << 30);
  t->valid_x1 = t->valid_y1 = 1 << 30;
}

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }

void fa_frame_read_row_rgb(const fa_frame *f, int y, const int *xs, int n, float *rgb) {
  /* One switch per row, not per pixel: the sampler's inner loop. */
  switch (f->format) {
  case FA_FMT_I420:
  case FA_FMT_NV12: {
    /* Gather the bytes, then convert a block at a time in a loop without
     * branches or calls, which the compiler vectorises (the same
     * arithmetic as yuv_to_rgb, so the same results). */
    const uint8_t *py = f->planes[0] + (size_t)y * f->strides[0];
    const uint8_t *pc = f->planes[1] + (size_t)(y >> 1) * f->strides[1];
    const uint8_t *pv = f->format == FA_FMT_I420 ? f->planes[2] + (size_t)(y >> 1) * f->strides[2]
                                                 : NULL;
    enum { BLOCK = 64 };
    float yy[BLOCK] = {0}, uu[BLOCK] = {0}, vv[BLOCK] = {0};
    for (int i0 = 0; i0 < n; i0 += BLOCK) {
      int m = n - i0 < BLOCK ? n - i0 : BLOCK;
      for (int i = 0; i < m; i++) {
        int x = xs[i0 + i];
        yy[i] = (float)(py[x] - 16);
        if (pv) {
          uu[i] = (float)(pc[x >> 1] - 128);
          vv[i] = (float)(pv[x >> 1] - 128);
        } else {
          uu[i] = (float)(pc[x & ~1] - 128);
          vv[i] = (float)(pc[(x & ~1) + 1] - 128);
        }
      }
      float r[BLOCK], g[BLOCK], b[BLOCK];
      for (int i = 0; i < BLOCK; i++) { /* whole block: no remainder loop */
        float c = 1.164383f * yy[i], d = uu[i], e = vv[i];
        float vr = c + 1.596027f * e, vg = c - 0.391762f * d - 0.812968f * e;
        float vb = c + 2.017232f * d;
        /* clamp255 written as min/max selects (same results, vectorisable) */
        vr = vr < 0.f ? 0.f : vr;
        vg = vg < 0.f ? 0.f : vg;
        vb = vb < 0.f ? 0.f : vb;
        r[i] = vr > 255.f ? 255.f : vr;
        g[i] = vg > 255.f ? 255.f : vg;
        b[i] = vb > 255.f ? 255.f : vb;
      }
      float *o = rgb + 3 * i0;
      for (int i = 0; i < m; i++) {
        o[3 * i] = r[i];
        o[3 * i + 1] = g[i];
        o[3 * i + 2] = b[i];
      }
    }
    return;
  }
  case FA_FMT_GRAY8: {
    const uint8_t *p = f->planes[0] + (size_t)y * f->strides[0];
    for (int i = 0; i < n; i++)
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = p[xs[i]];
    return;
  }
  default: {
    const packed_layout l = packed_layouts[f->format];
    const uint8_t *row = f->planes[0] + (size_t)y * f->strides[0];
    for (int i = 0; i < n; i++) {
      const uint8_t *p = row + (size_t)xs[i] * l.bytes;
      rgb[3 * i] = p[l.r];
      rgb[3 * i + 1] = p[l.g];
      rgb[3 * i + 2] = p[l.b];
    }
    return;
  }
  }
}

void fa_sample_affine(const fa_frame *f, const double m[6], const fa_sample_target *t) {
  if (!fa_sample_axis_aligned(f, m, t))
    fa_sample_affine_general(f, m, t);
}

void fa_sample_affine_general(const fa_frame *f, const double m[6], const fa_sample_target *t) {
  const int vx0 = imax(t->valid_x0, 0), vy0 = imax(t->valid_y0, 0);
  const int vx1 = imin(t->valid_x1, f->width), vy1 = imin(t->valid_y1, f->height);
  const int clamp = t->clamp_x1 > t->clamp_x0 && t->clamp_y1 > t->clamp_y0;

  for (int v = 0; v < t->height; v++) {
    for (int u = 0; u < t->width; u++) {
      int uu = t->mirror ? t->width - 1 - u : u;
      /* Coordinates in double: on large frames float would move the
       * bilinear weights by ~1e-4 and differ from the references. */
      double x = m[0] * uu + m[1] * v + m[2];
      double y = m[3] * uu + m[4] * v + m[5];
      if (clamp) {
        x = fmin(fmax(x, (double)t->clamp_x0), (double)(t->clamp_x1 - 1));
        y = fmin(fmax(y, (double)t->clamp_y0), (double)(t->clamp_y1 - 1));
      }
      double fx0 = floor(x), fy0 = floor(y);
      float ax = (float)(x - fx0), ay = (float)(y - fy0);
      int x0 = (int)fx0, y0 = (int)fy0;
      float acc[3] = {0.f, 0.f, 0.f};
      for (int k = 0; k < 4; k++) {
        int xi = x0 + (k & 1), yi = y0 + (k >> 1);
        float w = ((k & 1) ? ax : 1.f - ax) * ((k >> 1) ? ay : 1.f - ay);
        if (w == 0.f)
          continue; /* also keeps an exact-edge sample from reading past it */
        float rgb[3];
        if (xi >= vx0 && xi < vx1 && yi >= vy0 && yi < vy1)
          fa_frame_read_rgb(f, xi, yi, rgb);
        else
          memcpy(rgb, t->fill, sizeof rgb);
        acc[0] += w * rgb[0];
        acc[1] += w * rgb[1];
        acc[2] += w * rgb[2];
      }
      fa_sample_store(t, u, v, acc);
    }
  }
}

void fa_sample_rect(const fa_frame *f, float x, float y, float w, float h,
                    const fa_sample_target *t) {
  /* Output pixel u covers [u, u+1) of the target; its centre u + 0.5 maps to
   * x + (u + 0.5) * w / W in continuous frame coordinates, which is pixel
   * index coordinate minus 0.5. */
  double sx = (double)w / t->width, sy = (double)h / t->height;
  double m[6] = {sx, 0., x + 0.5 * sx - 0.5, 0., sy, y + 0.5 * sy - 0.5};
  fa_sample_affine(f, m, t);
}
