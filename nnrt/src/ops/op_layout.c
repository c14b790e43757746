/* Data movement without arithmetic, for any element type: Transpose,
 * Concat and Split. */
#include "op_common.h"

/* --- Transpose -------------------------------------------------------------- */
typedef struct transpose_state {
  int rank;
  int64_t out_dims[NNRT_MAX_DIMS];
  int64_t in_strides[NNRT_MAX_DIMS]; /* input stride of each output axis */
  size_t es;
} transpose_state;

static nnrt_status transpose_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t perm[NNRT_MAX_DIMS];
  int c = op_attr_ints(n, "perm", perm, NNRT_MAX_DIMS);
  if (c == 0) {
    c = x->rank;
    for (int i = 0; i < c; i++) perm[i] = c - 1 - i;
  }
  if (c != x->rank) return op_fail(err, n, NNRT_ERR_INVALID, "attribute perm has %d values for rank %d", c, x->rank);
  transpose_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  int64_t strides[NNRT_MAX_DIMS];
  op_strides(x->rank, x->dims, strides);
  bool seen[NNRT_MAX_DIMS] = {false};
  for (int i = 0; i < c; i++) {
    if (perm[i] < 0 || perm[i] >= c || seen[perm[i]])
      return op_fail(err, n, NNRT_ERR_INVALID, "attribute perm is not a permutation");
    seen[perm[i]] = true;
    s->out_dims[i] = x->dims[perm[i]];
    s->in_strides[i] = strides[perm[i]];
  }
  s->rank = c;
  s->es = nnrt_dtype_size(x->dtype);
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), x->dtype, c, s->out_dims);
  return NNRT_OK;
}

static void transpose_run(const nnrt_node *n, nnrt_exec *x) {
  const transpose_state *s = n->state;
  int r = s->rank;
  if (r == 0) {
    op_copy(x->out[0], x->in[0], s->es);
    return;
  }
  const unsigned char *in = x->in[0];
  unsigned char *out = x->out[0];
  int64_t inner = s->out_dims[r - 1], is = s->in_strides[r - 1];
  int64_t rows = op_numel(r - 1, s->out_dims);
  int64_t idx[NNRT_MAX_DIMS] = {0}, off = 0;
  size_t es = s->es;
  for (int64_t k = 0; k < rows; k++) {
    unsigned char *o = out + (size_t)(k * inner) * es;
    if (es == 4) {
      const float *src = (const float *)in + off;
      for (int64_t i = 0; i < inner; i++) ((float *)o)[i] = src[i * is];
    } else {
      for (int64_t i = 0; i < inner; i++) memcpy(o + (size_t)i * es, in + (size_t)(off + i * is) * es, es);
    }
    for (int i = r - 2; i >= 0; i--) {
      idx[i]++;
      off += s->in_strides[i];
      if (idx[i] < s->out_dims[i]) break;
      off -= s->in_strides[i] * s->out_dims[i];
      idx[i] = 0;
    }
  }
}

static void free_state(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

/* --- Concat ----------------------------------------------------------------- */
static nnrt_status concat_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, NNRT_MAX_NODE_INPUTS, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x0 = nnrt_node_input(g, n, 0);
  int axis = op_axis(nnrt_attr_int(n, "axis", 1), x0->rank);
  if (axis < 0) return op_fail(err, n, NNRT_ERR_INVALID, "attribute axis is out of range for rank %d", x0->rank);
  int64_t dims[NNRT_MAX_DIMS];
  memcpy(dims, x0->dims, sizeof(int64_t) * (size_t)x0->rank);
  dims[axis] = 0;
  for (int i = 0; i < n->n_inputs; i++) {
    const nnrt_value *v = nnrt_node_input(g, n, i);
    if (!v) return op_fail(err, n, NNRT_ERR_INVALID, "input %d is missing", i);
    if (v->dtype != x0->dtype || v->rank != x0->rank)
      return op_fail(err, n, NNRT_ERR_SHAPE, "input %d differs in dtype or rank", i);
    for (int d = 0; d < v->rank; d++)
      if (d != axis && v->dims[d] != x0->dims[d])
        return op_fail(err, n, NNRT_ERR_SHAPE, "input %d differs in dimension %d", i, d);
    dims[axis] += v->dims[axis];
  }
  int *state = malloc(sizeof(int));
  if (!state) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  *state = axis;
  free(n->state);
  n->state = state;
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), x0->dtype, x0->rank, dims);
  return NNRT_OK;
}

