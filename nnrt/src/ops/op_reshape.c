/* Ops that only change the shape, not the bytes: Reshape (0 and -1,
 * allowzero), Flatten, Squeeze, Unsqueeze (axes attribute before opset 13,
 * input from 13), Identity and Dropout (inference: a copy; the mask, if
 * asked for, is all true). Their run is a copy, skipped when the memory plan
 * aliases the output onto the input. */
#include "op_common.h"

static nnrt_status set_out(nnrt_graph *g, nnrt_node *n, int rank, const int64_t *dims, nnrt_error *err) {
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if (op_numel(rank, dims) != nnrt_value_numel(x))
    return op_fail(err, n, NNRT_ERR_SHAPE, "output has %lld elements, input %lld", (long long)op_numel(rank, dims),
                   (long long)nnrt_value_numel(x));
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), x->dtype, rank, dims);
  return NNRT_OK;
}

static nnrt_status reshape_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, g->opset < 5 ? 1 : 2, 2, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t shape[NNRT_MAX_DIMS];
  int r;
  if (g->opset < 5) {
    if ((r = op_attr_ints(n, "shape", shape, NNRT_MAX_DIMS)) < 0)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute shape has more than %d values", NNRT_MAX_DIMS);
  } else if ((st = op_const_ints(g, n, 1, shape, NNRT_MAX_DIMS, &r, err))) {
    return st;
  }
  int64_t allowzero = nnrt_attr_int(n, "allowzero", 0);
  int minus = -1;
  int64_t known = 1;
  for (int i = 0; i < r; i++) {
    if (shape[i] == 0 && !allowzero) {
      if (i >= x->rank) return op_fail(err, n, NNRT_ERR_SHAPE, "shape[%d] = 0 copies a dimension the input lacks", i);
      shape[i] = x->dims[i];
    }
    if (shape[i] == -1) {
      if (minus >= 0) return op_fail(err, n, NNRT_ERR_SHAPE, "shape has more than one -1");
      minus = i;
    } else if (shape[i] < 0) {
      return op_fail(err, n, NNRT_ERR_SHAPE, "shape[%d] = %lld is negative", i, (long long)shape[i]);
    } else {
      if (known > 0 && shape[i] > INT64_MAX / known)
        return op_fail(err, n, NNRT_ERR_SHAPE, "shape overflows");
      known *= shape[i];
    }
  }
  if (minus >= 0) {
    int64_t total = nnrt_value_numel(x);
    if (known == 0 || total % known != 0)
      return op_fail(err, n, NNRT_ERR_SHAPE, "cannot infer the -1 dimension (%lld elements over %lld)",
                     (long long)total, (long long)known);
    shape[minus] = total / known;
  }
  return set_out(g, n, r, shape, err);
}

static nnrt_status flatten_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t axis = nnrt_attr_int(n, "axis", 1);
  if (axis < 0) axis += x->rank;
  if (axis < 0 || axis > x->rank)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute axis %lld is out of range for rank %d",
                   (long long)nnrt_attr_int(n, "axis", 1), x->rank);
  int64_t dims[2] = {op_numel((int)axis, x->dims), op_numel(x->rank - (int)axis, x->dims + axis)};
  return set_out(g, n, 2, dims, err);
}

/* axes from the attribute (opset < 13) or the optional constant input 1 */
static nnrt_status read_axes(nnrt_graph *g, nnrt_node *n, int64_t *axes, int *count, nnrt_error *err) {
  *count = 0;
  if (g->opset >= 13) {
    if (!nnrt_node_input(g, n, 1)) return NNRT_OK;
    return op_const_ints(g, n, 1, axes, NNRT_MAX_DIMS, count, err);
  }
  int c = op_attr_ints(n, "axes", axes, NNRT_MAX_DIMS);
  if (c < 0) return op_fail(err, n, NNRT_ERR_INVALID, "attribute axes has too many values");
  *count = c;
  return NNRT_OK;
}

