/* Age and gender of one face with AgeGenderNet (face-api), on a crop framed
 * like the network's training chips from the keypoints, averaged with the
 * mirrored crop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fa-classify-crop.h"
#include "fa-internal.h"

void fa_classify_params_init(fa_classify_params *p) {
  /* Measured (tools/eval-utkface, tools/eval-mosaic; see
   * docs/age-gender-accuracy.md): the keypoint crop on the whole utkface-dev
   * set and on faces in frames is closer to the training chips' framing
   * than the box crop, and mirror averaging lowers the age error by about
   * 0.2 years. */
  p->align = 1;
  p->mirror = 1;
  p->flip = 0;
  p->refine = 1;
}

/* How large a view around the face the keypoints are looked at again in,
 * in chip sides: 2, the regime the canonical chip positions were fitted in
 * (the chip on a canvas twice its size; fa-analyzer.c's second look). */
#define FA_REFINE_VIEW 2.0f
/* The refined face must overlap the given box this much (IoU). */
#define FA_REFINE_MIN_IOU 0.3f
#define FA_REFINE_MAX 16

static float box_iou(const fa_face *p, const fa_face *q) {
  float x0 = fmaxf(p->x, q->x), y0 = fmaxf(p->y, q->y);
  float x1 = fminf(p->x + p->w, q->x + q->w), y1 = fminf(p->y + p->h, q->y + q->h);
  if (x1 <= x0 || y1 <= y0)
    return 0.f;
  float inter = (x1 - x0) * (y1 - y0);
  return inter / (p->w * p->h + q->w * q->h - inter);
}

/* The face's keypoints as the long-range detector gives them when the chip
 * they imply fills half its input, as on the canvas the canonical positions
 * were fitted on. In frames the first detection sees a face small (the
 * whole frame letterboxed, or a tile): on mosaic-dev its keypoints imply a
 * chip 0.88 +- 0.10 of the true one for 40-63 px faces, 0.90-0.96 for
 * 64-249 px and 1.00 above, so the crop was too tight; looked at again
 * they imply 1.00 +- 0.05 at every size (docs/age-gender-accuracy.md, "The
 * mosaic gap"; tools/mosaic-gap). Writes the refined
 * keypoints into kp, or leaves them when the second look finds nothing
 * that overlaps the face. */
static int refine_keypoints(fa_analyzer *a, const fa_frame *f, const fa_face *face,
                            float kp[FA_KP_COUNT][2], fa_error *err) {
  double m[6];
  if (fa_chip_transform(face, 1.f, 1, m) != 0)
    return 0;
  double side = hypot(m[0], m[3]);
  double cx = 0.5 * (m[0] + m[1]) + m[2], cy = 0.5 * (m[3] + m[4]) + m[5];
  /* A face whose view would hold the whole frame was already seen at
   * least that large: nothing to refine. */
  int longer = f->width > f->height ? f->width : f->height;
  if (!(side >= 1.0 && FA_REFINE_VIEW * side < (double)longer))
    return 0;
  fa_view v = {0};
  v.side = (float)(FA_REFINE_VIEW * side);
  v.x = (float)cx - 0.5f * v.side;
  v.y = (float)cy - 0.5f * v.side;
  float fill[3];
  fa_frame_mean_rgb(f, fill);
  fa_detect_params dp;
  fa_detect_params_init(&dp);
  int n_cand = 0;
  if (fa_detect_views(a, 0, f, &v, 1, fill, dp.threshold, &n_cand, err))
    return -1;
  fa_face found[FA_REFINE_MAX];
  int n = fa_detect_merge(a, n_cand, &dp, found, FA_REFINE_MAX, err);
  if (n < 0)
    return -1;
  int best = -1;
  float best_iou = FA_REFINE_MIN_IOU;
  for (int i = 0; i < n; i++) {
    float q = box_iou(&found[i], face);
    if (q >= best_iou) {
      best = i;
      best_iou = q;
    }
  }
  if (best >= 0)
    memcpy(kp, found[best].keypoints, sizeof found[best].keypoints);
  return 0;
}

