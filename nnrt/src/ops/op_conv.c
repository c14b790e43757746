/* Conv (1-D and 2-D, any kernel, stride, padding, dilation and group).
 *
 * Fast paths through the kernel table, chosen in run:
 *   - depthwise (group == C_in == C_out): k->dwconv over channel ranges;
 *   - 1x1, stride 1, no padding: k->gemm_packed_rows straight on the input
 *     planes (they already are the K x N right operand);
 *   - otherwise: im2col into scratch, then k->gemm_packed_rows.
 * Weights are packed per group once in pack; the fused activation (node->act)
 * is applied by the kernel, after the residual input 3 of a fused Add
 * (node->fused_add: the GEMM epilogue adds it; other paths add it after
 * the kernel). Work is split over the pool by output-channel
 * row ranges. The scalar direct convolution is the reference and the path
 * used when folding constants (no pack, no scratch). */
#include "op_window.h"

typedef struct conv_state {
  op_window w;
  int group, cout, cin, cin_g, cout_g, K, N; /* N = output plane size */
  bool depthwise, pointwise;
  bool direct; /* pack: k->conv_direct takes this conv (first convs) */
  /* pack: */
  const nnrt_kernels *k; /* table the weights were packed for; NULL = not packed */
  float *packed;         /* group-major packed weights */
  size_t packed_floats;  /* per group */
} conv_state;

/* input channels up to which a table's direct kernel is tried */
#define CONV_DIRECT_MAX_CIN 4

static nnrt_status conv_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 2, n->fused_add ? 4 : 3, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  for (int i = 0; i < (n->fused_add ? 4 : 3); i++)
    if ((st = op_need_float(g, n, i, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0), *w = nnrt_node_input(g, n, 1);
  const nnrt_value *b = nnrt_node_input(g, n, 2);
  if (w->rank != x->rank)
    return op_fail(err, n, NNRT_ERR_SHAPE, "weights rank %d differs from input rank %d", w->rank, x->rank);
  conv_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  if ((st = op_window_init(&s->w, g, n, x, w->rank >= 3 ? w->dims + 2 : NULL, false, err))) return st;
  int64_t group = nnrt_attr_int(n, "group", 1);
  if (group < 1 || x->dims[1] % group != 0 || w->dims[0] % group != 0)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute group %lld does not divide the channels (%lld in, %lld out)",
                   (long long)group, (long long)x->dims[1], (long long)w->dims[0]);
  if (w->dims[1] * group != x->dims[1])
    return op_fail(err, n, NNRT_ERR_SHAPE, "weights expect %lld input channels, input has %lld",
                   (long long)(w->dims[1] * group), (long long)x->dims[1]);
  if (b && (b->rank != 1 || b->dims[0] != w->dims[0]))
    return op_fail(err, n, NNRT_ERR_SHAPE, "bias must have %lld values", (long long)w->dims[0]);
  s->group = (int)group;
  s->cout = (int)w->dims[0];
  s->cin = (int)x->dims[1];
  s->cin_g = s->cin / s->group;
  s->cout_g = s->cout / s->group;
  s->K = s->cin_g * s->w.kh * s->w.kw;
  s->N = s->w.oh * s->w.ow;
  s->depthwise = s->group == s->cin && s->group == s->cout;
  s->pointwise = s->w.kh == 1 && s->w.kw == 1 && s->w.sh == 1 && s->w.sw == 1 && s->w.pt == 0 &&
                 s->w.pl == 0 && s->w.pb == 0 && s->w.pr == 0;
  int64_t dims[4] = {x->dims[0], w->dims[0], s->w.oh, s->w.ow};
  if (x->rank == 3) dims[2] = s->w.ow;
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, x->rank, dims);
  return NNRT_OK;
}

