/* Internals shared by the core's files: the loaded models and the
 * per-thread analyzer. Not installed, not part of the contract. */
#ifndef FA_INTERNAL_H
#define FA_INTERNAL_H

#include <stdarg.h>

#include "fa-blazeface.h"
#include "fa-core.h"
#include "fa-frame-sample.h"
#include "fa-tiles.h"
#include "nnrt.h"

/* A BlazeFace network and where its outputs are. The anchors are split over
 * up to two output pairs (the 16x16 grid first, then the 8x8 one). */
typedef struct fa_detector_net {
  nnrt_model *model;
  char *path;
  int input_size; /* square side */
  fa_tensor_layout layout;
  int n_parts;
  int score_out[2], box_out[2], part_anchors[2];
  fa_anchor anchors[FA_BLAZEFACE_ANCHORS];
} fa_detector_net;

/* The AgeGenderNet and its input convention (face-api's: RGB 0..255 minus the
 * ImageNet-like mean, divided by 255, unless the graph does that itself). */
typedef struct fa_attributes_net {
  nnrt_model *model;
  char *path;
  int input_size;
  fa_tensor_layout layout;
  int age_out, gender_out;
  float scale[3], offset[3];
} fa_attributes_net;

struct fa_models {
  fa_detector_net short_net; /* front 128 */
  fa_detector_net long_net;  /* back 256 */
  fa_attributes_net attributes;
};

/* Most faces fa_detect_video follows with their own small view; with more,
 * it looks at every view on every frame instead (see fa-detect-video.c). */
#define FA_MAX_FOLLOW 16

/* Network runs by fa_detect_video since the analyzer was made (tests check
 * the schedule with them; never reset). */
typedef struct fa_video_stats {
  unsigned long long calls, long_views, follow_views;
  unsigned long long carried; /* follow views skipped (slow faces carried) */
} fa_video_stats;

/* Side of fa_detect_video's change grid (longer frame side), in cells. */
#define FA_GRID_CELLS 128

/* fa_detect_video's memory between frames of one video. All zero (as the
 * analyzer is allocated) means "no previous frame". */
typedef struct fa_video_schedule {
  int width, height;   /* size of the frame the memory belongs to; 0: none */
  int next_view;       /* round-robin position over the planned views */
  int n_follow;        /* faces found on the previous detector frame */
  int too_many;        /* it found more than FA_MAX_FOLLOW */
  fa_face follow[FA_MAX_FOLLOW];
  int follow_misses[FA_MAX_FOLLOW]; /* calls in a row its view found nothing */
  int follow_found[FA_MAX_FOLLOW];  /* calls in a row it was found (0: new) */
  float follow_dx[FA_MAX_FOLLOW], follow_dy[FA_MAX_FOLLOW]; /* motion per call */
  unsigned char follow_carried[FA_MAX_FOLLOW]; /* calls in a row it was not looked at */
  /* Change detection: mean luma of a coarse grid of cells, this call's and,
   * per planned view, as it was when that view was last looked at (cells
   * around followed faces kept current). */
  int grid_w, grid_h, grid_views;
  unsigned char *grid;  /* grid_w * grid_h */
  unsigned char *refs;  /* grid_views grids */
  size_t grid_cap;      /* bytes allocated at grid (refs follow it) */
  int view_age[FA_MAX_VIEWS]; /* calls since the view was looked at */
  unsigned char view_due[FA_MAX_VIEWS]; /* a face was lost there: look soon */
  unsigned char view_idle[FA_MAX_VIEWS]; /* its last looks for a change found nothing */
  fa_video_stats stats;
} fa_video_schedule;

struct fa_analyzer {
  fa_models *models;
  nnrt_context *short_ctx, *long_ctx, *attributes_ctx;
  fa_face *candidates; /* raw detections of all passes of one frame */
  int candidates_cap;
  fa_video_schedule schedule;
};

/* Fills err (may be NULL) with a formatted message; returns -1. */
int fa_fail(fa_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Detection over a letterboxed view of the frame whose square side is
 * `canvas_scale` times the frame's longer side (1 = plain letterbox; more
 * puts the image on a larger canvas of `fill`), with tiles when asked. */
int fa_detect_canvas(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p,
                     float canvas_scale, const float fill[3], fa_face *out, int max_out,
                     fa_error *err);

/* The steps of detection, shared by fa_detect_canvas and fa_detect_video. */
/* Validates arguments and frame; 0 or -1 with err set. */
int fa_detect_check(fa_analyzer *a, const fa_frame *frame, fa_face *out, int max_out,
                    fa_error *err);
/* The views `net` looks at for these params (whole frame first, then tiles
 * for FA_DETECTOR_AUTO); returns their count. */
int fa_detect_plan(const fa_frame *frame, const fa_detect_params *p, float canvas_scale,
                   const fa_detector_net *net, fa_view *views, int max_views);
/* Runs the short or the long network on each view and appends what it finds
 * (frame pixels) to a->candidates[*n_cand...]. */
int fa_detect_views(fa_analyzer *a, int use_short, const fa_frame *frame, const fa_view *views,
                    int n_views, const float fill[3], float threshold, int *n_cand,
                    fa_error *err);
/* Merges the candidates (weighted NMS) and writes the faces that pass the
 * params' size and count limits; returns their count or -1. */
int fa_detect_merge(fa_analyzer *a, int n_cand, const fa_detect_params *p, fa_face *out,
                    int max_out, fa_error *err);


/* Mean RGB of the frame, from a coarse grid of samples. */
void fa_frame_mean_rgb(const fa_frame *frame, float rgb[3]);

#endif
