/* MaxPool, AveragePool (count_include_pad, ceil_mode, dilations),
 * GlobalAveragePool and GlobalMaxPool. Padding never wins the max. A
 * MaxPool may carry a fused residual Add (node->fused_add, input 1, then
 * node->act), added to each task's planes while they are in cache. The
 * kernel table handles the windowed pools when its implied bottom/right
 * padding agrees with ours (always for max; for average the divisor of the
 * windows that run past the padding in ceil_mode needs the scalar path). */
#include <float.h>

#include "op_window.h"

typedef struct pool_state {
  op_window w;
  bool is_max;
  int count_include_pad;
  bool kernel_ok; /* the kernel table computes exactly this pool */
} pool_state;

static nnrt_status pool_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err, bool is_max) {
  nnrt_status st = op_check_inputs(g, n, 1, n->fused_add ? 2 : 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  if ((st = op_need_float(g, n, 0, err))) return st;
  if (n->fused_add && (st = op_need_float(g, n, 1, err))) return st;
  if (is_max && nnrt_attr_int(n, "storage_order", 0) != 0)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute storage_order 1 is not supported");
  pool_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  free(n->state);
  n->state = s;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if ((st = op_window_init(&s->w, g, n, x, NULL, true, err))) return st;
  s->is_max = is_max;
  s->count_include_pad = (int)nnrt_attr_int(n, "count_include_pad", 0);
  if (s->count_include_pad != 0 && s->count_include_pad != 1)
    return op_fail(err, n, NNRT_ERR_INVALID, "attribute count_include_pad must be 0 or 1");
  const op_window *w = &s->w;
  int implied_b = (w->oh - 1) * w->sh + (w->kh - 1) * w->dh + 1 - w->ih - w->pt;
  int implied_r = (w->ow - 1) * w->sw + (w->kw - 1) * w->dw + 1 - w->iw - w->pl;
  s->kernel_ok = is_max || !s->count_include_pad || (implied_b <= w->pb && implied_r <= w->pr);
  int64_t dims[4] = {x->dims[0], x->dims[1], w->oh, w->ow};
  if (x->rank == 3) dims[2] = w->ow;
  if (n->fused_add) { /* fused when the shapes matched; a new input size must keep them so */
    const nnrt_value *r = nnrt_node_input(g, n, 1);
    bool same = r->rank == x->rank;
    for (int d = 0; same && d < x->rank; d++) same = r->dims[d] == dims[d];
    if (!same) return op_fail(err, n, NNRT_ERR_SHAPE, "the fused residual's shape differs from the output's");
  }
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, x->rank, dims);
  return NNRT_OK;
}

static nnrt_status maxpool_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return pool_infer(g, n, e, true); }
static nnrt_status averagepool_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *e) { return pool_infer(g, n, e, false); }

static void pool_scalar(const pool_state *s, const float *in, float *out) {
  const op_window *w = &s->w;
  int planes = w->n * w->c;
  for (int p = 0; p < planes; p++) {
    const float *src = in + (size_t)p * w->ih * w->iw;
    float *dst = out + (size_t)p * w->oh * w->ow;
    for (int oy = 0; oy < w->oh; oy++)
      for (int ox = 0; ox < w->ow; ox++) {
        float mx = -FLT_MAX, sum = 0.f;
        int cnt = 0, y0 = oy * w->sh - w->pt, x0 = ox * w->sw - w->pl;
        for (int ky = 0; ky < w->kh; ky++) {
          int iy = y0 + ky * w->dh;
          if (iy < 0 || iy >= w->ih) continue;
          for (int kx = 0; kx < w->kw; kx++) {
            int ix = x0 + kx * w->dw;
            if (ix < 0 || ix >= w->iw) continue;
            float v = src[iy * w->iw + ix];
            mx = v > mx ? v : mx;
            sum += v;
            cnt++;
          }
        }
        if (s->is_max) {
          dst[oy * w->ow + ox] = mx;
        } else {
          if (s->count_include_pad) {
            /* the divisor counts the padded area, never the ceil_mode overhang */
            int ye = y0 + (w->kh - 1) * w->dh + 1, xe = x0 + (w->kw - 1) * w->dw + 1;
            int ylim = w->ih + w->pb, xlim = w->iw + w->pr;
            int hh = (ye < ylim ? ye : ylim) - y0, ww = (xe < xlim ? xe : xlim) - x0;
            /* with dilation only the taps count */
            int ty = w->dh > 1 ? (hh + w->dh - 1) / w->dh : hh, tx = w->dw > 1 ? (ww + w->dw - 1) / w->dw : ww;
            cnt = ty * tx;
          }
          dst[oy * w->ow + ox] = cnt ? sum / (float)cnt : 0.f;
        }
      }
  }
}

typedef struct pool_task {
  const pool_state *s;
  const nnrt_kernels *k;
  const float *in;
  float *out;
  const float *res; /* fused residual, laid out like out (or NULL) */
  const nnrt_act *act;
  int chunk, planes;
} pool_task;