static nnrt_status conv_pack(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  conv_state *s = n->state;
  const nnrt_kernels *k = g->kernels;
  free(s->packed);
  s->packed = NULL;
  s->k = NULL;
  n->scratch_bytes = 0;
  s->direct = false;
  if (!k || s->depthwise || !op_input_is_const(g, n, 1)) return NNRT_OK;
  /* Few input channels: im2col would copy the input k_h*k_w times for a
   * GEMM with a short K; the direct kernel reads it in place. A probe with
   * no rows asks the table whether it takes the geometry. */
  if (k->conv_direct && s->group == 1 && s->cin <= CONV_DIRECT_MAX_CIN && !s->pointwise && !n->fused_add) {
    nnrt_window win = op_window_kernel(&s->w);
    if (k->conv_direct(&win, s->cin, s->cout, NULL, NULL, NULL, NULL, 0, 0, &n->act)) {
      s->direct = true;
      s->k = k;
      return NNRT_OK;
    }
  }
  const float *w = nnrt_node_input(g, n, 1)->data;
  s->packed_floats = k->gemm_pack_a_size(s->cout_g, s->K);
  s->packed = aligned_alloc(64, ((s->packed_floats * s->group * sizeof(float)) + 63) / 64 * 64);
  if (!s->packed) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory packing the weights");
  for (int gi = 0; gi < s->group; gi++)
    k->gemm_pack_a(w + (size_t)gi * s->cout_g * s->K, s->K, s->cout_g, s->K,
                   s->packed + (size_t)gi * s->packed_floats);
  s->k = k;
  if (!s->pointwise) n->scratch_bytes = (size_t)s->K * (size_t)s->N * sizeof(float);
  return NNRT_OK;
}

/* --- scalar reference ---------------------------------------------------- */
static void conv_scalar(const conv_state *s, const float *in, const float *wt, const float *bias,
                        const float *res, float *out, const nnrt_act *act) {
  const op_window *w = &s->w;
  for (int b = 0; b < w->n; b++)
    for (int co = 0; co < s->cout; co++) {
      int gi = co / s->cout_g;
      const float *wc = wt + (size_t)co * s->K;
      float *o = out + ((size_t)b * s->cout + co) * s->N;
      for (int oy = 0; oy < w->oh; oy++)
        for (int ox = 0; ox < w->ow; ox++) {
          float acc = bias ? bias[co] : 0.f;
          for (int ci = 0; ci < s->cin_g; ci++) {
            const float *plane = in + ((size_t)b * s->cin + (size_t)gi * s->cin_g + ci) * w->ih * w->iw;
            for (int ky = 0; ky < w->kh; ky++) {
              int iy = oy * w->sh - w->pt + ky * w->dh;
              if (iy < 0 || iy >= w->ih) continue;
              for (int kx = 0; kx < w->kw; kx++) {
                int ix = ox * w->sw - w->pl + kx * w->dw;
                if (ix < 0 || ix >= w->iw) continue;
                acc += plane[iy * w->iw + ix] * wc[(ci * w->kh + ky) * w->kw + kx];
              }
            }
          }
          if (res) acc += res[((size_t)b * s->cout + co) * s->N + (size_t)oy * w->ow + ox];
          o[oy * w->ow + ox] = nnrt_act_apply1(act, acc);
        }
    }
}

/* --- fast paths ------------------------------------------------------------ */
typedef struct conv_task {
  const conv_state *s;
  const nnrt_kernels *k;
  const float *in;    /* input planes of this batch item and group */
  const float *wt;    /* raw weights (depthwise) */
  const float *bias;  /* of this group */
  const float *B;     /* right operand of the gemm */
  const float *res;   /* fused residual, laid out like out (or NULL) */
  float *col;         /* im2col buffer */
  float *out;
  const float *packed;
  const nnrt_act *act;
  int ldb, chunk, M;
  int mtasks, nchunk; /* gemm: task t is row range t % mtasks, column block t / mtasks */
} conv_task;

static int ceil_div_nonneg(int a, int b) { return (a + b - 1) / b; }

