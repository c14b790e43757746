/* Pad: constant, reflect and edge modes; pads (and the constant value) as
 * attributes before opset 11 and as inputs from 11 (with optional axes from
 * 18). Negative pads crop. Float32 and int64 data. */
#include "op_common.h"

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } pad_mode;

typedef struct pad_state {
  pad_mode mode;
  int rank;
  int64_t begin[NNRT_MAX_DIMS];
  int64_t in_dims[NNRT_MAX_DIMS], out_dims[NNRT_MAX_DIMS];
  float value;     /* from the attribute (opset < 11) */
  nnrt_dtype dtype;
} pad_state;

static nnrt_status pad_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  bool attrs = g->opset < 11;
  nnrt_status st = op_check_inputs(g, n, attrs ? 1 : 2, attrs ? 1 : 4, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if (x->dtype != NNRT_DTYPE_FLOAT && x->dtype != NNRT_DTYPE_INT64)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "dtype %d is not supported (float32 or int64)", (int)x->dtype);
  pad_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  const char *mode = nnrt_attr_string(n, "mode", "constant");
  if (strcmp(mode, "constant") == 0) s->mode = PAD_CONSTANT;
  else if (strcmp(mode, "reflect") == 0) s->mode = PAD_REFLECT;
  else if (strcmp(mode, "edge") == 0) s->mode = PAD_EDGE;
  else return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute mode '%s' is not supported", mode);
  int r = x->rank, c;
  int64_t pads[2 * NNRT_MAX_DIMS], full[2 * NNRT_MAX_DIMS] = {0};
  if (attrs) {
    c = op_attr_ints(n, g->opset < 2 ? "paddings" : "pads", pads, 2 * NNRT_MAX_DIMS);
    if (c != 2 * r) return op_fail(err, n, NNRT_ERR_INVALID, "attribute pads must have %d values", 2 * r);
    memcpy(full, pads, sizeof(int64_t) * (size_t)c);
    s->value = nnrt_attr_float(n, "value", 0.f);
  } else {
    if ((st = op_const_ints(g, n, 1, pads, 2 * NNRT_MAX_DIMS, &c, err))) return st;
    int64_t axes[NNRT_MAX_DIMS];
    int na = r;
    for (int i = 0; i < r; i++) axes[i] = i;
    if (nnrt_node_input(g, n, 3) && (st = op_const_ints(g, n, 3, axes, NNRT_MAX_DIMS, &na, err))) return st;
    if (c != 2 * na) return op_fail(err, n, NNRT_ERR_INVALID, "pads has %d values for %d axes", c, na);
    for (int i = 0; i < na; i++) {
      int a = op_axis(axes[i], r);
      if (a < 0) return op_fail(err, n, NNRT_ERR_INVALID, "axis %lld is out of range", (long long)axes[i]);
      full[a] = pads[i];
      full[a + r] = pads[i + na];
    }
    const nnrt_value *cv = nnrt_node_input(g, n, 2);
    if (cv && (cv->dtype != x->dtype || nnrt_value_numel(cv) != 1))
      return op_fail(err, n, NNRT_ERR_INVALID, "constant_value must be one element of the data's dtype");
  }
  s->rank = r;
  s->dtype = x->dtype;
  for (int i = 0; i < r; i++) {
    s->begin[i] = full[i];
    s->in_dims[i] = x->dims[i];
    s->out_dims[i] = x->dims[i] + full[i] + full[i + r];
    if (s->out_dims[i] < 0) return op_fail(err, n, NNRT_ERR_SHAPE, "pads crop axis %d below zero", i);
    if (s->mode == PAD_REFLECT && (full[i] >= x->dims[i] || full[i + r] >= x->dims[i]))
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "reflect pads on axis %d must be smaller than the axis", i);
    if (s->mode != PAD_CONSTANT && x->dims[i] == 0 && s->out_dims[i] > 0)
      return op_fail(err, n, NNRT_ERR_SHAPE, "cannot %s-pad an empty axis %d", mode, i);
  }
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), x->dtype, r, s->out_dims);
  return NNRT_OK;
}

/* Input index for output index o on one axis, or -1 for the constant. */
static int64_t map_index(pad_mode mode, int64_t o, int64_t begin, int64_t d) {
  int64_t i = o - begin;
  if (i >= 0 && i < d) return i;
  switch (mode) {
    case PAD_CONSTANT: return -1;
    case PAD_EDGE: return i < 0 ? 0 : d - 1;
    case PAD_REFLECT: return i < 0 ? -i : 2 * (d - 1) - i;
  }
  return -1;
}

static void pad_run(const nnrt_node *n, nnrt_exec *x) {
  const pad_state *s = n->state;
  int r = s->rank;
  int64_t total = op_numel(r, s->out_dims);
  int64_t in_strides[NNRT_MAX_DIMS], idx[NNRT_MAX_DIMS] = {0};
  op_strides(r, s->in_dims, in_strides);
  bool is_f = s->dtype == NNRT_DTYPE_FLOAT;
  float vf = s->value;
  int64_t vi = (int64_t)s->value;
  if (n->n_inputs > 2 && x->in[2]) {
    if (is_f) vf = *(const float *)x->in[2];
    else vi = *(const int64_t *)x->in[2];
  }
  for (int64_t k = 0; k < total; k++) {
    int64_t off = 0;
    bool outside = false;
    for (int i = 0; i < r && !outside; i++) {
      int64_t m = map_index(s->mode, idx[i], s->begin[i], s->in_dims[i]);
      if (m < 0) outside = true;
      else off += m * in_strides[i];
    }
    if (is_f) ((float *)x->out[0])[k] = outside ? vf : ((const float *)x->in[0])[off];
    else ((int64_t *)x->out[0])[k] = outside ? vi : ((const int64_t *)x->in[0])[off];
    for (int i = r - 1; i >= 0; i--) {
      if (++idx[i] < s->out_dims[i]) break;
      idx[i] = 0;
    }
  }
}

static void pad_destroy(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

const nnrt_op nnrt_op_pad = {.op_type = "Pad", .infer = pad_infer, .run = pad_run, .destroy = pad_destroy};
