/* Gemm (transA, transB, alpha, beta, C broadcast) and MatMul (numpy batched
 * broadcasting, 1-D operands).
 *
 * Fast path when the right operand is a constant matrix (fully connected
 * layers): the kernel table packs only a constant *left* operand, so we
 * compute the transpose, Y^T[N x M] = (alpha B'^T)[N x K] * A'^T[K x M] + bias,
 * packing alpha*B'^T once and using beta*C as the per-row bias when C is a
 * vector over N or a scalar. With M == 1 (batch 1) the transposes are free;
 * otherwise A'^T and Y^T go through scratch. The fused activation
 * (node->act) is applied by the kernel. */
#include "op_common.h"

typedef struct gemm_state {
  /* shapes */
  int M, N, K;
  int trans_a, trans_b;
  float alpha, beta;
  int c_rank;
  int64_t c_dims[NNRT_MAX_DIMS];
  /* MatMul batching */
  bool is_matmul;
  int batch_rank;
  int64_t batch_dims[NNRT_MAX_DIMS], sa[NNRT_MAX_DIMS], sb[NNRT_MAX_DIMS];
  int64_t batches;
  /* pack */
  const nnrt_kernels *k;
  float *packed; /* alpha * B'^T, N x K */
  float *bias;   /* N values or NULL */
  int rows;      /* M of the fast path: all batch rows of A for MatMul */
} gemm_state;

static nnrt_status gemm_alloc_state(nnrt_node *n, gemm_state **out, nnrt_error *err) {
  gemm_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  if (n->state) {
    gemm_state *old = n->state;
    free(old->packed);
    free(old->bias);
    free(old);
  }
  n->state = s;
  *out = s;
  return NNRT_OK;
}

static nnrt_status gemm_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 2, 3, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  for (int i = 0; i < 3; i++)
    if ((st = op_need_float(g, n, i, err))) return st;
  const nnrt_value *a = nnrt_node_input(g, n, 0), *b = nnrt_node_input(g, n, 1);
  const nnrt_value *c = nnrt_node_input(g, n, 2);
  if (a->rank != 2 || b->rank != 2) return op_fail(err, n, NNRT_ERR_SHAPE, "A and B must be 2-D");
  gemm_state *s;
  if ((st = gemm_alloc_state(n, &s, err))) return st;
  s->trans_a = (int)nnrt_attr_int(n, "transA", 0);
  s->trans_b = (int)nnrt_attr_int(n, "transB", 0);
  if ((s->trans_a != 0 && s->trans_a != 1) || (s->trans_b != 0 && s->trans_b != 1))
    return op_fail(err, n, NNRT_ERR_INVALID, "attributes transA/transB must be 0 or 1");
  s->alpha = nnrt_attr_float(n, "alpha", 1.f);
  s->beta = nnrt_attr_float(n, "beta", 1.f);
  if (g->opset < 7 && nnrt_attr_int(n, "broadcast", 0) == 0 && c && nnrt_value_numel(c) != a->dims[s->trans_a] * b->dims[1 - s->trans_b])
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute broadcast 0 with a non-full C is not supported");
  int64_t M = a->dims[s->trans_a], K = a->dims[1 - s->trans_a];
  int64_t Kb = b->dims[s->trans_b], N = b->dims[1 - s->trans_b];
  if (K != Kb) return op_fail(err, n, NNRT_ERR_SHAPE, "inner dimensions differ (%lld, %lld)", (long long)K, (long long)Kb);
  if (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) return op_fail(err, n, NNRT_ERR_SHAPE, "matrix too large");
  s->M = (int)M;
  s->N = (int)N;
  s->K = (int)K;
  s->rows = s->M;
  s->batches = 1;
  int64_t dims[2] = {M, N};
  if (c) {
    int r;
    int64_t bd[NNRT_MAX_DIMS];
    if (c->rank > 2 || !op_broadcast_shape(c->rank, c->dims, 2, dims, &r, bd) || r != 2 || bd[0] != M || bd[1] != N)
      return op_fail(err, n, NNRT_ERR_SHAPE, "C does not broadcast to [%lld, %lld]", (long long)M, (long long)N);
    s->c_rank = c->rank;
    memcpy(s->c_dims, c->dims, sizeof(int64_t) * (size_t)c->rank);
  }
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, 2, dims);
  return NNRT_OK;
}