static void im2col_task(void *arg, int t) {
  const conv_task *c = arg;
  const conv_state *s = c->s;
  const op_window *w = &s->w;
  int r0 = t * c->chunk, r1 = r0 + c->chunk < s->K ? r0 + c->chunk : s->K;
  for (int r = r0; r < r1; r++) {
    int ci = r / (w->kh * w->kw), ky = (r / w->kw) % w->kh, kx = r % w->kw;
    const float *plane = c->in + (size_t)ci * w->ih * w->iw;
    float *dst = c->col + (size_t)r * s->N;
    /* Output columns [lo, hi) read inside the input row; the rest are
     * padding. Found once per kernel column, so the copy below has no
     * per-element bounds test (it was most of im2col's time). */
    int x0 = kx * w->dw - w->pl;
    int lo = x0 < 0 ? ceil_div_nonneg(-x0, w->sw) : 0;
    int hi = x0 <= w->iw - 1 ? (w->iw - 1 - x0) / w->sw + 1 : 0;
    if (lo > w->ow) lo = w->ow;
    if (hi > w->ow) hi = w->ow;
    if (hi < lo) hi = lo;
    for (int oy = 0; oy < w->oh; oy++) {
      int iy = oy * w->sh - w->pt + ky * w->dh;
      float *d = dst + (size_t)oy * w->ow;
      if (iy < 0 || iy >= w->ih) {
        memset(d, 0, sizeof(float) * (size_t)w->ow);
        continue;
      }
      for (int ox = 0; ox < lo; ox++) d[ox] = 0.f;
      if (hi > lo) {
        const float *src = plane + (size_t)iy * w->iw + (x0 + lo * w->sw); /* input of column lo */
        float *dl = d + lo;
        int n = hi - lo;
        if (w->sw == 1) {
          memcpy(dl, src, sizeof(float) * (size_t)n);
        } else if (w->sw == 2) {
          for (int i = 0; i < n; i++) dl[i] = src[2 * i];
        } else {
          for (int i = 0; i < n; i++) dl[i] = src[(size_t)i * w->sw];
        }
      }
      for (int ox = hi; ox < w->ow; ox++) d[ox] = 0.f;
    }
  }
}

/* Stride-2 im2col (AgeGenderNet's first conv and strided 1x1 projections):
 * task t takes (input channel, kernel row) pairs; the output rows whose
 * input row lies inside the plane (one run of them) go through one
 * k->im2col_s2 call, the others are zeros (padding). */
static void im2col_s2_task(void *arg, int t) {
  const conv_task *c = arg;
  const conv_state *s = c->s;
  const op_window *w = &s->w;
  int pairs = s->cin_g * w->kh;
  int p0 = t * c->chunk, p1 = p0 + c->chunk < pairs ? p0 + c->chunk : pairs;
  for (int p = p0; p < p1; p++) {
    int ci = p / w->kh, ky = p % w->kh;
    const float *plane = c->in + (size_t)ci * w->ih * w->iw;
    float *rows = c->col + (size_t)p * w->kw * s->N; /* K row (ci, ky, 0) */
    int oy0 = 0, oy1 = w->oh; /* output rows reading input rows inside the plane */
    while (oy0 < oy1 && oy0 * w->sh - w->pt + ky * w->dh < 0) oy0++;
    while (oy1 > oy0 && (oy1 - 1) * w->sh - w->pt + ky * w->dh >= w->ih) oy1--;
    for (int kx = 0; kx < w->kw; kx++) {
      float *seg = rows + (size_t)kx * s->N;
      memset(seg, 0, sizeof(float) * (size_t)oy0 * w->ow);
      memset(seg + (size_t)oy1 * w->ow, 0, sizeof(float) * (size_t)(w->oh - oy1) * w->ow);
    }
    if (oy1 > oy0)
      c->k->im2col_s2(plane + (size_t)(oy0 * w->sh - w->pt + ky * w->dh) * w->iw, (size_t)w->sh * w->iw,
                      oy1 - oy0, w->iw, -w->pl, w->dw, w->kw, w->ow, rows + (size_t)oy0 * w->ow, (size_t)s->N);
  }
}

