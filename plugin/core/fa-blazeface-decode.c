/* Raw BlazeFace outputs -> scored faces, as MediaPipe's
 * TensorsToDetectionsCalculator does with the face graphs' options
 * (reverse_output_order, x/y/w/h_scale = input size, sigmoid score with
 * clipping). */
#include <math.h>

#include "fa-blazeface.h"

int fa_blazeface_decode(const float *scores, const float *boxes, const fa_anchor *anchors,
                        int n_anchors, int input_size, float threshold, fa_face *out,
                        int max_out) {
  const float s = (float)input_size;
  int n = 0;
  for (int i = 0; i < n_anchors; i++) {
    float logit = scores[i];
    if (logit > FA_BLAZEFACE_SCORE_CLIP)
      logit = FA_BLAZEFACE_SCORE_CLIP;
    if (logit < -FA_BLAZEFACE_SCORE_CLIP)
      logit = -FA_BLAZEFACE_SCORE_CLIP;
    float score = 1.f / (1.f + expf(-logit));
    if (!(score >= threshold))
      continue;

    const float *r = boxes + (size_t)i * FA_BLAZEFACE_COORDS;
    /* Offsets are in input pixels; anchors are relative with size 1, so the
     * centre in input pixels is anchor * s + offset. */
    float cx = anchors[i].x * s + r[0], cy = anchors[i].y * s + r[1];
    float w = r[2], h = r[3];
    fa_face f = {0};
    f.x = cx - 0.5f * w;
    f.y = cy - 0.5f * h;
    f.w = w;
    f.h = h;
    f.confidence = score;
    for (int k = 0; k < FA_KP_COUNT; k++) {
      f.keypoints[k][0] = anchors[i].x * s + r[4 + 2 * k];
      f.keypoints[k][1] = anchors[i].y * s + r[5 + 2 * k];
    }
    if (!(w > 0.f && h > 0.f))
      continue;

    if (n < max_out) {
      out[n++] = f;
    } else {
      /* Full: replace the weakest kept face if this one beats it. */
      int weakest = 0;
      for (int j = 1; j < n; j++)
        if (out[j].confidence < out[weakest].confidence)
          weakest = j;
      if (n > 0 && out[weakest].confidence < score)
        out[weakest] = f;
    }
  }
  return n;
}
