/* Helpers shared by the ops (see op_common.h). */
#include "op_common.h"

#include <stdarg.h>
#include <stdio.h>

nnrt_status op_fail(nnrt_error *err, const nnrt_node *n, nnrt_status status, const char *fmt, ...) {
  char label[192], msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return nnrt_fail(err, status, "%s: %s", nnrt_node_label(n, label, sizeof label), msg);
}

nnrt_status op_check_inputs(const nnrt_graph *g, const nnrt_node *n, int min, int max,
                            nnrt_error *err) {
  int present = 0;
  for (int i = 0; i < n->n_inputs; i++)
    if (n->inputs[i] >= 0) present = i + 1;
  if (present < min || present > max)
    return op_fail(err, n, NNRT_ERR_INVALID, "expects %d to %d inputs, has %d", min, max, present);
  for (int i = 0; i < min; i++)
    if (!nnrt_node_input(g, n, i))
      return op_fail(err, n, NNRT_ERR_INVALID, "required input %d is missing", i);
  for (int i = 0; i < present; i++) {
    const nnrt_value *v = nnrt_node_input(g, n, i);
    if (v && !v->shape_known)
      return op_fail(err, n, NNRT_ERR_SHAPE, "shape of input %d ('%s') is unknown", i, v->name);
  }
  return NNRT_OK;
}

nnrt_status op_check_outputs(const nnrt_node *n, int max, nnrt_error *err) {
  if (n->n_outputs < 1 || n->outputs[0] < 0)
    return op_fail(err, n, NNRT_ERR_INVALID, "has no output");
  for (int i = max; i < n->n_outputs; i++)
    if (n->outputs[i] >= 0)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "output %d is not supported", i);
  return NNRT_OK;
}

nnrt_status op_need_float(const nnrt_graph *g, const nnrt_node *n, int i, nnrt_error *err) {
  const nnrt_value *v = nnrt_node_input(g, n, i);
  if (v && v->dtype != NNRT_DTYPE_FLOAT)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "input %d ('%s') has dtype %d, only float32 is supported",
                   i, v->name, (int)v->dtype);
  return NNRT_OK;
}

int op_attr_ints(const nnrt_node *n, const char *name, int64_t *out, int max) {
  const nnrt_attr *a = nnrt_node_attr(n, name);
  if (!a) return 0;
  if (a->type == NNRT_ATTR_INT) {
    if (max < 1) return -1;
    out[0] = a->i;
    return 1;
  }
  if ((int64_t)a->n > max) return -1;
  for (size_t i = 0; i < a->n; i++) out[i] = a->ints ? a->ints[i] : 0;
  return (int)a->n;
}

bool op_has_attr(const nnrt_node *n, const char *name) { return nnrt_node_attr(n, name) != NULL; }

bool op_input_is_const(const nnrt_graph *g, const nnrt_node *n, int i) {
  const nnrt_value *v = nnrt_node_input(g, n, i);
  return v && v->kind == NNRT_VALUE_CONSTANT && v->data;
}

nnrt_status op_const_ints(const nnrt_graph *g, const nnrt_node *n, int i, int64_t *out, int max,
                          int *count, nnrt_error *err) {
  const nnrt_value *v = nnrt_node_input(g, n, i);
  if (!v) return op_fail(err, n, NNRT_ERR_INVALID, "input %d is missing", i);
  if (v->kind != NNRT_VALUE_CONSTANT || !v->data)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED,
                   "input %d ('%s') must be a constant (computed shapes are not supported)", i, v->name);
  if (v->dtype != NNRT_DTYPE_INT64 && v->dtype != NNRT_DTYPE_INT32)
    return op_fail(err, n, NNRT_ERR_INVALID, "input %d ('%s') must be int64 or int32", i, v->name);
  int64_t ne = nnrt_value_numel(v);
  if (ne > max)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "input %d ('%s') has %lld elements, at most %d supported",
                   i, v->name, (long long)ne, max);
  for (int64_t k = 0; k < ne; k++) out[k] = op_load_i(v->dtype, v->data, k);
  *count = (int)ne;
  return NNRT_OK;
}

int op_axis(int64_t axis, int rank) {
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return -1;
  return (int)axis;
}

bool op_broadcast_shape(int ra, const int64_t *da, int rb, const int64_t *db, int *rank,
                        int64_t *dims) {
  int r = ra > rb ? ra : rb;
  for (int i = 0; i < r; i++) {
    int ia = i - (r - ra), ib = i - (r - rb);
    int64_t a = ia >= 0 ? da[ia] : 1, b = ib >= 0 ? db[ib] : 1;
    if (a != b && a != 1 && b != 1) return false;
    dims[i] = a == 1 ? b : a;
  }
  *rank = r;
  return true;
}

void op_broadcast_strides(int r, const int64_t *d, int rank, const int64_t *dims, int64_t *strides) {
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; i--) {
    int j = i - (rank - r);
    if (j >= 0 && d[j] != 1) {
      strides[i] = s;
      s *= d[j];
    } else {
      strides[i] = 0;
    }
    (void)dims;
  }
}