static nnrt_status matmul_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 2, 2, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  for (int i = 0; i < 2; i++)
    if ((st = op_need_float(g, n, i, err))) return st;
  const nnrt_value *a = nnrt_node_input(g, n, 0), *b = nnrt_node_input(g, n, 1);
  if (a->rank < 1 || b->rank < 1) return op_fail(err, n, NNRT_ERR_SHAPE, "scalar operands are not allowed");
  gemm_state *s;
  if ((st = gemm_alloc_state(n, &s, err))) return st;
  s->is_matmul = true;
  s->alpha = 1.f;
  int64_t M = a->rank == 1 ? 1 : a->dims[a->rank - 2], K = a->dims[a->rank - 1];
  int64_t Kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2], N = b->rank == 1 ? 1 : b->dims[b->rank - 1];
  if (K != Kb) return op_fail(err, n, NNRT_ERR_SHAPE, "inner dimensions differ (%lld, %lld)", (long long)K, (long long)Kb);
  if (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) return op_fail(err, n, NNRT_ERR_SHAPE, "matrix too large");
  int ra = a->rank > 2 ? a->rank - 2 : 0, rb = b->rank > 2 ? b->rank - 2 : 0;
  if (!op_broadcast_shape(ra, a->dims, rb, b->dims, &s->batch_rank, s->batch_dims))
    return op_fail(err, n, NNRT_ERR_SHAPE, "batch dimensions do not broadcast");
  int64_t ms = M * K, ns = K * N; /* matrix sizes */
  int64_t st_a[NNRT_MAX_DIMS], st_b[NNRT_MAX_DIMS];
  op_broadcast_strides(ra, a->dims, s->batch_rank, s->batch_dims, st_a);
  op_broadcast_strides(rb, b->dims, s->batch_rank, s->batch_dims, st_b);
  for (int i = 0; i < s->batch_rank; i++) {
    s->sa[i] = st_a[i] * ms;
    s->sb[i] = st_b[i] * ns;
  }
  s->batches = op_numel(s->batch_rank, s->batch_dims);
  s->M = (int)M;
  s->N = (int)N;
  s->K = (int)K;
  /* a constant 2-D (or 1-D) B shared by every batch: A's rows stack up */
  s->rows = rb == 0 ? (int)(s->batches * M) : 0;
  int64_t dims[NNRT_MAX_DIMS];
  int r = 0;
  for (int i = 0; i < s->batch_rank; i++) dims[r++] = s->batch_dims[i];
  if (a->rank > 1) dims[r++] = M;
  if (b->rank > 1) dims[r++] = N;
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, r, dims);
  return NNRT_OK;
}

