/* Detection on consecutive video frames: fa_detect's views spread over
 * frames, plus a cheap view following each face already found.
 *
 * Why: on a 720p frame FA_DETECTOR_AUTO looks at 7 views (the whole frame
 * and 6 tiles for faces of 40-100 px) with the long-range network, ~189 M
 * multiply-adds each. In a video a face does not appear and vanish between
 * two frames, so each call runs only the next one or two of those views in
 * turn (a face of any size is searched for at least every FA_SCAN_CALLS
 * calls), and re-finds every face of the previous call in a view of
 * FA_FOLLOW_SCALE times its size with the short-range network (~31 M
 * multiply-adds; on such views it finds small and large faces alike: 303 of
 * 303 mosaic-dev faces of 40-120 px), falling back to the long-range network
 * on that view for the few faces only it sees (turned or partly hidden). */
#include <math.h>
#include <stdlib.h>

#include "fa-internal.h"

/* Every planned view is looked at once per this many calls (at least one
 * view per call). 720p has 7 views (one per call), 1080p 19 (two). */
#define FA_SCAN_CALLS 10
/* Side of a follow view over the face box's longer side: room for the face
 * to move by 0.75 of its size between calls (inference-interval frames). */
#define FA_FOLLOW_SCALE 2.5f
/* A followed face its views miss is still looked for, and reported at its
 * last box, for this many calls (a blink, a turned head, a face only some
 * views see), then left to the scan. */
#define FA_FOLLOW_PATIENCE 2
/* Hysteresis: a followed face is found again in its own view down to this
 * fraction of the threshold. The short-range network scores some faces
 * lower than the long-range one that found them (turned, partly hidden);
 * without this they would blink out between the scans that find them. */
#define FA_FOLLOW_THRESHOLD 0.6f
/* A remembered face and a found face this similar (IoU) are one face. */
#define FA_SAME_FACE_IOU 0.3f

void fa_detect_video_reset(fa_analyzer *a) {
  if (a)
    a->schedule.width = a->schedule.height = 0;
}

/* A square around the face, FA_FOLLOW_SCALE times its size; edges inside
 * the frame are cut edges (a neighbour's face cut there is not reported). */
static fa_view follow_view(const fa_face *f, int width, int height, float scale) {
  float size = f->w > f->h ? f->w : f->h;
  float side = scale * size;
  fa_view v;
  v.x = f->x + 0.5f * f->w - 0.5f * side;
  v.y = f->y + 0.5f * f->h - 0.5f * side;
  v.side = side;
  v.cut_left = v.x > 0.5f;
  v.cut_top = v.y > 0.5f;
  v.cut_right = v.x + side < (float)width - 0.5f;
  v.cut_bottom = v.y + side < (float)height - 0.5f;
  return v;
}

/* The faces to follow on the next call: this call's, then earlier ones that
 * were not found again, until their patience runs out. */
static void remember(fa_video_schedule *s, const fa_face *found, int n_found) {
  fa_face old[FA_MAX_FOLLOW];
  int old_misses[FA_MAX_FOLLOW], n_old = s->n_follow;
  for (int i = 0; i < n_old; i++) {
    old[i] = s->follow[i];
    old_misses[i] = s->follow_misses[i];
  }
  s->too_many = n_found > FA_MAX_FOLLOW;
  int n = 0;
  for (int i = 0; i < n_found && n < FA_MAX_FOLLOW; i++) {
    s->follow[n] = found[i];
    s->follow_misses[n++] = 0;
  }
  for (int i = 0; i < n_old && n < FA_MAX_FOLLOW; i++) {
    if (old_misses[i] + 1 > FA_FOLLOW_PATIENCE)
      continue;
    int again = 0;
    for (int j = 0; j < n_found && !again; j++)
      again = fa_box_iou(&old[i], &found[j]) > FA_SAME_FACE_IOU;
    if (again)
      continue;
    s->follow[n] = old[i];
    s->follow_misses[n++] = old_misses[i] + 1;
  }
  s->n_follow = n;
}

