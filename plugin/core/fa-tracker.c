/* IoU/motion tracker: stable ids across frames, boxes carried between
 * detector runs, and per-track smoothing of age and gender.
 *
 * Each call to fa_tracker_update() or fa_tracker_predict() is one frame.
 * A track keeps a constant-velocity model (pixels per frame, for the box
 * centre and size) learnt from its matched detections; predict moves every
 * track by its velocity. On a detector frame the predicted boxes are matched
 * greedily to the detections, best IoU first. A track missed by
 * FA_TRACK_MAX_MISSES detector runs in a row ends; a missed track is not
 * reported, so stale boxes never linger on screen.
 *
 * Age and gender: every estimate of a track is accumulated, and the face
 * carries the running mean of age and of P(male) over the track's frames so
 * far (each estimate standing for the frames since the one before it).
 * Per-frame estimates jitter with pose and blur; their mean converges to the
 * network's average answer for that person. A person's age does not change
 * while in view, so a track asks for estimates ever more rarely (see
 * fa_tracker_wants_attributes): the first few quickly, for a usable mean,
 * then a new one after twice as many frames each time up to the caller's
 * interval, and at once when the face has grown markedly since its last
 * estimate (closer to the camera, or further into the frame: a better
 * view).
 *
 * Memory: the matching arrays belong to the tracker and only ever grow, so
 * a steady stream of frames allocates nothing. */
#include "fa-core.h"

#include <stdlib.h>
#include <string.h>

#define FA_TRACK_MIN_IOU 0.25f
#define FA_TRACK_MAX_MISSES 3
/* A face this many times larger (box side) than at its last estimate gets a
 * new one at once. */
#define FA_TRACK_REESTIMATE_GROWTH 1.25f

typedef struct track {
  int id;
  float x, y, w, h;     /* current (predicted or measured) box */
  float mx, my, mw, mh; /* last measured box */
  float vx, vy, vw, vh; /* velocity per frame: centre x/y, width, height */
  int frames_since_seen; /* frames since the last matched detection */
  int misses;            /* detector runs in a row without a match */
  int has_velocity;
  float confidence;
  float keypoints[FA_KP_COUNT][2];
  /* attributes */
  int n_estimates;
  int frames_since_estimate;
  double age_sum, male_sum, weight_sum;
  float last_age, last_male;
  float estimate_side; /* box side (larger of w, h) at the last estimate */
} track;

typedef struct pair {
  float score;
  int track, face;
} pair;

struct fa_tracker {
  track *tracks;
  int n_tracks, cap;
  int next_id;
  int smoothing;
  /* fa_tracker_update's scratch, kept between frames */
  pair *pairs;
  size_t pairs_cap;
  unsigned char *track_used;
  size_t track_used_cap;
};

fa_tracker *fa_tracker_new(void)
{
  fa_tracker *t = calloc(1, sizeof *t);
  if (t) {
    t->next_id = 1;
    t->smoothing = 1;
  }
  return t;
}

void fa_tracker_free(fa_tracker *t)
{
  if (!t)
    return;
  free(t->tracks);
  free(t->pairs);
  free(t->track_used);
  free(t);
}

void fa_tracker_reset(fa_tracker *t)
{
  if (!t)
    return;
  t->n_tracks = 0;
  t->next_id = 1;
}

void fa_tracker_set_smoothing(fa_tracker *t, int enable)
{
  if (t)
    t->smoothing = enable != 0;
}

