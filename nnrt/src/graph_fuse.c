/* Fusion passes: fold an inference BatchNormalization into the Conv or Gemm
 * that feeds it (rewriting weights and bias), fold a constant Mul in front of
 * a Conv into its weights (an input scale such as 1/255), and fuse a following
 * element-wise activation into Conv/Gemm or a float Add/Sub/Mul/Div
 * (node->act; the residual Add + Relu of BlazeFace and AgeGenderNet), then
 * fuse a residual Add (with its activation) into the Conv or MaxPool that
 * feeds it. */
#include "graph_prepare.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_default_domain(const nnrt_node *n) {
  return strcmp(n->domain, "") == 0 || strcmp(n->domain, "ai.onnx") == 0;
}

static int is_op(const nnrt_node *n, const char *op_type) {
  return !n->dead && is_default_domain(n) && strcmp(n->op_type, op_type) == 0;
}

/* The only live node reading value v, or -1 (also -1 if v is a graph output
 * or another value aliases its storage). */
static int sole_consumer(const nnrt_graph *g, int v) {
  const nnrt_value *val = &g->values[v];
  if (val->is_output || val->n_consumers != 1) return -1;
  for (int i = 0; i < g->n_values; i++)
    if (g->values[i].alias_of == v) return -1;
  for (int i = 0; i < g->n_nodes; i++) {
    const nnrt_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] == v) return i;
  }
  return -1;
}

static const float *const_floats(const nnrt_graph *g, const nnrt_node *n, int i, int64_t numel) {
  const nnrt_value *v = nnrt_node_input(g, n, i);
  if (!v || v->kind != NNRT_VALUE_CONSTANT || !v->data || v->dtype != NNRT_DTYPE_FLOAT) return NULL;
  if (numel >= 0 && nnrt_value_numel(v) != numel) return NULL;
  return v->data;
}

/* Adds a float constant owning `data`; returns its index or -1 (data freed). */
static int add_constant(nnrt_graph *g, const char *base, const char *suffix, float *data, int rank,
                        const int64_t *dims) {
  char name[512];
  snprintf(name, sizeof name, "%s/%s", base, suffix);
  int v = nnrt_graph_add_value(g, name, strlen(name));
  if (v < 0) {
    free(data);
    return -1;
  }
  nnrt_value *val = &g->values[v];
  val->kind = NNRT_VALUE_CONSTANT;
  val->data = data;
  nnrt_value_set_shape(val, NNRT_DTYPE_FLOAT, rank, dims);
  return v;
}

/* Makes node ni have at least `count` input slots (new ones omitted). */
static int grow_inputs(nnrt_node *n, int count) {
  if (n->n_inputs >= count) return 0;
  int *in = realloc(n->inputs, (size_t)count * sizeof *in);
  if (!in) return -1;
  for (int k = n->n_inputs; k < count; k++) in[k] = -1;
  n->inputs = in;
  n->n_inputs = count;
  return 0;
}

/* Folds BatchNormalization node bi into its producer ci (Conv or Gemm).
 * Returns 1 if folded, 0 if the pattern does not apply, -1 on error. */
