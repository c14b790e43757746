/* The same synthetic picture stored in every pixel format (odd sizes,
 * padded strides) must sample to near-identical tensors; plus exact checks
 * of the sampling geometry, fill and clamping. */
#include <stdlib.h>
#include <string.h>

#include "fa-frame-sample.h"
#include "test-core-util.h"

#define W 37
#define H 23

/* A smooth colour picture (chroma varies slowly, so 4:2:0 loses little). */
static void picture(int x, int y, float rgb[3]) {
  rgb[0] = 40.f + 4.5f * (float)x + 0.7f * (float)y;
  rgb[1] = 200.f - 3.f * (float)y - 1.1f * (float)x;
  rgb[2] = 90.f + 2.f * (float)(x + y);
}

static uint8_t u8(float v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v + 0.5f)); }

typedef struct owned_frame {
  fa_frame f;
  uint8_t *mem[3];
} owned_frame;

static void make_frame(fa_pixel_format fmt, int gray, owned_frame *o) {
  memset(o, 0, sizeof *o);
  o->f.format = fmt;
  o->f.width = W;
  o->f.height = H;
  static const int order[10][4] = {
      /* byte offsets of R, G, B and pixel size, per packed format */
      {0, 1, 2, 3}, {2, 1, 0, 3}, {0, 1, 2, 4}, {2, 1, 0, 4}, {1, 2, 3, 4},
      {3, 2, 1, 4}, {0, 1, 2, 4}, {2, 1, 0, 4}, {1, 2, 3, 4}, {3, 2, 1, 4},
  };
  float rgb[3];
  if (fmt < FA_FMT_I420) {
    int bpp = order[fmt][3], stride = W * bpp + 13; /* padded, odd stride */
    o->mem[0] = calloc((size_t)stride * H, 1);
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        picture(x, y, rgb);
        if (gray)
          rgb[1] = rgb[2] = rgb[0];
        uint8_t *p = o->mem[0] + y * stride + x * bpp;
        memset(p, 0xAB, (size_t)bpp); /* the X/A byte must be ignored */
        p[order[fmt][0]] = u8(rgb[0]);
        p[order[fmt][1]] = u8(rgb[1]);
        p[order[fmt][2]] = u8(rgb[2]);
      }
    o->f.planes[0] = o->mem[0];
    o->f.strides[0] = stride;
    return;
  }
  if (fmt == FA_FMT_GRAY8) {
    int stride = W + 5;
    o->mem[0] = calloc((size_t)stride * H, 1);
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        picture(x, y, rgb);
        o->mem[0][y * stride + x] = u8(rgb[0]);
      }
    o->f.planes[0] = o->mem[0];
    o->f.strides[0] = stride;
    return;
  }
  /* YUV 4:2:0, BT.601 limited range; chroma from the 2x2 block's mean. */
  int ys = W + 3, cw = (W + 1) / 2, ch = (H + 1) / 2;
  o->mem[0] = calloc((size_t)ys * H, 1);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      picture(x, y, rgb);
      if (gray)
        rgb[1] = rgb[2] = rgb[0];
      o->mem[0][y * ys + x] = u8(16.f + 0.256788f * rgb[0] + 0.504129f * rgb[1] + 0.097906f * rgb[2]);
    }
  int cs = fmt == FA_FMT_I420 ? cw + 2 : 2 * cw + 4;
  o->mem[1] = calloc((size_t)cs * ch, 1);
  if (fmt == FA_FMT_I420)
    o->mem[2] = calloc((size_t)cs * ch, 1);
  for (int cy = 0; cy < ch; cy++)
    for (int cx = 0; cx < cw; cx++) {
      float m[3] = {0, 0, 0};
      int k = 0;
      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
          int x = 2 * cx + dx, y = 2 * cy + dy;
          if (x >= W || y >= H)
            continue;
          picture(x, y, rgb);
          if (gray)
            rgb[1] = rgb[2] = rgb[0];
          for (int c = 0; c < 3; c++)
            m[c] += rgb[c];
          k++;
        }
      for (int c = 0; c < 3; c++)
        m[c] /= (float)k;
      uint8_t u = u8(128.f - 0.148223f * m[0] - 0.290993f * m[1] + 0.439216f * m[2]);
      uint8_t v = u8(128.f + 0.439216f * m[0] - 0.367788f * m[1] - 0.071427f * m[2]);
      if (fmt == FA_FMT_I420) {
        o->mem[1][cy * cs + cx] = u;
        o->mem[2][cy * cs + cx] = v;
      } else {
        o->mem[1][cy * cs + 2 * cx] = u;
        o->mem[1][cy * cs + 2 * cx + 1] = v;
      }
    }
  o->f.planes[0] = o->mem[0];
  o->f.strides[0] = ys;
  o->f.planes[1] = o->mem[1];
  o->f.strides[1] = cs;
  if (fmt == FA_FMT_I420) {
    o->f.planes[2] = o->mem[2];
    o->f.strides[2] = cs;
  }
}

static void free_frame(owned_frame *o) {
  for (int i = 0; i < 3; i++)
    free(o->mem[i]);
}

/* Samples a rectangle partly outside the frame and a rotated warp. */
static void sample_both(const fa_frame *f, fa_tensor_layout layout, float *rect, float *warp) {
  fa_sample_target t;
  fa_sample_target_init(&t, rect, 19, 15);
  t.layout = layout;
  t.fill[0] = 10.f;
  t.fill[1] = 20.f;
  t.fill[2] = 30.f;
  fa_sample_rect(f, -3.5f, 2.25f, 30.f, 25.f, &t);
  t.data = warp;
  const double m[6] = {0.9f, -0.3f, 4.f, 0.3f, 0.9f, 1.5f};
  fa_sample_affine(f, m, &t);
}