static void concat_run(const nnrt_node *n, nnrt_exec *x) {
  int axis = *(const int *)n->state;
  const nnrt_value *o = &x->g->values[n->outputs[0]];
  size_t es = nnrt_dtype_size(o->dtype);
  int64_t outer = op_numel(axis, o->dims);
  size_t out_row = (size_t)op_numel(o->rank - axis, o->dims + axis) * es;
  size_t pos = 0;
  for (int i = 0; i < n->n_inputs; i++) {
    const nnrt_value *v = &x->g->values[n->inputs[i]];
    size_t row = (size_t)op_numel(v->rank - axis, v->dims + axis) * es;
    const unsigned char *src = x->in[i];
    unsigned char *dst = (unsigned char *)x->out[0] + pos;
    for (int64_t k = 0; k < outer; k++) memcpy(dst + (size_t)k * out_row, src + (size_t)k * row, row);
    pos += row;
  }
}

/* --- Split ------------------------------------------------------------------ */
typedef struct split_state {
  int axis;
  int n;
  int64_t sizes[NNRT_MAX_NODE_INPUTS];
} split_state;

static nnrt_status split_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, g->opset >= 13 ? 2 : 1, err);
  if (st) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int axis = op_axis(nnrt_attr_int(n, "axis", 0), x->rank);
  if (axis < 0) return op_fail(err, n, NNRT_ERR_INVALID, "attribute axis is out of range for rank %d", x->rank);
  if (n->n_outputs < 1 || n->n_outputs > NNRT_MAX_NODE_INPUTS)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "%d outputs (1 to %d supported)", n->n_outputs, NNRT_MAX_NODE_INPUTS);
  split_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  s->axis = axis;
  s->n = n->n_outputs;
  int c = 0;
  if (g->opset >= 13) {
    if (nnrt_node_input(g, n, 1) && (st = op_const_ints(g, n, 1, s->sizes, NNRT_MAX_NODE_INPUTS, &c, err)))
      return st;
  } else if ((c = op_attr_ints(n, "split", s->sizes, NNRT_MAX_NODE_INPUTS)) < 0) {
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute split has too many values");
  }
  int64_t D = x->dims[axis];
  if (c == 0) {
    /* equal parts; from opset 18 the last one may be smaller */
    int64_t parts = s->n;
    int64_t num = nnrt_attr_int(n, "num_outputs", parts);
    if (num != parts) return op_fail(err, n, NNRT_ERR_INVALID, "attribute num_outputs %lld differs from the outputs", (long long)num);
    int64_t each = (D + parts - 1) / parts;
    if (g->opset < 18 && D % parts != 0)
      return op_fail(err, n, NNRT_ERR_SHAPE, "axis of size %lld does not split into %lld equal parts", (long long)D,
                     (long long)parts);
    for (int i = 0; i < s->n; i++) {
      int64_t left = D - each * i;
      s->sizes[i] = left < each ? (left > 0 ? left : 0) : each;
    }
  } else {
    if (c != s->n) return op_fail(err, n, NNRT_ERR_INVALID, "split has %d values for %d outputs", c, s->n);
    int64_t sum = 0;
    for (int i = 0; i < c; i++) {
      if (s->sizes[i] < 0) return op_fail(err, n, NNRT_ERR_INVALID, "split value %d is negative", i);
      sum += s->sizes[i];
    }
    if (sum != D)
      return op_fail(err, n, NNRT_ERR_SHAPE, "split sums to %lld, axis has %lld", (long long)sum, (long long)D);
  }
  for (int i = 0; i < s->n; i++) {
    if (n->outputs[i] < 0) continue;
    int64_t dims[NNRT_MAX_DIMS];
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)x->rank);
    dims[axis] = s->sizes[i];
    nnrt_value_set_shape(nnrt_node_output(g, n, i), x->dtype, x->rank, dims);
  }
  return NNRT_OK;
}

static void split_run(const nnrt_node *n, nnrt_exec *x) {
  const split_state *s = n->state;
  const nnrt_value *v = &x->g->values[n->inputs[0]];
  size_t es = nnrt_dtype_size(v->dtype);
  int64_t outer = op_numel(s->axis, v->dims);
  size_t inner = (size_t)op_numel(v->rank - s->axis - 1, v->dims + s->axis + 1) * es;
  size_t in_row = (size_t)v->dims[s->axis] * inner, pos = 0;
  const unsigned char *src = x->in[0];
  for (int i = 0; i < s->n; i++) {
    size_t row = (size_t)s->sizes[i] * inner;
    if (n->outputs[i] >= 0 && x->out[i]) {
      unsigned char *dst = x->out[i];
      for (int64_t k = 0; k < outer; k++) memcpy(dst + (size_t)k * row, src + (size_t)k * in_row + pos, row);
    }
    pos += row;
  }
}

const nnrt_op nnrt_op_transpose = {.op_type = "Transpose", .infer = transpose_infer, .run = transpose_run,
                                   .destroy = free_state};
const nnrt_op nnrt_op_concat = {.op_type = "Concat", .infer = concat_infer, .run = concat_run, .destroy = free_state};
const nnrt_op nnrt_op_split = {.op_type = "Split", .infer = split_infer, .run = split_run, .destroy = free_state};
