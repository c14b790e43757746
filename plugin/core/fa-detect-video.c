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
 * on that view for the few faces only it sees (turned or partly hidden).
 *
 * Most calls need less than that (measured on mosaic-dev's video at
 * inference-interval 1: 0.23 long-range and 1.35 short-range runs per call
 * instead of about 1 and 4; recall 0.982 instead of 0.980, the 3 faces
 * entering found 7, 7 and 14 frames after they are half in the picture
 * instead of 8, 8 and 13):
 * - Scan: a view is looked at when something changed in it since it was
 *   last looked at, away from the faces already followed (a coarse grid of
 *   mean luma compared with the view's copy of it from then, the mean
 *   difference, a change of exposure, taken out), when a face was lost in
 *   it, or when it has not been looked at for FA_IDLE_SCAN_CALLS calls. A
 *   face entering the picture changes it; a still background with only
 *   followed faces moving on it costs a view every few calls. Views whose
 *   changes keep turning up no new face (a leaving face's last sliver, a
 *   body under a face, trees) wait 2, 4, then 8 calls between looks; a busy
 *   picture costs at most a view per call (two for 1080p), as before.
 * - Follow: a face found in its own view on the last calls that moves
 *   slowly is not looked at on up to FA_CARRY_MAX calls in a row; it is
 *   reported where its motion takes it (its box moved by its displacement
 *   per call). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fa-internal.h"

/* Every planned view is looked at once per this many calls at least when
 * the picture keeps changing (at least one view per call). 720p has 7 views
 * (one per call), 1080p 19 (two). */
#define FA_SCAN_CALLS 10
/* ... and once per this many calls when nothing changes (3.2 s at 25 fps;
 * 720p: a view every 11th call). Looking again at pixels that did not
 * change finds what it found before: this only catches what changed too
 * little for the grid. */
#define FA_IDLE_SCAN_CALLS 80
/* A grid cell changed when its mean luma moved by more than this (after the
 * view's mean change is taken out); a view changed with this many such
 * cells. Cells average 4 pixels: the sensor noise of mosaic-dev (sigma 1-3)
 * and H.264 move them by a few levels. */
#define FA_CHANGE_LEVEL 12
#define FA_CHANGE_CELLS 3
/* A view whose looks found no new face waits 2, 4, ... up to 2^this calls
 * before its changes make it looked at again (things that move and are not
 * faces: a leaving face's last sliver, a body under a face, trees). */
#define FA_CHANGE_WAIT_STEPS 3
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
/* Carrying: a face found in its own view on FA_CARRY_AFTER calls in a row
 * is not looked at on up to FA_CARRY_MAX calls in a row when its motion
 * over them (by its last displacement per call) stays within
 * FA_CARRY_TRAVEL of its size; it is reported where that motion takes it.
 * Measured on mosaic-dev's video (faces drifting at 8-110 px/s; with idle
 * looks every 40 calls): at inference-interval 1 two calls of three are
 * carried, recall 0.986 (every call looked at: 0.984); at 5 about half,
 * 0.969. Carrying 2 calls whatever the motion dropped recall at interval 5
 * to 0.943. */
#define FA_CARRY_AFTER 2
#define FA_CARRY_MAX 2
#define FA_CARRY_TRAVEL 0.1f

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

/* --- change detection ------------------------------------------------------ */

/* Cells [i0, i1] x [j0, j1] whose centres lie in the square (x, y, side). */
typedef struct cell_range {
  int i0, i1, j0, j1;
} cell_range;

static cell_range cells_of(const fa_video_schedule *s, float x, float y, float side) {
  float cw = (float)s->width / (float)s->grid_w, ch = (float)s->height / (float)s->grid_h;
  cell_range r;
  r.i0 = (int)ceilf(x / cw - 0.5f);
  r.i1 = (int)floorf((x + side) / cw - 0.5f);
  r.j0 = (int)ceilf(y / ch - 0.5f);
  r.j1 = (int)floorf((y + side) / ch - 0.5f);
  if (r.i0 < 0)
    r.i0 = 0;
  if (r.j0 < 0)
    r.j0 = 0;
  if (r.i1 > s->grid_w - 1)
    r.i1 = s->grid_w - 1;
  if (r.j1 > s->grid_h - 1)
    r.j1 = s->grid_h - 1;
  return r;
}