/* output floats pooled before their residual is added (fits L1 with room) */
#define POOL_RES_GROUP_FLOATS 4096

static void pool_task_fn(void *arg, int t) {
  const pool_task *c = arg;
  nnrt_window win = op_window_kernel(&c->s->w);
  int c0 = t * c->chunk, c1 = c0 + c->chunk < c->planes ? c0 + c->chunk : c->planes;
  size_t plane = (size_t)win.out_h * win.out_w;
  int group = c->res && plane ? (int)(POOL_RES_GROUP_FLOATS / plane) : c1 - c0;
  if (group < 1) group = 1;
  for (int p0 = c0; p0 < c1; p0 += group) {
    int p1 = p0 + group < c1 ? p0 + group : c1;
    if (c->s->is_max) c->k->maxpool(&win, p0, p1, c->in, c->out);
    else c->k->avgpool(&win, p0, p1, c->in, c->out, c->s->count_include_pad);
    if (c->res) op_add_residual(c->k, c->out + p0 * plane, c->res + p0 * plane, (p1 - p0) * plane, c->act);
  }
}

static void pool_run(const nnrt_node *n, nnrt_exec *x) {
  const pool_state *s = n->state;
  const op_window *w = &s->w;
  const float *res = n->fused_add ? x->in[1] : NULL;
  if (!s->is_max && w->oh == 1 && w->ow == 1 && w->kh == w->ih && w->kw == w->iw && w->dh == 1 && w->dw == 1 &&
      w->pt == 0 && w->pl == 0 &&
      w->pb == 0 && w->pr == 0) {
    /* one window over the whole plane (AgeGenderNet's 7x7 average before
     * its classifier): a plane mean, any divisor rule gives the plane size */
    size_t planes = (size_t)w->n * w->c;
    float *out = x->out[0];
    (x->k ? x->k : &nnrt_kernels_scalar)->plane_means(x->in[0], (size_t)w->ih * w->iw, planes, out);
    return;
  }
  if (x->k && s->kernel_ok) {
    pool_task c = {s, x->k, x->in[0], x->out[0], res, &n->act, 0, s->w.n * s->w.c};
    int64_t in_el = (int64_t)c.planes * w->ih * w->iw, out_el = (int64_t)c.planes * w->oh * w->ow;
    int tasks = op_tasks(x, out_el * w->kh * w->kw + (in_el + out_el) * OP_WORK_PER_ELEM, c.planes);
    if (tasks < 1) tasks = 1;
    c.chunk = (c.planes + tasks - 1) / tasks;
    nnrt_pool_for(x->pool, tasks, pool_task_fn, &c);
    return;
  }
  pool_scalar(s, x->in[0], x->out[0]);
  if (res) op_add_residual(NULL, x->out[0], res, (size_t)w->n * w->c * w->oh * w->ow, &n->act);
}

/* --- global pools ---------------------------------------------------------- */
static nnrt_status global_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, 1, 1, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  if ((st = op_need_float(g, n, 0, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  if (x->rank < 3) return op_fail(err, n, NNRT_ERR_SHAPE, "input rank %d is below 3", x->rank);
  int64_t dims[NNRT_MAX_DIMS];
  for (int i = 0; i < x->rank; i++) dims[i] = i < 2 ? x->dims[i] : 1;
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, x->rank, dims);
  return NNRT_OK;
}

static void global_run(const nnrt_node *n, nnrt_exec *x, bool is_max) {
  const nnrt_value *v = &x->g->values[n->inputs[0]];
  int64_t planes = v->dims[0] * v->dims[1];
  int64_t size = nnrt_value_numel(v) / (planes ? planes : 1);
  const float *in = x->in[0];
  float *out = x->out[0];
  if (!is_max) {
    (x->k ? x->k : &nnrt_kernels_scalar)->plane_means(in, (size_t)size, (size_t)planes, out);
    return;
  }
  for (int64_t p = 0; p < planes; p++) {
    const float *src = in + p * size;
    float m = -FLT_MAX;
    for (int64_t i = 0; i < size; i++) m = src[i] > m ? src[i] : m;
    out[p] = m;
  }
}

static void global_avg_run(const nnrt_node *n, nnrt_exec *x) { global_run(n, x, false); }
static void global_max_run(const nnrt_node *n, nnrt_exec *x) { global_run(n, x, true); }

static void pool_destroy(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

const nnrt_op nnrt_op_maxpool = {.op_type = "MaxPool", .infer = maxpool_infer, .run = pool_run, .destroy = pool_destroy};
const nnrt_op nnrt_op_averagepool = {.op_type = "AveragePool", .infer = averagepool_infer, .run = pool_run,
                                     .destroy = pool_destroy};
const nnrt_op nnrt_op_global_averagepool = {.op_type = "GlobalAveragePool", .infer = global_infer,
                                            .run = global_avg_run};
const nnrt_op nnrt_op_global_maxpool = {.op_type = "GlobalMaxPool", .infer = global_infer, .run = global_max_run};