static int fold_one(nnrt_graph *g, int ci, int bi, nnrt_error *err, nnrt_status *st) {
  nnrt_node *c = &g->nodes[ci], *b = &g->nodes[bi];
  int is_conv = strcmp(c->op_type, "Conv") == 0;
  if (b->n_inputs < 5 || nnrt_attr_int(b, "training_mode", 0) != 0) return 0;
  for (int k = 1; k < b->n_outputs; k++)
    if (b->outputs[k] >= 0 && (g->values[b->outputs[k]].n_consumers || g->values[b->outputs[k]].is_output)) return 0;
  const nnrt_value *w = nnrt_node_input(g, c, 1);
  if (!w || w->kind != NNRT_VALUE_CONSTANT || !w->data || w->dtype != NNRT_DTYPE_FLOAT) return 0;
  const nnrt_value *y = nnrt_node_input(g, b, 0);
  int64_t ch;
  int trans_b = 0;
  float beta = 1.f;
  if (is_conv) {
    if (w->rank < 3) return 0;
    ch = w->dims[0];
  } else {
    /* Gemm: BN over axis 1 of a [M, N] output. */
    if (w->rank != 2 || y->rank != 2) return 0;
    trans_b = nnrt_attr_int(c, "transB", 0) != 0;
    beta = nnrt_attr_float(c, "beta", 1.f);
    if (beta == 0.f) return 0;
    ch = trans_b ? w->dims[0] : w->dims[1];
  }
  const float *scale = const_floats(g, b, 1, ch), *shift = const_floats(g, b, 2, ch);
  const float *mean = const_floats(g, b, 3, ch), *var = const_floats(g, b, 4, ch);
  const float *bias = NULL;
  if (c->n_inputs > 2 && c->inputs[2] >= 0) {
    bias = const_floats(g, c, 2, ch);
    if (!bias) return 0; /* a bias that is not per channel (Gemm broadcast) */
  }
  if (!scale || !shift || !mean || !var) return 0;
  float eps = nnrt_attr_float(b, "epsilon", 1e-5f);

  int64_t wn = nnrt_value_numel(w);
  float *nw = malloc((size_t)wn * sizeof *nw);
  float *nb = malloc((size_t)ch * sizeof *nb);
  if (!nw || !nb) {
    free(nw);
    free(nb);
    *st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory folding BatchNormalization", g->source_name);
    return -1;
  }
  const float *wd = w->data;
  int64_t per = wn / ch; /* Conv: weights per output channel */
  for (int64_t o = 0; o < ch; o++) {
    float k = scale[o] / sqrtf(var[o] + eps);
    float cb = bias ? bias[o] * beta : 0.f;
    nb[o] = ((cb - mean[o]) * k + shift[o]) / beta;
    if (is_conv || trans_b) {
      for (int64_t j = 0; j < per; j++) nw[o * per + j] = wd[o * per + j] * k;
    } else {
      int64_t rows = w->dims[0];
      for (int64_t r = 0; r < rows; r++) nw[r * ch + o] = wd[r * ch + o] * k;
    }
  }
  int wrank = w->rank;
  int64_t wdims[NNRT_MAX_DIMS];
  memcpy(wdims, w->dims, sizeof wdims);
  /* Node and value pointers may move from here on. */
  char base[400];
  snprintf(base, sizeof base, "%s", c->name);
  int wv = add_constant(g, base, "bn_folded_weight", nw, wrank, wdims);
  int bv = wv < 0 ? -1 : add_constant(g, base, "bn_folded_bias", nb, 1, &ch);
  if (wv < 0) free(nb);
  c = &g->nodes[ci];
  b = &g->nodes[bi];
  if (bv < 0 || grow_inputs(c, 3) != 0) {
    *st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory folding BatchNormalization", g->source_name);
    return -1;
  }
  c->inputs[1] = wv;
  c->inputs[2] = bv;
  int out = b->outputs[0];
  g->values[c->outputs[0]].producer = -1;
  c->outputs[0] = out;
  g->values[out].producer = ci;
  if (b->op && b->op->destroy && b->state) b->op->destroy(b);
  b->state = NULL;
  b->dead = true;
  *st = nnrt_graph_reinfer(g, ci, err);
  return *st ? -1 : 1;
}

nnrt_status nnrt_graph_fold_batchnorm(nnrt_graph *g, nnrt_error *err) {
  nnrt_graph_count_consumers(g);
  for (int i = 0; i < g->n_nodes; i++) {
    if (!is_op(&g->nodes[i], "Conv") && !is_op(&g->nodes[i], "Gemm")) continue;
    if (g->nodes[i].n_outputs != 1 || g->nodes[i].outputs[0] < 0) continue;
    int bi = sole_consumer(g, g->nodes[i].outputs[0]);
    if (bi < 0 || !is_op(&g->nodes[bi], "BatchNormalization") || g->nodes[bi].inputs[0] != g->nodes[i].outputs[0])
      continue;
    nnrt_status st = NNRT_OK;
    if (fold_one(g, i, bi, err, &st) < 0) return st;
    nnrt_graph_count_consumers(g);
  }
  nnrt_graph_remove_dead(g); /* drops the replaced weights */
  return NNRT_OK;
}

