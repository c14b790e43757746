/* Sampling network inputs straight from a frame of any fa_pixel_format.
 *
 * One call fills an RGB float tensor of the network's input size from a
 * rectangle or an affine warp of the frame, bilinear, converting colour per
 * sample (BT.601 for I420/NV12, grey replicated). The whole frame is never
 * converted: only the 4 neighbours of each output sample are read. */
#ifndef FA_FRAME_SAMPLE_H
#define FA_FRAME_SAMPLE_H

#include "fa-core.h"

typedef enum fa_tensor_layout {
  FA_LAYOUT_HWC = 0, /* interleaved RGB rows (NHWC with N = 1) */
  FA_LAYOUT_CHW      /* planar R, G, B (NCHW with N = 1) */
} fa_tensor_layout;

typedef struct fa_sample_target {
  float *data;
  int width, height;
  fa_tensor_layout layout;
  /* value = pixel * scale[c] + offset[c], pixel in 0..255, c in R, G, B */
  float scale[3], offset[3];
  /* pixel value (0..255, R G B) of samples that fall outside `valid` */
  float fill[3];
  /* Source pixels readable from the frame: [x0, x1) x [y0, y1), clipped to
   * the frame by the sampler. Neighbours outside it read `fill`. */
  int valid_x0, valid_y0, valid_x1, valid_y1;
  /* Sample coordinates are clamped into [x0, x1-1] x [y0, y1-1] before the
   * neighbours are taken (edge replication as TensorFlow's resize does at
   * the border of the image it resizes). Set x1 <= x0 to disable. */
  int clamp_x0, clamp_y0, clamp_x1, clamp_y1;
  int mirror; /* flip the output horizontally */
} fa_sample_target;

/* Writes one output sample (RGB, 0..255 scale) at (u, v) of the target,
 * scaled, offset and laid out as the target says. */
static inline void fa_sample_store(const fa_sample_target *t, int u, int v, const float acc[3]) {
  if (t->layout == FA_LAYOUT_HWC) {
    float *o = t->data + ((size_t)v * t->width + u) * 3;
    for (int c = 0; c < 3; c++)
      o[c] = acc[c] * t->scale[c] + t->offset[c];
  } else {
    size_t i = (size_t)v * t->width + u, plane = (size_t)t->width * t->height;
    for (int c = 0; c < 3; c++)
      t->data[c * plane + i] = acc[c] * t->scale[c] + t->offset[c];
  }
}

/* Fills the target defaults: HWC, scale 1, offset 0, fill 0, valid = all of
 * the frame (clipped at sampling time), no clamp, no mirror. */
void fa_sample_target_init(fa_sample_target *t, float *data, int width, int height);

/* Output sample (u, v), u, v integer indices, reads the frame at
 *   x = m[0]*u + m[1]*v + m[2],  y = m[3]*u + m[4]*v + m[5]
 * in pixel-index coordinates (pixel i's centre is at i). */
void fa_sample_affine(const fa_frame *frame, const double m[6], const fa_sample_target *t);

/* Maps the rectangle (x, y, w, h) of the frame (in continuous coordinates:
 * pixel i spans [i, i+1)) onto the whole target with pixel-centre alignment
 * (OpenCV / MediaPipe convention). */
void fa_sample_rect(const fa_frame *frame, float x, float y, float w, float h,
                    const fa_sample_target *t);

/* Largest target side the axis-aligned fast path takes (detector and
 * classifier inputs are 64..256); larger ones use the general path. */
#define FA_SAMPLE_ROWS_MAX 1024

/* fa_sample_affine's fast path for warps without rotation (m[1] == m[3] ==
 * 0): bit-identical results, computed row by row. Returns 0 without
 * touching the target if the warp or size does not qualify. */
int fa_sample_axis_aligned(const fa_frame *frame, const double m[6], const fa_sample_target *t);

/* fa_sample_affine without the fast path: the reference the fast path is
 * tested against. */
void fa_sample_affine_general(const fa_frame *frame, const double m[6],
                              const fa_sample_target *t);

/* Reads the pixels (xs[i], y), i < n, as RGB triplets (0..255) into rgb;
 * every xs[i] and y must be inside the frame. */
void fa_frame_read_row_rgb(const fa_frame *frame, int y, const int *xs, int n, float *rgb);

/* Reads one pixel as RGB (0..255); (x, y) must be inside the frame. */
void fa_frame_read_rgb(const fa_frame *frame, int x, int y, float rgb[3]);

/* Whether the frame's planes and strides are consistent for its format. */
int fa_frame_is_valid(const fa_frame *frame);

#endif