/* Runs the network on one crop; writes age (years) and P(male). */
static int run_once(fa_analyzer *a, const fa_frame *f, const fa_face *face,
                    const fa_crop_geometry *g, int align, int mirror, float *age,
                    float *male, fa_error *err) {
  const fa_attributes_net *net = &a->models->attributes;
  fa_sample_target t;
  fa_sample_target_init(&t, nnrt_context_input(a->attributes_ctx, 0), net->input_size,
                        net->input_size);
  t.layout = net->layout;
  for (int c = 0; c < 3; c++) {
    t.scale[c] = net->scale[c];
    t.offset[c] = net->offset[c];
  }
  if (fa_prepare_crop(f, face, g, align, mirror, &t, err))
    return -1;
  nnrt_error nerr = {0};
  if (nnrt_context_run(a->attributes_ctx, &nerr) != NNRT_OK)
    return fa_fail(err, "age/gender network %s failed: %s", net->path, nerr.message);
  *age = nnrt_context_output(a->attributes_ctx, (size_t)net->age_out)[0];
  const float *gp = nnrt_context_output(a->attributes_ctx, (size_t)net->gender_out);
  /* face-api's output is softmax([male, female]); accept logits too. */
  float p0 = gp[0], p1 = gp[1];
  if (!(p0 >= 0.f && p1 >= 0.f && fabsf(p0 + p1 - 1.f) < 1e-3f)) {
    float mx = p0 > p1 ? p0 : p1;
    float e0 = expf(p0 - mx), e1 = expf(p1 - mx);
    p0 = e0 / (e0 + e1);
  }
  *male = p0;
  return 0;
}

int fa_classify(fa_analyzer *a, const fa_frame *frame, const fa_classify_params *p,
                fa_face *face, fa_error *err) {
  if (!a || !frame || !face)
    return fa_fail(err, "fa_classify: missing analyzer, frame or face");
  if (!fa_frame_is_valid(frame))
    return fa_fail(err, "fa_classify: invalid frame");
  if (!(face->w > 0.f && face->h > 0.f))
    return fa_fail(err, "fa_classify: the face box is empty");
  fa_classify_params dflt;
  if (!p) {
    fa_classify_params_init(&dflt);
    p = &dflt;
  }
  fa_crop_geometry g;
  fa_crop_geometry_default(&g);
  const char *env; /* developer knobs for tuning on the dev sets */
  if ((env = getenv("FACEATTR_CROP_EXPAND")) != NULL)
    g.expand = (float)atof(env);
  if ((env = getenv("FACEATTR_CROP_SHIFT")) != NULL)
    g.shift_y = (float)atof(env);
  /* Crop scales averaged (multi-crop test-time augmentation): one by
   * default; FACEATTR_CROP_SCALES="0.95,1,1.05" measures more. */
  float scales[4] = {1.f};
  int n_scales = 1;
  if ((env = getenv("FACEATTR_CROP_SCALES")) != NULL) {
    char *end;
    n_scales = 0;
    for (const char *c = env; *c && n_scales < 4; c = *end ? end + 1 : end) {
      float v = strtof(c, &end);
      if (end == c)
        break;
      if (v > 0.f)
        scales[n_scales++] = v;
    }
    if (n_scales == 0)
      scales[n_scales++] = 1.f;
  }
  /* The crop is made from the refined keypoints; the face keeps the ones
   * it was detected with. FACEATTR_REFINE=0 (developer knob) measures
   * without. */
  fa_face look = *face;
  if (p->align && p->refine && !((env = getenv("FACEATTR_REFINE")) != NULL && atoi(env) == 0) &&
      refine_keypoints(a, frame, face, look.keypoints, err))
    return -1;
  float age = 0.f, male = 0.f;
  int runs = 0;
  for (int i = 0; i < n_scales; i++) {
    g.scale = scales[i];
    int flip0 = p->mirror ? 0 : p->flip != 0, flip1 = p->mirror ? 1 : flip0;
    for (int flip = flip0; flip <= flip1; flip++) {
      float a1 = 0.f, m1 = 0.f;
      if (run_once(a, frame, &look, &g, p->align, flip, &a1, &m1, err))
        return -1;
      age += a1;
      male += m1;
      runs++;
    }
  }
  age /= (float)runs;
  male /= (float)runs;
  face->has_attributes = 1;
  face->age = age;
  face->age_group = fa_age_group_of(age);
  face->male_prob = male;
  face->gender = male >= 0.5f ? FA_GENDER_MALE : FA_GENDER_FEMALE;
  face->gender_conf = male >= 0.5f ? male : 1.f - male;
  return 0;
}