/* Mean luma of 4 pixels per cell, at the quarter points. */
static void compute_grid(const fa_frame *f, int gw, int gh, unsigned char *grid) {
  int xs[2 * FA_GRID_CELLS];
  for (int i = 0; i < gw; i++) {
    xs[2 * i] = (int)(((double)i + 0.25) * f->width / gw);
    xs[2 * i + 1] = (int)(((double)i + 0.75) * f->width / gw);
  }
  int planar = f->format == FA_FMT_I420 || f->format == FA_FMT_NV12 ||
               f->format == FA_FMT_GRAY8;
  for (int j = 0; j < gh; j++) {
    int ys[2] = {(int)(((double)j + 0.25) * f->height / gh),
                 (int)(((double)j + 0.75) * f->height / gh)};
    unsigned sum[FA_GRID_CELLS] = {0};
    for (int k = 0; k < 2; k++) {
      if (planar) {
        const uint8_t *row = f->planes[0] + (size_t)ys[k] * f->strides[0];
        for (int i = 0; i < gw; i++)
          sum[i] += (unsigned)row[xs[2 * i]] + row[xs[2 * i + 1]];
      } else {
        for (int i = 0; i < 2 * gw; i++) {
          float rgb[3];
          fa_frame_read_rgb(f, xs[i], ys[k], rgb);
          sum[i / 2] += (unsigned)(0.25f * (rgb[0] + 2.f * rgb[1] + rgb[2]) + 0.5f);
        }
      }
    }
    for (int i = 0; i < gw; i++)
      grid[(size_t)j * gw + i] = (unsigned char)((sum[i] + 2) / 4);
  }
}

/* Sizes the grid for this frame and computes it; 0, or -1 out of memory. */
static int update_grid(fa_video_schedule *s, const fa_frame *f, int n_views, int fresh) {
  if (fresh) {
    int longer = f->width > f->height ? f->width : f->height;
    s->grid_w = (int)lround((double)FA_GRID_CELLS * f->width / longer);
    s->grid_h = (int)lround((double)FA_GRID_CELLS * f->height / longer);
    if (s->grid_w < 1)
      s->grid_w = 1;
    if (s->grid_h < 1)
      s->grid_h = 1;
    s->grid_views = n_views;
    size_t need = (size_t)s->grid_w * s->grid_h * (size_t)(n_views + 1);
    if (need > s->grid_cap) {
      unsigned char *g = realloc(s->grid, need);
      if (!g)
        return -1;
      s->grid = g;
      s->grid_cap = need;
    }
    s->refs = s->grid + (size_t)s->grid_w * s->grid_h;
  }
  compute_grid(f, s->grid_w, s->grid_h, s->grid);
  return 0;
}

/* Cells explained by the followed faces: those of their follow views. */
static void mark_followed(const fa_video_schedule *s, unsigned char *mask) {
  memset(mask, 0, (size_t)s->grid_w * s->grid_h);
  for (int k = 0; k < s->n_follow; k++) {
    fa_view v = follow_view(&s->follow[k], s->width, s->height, FA_FOLLOW_SCALE);
    cell_range r = cells_of(s, v.x, v.y, v.side);
    for (int j = r.j0; j <= r.j1; j++)
      memset(mask + (size_t)j * s->grid_w + r.i0, 1, (size_t)(r.i1 - r.i0 + 1) * (r.i1 >= r.i0));
  }
}

/* Cells of view v that changed, away from followed faces, since its copy. */
static int view_changes(const fa_video_schedule *s, const fa_view *v, const unsigned char *ref,
                        const unsigned char *mask) {
  cell_range r = cells_of(s, v->x, v->y, v->side);
  long sum = 0, n = 0;
  for (int j = r.j0; j <= r.j1; j++)
    for (int i = r.i0; i <= r.i1; i++) {
      size_t c = (size_t)j * s->grid_w + i;
      if (!mask[c]) {
        sum += (int)s->grid[c] - (int)ref[c];
        n++;
      }
    }
  if (n == 0)
    return 0;
  int bias = (int)(sum / n);
  int changed = 0;
  for (int j = r.j0; j <= r.j1; j++)
    for (int i = r.i0; i <= r.i1; i++) {
      size_t c = (size_t)j * s->grid_w + i;
      int d = (int)s->grid[c] - (int)ref[c] - bias;
      changed += !mask[c] && (d > FA_CHANGE_LEVEL || d < -FA_CHANGE_LEVEL);
    }
  return changed;
}

/* Marks the views around a lost face as wanting a look. */
static void lost_face(fa_video_schedule *s, const fa_face *f, const fa_view *views, int n_views) {
  float cx = f->x + 0.5f * f->w, cy = f->y + 0.5f * f->h;
  for (int v = 0; v < n_views; v++)
    if (cx >= views[v].x && cx < views[v].x + views[v].side && cy >= views[v].y &&
        cy < views[v].y + views[v].side)
      s->view_due[v] = 1;
}

/* --- following ------------------------------------------------------------- */

static float centre_x(const fa_face *f) { return f->x + 0.5f * f->w; }
static float centre_y(const fa_face *f) { return f->y + 0.5f * f->h; }

