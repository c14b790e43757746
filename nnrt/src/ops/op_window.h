/* Sliding-window geometry shared by Conv, MaxPool and AveragePool: parses
 * kernel_shape, strides, pads, dilations, auto_pad and ceil_mode for 1-D
 * (seen as H = 1) and 2-D spatial inputs, and computes the output size. */
#ifndef NNRT_OP_WINDOW_H
#define NNRT_OP_WINDOW_H

#include "op_common.h"

typedef struct op_window {
  int n, c;               /* batch and channels of the input */
  int ih, iw, oh, ow;
  int kh, kw, sh, sw, dh, dw;
  int pt, pl, pb, pr;     /* explicit or auto padding */
  int spatial;            /* 1 or 2 spatial axes */
} op_window;

/* `kernel` gives the spatial kernel size when the op has no kernel_shape
 * attribute (Conv reads it from the weights); NULL for pools. */
nnrt_status op_window_init(op_window *w, const nnrt_graph *g, const nnrt_node *n,
                           const nnrt_value *in, const int64_t *kernel, bool allow_ceil,
                           nnrt_error *err);
nnrt_window op_window_kernel(const op_window *w);

#endif /* NNRT_OP_WINDOW_H */
