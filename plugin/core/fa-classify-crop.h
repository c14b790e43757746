/* The AgeGenderNet input for one face: which part of the frame is sampled
 * and how (face-api's preparation, optionally rotated upright). Separate
 * from running the network so tests can check it against a reference. */
#ifndef FA_CLASSIFY_CROP_H
#define FA_CLASSIFY_CROP_H

#include "fa-core.h"
#include "fa-frame-sample.h"

typedef struct fa_crop_geometry {
  float expand;   /* crop side / max(box w, h) */
  float shift_y;  /* crop centre below the box centre, in box heights */
} fa_crop_geometry;

/* The measured default (see fa-classify.c). */
void fa_crop_geometry_default(fa_crop_geometry *g);

/* Fills t->data (t's size, layout and normalisation already set) with the
 * crop of `face`:
 *  - align == 0: face-api's way: the square crop rounded to whole pixels and
 *    clipped to the frame, padded back to a square with 0 (odd pixel at the
 *    bottom/right), resized with TensorFlow's legacy bilinear rule
 *    (src = dst * in / out, edge clamped);
 *  - align != 0: the same square turned about its centre so the eyes are
 *    level, sampled with the same rule; outside the frame reads 0. */
void fa_prepare_crop(const fa_frame *frame, const fa_face *face, const fa_crop_geometry *g,
                     int align, int mirror, fa_sample_target *t);

#endif
