/* Anchors (count and known centres), decoding of hand-made raw outputs and
 * MediaPipe's weighted NMS on hand-made boxes. */
#include <string.h>

#include "fa-blazeface.h"
#include "test-core-util.h"

static void test_anchors(void) {
  fa_anchor a[FA_BLAZEFACE_ANCHORS];
  for (int size = 128; size <= 256; size += 128) {
    int n = fa_blazeface_anchors(size, a, FA_BLAZEFACE_ANCHORS);
    CHECK(n == 896, "size %d: %d anchors", size, n);
    /* 16x16 grid, 2 per cell: anchors 0 and 1 share the first cell. */
    CHECK_NEAR(a[0].x, 0.5 / 16, 1e-7, "a0.x");
    CHECK_NEAR(a[0].y, 0.5 / 16, 1e-7, "a0.y");
    CHECK_NEAR(a[1].x, 0.5 / 16, 1e-7, "a1.x");
    CHECK_NEAR(a[2].x, 1.5 / 16, 1e-7, "a2.x");
    CHECK_NEAR(a[32].x, 0.5 / 16, 1e-7, "a32.x (second row)");
    CHECK_NEAR(a[32].y, 1.5 / 16, 1e-7, "a32.y (second row)");
    CHECK_NEAR(a[511].x, 15.5 / 16, 1e-7, "a511.x");
    /* 8x8 grid, 6 per cell (three stride-16/32 layers merged). */
    CHECK_NEAR(a[512].x, 0.5 / 8, 1e-7, "a512.x");
    CHECK_NEAR(a[517].x, 0.5 / 8, 1e-7, "a517.x");
    CHECK_NEAR(a[518].x, 1.5 / 8, 1e-7, "a518.x");
    CHECK_NEAR(a[512 + 48].y, 1.5 / 8, 1e-7, "a560.y");
    CHECK_NEAR(a[895].x, 7.5 / 8, 1e-7, "a895.x");
    CHECK_NEAR(a[895].y, 7.5 / 8, 1e-7, "a895.y");
  }
  /* Too small an output array is refused, not overrun. */
  CHECK(fa_blazeface_anchors(128, a, 100) == -1, "short buffer");
}

static void test_decode(void) {
  fa_anchor a[FA_BLAZEFACE_ANCHORS];
  fa_blazeface_anchors(128, a, FA_BLAZEFACE_ANCHORS);
  static float scores[896], boxes[896 * 16];
  for (int i = 0; i < 896; i++)
    scores[i] = -5.f; /* sigmoid ~0.0067 */
  memset(boxes, 0, sizeof boxes);
  /* Anchor 518 (cell x=1, y=0 of the 8x8 grid, centre 24,8 in pixels). */
  scores[518] = 2.f;
  float *b = boxes + 518 * 16;
  b[0] = 3.f;  /* centre x offset in input pixels */
  b[1] = -2.f;
  b[2] = 20.f; /* w */
  b[3] = 30.f; /* h */
  b[4] = -5.f; /* right eye x offset */
  b[5] = -6.f;
  /* A huge logit must be clipped (to 100) and still give score ~1. */
  scores[3] = 1e30f;
  boxes[3 * 16 + 2] = 10.f;
  boxes[3 * 16 + 3] = 10.f;
  fa_face out[8];
  int n = fa_blazeface_decode(scores, boxes, a, 896, 128, 0.5f, out, 8);
  CHECK(n == 2, "decoded %d", n);
  const fa_face *f = NULL;
  for (int i = 0; i < n; i++)
    if (out[i].w == 20.f)
      f = &out[i];
  CHECK(f != NULL, "anchor 518 decoded");
  if (f) {
    CHECK_NEAR(f->confidence, 1.0 / (1.0 + exp(-2.0)), 1e-6, "score");
    CHECK_NEAR(f->x, 24 + 3 - 10, 1e-4, "x");
    CHECK_NEAR(f->y, 8 - 2 - 15, 1e-4, "y");
    CHECK_NEAR(f->h, 30, 1e-6, "h");
    CHECK_NEAR(f->keypoints[FA_KP_RIGHT_EYE][0], 24 - 5, 1e-4, "kp0.x");
    CHECK_NEAR(f->keypoints[FA_KP_RIGHT_EYE][1], 8 - 6, 1e-4, "kp0.y");
    CHECK_NEAR(f->keypoints[FA_KP_NOSE][0], 24, 1e-4, "kp2.x");
  }
  for (int i = 0; i < n; i++)
    CHECK(isfinite(out[i].confidence) && out[i].confidence <= 1.f, "finite score");
  /* Threshold above both: nothing. */
  CHECK(fa_blazeface_decode(scores, boxes, a, 896, 128, 0.99999f, out, 8) == 1, "only the clipped one");
}

