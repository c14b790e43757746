/* Internals shared by the core's files: the loaded models and the
 * per-thread analyzer. Not installed, not part of the contract. */
#ifndef FA_INTERNAL_H
#define FA_INTERNAL_H

#include <stdarg.h>

#include "fa-blazeface.h"
#include "fa-core.h"
#include "fa-frame-sample.h"
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

struct fa_analyzer {
  fa_models *models;
  nnrt_context *short_ctx, *long_ctx, *attributes_ctx;
  fa_face *candidates; /* raw detections of all passes of one frame */
  int candidates_cap;
};

/* Fills err (may be NULL) with a formatted message; returns -1. */
int fa_fail(fa_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Detection over a letterboxed view of the frame whose square side is
 * `canvas_scale` times the frame's longer side (1 = plain letterbox; more
 * puts the image on a larger canvas of `fill`), with tiles when asked. */
int fa_detect_canvas(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p,
                     float canvas_scale, const float fill[3], fa_face *out, int max_out,
                     fa_error *err);

/* Mean RGB of the frame, from a coarse grid of samples. */
void fa_frame_mean_rgb(const fa_frame *frame, float rgb[3]);

#endif