int fa_detect_video(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p,
                    fa_face *out, int max_out, fa_error *err) {
  static const float black[3] = {0.f, 0.f, 0.f};
  if (fa_detect_check(a, frame, out, max_out, err))
    return -1;
  fa_detect_params dflt;
  if (!p) {
    fa_detect_params_init(&dflt);
    p = &dflt;
  }
  fa_video_schedule *s = &a->schedule;
  fa_view views[FA_MAX_VIEWS];
  int n_views = 0;
  if (p->detector == FA_DETECTOR_AUTO)
    n_views = fa_detect_plan(frame, p, 1.f, &a->models->long_net, views, FA_MAX_VIEWS);
  if (n_views <= 1) {
    /* one view (or not the tiled detector): nothing to spread over frames */
    fa_detect_video_reset(a);
    return fa_detect(a, frame, p, out, max_out, err);
  }

  int n_cand = 0;
  int fresh = s->width != frame->width || s->height != frame->height || s->too_many;
  if (fresh) {
    /* Nothing known about this video yet (or too many faces to follow
     * cheaply): look everywhere. */
    if (fa_detect_views(a, 0, frame, views, n_views, black, p->threshold, &n_cand, err))
      return -1;
    s->stats.long_views += (unsigned)n_views;
    s->next_view = 0;
    s->n_follow = 0;
  } else {
    int per_call = (n_views + FA_SCAN_CALLS - 1) / FA_SCAN_CALLS;
    for (int k = 0; k < per_call; k++) {
      s->next_view %= n_views;
      if (fa_detect_views(a, 0, frame, &views[s->next_view], 1, black, p->threshold, &n_cand,
                          err))
        return -1;
      s->next_view++;
      s->stats.long_views++;
    }
    float scale = FA_FOLLOW_SCALE;
    const char *env = getenv("FACEATTR_FOLLOW_SCALE"); /* developer knob for tuning */
    if (env && atof(env) > 1.)
      scale = (float)atof(env);
    for (int i = 0; i < s->n_follow; i++) {
      /* The short-range network first; where it misses the face, the
       * long-range one that found it (some faces only it sees). */
      for (int net = 1; net >= 0; net--) {
        int first = n_cand, again = 0;
        fa_view v = follow_view(&s->follow[i], frame->width, frame->height, scale);
        if (fa_detect_views(a, net, frame, &v, 1, black, FA_FOLLOW_THRESHOLD * p->threshold,
                            &n_cand, err))
          return -1;
        if (net)
          s->stats.follow_views++;
        else
          s->stats.long_views++;
        /* Which detections of this view count: those of the followed face
         * itself (all of them, for NMS to average, but only those above
         * the threshold if there are any: below it boxes are looser), and,
         * from the short-range view only, other faces above the threshold
         * (the long-range network on a view this close finds things the
         * scan does not: left to the scan). */
        int strong = 0;
        for (int k = first; k < n_cand; k++) {
          const fa_face *c = &a->candidates[k];
          if (fa_box_iou(c, &s->follow[i]) > FA_SAME_FACE_IOU) {
            again = 1;
            strong |= c->confidence >= p->threshold;
          }
        }
        int kept = first;
        for (int k = first; k < n_cand; k++) {
          const fa_face *c = &a->candidates[k];
          int same = fa_box_iou(c, &s->follow[i]) > FA_SAME_FACE_IOU;
          int above = c->confidence >= p->threshold;
          if (same ? (above || !strong) : (net && above))
            a->candidates[kept++] = *c;
        }
        n_cand = kept;
        if (again)
          break;
      }
    }
  }
  int n = fa_detect_merge(a, n_cand, p, out, max_out, err);
  if (n < 0)
    return -1;
  s->stats.calls++;
  s->width = frame->width;
  s->height = frame->height;
  remember(s, out, n);
  int limit = p->max_faces > 0 && p->max_faces < max_out ? p->max_faces : max_out;
  for (int i = 0; i < s->n_follow && n < limit; i++)
    if (s->follow_misses[i] > 0)
      out[n++] = s->follow[i]; /* missed this call: carried at its last box */
  return n;
}
