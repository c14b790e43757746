/* Slice (starts/ends/axes attributes before opset 10; inputs with optional
 * axes and steps from 10; negative and out-of-range indices clamped as ONNX
 * specifies) and Gather (any axis, negative indices). Any element type. */
#include "op_common.h"

typedef struct slice_state {
  int rank;
  int64_t out_dims[NNRT_MAX_DIMS];
  int64_t in_strides[NNRT_MAX_DIMS]; /* input elements per output step */
  int64_t base;                      /* input offset of the first element */
  size_t es;
} slice_state;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

static nnrt_status slice_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  bool attrs = g->opset < 10;
  nnrt_status st = op_check_inputs(g, n, attrs ? 1 : 3, attrs ? 1 : 5, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int r = x->rank;
  int64_t starts[NNRT_MAX_DIMS], ends[NNRT_MAX_DIMS], axes[NNRT_MAX_DIMS], steps[NNRT_MAX_DIMS];
  int ns, ne, na = 0, nst = 0;
  if (attrs) {
    ns = op_attr_ints(n, "starts", starts, NNRT_MAX_DIMS);
    ne = op_attr_ints(n, "ends", ends, NNRT_MAX_DIMS);
    na = op_attr_ints(n, "axes", axes, NNRT_MAX_DIMS);
    if (ns < 0 || ne < 0 || na < 0) return op_fail(err, n, NNRT_ERR_INVALID, "too many starts/ends/axes");
  } else {
    if ((st = op_const_ints(g, n, 1, starts, NNRT_MAX_DIMS, &ns, err))) return st;
    if ((st = op_const_ints(g, n, 2, ends, NNRT_MAX_DIMS, &ne, err))) return st;
    if (nnrt_node_input(g, n, 3) && (st = op_const_ints(g, n, 3, axes, NNRT_MAX_DIMS, &na, err))) return st;
    if (nnrt_node_input(g, n, 4) && (st = op_const_ints(g, n, 4, steps, NNRT_MAX_DIMS, &nst, err))) return st;
  }
  if (ns != ne || (na && na != ns) || (nst && nst != ns))
    return op_fail(err, n, NNRT_ERR_INVALID, "starts, ends, axes and steps differ in length");
  slice_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  int64_t strides[NNRT_MAX_DIMS];
  op_strides(r, x->dims, strides);
  int64_t start_of[NNRT_MAX_DIMS], step_of[NNRT_MAX_DIMS];
  bool seen[NNRT_MAX_DIMS] = {false};
  for (int i = 0; i < r; i++) {
    start_of[i] = 0;
    step_of[i] = 1;
    s->out_dims[i] = x->dims[i];
  }
  for (int i = 0; i < ns; i++) {
    int a = op_axis(na ? axes[i] : i, r);
    if (a < 0 || seen[a]) return op_fail(err, n, NNRT_ERR_INVALID, "axis %lld is out of range or repeated", (long long)(na ? axes[i] : i));
    seen[a] = true;
    int64_t step = nst ? steps[i] : 1, D = x->dims[a];
    if (step == 0) return op_fail(err, n, NNRT_ERR_INVALID, "step 0 on axis %d", a);
    int64_t b = starts[i], e = ends[i];
    /* indices past INT64 range arrive as huge values: clamp before adding */
    b = clamp64(b, -D - 1, D + 1);
    e = clamp64(e, -D - 1, D + 1);
    if (b < 0) b += D;
    if (e < 0) e += D;
    if (step > 0) {
      b = clamp64(b, 0, D);
      e = clamp64(e, 0, D);
    } else {
      b = clamp64(b, 0, D - 1);
      e = clamp64(e, -1, D - 1);
    }
    int64_t len = step > 0 ? (e - b + step - 1) / step : (b - e + (-step) - 1) / (-step);
    if (len < 0) len = 0;
    start_of[a] = b;
    step_of[a] = step;
    s->out_dims[a] = len;
  }
  s->rank = r;
  s->base = 0;
  for (int i = 0; i < r; i++) {
    s->base += start_of[i] * strides[i];
    s->in_strides[i] = step_of[i] * strides[i];
  }
  s->es = nnrt_dtype_size(x->dtype);
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), x->dtype, r, s->out_dims);
  return NNRT_OK;
}

