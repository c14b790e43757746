/* Constant, Shape (start/end from opset 15), ConstantOfShape and Cast.
 * Constant, Shape and ConstantOfShape produce constant outputs already in
 * infer, so the shape arithmetic that follows them folds at load time. */
#include "op_common.h"

/* --- Constant --------------------------------------------------------------- */
static nnrt_status constant_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_outputs(n, 1, err);
  if (st) return st;
  if (n->n_inputs > 0 && n->inputs[0] >= 0) return op_fail(err, n, NNRT_ERR_INVALID, "takes no inputs");
  nnrt_value *out = nnrt_node_output(g, n, 0);
  const nnrt_attr *a;
  if ((a = nnrt_node_attr(n, "value")) && a->type == NNRT_ATTR_TENSOR && a->t) {
    const nnrt_attr_tensor *t = a->t;
    if (!op_dtype_supported(t->dtype))
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute value has unsupported dtype %d", (int)t->dtype);
    nnrt_value_set_shape(out, t->dtype, t->rank, t->dims);
    return op_set_const_output(out, t->data, (size_t)op_numel(t->rank, t->dims) * nnrt_dtype_size(t->dtype), err, n);
  }
  if ((a = nnrt_node_attr(n, "value_float")) && a->type == NNRT_ATTR_FLOAT) {
    nnrt_value_set_shape(out, NNRT_DTYPE_FLOAT, 0, NULL);
    return op_set_const_output(out, &a->f, sizeof(float), err, n);
  }
  if ((a = nnrt_node_attr(n, "value_int")) && a->type == NNRT_ATTR_INT) {
    nnrt_value_set_shape(out, NNRT_DTYPE_INT64, 0, NULL);
    return op_set_const_output(out, &a->i, sizeof(int64_t), err, n);
  }
  if ((a = nnrt_node_attr(n, "value_floats")) && a->type == NNRT_ATTR_FLOATS && (a->floats || !a->n)) {
    int64_t d = (int64_t)a->n;
    nnrt_value_set_shape(out, NNRT_DTYPE_FLOAT, 1, &d);
    return op_set_const_output(out, a->floats, a->n * sizeof(float), err, n);
  }
  if ((a = nnrt_node_attr(n, "value_ints")) && a->type == NNRT_ATTR_INTS && (a->ints || !a->n)) {
    int64_t d = (int64_t)a->n;
    nnrt_value_set_shape(out, NNRT_DTYPE_INT64, 1, &d);
    return op_set_const_output(out, a->ints, a->n * sizeof(int64_t), err, n);
  }
  return op_fail(err, n, NNRT_ERR_UNSUPPORTED,
                 "needs attribute value, value_float(s) or value_int(s) (sparse and string values are not supported)");
}

/* The output was made constant in infer; a run (if any) copies it again. */
static void const_output_run(const nnrt_node *n, nnrt_exec *x) {
  const nnrt_value *v = &x->g->values[n->outputs[0]];
  if (v->data && x->out[0])
    op_copy(x->out[0], v->data, (size_t)nnrt_value_numel(v) * nnrt_dtype_size(v->dtype));
}

/* --- Shape ---------------------------------------------------------------- */
static nnrt_status shape_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t start = nnrt_attr_int(n, "start", 0), end = nnrt_attr_int(n, "end", x->rank);
  if (start < 0) start += x->rank;
  if (end < 0) end += x->rank;
  start = start < 0 ? 0 : (start > x->rank ? x->rank : start);
  end = end < 0 ? 0 : (end > x->rank ? x->rank : end);
  int64_t len = end > start ? end - start : 0;
  nnrt_value *out = nnrt_node_output(g, n, 0);
  nnrt_value_set_shape(out, NNRT_DTYPE_INT64, 1, &len);
  return op_set_const_output(out, x->dims + start, (size_t)len * sizeof(int64_t), err, n);
}

