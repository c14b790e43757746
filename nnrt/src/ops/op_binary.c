/* Add, Sub, Mul, Div with numpy broadcasting (float32 and int64 for shape
 * arithmetic) and PRelu (slope broadcast onto X). Rows of the coalesced
 * broadcast go to the kernel table when both operands are contiguous or one
 * is a scalar per row (same shape, per-channel and scalar operands).
 * A following activation fused by the graph (node->act, e.g. a residual
 * Add's Relu) is applied block by block while the block is still in L1,
 * instead of a second pass over the whole tensor. */
#include "op_broadcast.h"

typedef enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_PRELU } bin_kind;

typedef struct binary_state {
  bin_kind kind;
  nnrt_dtype dtype;
  op_bcast bc;
} binary_state;

static nnrt_status binary_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err, bin_kind kind) {
  nnrt_status st = op_check_inputs(g, n, 2, 2, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  const nnrt_value *a = nnrt_node_input(g, n, 0), *b = nnrt_node_input(g, n, 1);
  if (a->dtype != b->dtype)
    return op_fail(err, n, NNRT_ERR_INVALID, "inputs have different dtypes (%d, %d)", (int)a->dtype,
                   (int)b->dtype);
  if (a->dtype != NNRT_DTYPE_FLOAT && !(a->dtype == NNRT_DTYPE_INT64 && kind != BIN_PRELU))
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "dtype %d is not supported (float32%s)", (int)a->dtype,
                   kind == BIN_PRELU ? "" : " or int64");
  binary_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  s->kind = kind;
  s->dtype = a->dtype;
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
  if (!op_bcast_init(&s->bc, a->rank, a->dims, b->rank, b->dims, &rank, dims))
    return op_fail(err, n, NNRT_ERR_SHAPE, "input shapes do not broadcast");
  if (kind == BIN_PRELU) {
    /* the slope broadcasts onto X, never the other way */
    if (rank != a->rank || op_numel(rank, dims) != nnrt_value_numel(a))
      return op_fail(err, n, NNRT_ERR_SHAPE, "slope does not broadcast onto X");
  }
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), a->dtype, rank, dims);
  return NNRT_OK;
}

static nnrt_status add_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return binary_infer(g, n, e, BIN_ADD); }
static nnrt_status sub_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return binary_infer(g, n, e, BIN_SUB); }
static nnrt_status mul_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return binary_infer(g, n, e, BIN_MUL); }
static nnrt_status div_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return binary_infer(g, n, e, BIN_DIV); }
static nnrt_status prelu_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return binary_infer(g, n, e, BIN_PRELU); }

typedef struct row_ctx {
  bin_kind kind;
  const void *a, *b;
  void *out;
  const nnrt_kernels *k;
  const nnrt_act *act; /* NULL: none */
} row_ctx;

static inline float bin_f(bin_kind kind, float a, float b) {
  switch (kind) {
    case BIN_ADD: return a + b;
    case BIN_SUB: return a - b;
    case BIN_MUL: return a * b;
    case BIN_DIV: return a / b;
    case BIN_PRELU: return a < 0.f ? a * b : a;
  }
  return 0.f;
}

static inline int64_t bin_i(bin_kind kind, int64_t a, int64_t b) {
  switch (kind) {
    case BIN_ADD: return (int64_t)((uint64_t)a + (uint64_t)b);
    case BIN_SUB: return (int64_t)((uint64_t)a - (uint64_t)b);
    case BIN_MUL: return (int64_t)((uint64_t)a * (uint64_t)b);
    case BIN_DIV: /* no trap on x/0 or INT64_MIN/-1: the run cannot fail */
      if (b == 0 || (b == -1 && a == INT64_MIN)) return 0;
      return a / b;
    case BIN_PRELU: return a;
  }
  return 0;
}

/* Floats per block of a fused binary + activation: 16 KiB of output. */
#define ACT_BLOCK 4096

static void row_float_plain(const row_ctx *c, const float *a, const float *b, float *o, int64_t n,
                            int64_t sa, int64_t sb);

