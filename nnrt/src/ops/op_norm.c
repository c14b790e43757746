/* Normalisations: BatchNormalization (inference form), Softmax (opset < 13
 * coerces to 2-D at `axis`; opset >= 13 normalises along `axis` only) and
 * LRN across channels. */
#include <math.h>

#include "op_common.h"

/* --- BatchNormalization -------------------------------------------------------- */
typedef struct bn_state {
  float eps;
  int64_t n, c, plane;
} bn_state;

static void free_state(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

static nnrt_status bn_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 5, 5, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  for (int i = 0; i < 5; i++)
    if ((st = op_need_float(g, n, i, err))) return st;
  if (nnrt_attr_int(n, "training_mode", 0) != 0)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute training_mode 1 is not supported");
  if (g->opset < 7 && nnrt_attr_int(n, "is_test", 1) == 0)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute is_test 0 is not supported");
  if (g->opset < 9 && nnrt_attr_int(n, "spatial", 1) != 1)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute spatial 0 is not supported");
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if (x->rank < 2) return op_fail(err, n, NNRT_ERR_SHAPE, "input rank %d is below 2", x->rank);
  for (int i = 1; i < 5; i++)
    if (nnrt_value_numel(nnrt_node_input(g, n, i)) != x->dims[1])
      return op_fail(err, n, NNRT_ERR_SHAPE, "input %d must have %lld values", i, (long long)x->dims[1]);
  bn_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  s->eps = nnrt_attr_float(n, "epsilon", 1e-5f);
  s->n = x->dims[0];
  s->c = x->dims[1];
  s->plane = op_numel(x->rank - 2, x->dims + 2);
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, x->rank, x->dims);
  return NNRT_OK;
}

static void bn_run(const nnrt_node *n, nnrt_exec *x) {
  const bn_state *s = n->state;
  const float *in = x->in[0], *scale = x->in[1], *bias = x->in[2], *mean = x->in[3], *var = x->in[4];
  float *out = x->out[0];
  for (int64_t b = 0; b < s->n; b++)
    for (int64_t c = 0; c < s->c; c++) {
      float a = scale[c] / sqrtf(var[c] + s->eps), sh = bias[c] - mean[c] * a;
      const float *src = in + (b * s->c + c) * s->plane;
      float *dst = out + (b * s->c + c) * s->plane;
      for (int64_t i = 0; i < s->plane; i++) dst[i] = src[i] * a + sh;
    }
}

/* --- Softmax ------------------------------------------------------------------- */
typedef struct softmax_state {
  int64_t outer, len, inner; /* normalise over len, elements inner apart */
} softmax_state;

static nnrt_status softmax_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  if ((st = op_need_float(g, n, 0, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  bool coerce = g->opset < 13;
  int64_t axis = nnrt_attr_int(n, "axis", coerce ? 1 : -1);
  if (axis < 0) axis += x->rank;
  if (axis < 0 || axis > x->rank || (!coerce && axis == x->rank) || (x->rank == 0 && !coerce))
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute axis %lld is out of range for rank %d",
                   (long long)nnrt_attr_int(n, "axis", 0), x->rank);
  softmax_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  if (coerce) {
    s->outer = op_numel((int)axis, x->dims);
    s->len = op_numel(x->rank - (int)axis, x->dims + axis);
    s->inner = 1;
  } else {
    s->outer = op_numel((int)axis, x->dims);
    s->len = x->dims[axis];
    s->inner = op_numel(x->rank - (int)axis - 1, x->dims + axis + 1);
  }
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, x->rank, x->dims);
  return NNRT_OK;
}

static void softmax_run(const nnrt_node *n, nnrt_exec *x) {
  const softmax_state *s = n->state;
  const float *in = x->in[0];
  float *out = x->out[0];
  for (int64_t o = 0; o < s->outer; o++)
    for (int64_t i = 0; i < s->inner; i++) {
      const float *src = in + o * s->len * s->inner + i;
      float *dst = out + o * s->len * s->inner + i;
      float mx = -INFINITY;
      for (int64_t k = 0; k < s->len; k++) mx = src[k * s->inner] > mx ? src[k * s->inner] : mx;
      float sum = 0.f;
      for (int64_t k = 0; k < s->len; k++) {
        float e = expf(src[k * s->inner] - mx);
        dst[k * s->inner] = e;
        sum += e;
      }
      float inv = 1.f / sum;
      for (int64_t k = 0; k < s->len; k++) dst[k * s->inner] *= inv;
    }
}

/* --- LRN ---------------------------------------------------------------------- */
typedef struct lrn_state {
  float alpha, beta, bias;
  int size;
  int64_t n, c, plane;
} lrn_state;

static nnrt_status lrn_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  if ((st = op_need_float(g, n, 0, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if (x->rank < 3) return op_fail(err, n, NNRT_ERR_SHAPE, "input rank %d is below 3", x->rank);
  int64_t size = nnrt_attr_int(n, "size", 0);
  if (size < 1 || size > 4096) return op_fail(err, n, NNRT_ERR_INVALID, "attribute size %lld is out of range", (long long)size);
  lrn_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  s->alpha = nnrt_attr_float(n, "alpha", 1e-4f);
  s->beta = nnrt_attr_float(n, "beta", 0.75f);
  s->bias = nnrt_attr_float(n, "bias", 1.f);
  s->size = (int)size;
  s->n = x->dims[0];
  s->c = x->dims[1];
  s->plane = op_numel(x->rank - 2, x->dims + 2);
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, x->rank, x->dims);
  return NNRT_OK;
}

static void lrn_run(const nnrt_node *n, nnrt_exec *x) {
  const lrn_state *s = n->state;
  const float *in = x->in[0];
  float *out = x->out[0];
  /* the window is [c - floor((size-1)/2), c + ceil((size-1)/2)] */
  int64_t before = (s->size - 1) / 2, after = s->size - 1 - before;
  for (int64_t b = 0; b < s->n; b++)
    for (int64_t c = 0; c < s->c; c++) {
      int64_t c0 = c - before < 0 ? 0 : c - before, c1 = c + after >= s->c ? s->c - 1 : c + after;
      const float *base = in + b * s->c * s->plane;
      for (int64_t i = 0; i < s->plane; i++) {
        float sq = 0.f;
        for (int64_t k = c0; k <= c1; k++) {
          float v = base[k * s->plane + i];
          sq += v * v;
        }
        out[(b * s->c + c) * s->plane + i] =
            base[c * s->plane + i] / powf(s->bias + s->alpha / (float)s->size * sq, s->beta);
      }
    }
}

const nnrt_op nnrt_op_batchnorm = {.op_type = "BatchNormalization", .infer = bn_infer, .run = bn_run,
                                   .destroy = free_state};
const nnrt_op nnrt_op_softmax = {.op_type = "Softmax", .infer = softmax_infer, .run = softmax_run, .destroy = free_state};
const nnrt_op nnrt_op_lrn = {.op_type = "LRN", .infer = lrn_infer, .run = lrn_run, .destroy = free_state};