static void gemm_task(void *arg, int t) {
  const conv_task *c = arg;
  int mt = t % c->mtasks, n0 = t / c->mtasks * c->nchunk;
  int m0 = mt * c->chunk, m1 = m0 + c->chunk < c->M ? m0 + c->chunk : c->M;
  int n1 = n0 + c->nchunk < c->s->N ? n0 + c->nchunk : c->s->N;
  if (m0 >= m1 || n0 >= n1) return;
  /* a column block is the same product on B, res and out shifted by n0 */
  c->k->gemm_packed_rows(m0, m1, n1 - n0, c->s->K, c->packed, c->B + n0, c->ldb, c->bias,
                         c->res ? c->res + n0 : NULL, c->out + n0, c->s->N, c->act);
}

static void dw_task(void *arg, int t) {
  const conv_task *c = arg;
  nnrt_window win = op_window_kernel(&c->s->w);
  int c0 = t * c->chunk, c1 = c0 + c->chunk < c->s->cout ? c0 + c->chunk : c->s->cout;
  if (c0 >= c1) return;
  if (!c->res) {
    c->k->dwconv(&win, c0, c1, c->in, c->wt, c->bias, c->out, c->act);
    return;
  }
  /* fused residual: add it to this task's planes while they are in cache,
   * then the activation */
  nnrt_act none = {NNRT_ACT_NONE, 0.f, 0.f};
  c->k->dwconv(&win, c0, c1, c->in, c->wt, c->bias, c->out, &none);
  size_t off = (size_t)c0 * c->s->N, len = (size_t)(c1 - c0) * c->s->N;
  op_add_residual(c->k, c->out + off, c->res + off, len, c->act);
}

/* direct convolution over output rows [t * chunk, ...) of one batch item */
static void direct_task(void *arg, int t) {
  const conv_task *c = arg;
  const conv_state *s = c->s;
  nnrt_window win = op_window_kernel(&s->w);
  int oy0 = t * c->chunk, oy1 = oy0 + c->chunk < s->w.oh ? oy0 + c->chunk : s->w.oh;
  if (oy0 < oy1) c->k->conv_direct(&win, s->cin, s->cout, c->in, c->wt, c->bias, c->out, oy0, oy1, c->act);
}

static int split_rows(int m, int mr, int threads, int *chunk) {
  if (mr < 1) mr = 1;
  int tiles = (m + mr - 1) / mr;
  int tasks = threads < tiles ? threads : tiles; /* threads: the task count wanted */
  if (tasks < 1) tasks = 1;
  *chunk = (tiles + tasks - 1) / tasks * mr;
  return (m + *chunk - 1) / *chunk;
}

/* Columns of a GEMM column block: whole cache lines and SIMD strips. */
#define CONV_NBLOCK 64

/* Task split of one group's GEMM (see gemm_task). Output-channel row ranges
 * when there are enough row tiles to share evenly or the plane is narrow;
 * otherwise column blocks of the output plane (BlazeFace's 24-channel
 * layers have 3 row tiles of 8, which 2 threads cannot share evenly, and
 * planes of 4096-16384 columns). */
static int split_gemm(const nnrt_exec *x, const conv_state *s, int mr, conv_task *c) {
  if (mr < 1) mr = 1;
  int tiles = (s->cout_g + mr - 1) / mr, nblocks = (s->N + CONV_NBLOCK - 1) / CONV_NBLOCK;
  int64_t work = (int64_t)s->cout_g * s->N * s->K + (int64_t)(s->K + s->cout_g) * s->N * OP_WORK_PER_ELEM;
  int tasks = op_tasks(x, work, (int64_t)tiles * nblocks);
  c->mtasks = 1;
  c->nchunk = s->N;
  if (tasks > 1 && nblocks >= tasks && (tiles % tasks != 0 || s->N > s->cout_g)) {
    c->nchunk = (nblocks + tasks - 1) / tasks * CONV_NBLOCK;
    c->chunk = s->cout_g;
    return (s->N + c->nchunk - 1) / c->nchunk;
  }
  return c->mtasks = split_rows(s->cout_g, mr, tasks, &c->chunk);
}