static float iou(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh)
{
  float ix0 = ax > bx ? ax : bx, iy0 = ay > by ? ay : by;
  float ix1 = ax + aw < bx + bw ? ax + aw : bx + bw;
  float iy1 = ay + ah < by + bh ? ay + ah : by + bh;
  if (ix1 <= ix0 || iy1 <= iy0)
    return 0.f;
  float inter = (ix1 - ix0) * (iy1 - iy0);
  float uni = aw * ah + bw * bh - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

/* One frame passes for every track: boxes move by their velocity. */
static void advance(fa_tracker *t)
{
  for (int i = 0; i < t->n_tracks; i++) {
    track *k = &t->tracks[i];
    k->frames_since_seen++;
    k->frames_since_estimate++;
    if (!k->has_velocity)
      continue;
    float cx = k->x + k->w * 0.5f + k->vx, cy = k->y + k->h * 0.5f + k->vy;
    float w = k->w + k->vw, h = k->h + k->vh;
    if (w < 1.f)
      w = 1.f;
    if (h < 1.f)
      h = 1.f;
    for (int p = 0; p < FA_KP_COUNT; p++) {
      k->keypoints[p][0] += cx - (k->x + k->w * 0.5f);
      k->keypoints[p][1] += cy - (k->y + k->h * 0.5f);
    }
    k->x = cx - w * 0.5f;
    k->y = cy - h * 0.5f;
    k->w = w;
    k->h = h;
  }
}

static track *find_track(const fa_tracker *t, int id)
{
  for (int i = 0; i < t->n_tracks; i++)
    if (t->tracks[i].id == id)
      return &t->tracks[i];
  return NULL;
}

/* Writes the track's attributes (mean, or latest without smoothing) to f. */
static void export_attributes(const fa_tracker *t, const track *k, fa_face *f)
{
  if (k->n_estimates == 0)
    return;
  float age = t->smoothing ? (float)(k->age_sum / k->weight_sum) : k->last_age;
  float male = t->smoothing ? (float)(k->male_sum / k->weight_sum) : k->last_male;
  f->has_attributes = 1;
  f->age = age;
  f->age_group = fa_age_group_of(age);
  f->male_prob = male;
  f->gender = male >= 0.5f ? FA_GENDER_MALE : FA_GENDER_FEMALE;
  f->gender_conf = male >= 0.5f ? male : 1.f - male;
}

static float side_of(float w, float h)
{
  return w > h ? w : h;
}

static void accumulate(track *k, const fa_face *f)
{
  /* Weighted by the frames since the previous estimate: a mean over the
   * track's frames, not over its estimates, which the back-off spaces ever
   * wider (three estimates of nearly the same picture in its first frames
   * would otherwise outweigh everything after; measured on mosaic-dev's
   * video: smoothed age MAE 3.30 weighted, 3.64 not). */
  double w = k->n_estimates > 0 && k->frames_since_estimate > 1 ? k->frames_since_estimate : 1;
  k->weight_sum += w;
  k->estimate_side = side_of(k->w, k->h);
  k->n_estimates++;
  k->frames_since_estimate = 0;
  k->age_sum += w * f->age;
  k->male_sum += w * f->male_prob;
  k->last_age = f->age;
  k->last_male = f->male_prob;
}

void fa_tracker_add_attributes(fa_tracker *t, fa_face *face)
{
  track *k = t && face ? find_track(t, face->track_id) : NULL;
  if (!k || !face->has_attributes)
    return;
  accumulate(k, face);
  export_attributes(t, k, face);
}

static int pair_cmp(const void *a, const void *b)
{
  float d = ((const pair *)b)->score - ((const pair *)a)->score;
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

static void measure(track *k, const fa_face *f)
{
  /* Velocity from the last measurement, averaged with the previous velocity
   * so one jittery detection does not throw the prediction off. */
  if (k->frames_since_seen > 0 && k->mw > 0) {
    float n = (float)k->frames_since_seen;
    float vx = ((f->x + f->w * 0.5f) - (k->mx + k->mw * 0.5f)) / n;
    float vy = ((f->y + f->h * 0.5f) - (k->my + k->mh * 0.5f)) / n;
    float vw = (f->w - k->mw) / n, vh = (f->h - k->mh) / n;
    float a = k->has_velocity ? 0.5f : 1.f;
    k->vx = a * vx + (1 - a) * k->vx;
    k->vy = a * vy + (1 - a) * k->vy;
    k->vw = a * vw + (1 - a) * k->vw;
    k->vh = a * vh + (1 - a) * k->vh;
    k->has_velocity = 1;
  }
  k->x = k->mx = f->x;
  k->y = k->my = f->y;
  k->w = k->mw = f->w;
  k->h = k->mh = f->h;
  k->confidence = f->confidence;
  memcpy(k->keypoints, f->keypoints, sizeof k->keypoints);
  k->frames_since_seen = 0;
  k->misses = 0;
}

static track *new_track(fa_tracker *t)
{
  if (t->n_tracks == t->cap) {
    int cap = t->cap ? t->cap * 2 : 16;
    track *grown = realloc(t->tracks, (size_t)cap * sizeof *grown);
    if (!grown)
      return NULL;
    t->tracks = grown;
    t->cap = cap;
  }
  track *k = &t->tracks[t->n_tracks++];
  memset(k, 0, sizeof *k);
  k->id = t->next_id++;
  if (t->next_id <= 0) /* wrapped after 2^31 tracks: ids stay positive */
    t->next_id = 1;
  return k;
}

void fa_tracker_update(fa_tracker *t, fa_face *faces, int n_faces)
{
  if (!t || n_faces < 0 || (n_faces > 0 && !faces))
    return;
  advance(t);

  int n_old = t->n_tracks;
  size_t want_pairs = (size_t)n_old * (size_t)n_faces;
  if (want_pairs > t->pairs_cap) {
    pair *grown = realloc(t->pairs, want_pairs * sizeof *grown);
    if (grown) {
      t->pairs = grown;
      t->pairs_cap = want_pairs;
    }
  }
  if ((size_t)n_old > t->track_used_cap) {
    unsigned char *grown = realloc(t->track_used, (size_t)n_old);
    if (grown) {
      t->track_used = grown;
      t->track_used_cap = (size_t)n_old;
    }
  }
  /* Out of memory: no pairs, every face starts a new track. */
  int can_match = n_old && want_pairs <= t->pairs_cap && (size_t)n_old <= t->track_used_cap;
  pair *pairs = t->pairs;
  unsigned char *track_used = can_match ? t->track_used : NULL;
  if (track_used)
    memset(track_used, 0, (size_t)n_old);
  int n_pairs = 0;
  if (can_match) {
    for (int i = 0; i < n_old; i++) {
      const track *k = &t->tracks[i];
      for (int j = 0; j < n_faces; j++) {
        float s = iou(k->x, k->y, k->w, k->h, faces[j].x, faces[j].y, faces[j].w, faces[j].h);
        if (s >= FA_TRACK_MIN_IOU)
          pairs[n_pairs++] = (pair){s, i, j};
      }
    }
    qsort(pairs, (size_t)n_pairs, sizeof *pairs, pair_cmp);
  }

  for (int j = 0; j < n_faces; j++)
    faces[j].track_id = 0;
  for (int p = 0; p < n_pairs; p++) {
    fa_face *f = &faces[pairs[p].face];
    if (track_used[pairs[p].track] || f->track_id)
      continue;
    track_used[pairs[p].track] = 1;
    track *k = &t->tracks[pairs[p].track];
    f->track_id = k->id;
    measure(k, f);
  }
  /* Missed tracks: count the miss; drop those missed too often. */
  int kept = 0;
  for (int i = 0; i < n_old; i++) {
    track *k = &t->tracks[i];
    if (!(track_used && track_used[i]) && ++k->misses > FA_TRACK_MAX_MISSES)
      continue;
    t->tracks[kept++] = *k;
  }
  t->n_tracks = kept;

  /* Unmatched detections start tracks (realloc may move the array, so look
   * tracks up by id afterwards). */
  for (int j = 0; j < n_faces; j++) {
    if (faces[j].track_id)
      continue;
    track *k = new_track(t);
    if (!k)
      continue; /* out of memory: the face stays untracked (id 0) */
    faces[j].track_id = k->id;
    k->frames_since_estimate = 0;
    measure(k, &faces[j]);
  }
  for (int j = 0; j < n_faces; j++) {
    track *k = find_track(t, faces[j].track_id);
    if (!k)
      continue;
    if (faces[j].has_attributes)
      accumulate(k, &faces[j]);
    export_attributes(t, k, &faces[j]);
  }
}

int fa_tracker_predict(fa_tracker *t, fa_face *out, int max_out)
{
  if (!t)
    return 0;
  advance(t);
  int n = 0;
  for (int i = 0; i < t->n_tracks && n < max_out; i++) {
    const track *k = &t->tracks[i];
    if (k->misses > 0)
      continue;
    fa_face *f = &out[n++];
    memset(f, 0, sizeof *f);
    f->x = k->x;
    f->y = k->y;
    f->w = k->w;
    f->h = k->h;
    f->confidence = k->confidence;
    memcpy(f->keypoints, k->keypoints, sizeof f->keypoints);
    f->track_id = k->id;
    export_attributes(t, k, f);
  }
  return n;
}

int fa_tracker_estimate_gap(int n_estimates, int interval)
{
  if (n_estimates <= 0 || interval <= 1)
    return 1;
  /* 1, 1, 2, 4, 8, ... frames after the 1st, 2nd, 3rd, ... estimate */
  int gap = 1;
  for (int i = 2; i < n_estimates && gap < interval; i++)
    gap *= 2;
  return gap < interval ? gap : interval;
}

int fa_tracker_estimates(const fa_tracker *t, int track_id)
{
  const track *k = t ? find_track(t, track_id) : NULL;
  return k ? k->n_estimates : 0;
}

int fa_tracker_wants_attributes(const fa_tracker *t, int track_id, int interval)
{
  const track *k = t ? find_track(t, track_id) : NULL;
  if (!k)
    return 1;
  if (k->n_estimates == 0 || interval <= 1)
    return 1;
  if (k->frames_since_estimate >= fa_tracker_estimate_gap(k->n_estimates, interval))
    return 1;
  /* markedly larger than when last estimated: a better view, look again */
  return side_of(k->w, k->h) >= FA_TRACK_REESTIMATE_GROWTH * k->estimate_side;
}
