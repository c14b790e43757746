/* Element-wise activations: Relu, LeakyRelu, Clip, Sigmoid, Tanh,
 * HardSigmoid, HardSwish. Each maps onto an nnrt_act so the kernel table's
 * `activation` does the work (and the core can fuse it into Conv/Gemm). */
#include <float.h>

#include "op_common.h"

static nnrt_status act_setup(nnrt_graph *g, nnrt_node *n, nnrt_error *err, int max_inputs,
                             nnrt_act act) {
  nnrt_status st = op_check_inputs(g, n, 1, max_inputs, err);
  if (st) return st;
  if ((st = op_check_outputs(n, 1, err))) return st;
  if ((st = op_need_float(g, n, 0, err))) return st;
  nnrt_act *s = malloc(sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  *s = act;
  free(n->state);
  n->state = s;
  const nnrt_value *in = nnrt_node_input(g, n, 0);
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, in->rank, in->dims);
  return NNRT_OK;
}

static nnrt_status relu_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  return act_setup(g, n, err, 1, (nnrt_act){NNRT_ACT_RELU, 0.f, 0.f});
}
static nnrt_status leaky_relu_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  return act_setup(g, n, err, 1, (nnrt_act){NNRT_ACT_LEAKY_RELU, nnrt_attr_float(n, "alpha", 0.01f), 0.f});
}
static nnrt_status sigmoid_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  return act_setup(g, n, err, 1, (nnrt_act){NNRT_ACT_SIGMOID, 0.f, 0.f});
}
static nnrt_status tanh_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  return act_setup(g, n, err, 1, (nnrt_act){NNRT_ACT_TANH, 0.f, 0.f});
}
static nnrt_status hard_sigmoid_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  return act_setup(g, n, err, 1,
                   (nnrt_act){NNRT_ACT_HARD_SIGMOID, nnrt_attr_float(n, "alpha", 0.2f),
                              nnrt_attr_float(n, "beta", 0.5f)});
}
static nnrt_status hard_swish_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  return act_setup(g, n, err, 1, (nnrt_act){NNRT_ACT_HARD_SWISH, 0.f, 0.f});
}

/* Clip: bounds are attributes before opset 11 and optional scalar inputs
 * from opset 11 on (read at run time, so they need not be constant). */
static nnrt_status clip_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_act act = {NNRT_ACT_CLIP, -FLT_MAX, FLT_MAX};
  if (g->opset < 11) {
    act.alpha = nnrt_attr_float(n, "min", -FLT_MAX);
    act.beta = nnrt_attr_float(n, "max", FLT_MAX);
    return act_setup(g, n, err, 1, act);
  }
  nnrt_status st = act_setup(g, n, err, 3, act);
  if (st) return st;
  for (int i = 1; i <= 2; i++) {
    const nnrt_value *v = nnrt_node_input(g, n, i);
    if (!v) continue;
    if (v->dtype != NNRT_DTYPE_FLOAT || nnrt_value_numel(v) != 1)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "input %d ('%s') must be a float32 scalar", i, v->name);
  }
  return NNRT_OK;
}

/* Large tensors are split over the pool in cache-line-aligned chunks. */
#define ACT_SPLIT_MIN ((size_t)1 << 15)

typedef struct act_task {
  const nnrt_kernels *k;
  const nnrt_act *act;
  const float *in;
  float *out;
  size_t count, chunk;
} act_task;

static void act_task_fn(void *arg, int t) {
  const act_task *c = arg;
  size_t o = (size_t)t * c->chunk;
  if (o < c->count) c->k->activation(c->act, c->in + o, c->out + o, o + c->chunk < c->count ? c->chunk : c->count - o);
}

static void act_run(const nnrt_node *n, nnrt_exec *x) {
  nnrt_act act = *(const nnrt_act *)n->state;
  if (act.kind == NNRT_ACT_CLIP) {
    if (n->n_inputs > 1 && x->in[1]) act.alpha = *(const float *)x->in[1];
    if (n->n_inputs > 2 && x->in[2]) act.beta = *(const float *)x->in[2];
  }
  const nnrt_value *v = &x->g->values[n->inputs[0]];
  size_t count = (size_t)nnrt_value_numel(v);
  const float *in = x->in[0];
  float *out = x->out[0];
  if (x->k) {
    int threads = op_threads(x);
    if (threads > 1 && count >= ACT_SPLIT_MIN) {
      act_task c = {x->k, &act, in, out, count, 0};
      c.chunk = ((count + (size_t)threads - 1) / (size_t)threads + 15) / 16 * 16;
      nnrt_pool_for(x->pool, (int)((count + c.chunk - 1) / c.chunk), act_task_fn, &c);
      return;
    }
    x->k->activation(&act, in, out, count);
    return;
  }
  for (size_t i = 0; i < count; i++) out[i] = nnrt_act_apply1(&act, in[i]);
}

static void act_destroy(nnrt_node *n) {
  free(n->state);
  n->state = NULL;
}

#define ACT_OP(id, name) \
  const nnrt_op nnrt_op_##id = {.op_type = name, .infer = id##_infer, .run = act_run, .destroy = act_destroy};
ACT_OP(relu, "Relu")
ACT_OP(leaky_relu, "LeakyRelu")
ACT_OP(clip, "Clip")
ACT_OP(sigmoid, "Sigmoid")
ACT_OP(tanh, "Tanh")
ACT_OP(hard_sigmoid, "HardSigmoid")
ACT_OP(hard_swish, "HardSwish")