static nnrt_status squeeze_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, g->opset >= 13 ? 2 : 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t axes[NNRT_MAX_DIMS];
  int c;
  if ((st = read_axes(g, n, axes, &c, err))) return st;
  bool drop[NNRT_MAX_DIMS] = {false};
  for (int i = 0; i < c; i++) {
    int a = op_axis(axes[i], x->rank);
    if (a < 0) return op_fail(err, n, NNRT_ERR_INVALID, "axis %lld is out of range", (long long)axes[i]);
    if (x->dims[a] != 1)
      return op_fail(err, n, NNRT_ERR_SHAPE, "cannot squeeze axis %d of size %lld", a, (long long)x->dims[a]);
    drop[a] = true;
  }
  int64_t dims[NNRT_MAX_DIMS];
  int r = 0;
  for (int i = 0; i < x->rank; i++)
    if (!(c ? drop[i] : x->dims[i] == 1)) dims[r++] = x->dims[i];
  return set_out(g, n, r, dims, err);
}

static nnrt_status unsqueeze_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, g->opset >= 13 ? 2 : 1, g->opset >= 13 ? 2 : 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int64_t axes[NNRT_MAX_DIMS];
  int c;
  if ((st = read_axes(g, n, axes, &c, err))) return st;
  int r = x->rank + c;
  if (c == 0) return op_fail(err, n, NNRT_ERR_INVALID, "axes are missing");
  if (r > NNRT_MAX_DIMS) return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "output rank %d is above %d", r, NNRT_MAX_DIMS);
  bool ins[NNRT_MAX_DIMS] = {false};
  for (int i = 0; i < c; i++) {
    int a = op_axis(axes[i], r);
    if (a < 0 || ins[a]) return op_fail(err, n, NNRT_ERR_INVALID, "axis %lld is out of range or repeated", (long long)axes[i]);
    ins[a] = true;
  }
  int64_t dims[NNRT_MAX_DIMS];
  for (int i = 0, j = 0; i < r; i++) dims[i] = ins[i] ? 1 : x->dims[j++];
  return set_out(g, n, r, dims, err);
}

static nnrt_status identity_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  return set_out(g, n, x->rank, x->dims, err);
}

static nnrt_status dropout_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 3, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 2, err))) return st;
  if (nnrt_node_input(g, n, 2)) {
    const nnrt_value *t = nnrt_node_input(g, n, 2);
    if (!op_input_is_const(g, n, 2) || op_load_i(t->dtype, t->data, 0) != 0)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "training_mode must be a constant false");
  }
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if ((st = set_out(g, n, x->rank, x->dims, err))) return st;
  if (n->n_outputs > 1 && n->outputs[1] >= 0)
    nnrt_value_set_shape(nnrt_node_output(g, n, 1), NNRT_DTYPE_BOOL, x->rank, x->dims);
  return NNRT_OK;
}

static void copy_run(const nnrt_node *n, nnrt_exec *x) {
  const nnrt_value *v = &x->g->values[n->inputs[0]];
  size_t bytes = (size_t)nnrt_value_numel(v) * nnrt_dtype_size(v->dtype);
  op_copy(x->out[0], x->in[0], bytes);
  if (n->n_outputs > 1 && n->outputs[1] >= 0 && x->out[1]) /* Dropout's mask */
    memset(x->out[1], 1, (size_t)nnrt_value_numel(v));
}

const nnrt_op nnrt_op_reshape = {.op_type = "Reshape", .infer = reshape_infer, .run = copy_run};
const nnrt_op nnrt_op_flatten = {.op_type = "Flatten", .infer = flatten_infer, .run = copy_run};
const nnrt_op nnrt_op_squeeze = {.op_type = "Squeeze", .infer = squeeze_infer, .run = copy_run};
const nnrt_op nnrt_op_unsqueeze = {.op_type = "Unsqueeze", .infer = unsqueeze_infer, .run = copy_run};
const nnrt_op nnrt_op_identity = {.op_type = "Identity", .infer = identity_infer, .run = copy_run};
const nnrt_op nnrt_op_dropout = {.op_type = "Dropout", .infer = dropout_infer, .run = copy_run};
