/* Face detection: letterbox (and tiles) -> BlazeFace -> decode -> weighted
 * NMS over all views -> frame pixels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fa-internal.h"

/* Most raw detections one view may contribute before NMS. */
#define FA_MAX_VIEW_DETECTIONS 256
/* Tiling for FA_DETECTOR_AUTO: the tiles make faces of FA_TILE_MIN_FACE frame
 * pixels at least FA_LONG_RELIABLE_SIZE input pixels for the 256 model. */
#define FA_TILE_MIN_FACE 40.f
#define FA_LONG_RELIABLE_SIZE 20.f
/* A tile detection whose box comes this close (fraction of the tile side)
 * to a cut edge is probably a cut face: a neighbouring view sees it whole. */
#define FA_CUT_MARGIN 0.01f

void fa_detect_params_init(fa_detect_params *p) {
  p->detector = FA_DETECTOR_AUTO;
  p->threshold = 0.5f;
  p->min_face_size = 0;
  p->max_faces = 64;
}

void fa_frame_mean_rgb(const fa_frame *f, float rgb[3]) {
  double acc[3] = {0, 0, 0};
  int n = 0;
  for (int gy = 0; gy < 32; gy++)
    for (int gx = 0; gx < 32; gx++) {
      int x = (int)(((float)gx + 0.5f) * (float)f->width / 32.f);
      int y = (int)(((float)gy + 0.5f) * (float)f->height / 32.f);
      float p[3];
      fa_frame_read_rgb(f, x, y, p);
      for (int c = 0; c < 3; c++)
        acc[c] += p[c];
      n++;
    }
  for (int c = 0; c < 3; c++)
    rgb[c] = (float)(acc[c] / n);
}

static int reserve_candidates(fa_analyzer *a, int need, fa_error *err) {
  if (need <= a->candidates_cap)
    return 0;
  int cap = a->candidates_cap ? a->candidates_cap : 256;
  while (cap < need)
    cap *= 2;
  fa_face *c = realloc(a->candidates, (size_t)cap * sizeof *c);
  if (!c)
    return fa_fail(err, "out of memory for %d detections", cap);
  a->candidates = c;
  a->candidates_cap = cap;
  return 0;
}

static int touches_cut(const fa_face *f, const fa_view *v) {
  float m = FA_CUT_MARGIN * v->side;
  return (v->cut_left && f->x < v->x + m) || (v->cut_top && f->y < v->y + m) ||
         (v->cut_right && f->x + f->w > v->x + v->side - m) ||
         (v->cut_bottom && f->y + f->h > v->y + v->side - m);
}

/* Runs the detector on one square view and appends its detections (frame
 * pixels) to the analyzer's candidates. */
static int run_view(fa_analyzer *a, const fa_detector_net *net, nnrt_context *ctx,
                    const fa_frame *f, const fa_view *v, const float fill[3], float threshold,
                    int *n_cand, fa_error *err) {
  fa_sample_target t;
  fa_sample_target_init(&t, nnrt_context_input(ctx, 0), net->input_size, net->input_size);
  t.layout = net->layout;
  for (int c = 0; c < 3; c++) {
    /* MediaPipe feeds BlazeFace RGB in [-1, 1]. */
    t.scale[c] = 2.f / 255.f;
    t.offset[c] = -1.f;
    t.fill[c] = fill[c];
  }
  fa_sample_rect(f, v->x, v->y, v->side, v->side, &t);

  nnrt_error nerr = {0};
  if (nnrt_context_run(ctx, &nerr) != NNRT_OK)
    return fa_fail(err, "detector %s failed: %s", net->path, nerr.message);

  fa_face found[FA_MAX_VIEW_DETECTIONS];
  int n = 0, first_anchor = 0;
  for (int k = 0; k < net->n_parts; k++) {
    const float *scores = nnrt_context_output(ctx, (size_t)net->score_out[k]);
    const float *boxes = nnrt_context_output(ctx, (size_t)net->box_out[k]);
    n += fa_blazeface_decode(scores, boxes, net->anchors + first_anchor, net->part_anchors[k],
                             net->input_size, threshold, found + n, FA_MAX_VIEW_DETECTIONS - n);
    first_anchor += net->part_anchors[k];
  }
  if (reserve_candidates(a, *n_cand + n, err))
    return -1;
  const float k = v->side / (float)net->input_size;
  for (int i = 0; i < n; i++) {
    fa_face g = found[i];
    g.x = v->x + g.x * k;
    g.y = v->y + g.y * k;
    g.w *= k;
    g.h *= k;
    for (int p = 0; p < FA_KP_COUNT; p++) {
      g.keypoints[p][0] = v->x + g.keypoints[p][0] * k;
      g.keypoints[p][1] = v->y + g.keypoints[p][1] * k;
    }
    if (touches_cut(&g, v))
      continue;
    a->candidates[(*n_cand)++] = g;
  }
  return 0;
}

