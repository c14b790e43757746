/* The AgeGenderNet input for one face: which part of the frame is sampled
 * and how. Separate from running the network so tests can check it against
 * a reference. */
#ifndef FA_CLASSIFY_CROP_H
#define FA_CLASSIFY_CROP_H

#include "fa-core.h"
#include "fa-frame-sample.h"

typedef struct fa_crop_geometry {
  /* Box crop (align == 0) */
  float expand;  /* crop side / max(box w, h) */
  float shift_y; /* crop centre below the box centre, in box heights */
  /* Keypoint crop (align != 0) */
  float scale; /* crop side / the estimated chip's side, about its centre */
} fa_crop_geometry;

/* The measured defaults (see fa-classify-crop.c). */
void fa_crop_geometry_default(fa_crop_geometry *g);

/* The keypoint crop's map from output sample (u, v) of a side x side target
 * to frame pixel coordinates (fa_sample_affine's m): the least-squares
 * similarity from the face's eye, nose and mouth keypoints to where BlazeFace
 * puts them on a UTKFace chip, inverted, so the target shows the face framed
 * like the chips AgeGenderNet was trained on (upright, same scale and
 * centre), resampled with TensorFlow's legacy rule (sample u reads chip
 * position u / side). Returns -1 when the keypoints are degenerate. */
int fa_chip_transform(const fa_face *face, float scale, int side, double m[6]);

/* Fills t->data (t's size, layout and normalisation already set) with the
 * crop of `face`:
 *  - align == 0: face-api's way on the detector box: the square crop rounded
 *    to whole pixels and clipped to the frame, padded back to a square with 0
 *    (odd pixel at the bottom/right), resized with TensorFlow's legacy
 *    bilinear rule (src = dst * in / out, edge clamped);
 *  - align != 0: the chip estimated from the keypoints (fa_chip_transform),
 *    outside the frame reads 0, with an n x n box prefilter when the face is
 *    downscaled (n = source pixels per output pixel, rounded up, at most 8),
 *    falling back to the box crop when the keypoints are degenerate.
 * Returns 0, or -1 (err set) when scratch memory is short. */
int fa_prepare_crop(const fa_frame *frame, const fa_face *face, const fa_crop_geometry *g,
                    int align, int mirror, fa_sample_target *t, fa_error *err);

#endif