static float max_diff(const float *a, const float *b, int n) {
  float d = 0;
  for (int i = 0; i < n; i++)
    d = fmaxf(d, fabsf(a[i] - b[i]));
  return d;
}

static void test_formats(void) {
  enum { N = 19 * 15 * 3 };
  static float ref_rect[N], ref_warp[N], rect[N], warp[N];
  for (int gray = 0; gray <= 1; gray++) {
    owned_frame o;
    make_frame(FA_FMT_RGB, gray, &o);
    CHECK(fa_frame_is_valid(&o.f), "RGB frame valid");
    sample_both(&o.f, FA_LAYOUT_HWC, ref_rect, ref_warp);
    free_frame(&o);
    for (int fmt = 0; fmt < FA_FMT_COUNT; fmt++) {
      if (fmt == FA_FMT_GRAY8 && !gray)
        continue;
      make_frame((fa_pixel_format)fmt, gray, &o);
      CHECK(fa_frame_is_valid(&o.f), "format %d valid", fmt);
      sample_both(&o.f, FA_LAYOUT_HWC, rect, warp);
      /* Packed and grey: identical bytes, identical tensors. YUV: 8-bit
       * quantisation of Y, U, V and 4:2:0 chroma cost a few levels. */
      float tol = fmt < FA_FMT_I420 || fmt == FA_FMT_GRAY8 ? 1e-4f : (gray ? 2.5f : 6.f);
      float d1 = max_diff(rect, ref_rect, N), d2 = max_diff(warp, ref_warp, N);
      CHECK(d1 <= tol && d2 <= tol, "format %d gray %d: max diff rect %g warp %g (tol %g)", fmt,
            gray, d1, d2, tol);
      free_frame(&o);
    }
  }
}

static void test_geometry(void) {
  owned_frame o;
  make_frame(FA_FMT_RGB, 0, &o);
  float buf[W * H * 3], rgb[3];
  fa_sample_target t;
  /* Identity rectangle: every pixel comes back exactly. */
  fa_sample_target_init(&t, buf, W, H);
  fa_sample_rect(&o.f, 0, 0, W, H, &t);
  int bad = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      fa_frame_read_rgb(&o.f, x, y, rgb);
      for (int c = 0; c < 3; c++)
        bad += buf[(y * W + x) * 3 + c] != rgb[c];
    }
  CHECK(bad == 0, "identity rect: %d samples differ", bad);
  /* Planar layout puts channel c at c * plane. */
  float planar[W * H * 3];
  t.data = planar;
  t.layout = FA_LAYOUT_CHW;
  fa_sample_rect(&o.f, 0, 0, W, H, &t);
  CHECK(planar[W * H + 5] == buf[5 * 3 + 1], "CHW green of pixel 5");
  /* Mirror flips columns. */
  t.layout = FA_LAYOUT_HWC;
  t.data = planar;
  t.mirror = 1;
  fa_sample_rect(&o.f, 0, 0, W, H, &t);
  CHECK(planar[(2 * W + 0) * 3] == buf[(2 * W + W - 1) * 3], "mirror");
  t.mirror = 0;
  /* Half-pixel shifted 2x downscale averages 2x2 blocks. */
  float small[2 * 2 * 3];
  fa_sample_target_init(&t, small, 2, 2);
  fa_sample_rect(&o.f, 0, 0, 4, 4, &t);
  float a[3], b[3], c[3], d[3];
  fa_frame_read_rgb(&o.f, 2, 0, a);
  fa_frame_read_rgb(&o.f, 3, 0, b);
  fa_frame_read_rgb(&o.f, 2, 1, c);
  fa_frame_read_rgb(&o.f, 3, 1, d);
  CHECK_NEAR(small[3], (a[0] + b[0] + c[0] + d[0]) / 4, 1e-4, "2x2 mean");
  /* Outside the frame reads the fill; half-in blends with it. */
  fa_sample_target_init(&t, small, 2, 2);
  t.fill[0] = 100.f;
  double m_out[6] = {0, 0, -5.f, 0, 0, 3.f};
  fa_sample_affine(&o.f, m_out, &t);
  CHECK(small[0] == 100.f && small[1] == 0.f, "fill outside");
  double m_half[6] = {0, 0, -0.5f, 0, 0, 3.f};
  fa_sample_affine(&o.f, m_half, &t);
  fa_frame_read_rgb(&o.f, 0, 3, a);
  CHECK_NEAR(small[0], 0.5f * 100.f + 0.5f * a[0], 1e-4, "half in");
  /* Clamping replicates the clamp box's edge instead of reading beyond. */
  t.clamp_x0 = 0;
  t.clamp_y0 = 0;
  t.clamp_x1 = 4;
  t.clamp_y1 = 4;
  double m_far[6] = {0, 0, 9.7f, 0, 0, 2.f};
  fa_sample_affine(&o.f, m_far, &t);
  fa_frame_read_rgb(&o.f, 3, 2, a);
  CHECK_NEAR(small[0], a[0], 1e-4, "clamped to the box edge");
  /* Invalid frames are recognised. */
  fa_frame bad_f = o.f;
  bad_f.strides[0] = W * 3 - 1;
  CHECK(!fa_frame_is_valid(&bad_f), "short stride rejected");
  bad_f = o.f;
  bad_f.format = FA_FMT_I420;
  bad_f.planes[1] = NULL;
  CHECK(!fa_frame_is_valid(&bad_f), "I420 without chroma rejected");
  free_frame(&o);
}

int main(void) {
  test_formats();
  test_geometry();
  return test_result("test-frame-sample");
}