static void conv_run(const nnrt_node *n, nnrt_exec *x) {
  const conv_state *s = n->state;
  const float *in = x->in[0], *wt = x->in[1];
  const float *bias = n->n_inputs > 2 ? x->in[2] : NULL;
  const float *res = n->fused_add ? x->in[3] : NULL;
  float *out = x->out[0];
  const nnrt_act *act = &n->act;
  const op_window *w = &s->w;
  const nnrt_kernels *k = x->k;
  size_t in_plane = (size_t)w->ih * w->iw;
  if (k && s->depthwise) {
    conv_task c = {.s = s, .k = k, .wt = wt, .bias = bias, .act = act};
    int64_t work = (int64_t)s->cout * s->N * w->kh * w->kw +
                   ((int64_t)s->cin * (int64_t)in_plane + (int64_t)s->cout * s->N) * OP_WORK_PER_ELEM;
    int tasks = split_rows(s->cout, 1, op_tasks(x, work, s->cout), &c.chunk);
    for (int b = 0; b < w->n; b++) {
      c.in = in + (size_t)b * s->cin * in_plane;
      c.out = out + (size_t)b * s->cout * s->N;
      c.res = res ? res + (size_t)b * s->cout * s->N : NULL;
      nnrt_pool_for(x->pool, tasks, dw_task, &c);
    }
    return;
  }
  if (k && s->k == k && s->direct && !res) {
    conv_task c = {.s = s, .k = k, .wt = wt, .bias = bias, .act = act};
    int64_t work = (int64_t)s->cout * s->N * s->K +
                   ((int64_t)s->cin * (int64_t)in_plane + (int64_t)s->cout * s->N) * OP_WORK_PER_ELEM;
    int tasks = split_rows(w->oh, 1, op_tasks(x, work, w->oh), &c.chunk);
    for (int b = 0; b < w->n; b++) {
      c.in = in + (size_t)b * s->cin * in_plane;
      c.out = out + (size_t)b * s->cout * s->N;
      nnrt_pool_for(x->pool, tasks, direct_task, &c);
    }
    return;
  }
  if (k && s->k == k && s->packed && (s->pointwise || x->scratch)) {
    conv_task c = {.s = s, .k = k, .act = act, .M = s->cout_g, .col = x->scratch};
    int tasks = split_gemm(x, s, k->gemm_mr, &c);
    for (int b = 0; b < w->n; b++)
      for (int gi = 0; gi < s->group; gi++) {
        c.in = in + ((size_t)b * s->cin + (size_t)gi * s->cin_g) * in_plane;
        c.out = out + ((size_t)b * s->cout + (size_t)gi * s->cout_g) * s->N;
        c.bias = bias ? bias + (size_t)gi * s->cout_g : NULL;
        c.res = res ? res + ((size_t)b * s->cout + (size_t)gi * s->cout_g) * s->N : NULL;
        c.packed = s->packed + (size_t)gi * s->packed_floats;
        if (s->pointwise) {
          c.B = c.in;
        } else {
          conv_task ic = c;
          int64_t im_work = (int64_t)s->K * s->N * OP_WORK_PER_ELEM;
          if (w->sw == 2) {
            int im_tasks = split_rows(s->cin_g * w->kh, 1, op_tasks(x, im_work, s->cin_g * w->kh), &ic.chunk);
            nnrt_pool_for(x->pool, im_tasks, im2col_s2_task, &ic);
          } else {
            int im_tasks = split_rows(s->K, 1, op_tasks(x, im_work, s->K), &ic.chunk);
            nnrt_pool_for(x->pool, im_tasks, im2col_task, &ic);
          }
          c.B = c.col;
        }
        c.ldb = s->N;
        nnrt_pool_for(x->pool, tasks, gemm_task, &c);
      }
    return;
  }
  conv_scalar(s, in, wt, bias, res, out, act);
}

static void conv_destroy(nnrt_node *n) {
  conv_state *s = n->state;
  if (s) free(s->packed);
  free(s);
  n->state = NULL;
}

static int64_t conv_macs(const nnrt_graph *g, const nnrt_node *n) {
  (void)g;
  const conv_state *s = n->state;
  return s ? (int64_t)s->w.n * s->cout * s->N * s->K : 0;
}

const nnrt_op nnrt_op_conv = {.op_type = "Conv", .infer = conv_infer, .pack = conv_pack, .run = conv_run,
                              .destroy = conv_destroy, .macs = conv_macs};