/* The face moved by (dx, dy), keypoints with it. */
static fa_face moved(const fa_face *f, float dx, float dy) {
  fa_face g = *f;
  g.x += dx;
  g.y += dy;
  for (int k = 0; k < FA_KP_COUNT; k++) {
    g.keypoints[k][0] += dx;
    g.keypoints[k][1] += dy;
  }
  return g;
}

/* The faces to follow on the next call: this call's (with how many calls in
 * a row each was found and how it moved), then earlier ones that were not
 * found again: carried ones as they are, missed ones until their patience
 * runs out. */
static void remember(fa_video_schedule *s, const fa_face *found, int n_found,
                     const unsigned char *carried, const fa_view *views, int n_views) {
  fa_face old[FA_MAX_FOLLOW];
  int old_misses[FA_MAX_FOLLOW], old_found[FA_MAX_FOLLOW], n_old = s->n_follow;
  float old_dx[FA_MAX_FOLLOW], old_dy[FA_MAX_FOLLOW];
  unsigned char old_carried[FA_MAX_FOLLOW], taken[FA_MAX_FOLLOW] = {0};
  for (int i = 0; i < n_old; i++) {
    old[i] = s->follow[i];
    old_misses[i] = s->follow_misses[i];
    old_found[i] = s->follow_found[i];
    old_dx[i] = s->follow_dx[i];
    old_dy[i] = s->follow_dy[i];
    old_carried[i] = s->follow_carried[i];
  }
  s->too_many = n_found > FA_MAX_FOLLOW;
  int n = 0;
  for (int j = 0; j < n_found && n < FA_MAX_FOLLOW; j++) {
    /* the remembered face it is, if any: the most similar one */
    int best = -1;
    float best_iou = FA_SAME_FACE_IOU;
    for (int i = 0; i < n_old; i++) {
      float v = taken[i] ? 0.f : fa_box_iou(&old[i], &found[j]);
      if (v > best_iou) {
        best_iou = v;
        best = i;
      }
    }
    s->follow[n] = found[j];
    s->follow_misses[n] = 0;
    s->follow_found[n] = 1;
    s->follow_dx[n] = s->follow_dy[n] = 0.f;
    s->follow_carried[n] = 0;
    if (best >= 0) {
      taken[best] = 1;
      /* displacement per call since it was last measured; a box carried
       * on the last call was its measurement moved by its old
       * displacement */
      float dx = centre_x(&found[j]) - centre_x(&old[best]);
      float dy = centre_y(&found[j]) - centre_y(&old[best]);
      if (old_carried[best]) {
        float k = (float)old_carried[best];
        dx = (dx + k * old_dx[best]) / (k + 1.f);
        dy = (dy + k * old_dy[best]) / (k + 1.f);
      }
      int seen = old_misses[best] == 0 && old_found[best] > 0;
      s->follow_dx[n] = seen ? 0.5f * (dx + old_dx[best]) : dx;
      s->follow_dy[n] = seen ? 0.5f * (dy + old_dy[best]) : dy;
      s->follow_found[n] = old_misses[best] == 0 ? old_found[best] + 1 : 1;
    }
    n++;
  }
  for (int i = 0; i < n_old && n < FA_MAX_FOLLOW; i++) {
    int again = taken[i];
    for (int j = 0; j < n_found && !again; j++)
      again = fa_box_iou(&old[i], &found[j]) > FA_SAME_FACE_IOU;
    if (again)
      continue;
    if (carried[i]) {
      /* not looked at this call: where its motion took it */
      s->follow[n] = moved(&old[i], old_dx[i], old_dy[i]);
      s->follow_misses[n] = 0;
      s->follow_found[n] = old_found[i];
      s->follow_dx[n] = old_dx[i];
      s->follow_dy[n] = old_dy[i];
      s->follow_carried[n] = (unsigned char)(old_carried[i] + 1);
      n++;
      continue;
    }
    if (old_misses[i] + 1 > FA_FOLLOW_PATIENCE) {
      lost_face(s, &old[i], views, n_views);
      continue;
    }
    s->follow[n] = old[i];
    s->follow_misses[n] = old_misses[i] + 1;
    s->follow_found[n] = 0;
    s->follow_dx[n] = s->follow_dy[n] = 0.f;
    s->follow_carried[n] = 0;
    n++;
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
  int fresh = s->width != frame->width || s->height != frame->height || s->too_many ||
              s->grid_views != n_views;
  unsigned char carried[FA_MAX_FOLLOW] = {0};
  if (fresh) {
    /* Nothing known about this video yet (or too many faces to follow
     * cheaply): look everywhere. */
    s->width = frame->width;
    s->height = frame->height;
    if (update_grid(s, frame, n_views, 1))
      return fa_fail(err, "out of memory");
    if (fa_detect_views(a, 0, frame, views, n_views, black, p->threshold, &n_cand, err))
      return -1;
    s->stats.long_views += (unsigned)n_views;
    s->n_follow = 0;
    for (int v = 0; v < n_views; v++) {
      memcpy(s->refs + (size_t)v * s->grid_w * s->grid_h, s->grid,
             (size_t)s->grid_w * s->grid_h);
      /* staggered, so that idle looks come one at a time */
      s->view_age[v] = (n_views - 1 - v) * FA_IDLE_SCAN_CALLS / n_views;
      s->view_due[v] = 0;
      s->view_idle[v] = 0;
    }
  } else {
    if (update_grid(s, frame, n_views, 0))
      return fa_fail(err, "out of memory");
    size_t cells = (size_t)s->grid_w * s->grid_h;
    unsigned char mask[FA_GRID_CELLS * FA_GRID_CELLS];
    mark_followed(s, mask);
    /* The views to look at: those that changed (or lost a face), oldest
     * first, up to per_call; else the oldest once it is FA_IDLE_SCAN_CALLS
     * old. */
    unsigned char want[FA_MAX_VIEWS];
    for (int v = 0; v < n_views; v++) {
      unsigned char *ref = s->refs + (size_t)v * cells;
      s->view_age[v]++;
      /* a view whose looks for its changes found nothing waits longer
       * between them: 1, 2, 4, ... FA_CHANGE_MAX_WAIT calls */
      int wait = 1 << (s->view_idle[v] < FA_CHANGE_WAIT_STEPS ? s->view_idle[v]
                                                                 : FA_CHANGE_WAIT_STEPS);
      want[v] = s->view_due[v] || s->view_age[v] >= FA_IDLE_SCAN_CALLS ||
                (s->view_age[v] >= wait &&
                 view_changes(s, &views[v], ref, mask) >= FA_CHANGE_CELLS);
      /* around followed faces the copy stays current: their motion is
       * explained */
      for (size_t c = 0; c < cells; c++)
        if (mask[c])
          ref[c] = s->grid[c];
    }
    int per_call = (n_views + FA_SCAN_CALLS - 1) / FA_SCAN_CALLS;
    for (int k = 0; k < per_call; k++) {
      int best = -1;
      for (int v = 0; v < n_views; v++)
        if (want[v] && (best < 0 || s->view_age[v] > s->view_age[best]))
          best = v;
      if (best < 0)
        break;
      want[best] = 0;
      int first = n_cand;
      if (fa_detect_views(a, 0, frame, &views[best], 1, black, p->threshold, &n_cand, err))
        return -1;
      /* found a face not followed yet? */
      int found_new = 0;
      for (int c = first; c < n_cand && !found_new; c++) {
        found_new = a->candidates[c].confidence >= p->threshold;
        for (int i = 0; i < s->n_follow && found_new; i++)
          found_new = fa_box_iou(&a->candidates[c], &s->follow[i]) <= FA_SAME_FACE_IOU;
      }
      if (found_new)
        s->view_idle[best] = 0;
      else if (s->view_idle[best] < 255)
        s->view_idle[best]++;
      memcpy(s->refs + (size_t)best * cells, s->grid, cells);
      s->view_age[best] = 0;
      s->view_due[best] = 0;
      s->stats.long_views++;
    }
    float scale = FA_FOLLOW_SCALE;
    const char *env = getenv("FACEATTR_FOLLOW_SCALE"); /* developer knob for tuning */
    if (env && atof(env) > 1.)
      scale = (float)atof(env);
    for (int i = 0; i < s->n_follow; i++) {
      /* Found in its own view on the last calls and slow: not looked at on
       * up to FA_CARRY_MAX calls in a row, as long as its motion over them
       * stays within FA_CARRY_TRAVEL of its size. */
      const fa_face *f = &s->follow[i];
      float reach = FA_CARRY_TRAVEL * (f->w > f->h ? f->w : f->h);
      float speed = hypotf(s->follow_dx[i], s->follow_dy[i]);
      int carry_max = speed * FA_CARRY_MAX <= reach ? FA_CARRY_MAX : speed <= reach ? 1 : 0;
      if (s->follow_misses[i] == 0 && s->follow_found[i] >= FA_CARRY_AFTER &&
          s->follow_carried[i] < carry_max) {
        carried[i] = 1;
        s->stats.carried++;
        continue;
      }
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
  remember(s, out, n, carried, views, n_views);
  int limit = p->max_faces > 0 && p->max_faces < max_out ? p->max_faces : max_out;
  for (int i = 0; i < s->n_follow && n < limit; i++) {
    if (s->follow_misses[i] > 0)
      out[n++] = s->follow[i]; /* missed this call: reported at its last box */
    else if (s->follow_carried[i])
      out[n++] = s->follow[i]; /* not looked at this call: where it moved */
  }
  return n;
}