static void row_float(void *vctx, int64_t ao, int64_t bo, int64_t oo, int64_t n, int64_t sa, int64_t sb) {
  const row_ctx *c = vctx;
  const float *a = (const float *)c->a + ao, *b = (const float *)c->b + bo;
  float *o = (float *)c->out + oo;
  if (!c->act) {
    row_float_plain(c, a, b, o, n, sa, sb);
    return;
  }
  for (int64_t i = 0; i < n; i += ACT_BLOCK) {
    int64_t len = n - i < ACT_BLOCK ? n - i : ACT_BLOCK;
    row_float_plain(c, a + i * sa, b + i * sb, o + i, len, sa, sb);
    if (c->k) {
      c->k->activation(c->act, o + i, o + i, (size_t)len);
    } else {
      for (int64_t j = 0; j < len; j++) o[i + j] = nnrt_act_apply1(c->act, o[i + j]);
    }
  }
}

static void row_float_plain(const row_ctx *c, const float *a, const float *b, float *o, int64_t n,
                            int64_t sa, int64_t sb) {
  if (c->k && c->kind != BIN_PRELU) {
    nnrt_binary_kind kk = c->kind == BIN_ADD ? NNRT_BIN_ADD
                          : c->kind == BIN_SUB ? NNRT_BIN_SUB
                          : c->kind == BIN_MUL ? NNRT_BIN_MUL : NNRT_BIN_DIV;
    if (sa == 1 && sb == 1) { c->k->binary(kk, a, b, o, (size_t)n); return; }
    if (sa == 1 && sb == 0) { c->k->binary_scalar(kk, a, b[0], o, (size_t)n); return; }
    if (sa == 0 && sb == 1 && (kk == NNRT_BIN_ADD || kk == NNRT_BIN_MUL)) {
      c->k->binary_scalar(kk, b, a[0], o, (size_t)n);
      return;
    }
  }
  for (int64_t i = 0; i < n; i++) o[i] = bin_f(c->kind, a[i * sa], b[i * sb]);
}

static void row_int64(void *vctx, int64_t ao, int64_t bo, int64_t oo, int64_t n, int64_t sa, int64_t sb) {
  const row_ctx *c = vctx;
  const int64_t *a = (const int64_t *)c->a + ao, *b = (const int64_t *)c->b + bo;
  int64_t *o = (int64_t *)c->out + oo;
  for (int64_t i = 0; i < n; i++) o[i] = bin_i(c->kind, a[i * sa], b[i * sb]);
}

/* Large same-shape float operands (residual Adds) are split over the pool
 * in cache-line-aligned chunks; everything else runs on the calling thread. */
#define BINARY_SPLIT_MIN (1 << 15)

typedef struct split_ctx {
  const row_ctx *c;
  int64_t total, chunk;
} split_ctx;

static void split_task(void *arg, int t) {
  const split_ctx *sc = arg;
  int64_t o = t * sc->chunk, len = o + sc->chunk < sc->total ? sc->chunk : sc->total - o;
  if (len > 0) row_float((void *)sc->c, o, o, o, len, 1, 1);
}

static void binary_run(const nnrt_node *n, nnrt_exec *x) {
  const binary_state *s = n->state;
  row_ctx c = {s->kind, x->in[0], x->in[1], x->out[0], x->k,
               n->act.kind != NNRT_ACT_NONE && s->dtype == NNRT_DTYPE_FLOAT ? &n->act : NULL};
  const op_bcast *b = &s->bc;
  int threads = op_threads(x);
  if (threads > 1 && s->dtype == NNRT_DTYPE_FLOAT && b->rank == 1 && b->sa[0] == 1 && b->sb[0] == 1 &&
      b->dims[0] >= BINARY_SPLIT_MIN) {
    split_ctx sc = {&c, b->dims[0], 0};
    sc.chunk = ((sc.total + threads - 1) / threads + 15) / 16 * 16;
    nnrt_pool_for(x->pool, (int)((sc.total + sc.chunk - 1) / sc.chunk), split_task, &sc);
    return;
  }
  op_bcast_run(b, s->dtype == NNRT_DTYPE_INT64 ? row_int64 : row_float, &c);
}

static void binary_destroy(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

#define BINARY_OP(id, name)                                                                 \
  const nnrt_op nnrt_op_##id = {.op_type = name, .infer = id##_infer, .run = binary_run, \
                                .destroy = binary_destroy};
BINARY_OP(add, "Add")
BINARY_OP(sub, "Sub")
BINARY_OP(mul, "Mul")
BINARY_OP(div, "Div")
BINARY_OP(prelu, "PRelu")