static int same_shape(const nnrt_value *a, const nnrt_value *b) {
  if (!a->shape_known || !b->shape_known || a->rank != b->rank) return 0;
  for (int d = 0; d < a->rank; d++)
    if (a->dims[d] != b->dims[d]) return 0;
  return 1;
}

/* Folds y = Conv(Mul(x, s)) into Conv'(x) with the weights scaled, when s
 * is a float constant holding one value, or one per input channel of a
 * group-1 Conv (shape [C,1,1] or [1,C,1,1]), and the Mul feeds only the
 * Conv's data input without broadcasting x. Exact up to rounding: the
 * Conv's zero padding stays zero under a scale. Saves a pass over the input
 * (AgeGenderNet's 1/255 preprocessing). Returns 1 if folded, 0 if the
 * pattern does not apply, -1 on error. */
static int fold_scale_one(nnrt_graph *g, int ci, nnrt_error *err, nnrt_status *st) {
  nnrt_node *c = &g->nodes[ci];
  if (c->n_inputs < 2 || c->inputs[0] < 0) return 0;
  int mi = g->values[c->inputs[0]].producer;
  if (mi < 0 || !is_op(&g->nodes[mi], "Mul") || sole_consumer(g, c->inputs[0]) != ci) return 0;
  const nnrt_node *m = &g->nodes[mi];
  if (m->n_inputs != 2 || m->n_outputs != 1 || m->act.kind != NNRT_ACT_NONE) return 0;
  const nnrt_value *w = nnrt_node_input(g, c, 1), *y = &g->values[m->outputs[0]];
  if (!w || w->kind != NNRT_VALUE_CONSTANT || !w->data || w->dtype != NNRT_DTYPE_FLOAT || w->rank < 3) return 0;
  for (int side = 0; side < 2; side++) {
    const nnrt_value *x = nnrt_node_input(g, m, side), *sv = nnrt_node_input(g, m, 1 - side);
    if (!x || !sv || x->dtype != NNRT_DTYPE_FLOAT || !same_shape(x, y)) continue;
    const float *s = const_floats(g, m, 1 - side, -1);
    if (!s) continue;
    int64_t ns = nnrt_value_numel(sv), cin = w->dims[1], group = nnrt_attr_int(c, "group", 1);
    if (ns != 1) { /* per input channel: [C,1,1] or [1,C,1,1] against NCHW */
      if (group != 1 || ns != cin || y->rank != 4 || sv->rank < 3 || sv->dims[sv->rank - 3] != cin) continue;
    }
    int64_t wn = nnrt_value_numel(w), per = wn / (w->dims[0] * cin); /* taps per (out, in) pair */
    float *nw = malloc((size_t)wn * sizeof *nw);
    if (!nw) {
      *st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory folding a Mul into a Conv", g->source_name);
      return -1;
    }
    const float *wd = w->data;
    for (int64_t i = 0; i < wn; i++) nw[i] = wd[i] * s[ns == 1 ? 0 : i / per % cin];
    int xv = m->inputs[side], wrank = w->rank;
    int64_t wdims[NNRT_MAX_DIMS];
    memcpy(wdims, w->dims, sizeof wdims);
    char base[400];
    snprintf(base, sizeof base, "%s", c->name);
    int wv = add_constant(g, base, "input_scale_folded_weight", nw, wrank, wdims);
    if (wv < 0) {
      *st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory folding a Mul into a Conv", g->source_name);
      return -1;
    }
    c = &g->nodes[ci];
    nnrt_node *md = &g->nodes[mi];
    c->inputs[0] = xv;
    c->inputs[1] = wv;
    if (md->op && md->op->destroy && md->state) md->op->destroy(md);
    md->state = NULL;
    md->dead = true;
    *st = nnrt_graph_reinfer(g, ci, err);
    return *st ? -1 : 1;
  }
  return 0;
}