int64_t op_numel(int rank, const int64_t *dims) {
  int64_t n = 1;
  for (int i = 0; i < rank; i++) n *= dims[i];
  return n;
}

void op_strides(int rank, const int64_t *dims, int64_t *strides) {
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
}

nnrt_status op_set_const_output(nnrt_value *v, const void *data, size_t bytes, nnrt_error *err,
                                const nnrt_node *n) {
  void *copy = malloc(bytes ? bytes : 1);
  if (!copy) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory for a constant output");
  if (bytes) memcpy(copy, data, bytes);
  free(v->data);
  v->data = copy;
  v->kind = NNRT_VALUE_CONSTANT;
  return NNRT_OK;
}

int op_threads(const nnrt_exec *x) {
  if (!x->pool) return 1;
  int t = nnrt_pool_threads(x->pool);
  return t < 1 ? 1 : t;
}

int op_tasks(const nnrt_exec *x, int64_t work, int64_t units) {
  int threads = op_threads(x);
  if (threads <= 1 || units <= 1 || work < OP_SPLIT_MIN_WORK) return 1;
  int64_t tasks = work / OP_TASK_MIN_WORK;
  if (tasks > (int64_t)threads * OP_TASKS_PER_THREAD) tasks = (int64_t)threads * OP_TASKS_PER_THREAD;
  if (tasks > threads) tasks -= tasks % threads;
  if (tasks < threads) tasks = threads;
  if (tasks > units) tasks = units;
  return (int)tasks;
}

bool op_dtype_is_int(nnrt_dtype dt) {
  return dt == NNRT_DTYPE_INT64 || dt == NNRT_DTYPE_INT32 || dt == NNRT_DTYPE_INT8 ||
         dt == NNRT_DTYPE_UINT8 || dt == NNRT_DTYPE_BOOL;
}

bool op_dtype_supported(nnrt_dtype dt) {
  return op_dtype_is_int(dt) || dt == NNRT_DTYPE_FLOAT || dt == NNRT_DTYPE_DOUBLE;
}

double op_load_f(nnrt_dtype dt, const void *p, int64_t i) {
  switch (dt) {
    case NNRT_DTYPE_FLOAT: return ((const float *)p)[i];
    case NNRT_DTYPE_DOUBLE: return ((const double *)p)[i];
    default: return (double)op_load_i(dt, p, i);
  }
}

/* double -> int64 without the undefined behaviour of an out-of-range or NaN
 * conversion: those give INT64_MIN, as x86's cvttsd2si does. */
static int64_t f_to_i64(double v) {
  if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
  return (int64_t)v;
}

int64_t op_load_i(nnrt_dtype dt, const void *p, int64_t i) {
  switch (dt) {
    case NNRT_DTYPE_INT64: return ((const int64_t *)p)[i];
    case NNRT_DTYPE_INT32: return ((const int32_t *)p)[i];
    case NNRT_DTYPE_INT8: return ((const int8_t *)p)[i];
    case NNRT_DTYPE_UINT8: return ((const uint8_t *)p)[i];
    case NNRT_DTYPE_BOOL: return ((const uint8_t *)p)[i] != 0;
    case NNRT_DTYPE_FLOAT: return f_to_i64(((const float *)p)[i]);
    case NNRT_DTYPE_DOUBLE: return f_to_i64(((const double *)p)[i]);
    default: return 0;
  }
}

void op_store_f(nnrt_dtype dt, void *p, int64_t i, double v) {
  switch (dt) {
    case NNRT_DTYPE_FLOAT: ((float *)p)[i] = (float)v; break;
    case NNRT_DTYPE_DOUBLE: ((double *)p)[i] = v; break;
    case NNRT_DTYPE_BOOL: ((uint8_t *)p)[i] = v != 0.0; break;
    default: op_store_i(dt, p, i, f_to_i64(v)); break;
  }
}

void op_store_i(nnrt_dtype dt, void *p, int64_t i, int64_t v) {
  switch (dt) {
    case NNRT_DTYPE_INT64: ((int64_t *)p)[i] = v; break;
    case NNRT_DTYPE_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    case NNRT_DTYPE_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
    case NNRT_DTYPE_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case NNRT_DTYPE_BOOL: ((uint8_t *)p)[i] = v != 0; break;
    case NNRT_DTYPE_FLOAT: ((float *)p)[i] = (float)v; break;
    case NNRT_DTYPE_DOUBLE: ((double *)p)[i] = (double)v; break;
    default: break;
  }
}

void op_add_residual(const nnrt_kernels *k, float *out, const float *res, size_t n, const nnrt_act *act) {
  if (k) {
    k->binary(NNRT_BIN_ADD, out, res, out, n);
    if (act->kind != NNRT_ACT_NONE) k->activation(act, out, out, n);
    return;
  }
  for (size_t i = 0; i < n; i++) out[i] = nnrt_act_apply1(act, out[i] + res[i]);
}