static fa_face box(float x, float y, float w, float h, float s) {
  fa_face f = {0};
  f.x = x;
  f.y = y;
  f.w = w;
  f.h = h;
  f.confidence = s;
  for (int k = 0; k < FA_KP_COUNT; k++) {
    f.keypoints[k][0] = x + w / 2;
    f.keypoints[k][1] = y + h / 2;
  }
  return f;
}

static void test_nms(void) {
  CHECK_NEAR(fa_box_iou(&(fa_face){.x = 0, .y = 0, .w = 10, .h = 10},
                        &(fa_face){.x = 5, .y = 0, .w = 10, .h = 10}),
             50.0 / 150.0, 1e-6, "iou half overlap");
  fa_face in[5], out[5];
  in[0] = box(0, 0, 10, 10, 0.6f);
  in[1] = box(2, 0, 10, 10, 0.9f);   /* IoU with in[0] = 80/120 = 0.67 */
  in[2] = box(100, 100, 20, 20, 0.7f);
  in[3] = box(107, 100, 20, 20, 0.5f); /* IoU with in[2] = 260/540 = 0.48 */
  in[4] = box(300, 300, 10, 10, 0.55f);
  int n = fa_weighted_nms(in, 5, 0.3f, out, 5);
  CHECK(n == 3, "%d clusters", n);
  /* Sorted by top score; each cluster is the score-weighted mean. */
  CHECK_NEAR(out[0].confidence, 0.9, 1e-6, "cluster 0 score = its top score");
  CHECK_NEAR(out[0].x, (2 * 0.9 + 0 * 0.6) / 1.5, 1e-5, "cluster 0 weighted x");
  CHECK_NEAR(out[0].w, 10, 1e-5, "cluster 0 w");
  CHECK_NEAR(out[0].keypoints[0][0], (7 * 0.9 + 5 * 0.6) / 1.5, 1e-5, "cluster 0 keypoint");
  CHECK_NEAR(out[1].confidence, 0.7, 1e-6, "cluster 1 score");
  CHECK_NEAR(out[1].x, (100 * 0.7 + 107 * 0.5) / 1.2, 1e-4, "cluster 1 weighted x");
  CHECK_NEAR(out[2].x, 300, 1e-6, "lone box kept as is");
  /* A box overlapping the top one by exactly the threshold is not merged
   * (MediaPipe merges only when IoU > threshold). */
  in[0] = box(0, 0, 10, 10, 0.9f);
  in[1] = box(0, 0, 10, 3, 0.8f); /* IoU = 0.3 */
  n = fa_weighted_nms(in, 2, 0.3f, out, 5);
  CHECK(n == 2, "IoU == threshold kept apart (%d)", n);
  /* max_out limits the output. */
  in[0] = box(0, 0, 10, 10, 0.9f);
  in[1] = box(50, 0, 10, 10, 0.8f);
  CHECK(fa_weighted_nms(in, 2, 0.3f, out, 1) == 1, "max_out");
}

int main(void) {
  test_anchors();
  test_decode();
  test_nms();
  return test_result("test-blazeface-post");
}