nnrt_status nnrt_graph_fold_input_scale(nnrt_graph *g, nnrt_error *err) {
  nnrt_graph_count_consumers(g);
  for (int i = 0; i < g->n_nodes; i++) {
    if (!is_op(&g->nodes[i], "Conv")) continue;
    nnrt_status st = NNRT_OK;
    if (fold_scale_one(g, i, err, &st) < 0) return st;
    nnrt_graph_count_consumers(g);
  }
  nnrt_graph_remove_dead(g); /* drops the replaced weights */
  return NNRT_OK;
}

/* The activation node a as an nnrt_act; 0 if it cannot be fused. */
static int activation_of(const nnrt_graph *g, const nnrt_node *a, nnrt_act *act) {
  if (a->dead || !is_default_domain(a) || a->n_outputs != 1 || a->outputs[0] < 0) return 0;
  const char *t = a->op_type;
  act->alpha = act->beta = 0.f;
  if (strcmp(t, "Relu") == 0) {
    act->kind = NNRT_ACT_RELU;
  } else if (strcmp(t, "Sigmoid") == 0) {
    act->kind = NNRT_ACT_SIGMOID;
  } else if (strcmp(t, "Tanh") == 0) {
    act->kind = NNRT_ACT_TANH;
  } else if (strcmp(t, "HardSwish") == 0) {
    act->kind = NNRT_ACT_HARD_SWISH;
  } else if (strcmp(t, "LeakyRelu") == 0) {
    act->kind = NNRT_ACT_LEAKY_RELU;
    act->alpha = nnrt_attr_float(a, "alpha", 0.01f);
  } else if (strcmp(t, "HardSigmoid") == 0) {
    act->kind = NNRT_ACT_HARD_SIGMOID;
    act->alpha = nnrt_attr_float(a, "alpha", 0.2f);
    act->beta = nnrt_attr_float(a, "beta", 0.5f);
  } else if (strcmp(t, "Clip") == 0) {
    act->kind = NNRT_ACT_CLIP;
    if (g->opset < 11) {
      act->alpha = nnrt_attr_float(a, "min", -FLT_MAX);
      act->beta = nnrt_attr_float(a, "max", FLT_MAX);
    } else {
      act->alpha = -FLT_MAX;
      act->beta = FLT_MAX;
      for (int k = 1; k < a->n_inputs && k < 3; k++) {
        if (a->inputs[k] < 0) continue;
        const float *p = const_floats(g, a, k, 1);
        if (!p) return 0; /* bounds computed at run time */
        if (k == 1) act->alpha = *p;
        else act->beta = *p;
      }
    }
  } else {
    return 0;
  }
  return 1;
}

void nnrt_graph_fuse_activations(nnrt_graph *g) {
  nnrt_graph_count_consumers(g);
  for (int i = 0; i < g->n_nodes; i++) {
    nnrt_node *c = &g->nodes[i];
    int arith = is_op(c, "Add") || is_op(c, "Sub") || is_op(c, "Mul") || is_op(c, "Div");
    if (!is_op(c, "Conv") && !is_op(c, "Gemm") && !arith) continue;
    if (c->act.kind != NNRT_ACT_NONE || c->n_outputs != 1 || c->outputs[0] < 0) continue;
    /* the binary op applies node->act to float outputs only */
    if (arith && g->values[c->outputs[0]].dtype != NNRT_DTYPE_FLOAT) continue;
    int ai = sole_consumer(g, c->outputs[0]);
    if (ai < 0 || g->nodes[ai].inputs[0] != c->outputs[0]) continue;
    nnrt_node *a = &g->nodes[ai];
    nnrt_act act;
    if (!activation_of(g, a, &act)) continue;
    if (g->values[a->outputs[0]].dtype != NNRT_DTYPE_FLOAT) continue;
    c->act = act;
    int out = a->outputs[0];
    g->values[c->outputs[0]].producer = -1;
    c->outputs[0] = out;
    g->values[out].producer = i;
    if (a->op && a->op->destroy && a->state) a->op->destroy(a);
    a->state = NULL;
    a->dead = true;
    nnrt_graph_count_consumers(g);
  }
}