static nnrt_status gemm_pack(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  gemm_state *s = n->state;
  const nnrt_kernels *k = g->kernels;
  free(s->packed);
  free(s->bias);
  s->packed = s->bias = NULL;
  s->k = NULL;
  n->scratch_bytes = 0;
  if (!k || !op_input_is_const(g, n, 1) || s->rows <= 0) return NNRT_OK;
  const nnrt_value *c = nnrt_node_input(g, n, 2);
  if (c && !s->is_matmul) {
    int64_t cn = nnrt_value_numel(c);
    bool vector_over_n = cn == 1 || (c->dims[c->rank - 1] == s->N && cn == s->N);
    if (!vector_over_n || !op_input_is_const(g, n, 2) || s->beta == 0.f) {
      if (s->beta != 0.f) return NNRT_OK; /* C varies along M: scalar path */
    } else {
      s->bias = malloc(sizeof(float) * (size_t)s->N);
      if (!s->bias) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
      const float *cd = c->data;
      for (int j = 0; j < s->N; j++) s->bias[j] = s->beta * cd[cn == 1 ? 0 : j];
    }
  }
  const float *B = nnrt_node_input(g, n, 1)->data;
  float *bt = malloc(sizeof(float) * (size_t)s->N * (size_t)s->K);
  size_t pf = k->gemm_pack_a_size(s->N, s->K);
  s->packed = aligned_alloc(64, (pf * sizeof(float) + 63) / 64 * 64);
  if (!bt || !s->packed) {
    free(bt);
    return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory packing the weights");
  }
  for (int j = 0; j < s->N; j++)
    for (int kk = 0; kk < s->K; kk++)
      bt[(size_t)j * s->K + kk] = s->alpha * (s->trans_b ? B[(size_t)j * s->K + kk] : B[(size_t)kk * s->N + j]);
  k->gemm_pack_a(bt, s->K, s->N, s->K, s->packed);
  free(bt);
  s->k = k;
  size_t need = 0;
  if (s->rows > 1) need = ((size_t)s->K + (size_t)s->N) * (size_t)s->rows * sizeof(float);
  n->scratch_bytes = need;
  return NNRT_OK;
}

/* --- scalar reference -------------------------------------------------------- */
static void gemm_scalar(const gemm_state *s, const float *A, const float *B, const float *C, float *Y,
                        const nnrt_act *act) {
  int64_t cs[NNRT_MAX_DIMS], cst[2] = {0, 0};
  if (C) {
    int64_t dims[2] = {s->M, s->N};
    op_broadcast_strides(s->c_rank, s->c_dims, 2, dims, cs);
    cst[0] = cs[0];
    cst[1] = cs[1];
  }
  for (int m = 0; m < s->M; m++)
    for (int j = 0; j < s->N; j++) {
      float acc = 0.f;
      for (int kk = 0; kk < s->K; kk++) {
        float a = s->trans_a ? A[(size_t)kk * s->M + m] : A[(size_t)m * s->K + kk];
        float b = s->trans_b ? B[(size_t)j * s->K + kk] : B[(size_t)kk * s->N + j];
        acc += a * b;
      }
      float v = s->alpha * acc;
      if (C) v += s->beta * C[m * cst[0] + j * cst[1]];
      Y[(size_t)m * s->N + j] = nnrt_act_apply1(act, v);
    }
}

static void matmul_scalar(const gemm_state *s, const float *A, const float *B, float *Y) {
  int64_t idx[NNRT_MAX_DIMS] = {0}, ao = 0, bo = 0;
  for (int64_t bt = 0; bt < s->batches; bt++) {
    const float *a = A + ao, *b = B + bo;
    float *y = Y + bt * (int64_t)s->M * s->N;
    for (int m = 0; m < s->M; m++)
      for (int j = 0; j < s->N; j++) {
        float acc = 0.f;
        for (int kk = 0; kk < s->K; kk++) acc += a[(size_t)m * s->K + kk] * b[(size_t)kk * s->N + j];
        y[(size_t)m * s->N + j] = acc;
      }
    for (int i = s->batch_rank - 1; i >= 0; i--) {
      idx[i]++;
      ao += s->sa[i];
      bo += s->sb[i];
      if (idx[i] < s->batch_dims[i]) break;
      ao -= s->sa[i] * s->batch_dims[i];
      bo -= s->sb[i] * s->batch_dims[i];
      idx[i] = 0;
    }
  }
}

/* --- fast path ------------------------------------------------------------------ */
typedef struct gemm_task {
  const gemm_state *s;
  const nnrt_kernels *k;
  const float *B;
  float *C;
  int ldb, ldc, chunk;
  const nnrt_act *act;
} gemm_task;