/* --- ConstantOfShape -------------------------------------------------------- */
static nnrt_status constant_of_shape_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  int64_t dims[NNRT_MAX_DIMS];
  int r;
  if ((st = op_const_ints(g, n, 0, dims, NNRT_MAX_DIMS, &r, err))) return st;
  /* the product is checked too: the constant is built here, before the
   * core's size limit on outputs applies */
  int64_t total = 1;
  for (int i = 0; i < r; i++) {
    if (dims[i] < 0 || dims[i] > ((int64_t)1 << 30))
      return op_fail(err, n, NNRT_ERR_SHAPE, "dimension %d is %lld", i, (long long)dims[i]);
    total *= dims[i];
    if (total > ((int64_t)1 << 28))
      return op_fail(err, n, NNRT_ERR_NOMEM, "output of more than 2^28 elements is not supported");
  }
  nnrt_dtype dt = NNRT_DTYPE_FLOAT;
  const void *val = NULL;
  const nnrt_attr *a = nnrt_node_attr(n, "value");
  if (a) {
    if (a->type != NNRT_ATTR_TENSOR || !a->t || op_numel(a->t->rank, a->t->dims) != 1)
      return op_fail(err, n, NNRT_ERR_INVALID, "attribute value must be a one-element tensor");
    if (!op_dtype_supported(a->t->dtype))
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute value has unsupported dtype %d", (int)a->t->dtype);
    dt = a->t->dtype;
    val = a->t->data;
  }
  nnrt_value *out = nnrt_node_output(g, n, 0);
  nnrt_value_set_shape(out, dt, r, dims);
  size_t es = nnrt_dtype_size(dt), cnt = (size_t)op_numel(r, dims);
  unsigned char *buf = calloc(cnt ? cnt : 1, es);
  if (!buf) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  if (val)
    for (size_t i = 0; i < cnt; i++) memcpy(buf + i * es, val, es);
  st = op_set_const_output(out, buf, cnt * es, err, n);
  free(buf);
  return st;
}

/* --- Cast ------------------------------------------------------------------- */
static nnrt_status cast_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t to = nnrt_attr_int(n, "to", 0);
  if (!op_dtype_supported((nnrt_dtype)to))
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute to = %lld is not a supported dtype", (long long)to);
  if (!op_dtype_supported(x->dtype))
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "input dtype %d is not supported", (int)x->dtype);
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), (nnrt_dtype)to, x->rank, x->dims);
  return NNRT_OK;
}

static void cast_run(const nnrt_node *n, nnrt_exec *x) {
  const nnrt_value *v = &x->g->values[n->inputs[0]];
  const nnrt_value *o = &x->g->values[n->outputs[0]];
  int64_t cnt = nnrt_value_numel(v);
  if (v->dtype == o->dtype) {
    op_copy(x->out[0], x->in[0], (size_t)cnt * nnrt_dtype_size(v->dtype));
    return;
  }
  /* integers go through int64 so large values keep their precision */
  bool ints = op_dtype_is_int(v->dtype) && op_dtype_is_int(o->dtype);
  for (int64_t i = 0; i < cnt; i++) {
    if (ints) op_store_i(o->dtype, x->out[0], i, op_load_i(v->dtype, x->in[0], i));
    else op_store_f(o->dtype, x->out[0], i, op_load_f(v->dtype, x->in[0], i));
  }
}

const nnrt_op nnrt_op_constant = {.op_type = "Constant", .infer = constant_infer, .run = const_output_run};
const nnrt_op nnrt_op_shape = {.op_type = "Shape", .infer = shape_infer, .run = const_output_run};
const nnrt_op nnrt_op_constant_of_shape = {.op_type = "ConstantOfShape", .infer = constant_of_shape_infer,
                                           .run = const_output_run};
const nnrt_op nnrt_op_cast = {.op_type = "Cast", .infer = cast_infer, .run = cast_run};