int fa_detect_check(fa_analyzer *a, const fa_frame *frame, fa_face *out, int max_out,
                    fa_error *err) {
  if (!a || !frame || !out || max_out < 0)
    return fa_fail(err, "fa_detect: missing analyzer, frame or output");
  if (!fa_frame_is_valid(frame))
    return fa_fail(err, "fa_detect: invalid frame (format %d, %dx%d, planes/strides do not fit)",
                   (int)frame->format, frame->width, frame->height);
  return 0;
}

int fa_detect_plan(const fa_frame *frame, const fa_detect_params *p, float canvas_scale,
                   const fa_detector_net *net, fa_view *views, int max_views) {
  fa_tiling tiling = {0};
  tiling.canvas_scale = canvas_scale;
  tiling.tiles = p->detector == FA_DETECTOR_AUTO;
  tiling.input_size = net->input_size;
  tiling.min_face = FA_TILE_MIN_FACE;
  tiling.reliable_size = FA_LONG_RELIABLE_SIZE;
  const char *env;
  if ((env = getenv("FACEATTR_TILE_MIN_FACE")) != NULL) /* developer knob for tuning */
    tiling.min_face = (float)atof(env);
  if ((env = getenv("FACEATTR_TILE_RELIABLE")) != NULL)
    tiling.reliable_size = (float)atof(env);
  return fa_plan_views(frame->width, frame->height, &tiling, views, max_views);
}

int fa_detect_views(fa_analyzer *a, int use_short, const fa_frame *frame, const fa_view *views,
                    int n_views, const float fill[3], float threshold, int *n_cand,
                    fa_error *err) {
  const fa_detector_net *net = use_short ? &a->models->short_net : &a->models->long_net;
  nnrt_context *ctx = use_short ? a->short_ctx : a->long_ctx;
  for (int i = 0; i < n_views; i++)
    if (run_view(a, net, ctx, frame, &views[i], fill, threshold, n_cand, err))
      return -1;
  return 0;
}

int fa_detect_merge(fa_analyzer *a, int n_cand, const fa_detect_params *p, fa_face *out,
                    int max_out, fa_error *err) {
  /* The merged faces go behind the candidates in the same scratch: NMS never
   * returns more faces than it is given, so a frame with more faces than one
   * view's cap (many tiles) keeps them all up to max_out. */
  if (reserve_candidates(a, 2 * n_cand + 1, err))
    return -1;
  fa_face *merged = a->candidates + n_cand;
  int n = fa_weighted_nms(a->candidates, n_cand, FA_BLAZEFACE_NMS_IOU, merged, n_cand);
  int limit = p->max_faces > 0 && p->max_faces < max_out ? p->max_faces : max_out;
  int n_out = 0;
  for (int i = 0; i < n && n_out < limit; i++) {
    const fa_face *g = &merged[i];
    if (p->min_face_size > 0 && (g->w < (float)p->min_face_size || g->h < (float)p->min_face_size))
      continue;
    out[n_out] = *g;
    out[n_out].has_attributes = 0;
    out[n_out].track_id = 0;
    n_out++;
  }
  return n_out;
}

int fa_detect_canvas(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p,
                     float canvas_scale, const float fill[3], fa_face *out, int max_out,
                     fa_error *err) {
  if (fa_detect_check(a, frame, out, max_out, err))
    return -1;
  fa_detect_params dflt;
  if (!p) {
    fa_detect_params_init(&dflt);
    p = &dflt;
  }
  int use_short = p->detector == FA_DETECTOR_SHORT;
  const fa_detector_net *net = use_short ? &a->models->short_net : &a->models->long_net;
  fa_view views[FA_MAX_VIEWS];
  int n_views = fa_detect_plan(frame, p, canvas_scale, net, views, FA_MAX_VIEWS);
  int n_cand = 0;
  if (fa_detect_views(a, use_short, frame, views, n_views, fill, p->threshold, &n_cand, err))
    return -1;
  return fa_detect_merge(a, n_cand, p, out, max_out, err);
}

int fa_detect(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p, fa_face *out,
              int max_out, fa_error *err) {
  static const float black[3] = {0.f, 0.f, 0.f};
  return fa_detect_canvas(a, frame, p, 1.f, black, out, max_out, err);
}
