/* BlazeFace post-processing as MediaPipe does it: SSD anchors
 * (SsdAnchorsCalculator), box/keypoint decoding and score sigmoid
 * (TensorsToDetectionsCalculator) and weighted non-maximum suppression
 * (NonMaxSuppressionCalculator, algorithm WEIGHTED). Pure functions: no
 * network runs here, so tests can feed hand-made tensors. */
#ifndef FA_BLAZEFACE_H
#define FA_BLAZEFACE_H

#include "fa-core.h"

#define FA_BLAZEFACE_ANCHORS 896
#define FA_BLAZEFACE_COORDS 16 /* box (4) + 6 keypoints (2 each) */
/* MediaPipe face_detection graphs: min_suppression_threshold 0.3, IoU. */
#define FA_BLAZEFACE_NMS_IOU 0.3f
/* MediaPipe's score_clipping_thresh: raw logits are clipped to +-100. */
#define FA_BLAZEFACE_SCORE_CLIP 100.f

typedef struct fa_anchor {
  float x, y; /* centre, relative to the input (0..1); fixed size 1x1 */
} fa_anchor;

/* SsdAnchorsCalculator with anchor_offset 0.5, one aspect ratio 1.0 plus the
 * interpolated one, fixed_anchor_size: consecutive layers with the same
 * stride share one grid. Returns the number written (at most max_out), or
 * -1 if max_out is too small. */
int fa_ssd_anchors(int input_size, const int *strides, int n_layers, fa_anchor *out,
                   int max_out);

/* The two BlazeFace variants: front 128 (strides 8,16,16,16) and back 256
 * (strides 16,32,32,32); both give 896 anchors. */
int fa_blazeface_anchors(int input_size, fa_anchor *out, int max_out);

/* Decodes raw outputs: `scores` one logit per anchor, `boxes` 16 values per
 * anchor (x, y, w, h offsets, then 6 keypoints x, y), all scaled by the
 * input size. Keeps anchors whose sigmoid score >= threshold and writes them
 * as faces in input-pixel coordinates. Returns the count (<= max_out; the
 * highest scores are kept if there are more). */
int fa_blazeface_decode(const float *scores, const float *boxes, const fa_anchor *anchors,
                        int n_anchors, int input_size, float threshold, fa_face *out,
                        int max_out);

/* Intersection over union of two boxes. */
float fa_box_iou(const fa_face *a, const fa_face *b);

/* MediaPipe's weighted NMS: repeatedly take the highest-scoring remaining
 * face, collect every remaining face with IoU > iou_threshold with it
 * (itself included), and output their score-weighted mean box and keypoints
 * with the top score. Sorts `faces` in place (by score, descending). Writes
 * at most max_out results to `out` (which must not alias `faces`) and
 * returns how many. */
int fa_weighted_nms(fa_face *faces, int n, float iou_threshold, fa_face *out, int max_out);

/* Sorts faces by confidence, highest first (stable). */
void fa_sort_by_confidence(fa_face *faces, int n);

#endif
