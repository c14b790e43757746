/* Weighted non-maximum suppression (MediaPipe NonMaxSuppressionCalculator,
 * algorithm WEIGHTED, overlap IoU): each output is the score-weighted mean
 * of a cluster of overlapping detections, which steadies boxes and keypoints
 * compared with keeping only the best one. */
#include <stdlib.h>
#include <string.h>

#include "fa-blazeface.h"

float fa_box_iou(const fa_face *a, const fa_face *b) {
  float x0 = a->x > b->x ? a->x : b->x;
  float y0 = a->y > b->y ? a->y : b->y;
  float x1 = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
  float y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
  float iw = x1 - x0, ih = y1 - y0;
  if (iw <= 0.f || ih <= 0.f)
    return 0.f;
  float inter = iw * ih;
  float uni = a->w * a->h + b->w * b->h - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

void fa_sort_by_confidence(fa_face *faces, int n) {
  /* Insertion sort: stable, and n is small (tens to a few hundred). */
  for (int i = 1; i < n; i++) {
    fa_face f = faces[i];
    int j = i - 1;
    while (j >= 0 && faces[j].confidence < f.confidence) {
      faces[j + 1] = faces[j];
      j--;
    }
    faces[j + 1] = f;
  }
}

int fa_weighted_nms(fa_face *faces, int n, float iou_threshold, fa_face *out, int max_out) {
  fa_sort_by_confidence(faces, n);
  /* `taken` marks faces already merged into an earlier cluster. */
  unsigned char stack_taken[256];
  unsigned char *taken = n <= 256 ? stack_taken : calloc((size_t)n, 1);
  if (!taken)
    return 0;
  memset(taken, 0, (size_t)n);

  int n_out = 0;
  for (int i = 0; i < n && n_out < max_out; i++) {
    if (taken[i])
      continue;
    const fa_face *top = &faces[i];
    double sum = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0, kp[FA_KP_COUNT][2] = {{0}};
    for (int j = i; j < n; j++) {
      if (taken[j])
        continue;
      if (j != i && !(fa_box_iou(top, &faces[j]) > iou_threshold))
        continue;
      const fa_face *f = &faces[j];
      double w = f->confidence;
      sum += w;
      x0 += w * f->x;
      y0 += w * f->y;
      x1 += w * (f->x + f->w);
      y1 += w * (f->y + f->h);
      for (int k = 0; k < FA_KP_COUNT; k++) {
        kp[k][0] += w * f->keypoints[k][0];
        kp[k][1] += w * f->keypoints[k][1];
      }
      taken[j] = 1;
    }
    fa_face r = *top;
    if (sum > 0) {
      r.x = (float)(x0 / sum);
      r.y = (float)(y0 / sum);
      r.w = (float)((x1 - x0) / sum);
      r.h = (float)((y1 - y0) / sum);
      for (int k = 0; k < FA_KP_COUNT; k++) {
        r.keypoints[k][0] = (float)(kp[k][0] / sum);
        r.keypoints[k][1] = (float)(kp[k][1] / sum);
      }
    }
    out[n_out++] = r;
  }
  if (taken != stack_taken)
    free(taken);
  return n_out;
}