static void gemm_task_fn(void *arg, int t) {
  const gemm_task *c = arg;
  int m0 = t * c->chunk, m1 = m0 + c->chunk < c->s->N ? m0 + c->chunk : c->s->N;
  if (m0 < m1)
    c->k->gemm_packed_rows(m0, m1, c->s->rows, c->s->K, c->s->packed, c->B, c->ldb, c->s->bias, NULL, c->C, c->ldc,
                           c->act);
}

static void gemm_fast(const nnrt_node *n, nnrt_exec *x, const nnrt_act *act) {
  const gemm_state *s = n->state;
  const float *A = x->in[0];
  float *Y = x->out[0];
  int R = s->rows;
  gemm_task c = {.s = s, .k = x->k, .act = act};
  if (R == 1) {
    c.B = A; /* A'^T is K x 1 either way */
    c.ldb = 1;
    c.C = Y;
    c.ldc = 1;
  } else {
    float *at = x->scratch, *yt = at + (size_t)s->K * R;
    if (s->trans_a) {
      c.B = A;
    } else {
      for (int r = 0; r < R; r++)
        for (int kk = 0; kk < s->K; kk++) at[(size_t)kk * R + r] = A[(size_t)r * s->K + kk];
      c.B = at;
    }
    c.ldb = R;
    c.C = yt;
    c.ldc = R;
  }
  int mr = x->k->gemm_mr < 1 ? 1 : x->k->gemm_mr;
  int tiles = (s->N + mr - 1) / mr;
  int tasks = op_tasks(x, (int64_t)R * s->N * s->K, tiles);
  if (tasks < 1) tasks = 1;
  c.chunk = (tiles + tasks - 1) / tasks * mr;
  tasks = (s->N + c.chunk - 1) / c.chunk;
  nnrt_pool_for(x->pool, tasks, gemm_task_fn, &c);
  if (R > 1)
    for (int r = 0; r < R; r++)
      for (int j = 0; j < s->N; j++) Y[(size_t)r * s->N + j] = c.C[(size_t)j * R + r];
}

static bool fast_ok(const gemm_state *s, const nnrt_exec *x) {
  return x->k && s->k == x->k && s->packed && (s->rows == 1 || x->scratch);
}

static void gemm_run(const nnrt_node *n, nnrt_exec *x) {
  const gemm_state *s = n->state;
  if (fast_ok(s, x)) {
    gemm_fast(n, x, &n->act);
    return;
  }
  gemm_scalar(s, x->in[0], x->in[1], n->n_inputs > 2 ? x->in[2] : NULL, x->out[0], &n->act);
}

static void matmul_run(const nnrt_node *n, nnrt_exec *x) {
  const gemm_state *s = n->state;
  if (fast_ok(s, x)) {
    gemm_fast(n, x, &n->act);
    return;
  }
  matmul_scalar(s, x->in[0], x->in[1], x->out[0]);
  if (n->act.kind != NNRT_ACT_NONE) {
    float *y = x->out[0];
    int64_t cnt = s->batches * s->M * s->N;
    for (int64_t i = 0; i < cnt; i++) y[i] = nnrt_act_apply1(&n->act, y[i]);
  }
}

static void gemm_destroy(nnrt_node *n) {
  gemm_state *s = n->state;
  if (s) {
    free(s->packed);
    free(s->bias);
  }
  free(s);
  n->state = NULL;
}

static int64_t gemm_macs(const nnrt_graph *g, const nnrt_node *n) {
  (void)g;
  const gemm_state *s = n->state;
  return s ? s->batches * s->M * s->N * s->K : 0;
}

const nnrt_op nnrt_op_gemm = {.op_type = "Gemm", .infer = gemm_infer, .pack = gemm_pack, .run = gemm_run,
                              .destroy = gemm_destroy, .macs = gemm_macs};
const nnrt_op nnrt_op_matmul = {.op_type = "MatMul", .infer = matmul_infer, .pack = gemm_pack, .run = matmul_run,
                                .destroy = gemm_destroy, .macs = gemm_macs};
