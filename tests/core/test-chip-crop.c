/* The keypoint crop (fa-classify-crop.c): the chip transform puts the face's
 * keypoints where the chip's canonical positions are on the output grid, for
 * any position, scale and roll; degenerate keypoints fall back to the box
 * crop; the downscaling prefilter averages instead of aliasing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fa-classify-crop.h"
#include "test-core-util.h"

#define OUT 112

/* The canonical positions of fa-classify-crop.c (chip units). */
static void canonical(float kp[4][2]) {
  static const float c[4][2] = {
      {0.2894f, 0.2956f}, {0.6888f, 0.2947f}, {0.4859f, 0.5157f}, {0.4873f, 0.7259f}};
  memcpy(kp, c, sizeof c);
}

static void apply(const double m[6], double u, double v, double *x, double *y) {
  *x = m[0] * u + m[1] * v + m[2];
  *y = m[3] * u + m[4] * v + m[5];
}

int main(void) {
  float c[4][2];
  canonical(c);

  /* 1. Keypoints of a 300-pixel chip at (50, 80), upright: output sample u
   * reads chip position u / OUT (TF legacy resize of the chip). */
  fa_face f = {0};
  f.x = 50.f;
  f.y = 80.f;
  f.w = f.h = 300.f;
  for (int i = 0; i < 4; i++) {
    f.keypoints[i][0] = 50.f + 300.f * c[i][0];
    f.keypoints[i][1] = 80.f + 300.f * c[i][1];
  }
  double m[6];
  CHECK(fa_chip_transform(&f, 1.f, OUT, m) == 0, "upright chip");
  CHECK_NEAR(m[0], 300.0 / OUT, 1e-4, "x scale");
  CHECK_NEAR(m[4], 300.0 / OUT, 1e-4, "y scale");
  CHECK_NEAR(m[1], 0.0, 1e-5, "no shear/rotation");
  CHECK_NEAR(m[3], 0.0, 1e-5, "no shear/rotation");
  CHECK_NEAR(m[2], 50.0, 1e-2, "x offset");
  CHECK_NEAR(m[5], 80.0, 1e-2, "y offset");

  /* Scale 1.2 about the chip centre: the centre stays, the side grows. */
  double m2[6], cx, cy, cx2, cy2;
  CHECK(fa_chip_transform(&f, 1.2f, OUT, m2) == 0, "scaled chip");
  apply(m, 0.5 * OUT, 0.5 * OUT, &cx, &cy);
  apply(m2, 0.5 * OUT, 0.5 * OUT, &cx2, &cy2);
  CHECK_NEAR(cx2, cx, 1e-3, "centre x kept");
  CHECK_NEAR(cy2, cy, 1e-3, "centre y kept");
  CHECK_NEAR(m2[0], 1.2 * m[0], 1e-5, "side x 1.2");

  /* 2. The same face rolled by 25 degrees about (400, 300): the canonical
   * positions on the output grid land on the rolled keypoints. */
  double th = 25.0 * M_PI / 180.0, co = cos(th), si = sin(th);
  fa_face r = f;
  for (int i = 0; i < 4; i++) {
    double x = f.keypoints[i][0] - 400.0, y = f.keypoints[i][1] - 300.0;
    r.keypoints[i][0] = (float)(400.0 + co * x - si * y);
    r.keypoints[i][1] = (float)(300.0 + si * x + co * y);
  }
  CHECK(fa_chip_transform(&r, 1.f, OUT, m) == 0, "rolled chip");
  for (int i = 0; i < 4; i++) {
    double x, y;
    apply(m, c[i][0] * OUT, c[i][1] * OUT, &x, &y);
    CHECK_NEAR(x, r.keypoints[i][0], 0.05, "rolled keypoint x");
    CHECK_NEAR(y, r.keypoints[i][1], 0.05, "rolled keypoint y");
  }

  /* 3. Degenerate keypoints: no transform; the crop falls back to the box. */
  fa_face d = f;
  for (int i = 0; i < 4; i++)
    d.keypoints[i][0] = d.keypoints[i][1] = 10.f;
  CHECK(fa_chip_transform(&d, 1.f, OUT, m) != 0, "degenerate keypoints refused");

  /* 4. Prefilter: a 1-pixel black/white checkerboard seen through a face of
   * 900 pixels (8 source pixels per output sample) averages to grey; plain
   * bilinear at that step would read single squares. Also the degenerate
   * face still gets a crop (the box one) without error. */
  const int W = 1200, H = 1000;
  uint8_t *px = malloc((size_t)W * H * 3);
  if (!px)
    return 1;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      memset(px + ((size_t)y * W + x) * 3, ((x + y) & 1) ? 255 : 0, 3);
  fa_frame fr = {FA_FMT_RGB, W, H, {px, NULL, NULL}, {W * 3, 0, 0}};
  fa_face big = {0};
  big.x = 100.f;
  big.y = 50.f;
  big.w = big.h = 896.f;
  for (int i = 0; i < 4; i++) {
    big.keypoints[i][0] = 100.f + 896.f * c[i][0];
    big.keypoints[i][1] = 50.f + 896.f * c[i][1];
  }
  static float out[OUT * OUT * 3];
  fa_sample_target t;
  fa_sample_target_init(&t, out, OUT, OUT);
  fa_crop_geometry g;
  fa_crop_geometry_default(&g);
  fa_error err = {{0}};
  CHECK(fa_prepare_crop(&fr, &big, &g, 1, 0, &t, &err) == 0, "%s", err.message);
  double lo = 1e9, hi = -1e9;
  for (int i = 0; i < OUT * OUT * 3; i++) {
    lo = fmin(lo, out[i]);
    hi = fmax(hi, out[i]);
  }
  CHECK(lo > 100.0 && hi < 155.0, "prefiltered checkerboard spans %g..%g, want grey", lo, hi);
  big.keypoints[0][0] = big.keypoints[1][0] = big.keypoints[2][0] = big.keypoints[3][0] = 5.f;
  big.keypoints[0][1] = big.keypoints[1][1] = big.keypoints[2][1] = big.keypoints[3][1] = 5.f;
  CHECK(fa_prepare_crop(&fr, &big, &g, 1, 0, &t, &err) == 0, "fallback: %s", err.message);
  free(px);
  return test_result("test-chip-crop");
}