static void slice_run(const nnrt_node *n, nnrt_exec *x) {
  const slice_state *s = n->state;
  int r = s->rank;
  int64_t total = op_numel(r, s->out_dims);
  if (total == 0) return;
  if (r == 0) {
    op_copy(x->out[0], x->in[0], s->es);
    return;
  }
  const unsigned char *in = x->in[0];
  unsigned char *out = x->out[0];
  int64_t inner = s->out_dims[r - 1], is = s->in_strides[r - 1];
  int64_t rows = total / inner, idx[NNRT_MAX_DIMS] = {0}, off = s->base;
  for (int64_t k = 0; k < rows; k++) {
    unsigned char *o = out + (size_t)(k * inner) * s->es;
    if (is == 1) memcpy(o, in + (size_t)off * s->es, (size_t)inner * s->es);
    else
      for (int64_t i = 0; i < inner; i++) memcpy(o + (size_t)i * s->es, in + (size_t)(off + i * is) * s->es, s->es);
    for (int i = r - 2; i >= 0; i--) {
      idx[i]++;
      off += s->in_strides[i];
      if (idx[i] < s->out_dims[i]) break;
      off -= s->in_strides[i] * s->out_dims[i];
      idx[i] = 0;
    }
  }
}

/* --- Gather ------------------------------------------------------------------ */
typedef struct gather_state {
  int64_t outer, axis_dim, inner, count; /* count: number of indices */
  nnrt_dtype idx_dtype;
  size_t es;
} gather_state;

static nnrt_status gather_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 2, 2, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0), *ix = nnrt_node_input(g, n, 1);
  if (ix->dtype != NNRT_DTYPE_INT64 && ix->dtype != NNRT_DTYPE_INT32)
    return op_fail(err, n, NNRT_ERR_INVALID, "indices must be int64 or int32");
  if (x->rank < 1) return op_fail(err, n, NNRT_ERR_SHAPE, "data must have rank >= 1");
  int axis = op_axis(nnrt_attr_int(n, "axis", 0), x->rank);
  if (axis < 0) return op_fail(err, n, NNRT_ERR_INVALID, "attribute axis is out of range for rank %d", x->rank);
  int r = x->rank - 1 + ix->rank;
  if (r > NNRT_MAX_DIMS) return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "output rank %d above %d", r, NNRT_MAX_DIMS);
  gather_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  s->outer = op_numel(axis, x->dims);
  s->axis_dim = x->dims[axis];
  s->inner = op_numel(x->rank - axis - 1, x->dims + axis + 1);
  s->count = nnrt_value_numel(ix);
  s->idx_dtype = ix->dtype;
  s->es = nnrt_dtype_size(x->dtype);
  if (op_input_is_const(g, n, 1))
    for (int64_t i = 0; i < s->count; i++) {
      int64_t v = op_load_i(ix->dtype, ix->data, i);
      if (v < -s->axis_dim || v >= s->axis_dim)
        return op_fail(err, n, NNRT_ERR_INVALID, "index %lld is out of range for an axis of %lld", (long long)v,
                       (long long)s->axis_dim);
    }
  int64_t dims[NNRT_MAX_DIMS];
  int k = 0;
  for (int i = 0; i < axis; i++) dims[k++] = x->dims[i];
  for (int i = 0; i < ix->rank; i++) dims[k++] = ix->dims[i];
  for (int i = axis + 1; i < x->rank; i++) dims[k++] = x->dims[i];
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), x->dtype, r, dims);
  return NNRT_OK;
}

static void gather_run(const nnrt_node *n, nnrt_exec *x) {
  const gather_state *s = n->state;
  const unsigned char *in = x->in[0];
  unsigned char *out = x->out[0];
  size_t row = (size_t)s->inner * s->es;
  for (int64_t o = 0; o < s->outer; o++)
    for (int64_t j = 0; j < s->count; j++) {
      int64_t v = op_load_i(s->idx_dtype, x->in[1], j);
      if (v < 0) v += s->axis_dim;
      unsigned char *dst = out + (size_t)(o * s->count + j) * row;
      /* the run cannot fail: an out-of-range runtime index yields zeros */
      if (v < 0 || v >= s->axis_dim) memset(dst, 0, row);
      else memcpy(dst, in + (size_t)(o * s->axis_dim + v) * row, row);
    }
}

static void free_state(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

const nnrt_op nnrt_op_slice = {.op_type = "Slice", .infer = slice_infer, .run = slice_run, .destroy = free_state};
const nnrt_op nnrt_op_gather = {.op_type = "Gather", .infer = gather_infer, .run = gather_run, .destroy = free_state};