/* Slot of the fused residual operand in a node that can take one (Conv:
 * input 3 after weights and bias; MaxPool: input 1), or -1. */
static int residual_slot(const nnrt_node *c) {
  if (is_op(c, "Conv")) return c->n_inputs <= 3 ? 3 : -1;
  if (is_op(c, "MaxPool")) return c->n_inputs == 1 ? 1 : -1;
  return -1;
}

/* Fuses Add(P(...), r) (activation fused or not) into its producer P, a
 * Conv or a MaxPool: the GEMM kernels add r while the output tile is still
 * in registers, the other paths while a task's planes are still in cache,
 * which saves a pass over the output and its store and reload (BlazeFace's
 * residual blocks, AgeGenderNet's pool + shortcut). Applies when P has no
 * activation of its own, the Add reads it alone and nothing else does, r has
 * the output's exact shape (no broadcast) and r is ready when P runs
 * (produced by an earlier node, or an input or constant). */
nnrt_status nnrt_graph_fuse_residual_add(nnrt_graph *g, nnrt_error *err) {
  nnrt_graph_count_consumers(g);
  for (int ai = 0; ai < g->n_nodes; ai++) {
    nnrt_node *a = &g->nodes[ai];
    if (!is_op(a, "Add") || a->n_inputs != 2 || a->n_outputs != 1 || a->outputs[0] < 0) continue;
    if (a->inputs[0] < 0 || a->inputs[1] < 0 || a->inputs[0] == a->inputs[1]) continue;
    const nnrt_value *y = &g->values[a->outputs[0]];
    if (y->dtype != NNRT_DTYPE_FLOAT) continue;
    /* try the later producer first: the other operand must exist before it runs */
    int best = -1, best_side = -1;
    for (int side = 0; side < 2; side++) {
      int cv = a->inputs[side], rv = a->inputs[1 - side];
      int ci = g->values[cv].producer;
      if (ci < 0 || ci >= ai || residual_slot(&g->nodes[ci]) < 0) continue;
      const nnrt_node *c = &g->nodes[ci];
      if (c->fused_add || c->act.kind != NNRT_ACT_NONE || c->n_outputs != 1 || c->outputs[0] != cv) continue;
      if (sole_consumer(g, cv) != ai) continue;
      const nnrt_value *r = &g->values[rv];
      if (r->dtype != NNRT_DTYPE_FLOAT || !same_shape(r, &g->values[cv]) || !same_shape(r, y)) continue;
      if (r->producer >= ci) continue;
      if (r->kind == NNRT_VALUE_CONSTANT && !r->data) continue;
      if (ci > best) best = ci, best_side = side;
    }
    if (best < 0) continue;
    int rv = a->inputs[1 - best_side], out = a->outputs[0];
    nnrt_act act = a->act;
    nnrt_node *c = &g->nodes[best];
    int slot = residual_slot(c);
    if (grow_inputs(c, slot + 1) != 0)
      return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory fusing an Add into a %s", g->source_name,
                       c->op_type);
    c->inputs[slot] = rv;
    c->fused_add = true;
    c->act = act;
    g->values[c->outputs[0]].producer = -1;
    c->outputs[0] = out;
    g->values[out].producer = best;
    a = &g->nodes[ai];
    if (a->op && a->op->destroy && a->state) a->op->destroy(a);
    a->state = NULL;
    a->dead = true;
    nnrt_graph_count_consumers(g);
  }
  return NNRT_OK;
}
