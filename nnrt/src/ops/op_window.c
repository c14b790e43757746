/* Sliding-window geometry (see op_window.h). */
#include "op_window.h"

#include <limits.h>

nnrt_status op_window_init(op_window *w, const nnrt_graph *g, const nnrt_node *n,
                           const nnrt_value *in, const int64_t *kernel, bool allow_ceil,
                           nnrt_error *err) {
  (void)g;
  memset(w, 0, sizeof *w);
  if (in->rank != 3 && in->rank != 4)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "input rank %d: only 1-D and 2-D spatial inputs (rank 3 or 4) are supported",
                   in->rank);
  int sp = in->rank - 2;
  w->spatial = sp;
  for (int i = 0; i < in->rank; i++)
    if (in->dims[i] <= 0 || in->dims[i] > INT_MAX / 4)
      return op_fail(err, n, NNRT_ERR_SHAPE, "input dimension %d is %lld", i, (long long)in->dims[i]);
  int64_t k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1}, p[4] = {0, 0, 0, 0};
  int64_t ks[2];
  int cnt = op_attr_ints(n, "kernel_shape", ks, 2);
  if (cnt < 0 || (cnt > 0 && cnt != sp))
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute kernel_shape must have %d values", sp);
  if (cnt == 0 && !kernel) return op_fail(err, n, NNRT_ERR_INVALID, "attribute kernel_shape is missing");
  for (int i = 0; i < sp; i++) k[i] = cnt ? ks[i] : kernel[i];
  if (kernel)
    for (int i = 0; i < sp; i++)
      if (k[i] != kernel[i]) return op_fail(err, n, NNRT_ERR_SHAPE, "attribute kernel_shape disagrees with the weights");
  if ((cnt = op_attr_ints(n, "strides", s, 2)) != 0 && cnt != sp)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute strides must have %d values", sp);
  if ((cnt = op_attr_ints(n, "dilations", d, 2)) != 0 && cnt != sp)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute dilations must have %d values", sp);
  int64_t pads[4] = {0, 0, 0, 0};
  if ((cnt = op_attr_ints(n, "pads", pads, 4)) != 0 && cnt != 2 * sp)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute pads must have %d values", 2 * sp);
  for (int i = 0; i < sp; i++) {
    if (k[i] < 1 || s[i] < 1 || d[i] < 1 || k[i] > 4096 || s[i] > 4096 || d[i] > 4096)
      return op_fail(err, n, NNRT_ERR_INVALID, "kernel %lld, stride %lld, dilation %lld out of range",
                     (long long)k[i], (long long)s[i], (long long)d[i]);
    p[i] = pads[i];
    p[i + 2] = pads[i + sp];
    if (p[i] < 0 || p[i + 2] < 0 || p[i] > 4096 || p[i + 2] > 4096)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute pads has a negative or huge value");
  }
  int64_t ceil_mode = allow_ceil ? nnrt_attr_int(n, "ceil_mode", 0) : 0;
  if (ceil_mode != 0 && ceil_mode != 1)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute ceil_mode must be 0 or 1");
  const char *ap = nnrt_attr_string(n, "auto_pad", "NOTSET");
  bool same_upper = strcmp(ap, "SAME_UPPER") == 0, same_lower = strcmp(ap, "SAME_LOWER") == 0;
  bool valid = strcmp(ap, "VALID") == 0;
  if (!same_upper && !same_lower && !valid && strcmp(ap, "NOTSET") != 0)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute auto_pad '%s' is not supported", ap);
  int64_t out[2] = {1, 1}, insz[2];
  for (int i = 0; i < sp; i++) {
    insz[i] = in->dims[2 + i];
    int64_t ext = d[i] * (k[i] - 1) + 1; /* dilated kernel extent */
    if (same_upper || same_lower) {
      out[i] = (insz[i] + s[i] - 1) / s[i];
      int64_t total = (out[i] - 1) * s[i] + ext - insz[i];
      if (total < 0) total = 0;
      p[i] = same_upper ? total / 2 : total - total / 2;
      p[i + 2] = total - p[i];
    } else {
      if (valid) p[i] = p[i + 2] = 0;
      int64_t span = insz[i] + p[i] + p[i + 2] - ext;
      if (span < 0)
        return op_fail(err, n, NNRT_ERR_SHAPE, "kernel (extent %lld) is larger than the padded input (%lld)",
                       (long long)ext, (long long)(insz[i] + p[i] + p[i + 2]));
      out[i] = ceil_mode ? (span + s[i] - 1) / s[i] + 1 : span / s[i] + 1;
      /* with ceil_mode the last window must start inside the input or the
       * left padding (as ONNX Runtime and PyTorch do) */
      if (ceil_mode && (out[i] - 1) * s[i] >= insz[i] + p[i]) out[i]--;
    }
  }
  w->n = (int)in->dims[0];
  w->c = (int)in->dims[1];
  /* 1-D: the single spatial axis is W, H is 1 */
  int hi = sp == 2 ? 0 : -1, wi = sp == 2 ? 1 : 0;
  w->ih = hi >= 0 ? (int)insz[hi] : 1;
  w->iw = (int)insz[wi];
  w->oh = hi >= 0 ? (int)out[hi] : 1;
  w->ow = (int)out[wi];
  w->kh = hi >= 0 ? (int)k[hi] : 1;
  w->kw = (int)k[wi];
  w->sh = hi >= 0 ? (int)s[hi] : 1;
  w->sw = (int)s[wi];
  w->dh = hi >= 0 ? (int)d[hi] : 1;
  w->dw = (int)d[wi];
  w->pt = hi >= 0 ? (int)p[hi] : 0;
  w->pb = hi >= 0 ? (int)p[hi + 2] : 0;
  w->pl = (int)p[wi];
  w->pr = (int)p[wi + 2];
  return NNRT_OK;
}

nnrt_window op_window_kernel(const op_window *w) {
  nnrt_window k = {w->ih, w->iw, w->oh, w->ow, w->kh, w->kw, w->sh, w->sw, w->pt, w->pl, w->dh, w->dw};
  return k;
}
