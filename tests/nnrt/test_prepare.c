/* Graph preparation and the memory plan, checked through the public API on
 * hand-built models: constant folding, Identity removal, BatchNormalization
 * folding into Conv and Gemm, activation fusion, arena reuse, and that the
 * optimised model still computes what the unoptimised graph means. */
#include <math.h>
#include <stdlib.h>

#include "nnrt.h"
#include "pb_build.h"
#include "test_check.h"

static nnrt_model *load(pbb *m) {
  nnrt_model *model = NULL;
  nnrt_error err;
  nnrt_load_options o = {NNRT_ISA_SCALAR, NULL, 0};
  if (nnrt_model_load_memory(m->p, m->n, "p.onnx", &o, &model, &err) != NNRT_OK) {
    fprintf(stderr, "load failed: %s\n", err.message);
    test_failures++;
  }
  free(m->p);
  m->p = NULL;
  return model;
}

static const float *run(nnrt_model *model, nnrt_context **ctx, const float *x, size_t n) {
  nnrt_error err;
  if (nnrt_context_create(model, 2, ctx, &err) != NNRT_OK) return NULL;
  if (n) memcpy(nnrt_context_input(*ctx, 0), x, n * sizeof *x);
  if (nnrt_context_run(*ctx, &err) != NNRT_OK) return NULL;
  return nnrt_context_output(*ctx, 0);
}

static void add_init(pbb *g, const char *name, int rank, const int64_t *dims, const float *data) {
  pbb t = onnx_tensor_f32(name, rank, dims, data);
  pbb_msg(g, G_INIT, &t);
}

static void add_io(pbb *g, const char *in, int rin, const int64_t *din, const char *out, int rout, const int64_t *dout) {
  pbb i = onnx_value_info(in, 1, rin, din), o = onnx_value_info(out, 1, rout, dout);
  pbb_msg(g, G_INPUT, &i);
  pbb_msg(g, G_OUTPUT, &o);
}

static void add_node(pbb *g, const char *name, const char *op, const char *const *ins, const char *const *outs,
                     pbb *attrs, int n_attrs) {
  pbb n = onnx_node(name, op, ins, outs, attrs, n_attrs);
  pbb_msg(g, G_NODE, &n);
}

/* BN parameters shared by the Conv and Gemm cases. */
static const float bn_scale[4] = {1.5f, -0.5f, 2.f, 1.f}, bn_bias[4] = {0.1f, 0.2f, -0.3f, 0.f};
static const float bn_mean[4] = {0.5f, -1.f, 0.f, 0.25f}, bn_var[4] = {1.f, 4.f, 0.25f, 2.f};
static const float eps = 1e-3f;

static float bn(int o, float v) { return (v - bn_mean[o]) * bn_scale[o] / sqrtf(bn_var[o] + eps) + bn_bias[o]; }

static void add_bn_params(pbb *g, int64_t c) {
  add_init(g, "s", 1, &c, bn_scale);
  add_init(g, "b", 1, &c, bn_bias);
  add_init(g, "m", 1, &c, bn_mean);
  add_init(g, "v", 1, &c, bn_var);
}

/* X[1,2,3,3] -> Conv 1x1 (3 out, bias) -> BN -> Relu -> Identity -> Y: one node left. */
static void test_conv_bn_relu(void) {
  pbb g = {0};
  const int64_t xd[4] = {1, 2, 3, 3}, wd[4] = {3, 2, 1, 1}, c = 3;
  const float w[6] = {1, -2, 0.5f, 0.25f, -1, 3}, bias[3] = {0.5f, -0.5f, 1};
  add_init(&g, "W", 4, wd, w);
  add_init(&g, "B", 1, &c, bias);
  add_bn_params(&g, c);
  const char *cin[] = {"X", "W", "B", NULL}, *cout[] = {"c", NULL};
  pbb ks = onnx_attr_ints("kernel_shape", (const int64_t[]){1, 1}, 2);
  add_node(&g, "conv", "Conv", cin, cout, &ks, 1);
  const char *bin[] = {"c", "s", "b", "m", "v", NULL}, *bout[] = {"n", NULL};
  pbb e = onnx_attr_float("epsilon", eps);
  add_node(&g, "bn", "BatchNormalization", bin, bout, &e, 1);
  const char *rin[] = {"n", NULL}, *rout[] = {"r", NULL};
  add_node(&g, "relu", "Relu", rin, rout, NULL, 0);
  const char *iin[] = {"r", NULL}, *iout[] = {"Y", NULL};
  add_node(&g, "id", "Identity", iin, iout, NULL, 0);
  add_io(&g, "X", 4, xd, "Y", 4, (const int64_t[]){1, 3, 3, 3});
  pbb m = onnx_model(7, 13, &g);
  nnrt_model *model = load(&m);
  if (!model) return;
  nnrt_model_stats st;
  nnrt_model_get_stats(model, &st);
  CHECK(st.n_nodes_original == 4);
  CHECK(st.n_nodes == 1);
  CHECK(st.macs == 3 * 2 * 9);
  CHECK(st.n_params == 6 + 3);
  float x[18];
  for (int i = 0; i < 18; i++) x[i] = (float)(i % 7) - 3.f;
  nnrt_context *ctx = NULL;
  const float *y = run(model, &ctx, x, 18);
  CHECK(y != NULL);
  for (int o = 0; y && o < 3; o++)
    for (int p = 0; p < 9; p++) {
      float acc = bias[o] + w[o * 2] * x[p] + w[o * 2 + 1] * x[9 + p];
      float want = fmaxf(bn(o, acc), 0.f);
      CHECK(fabsf(y[o * 9 + p] - want) < 1e-5f);
    }
  nnrt_context_free(ctx);
  nnrt_model_free(model);
}

/* A[2,3] -> Gemm (B const [3,4], no C) -> BN -> Sigmoid -> Y: one node left. */
static void test_gemm_bn_sigmoid(void) {
  pbb g = {0};
  const int64_t ad[2] = {2, 3}, bd[2] = {3, 4}, c = 4;
  const float b[12] = {1, 2, 3, 4, -1, 0.5f, 0, 2, 0.25f, -2, 1, -1};
  add_init(&g, "Bw", 2, bd, b);
  add_bn_params(&g, c);
  const char *gin[] = {"A", "Bw", NULL}, *gout[] = {"g", NULL};
  pbb alpha = onnx_attr_float("alpha", 0.5f);
  add_node(&g, "gemm", "Gemm", gin, gout, &alpha, 1);
  const char *bin[] = {"g", "s", "b", "m", "v", NULL}, *bout[] = {"n", NULL};
  pbb e = onnx_attr_float("epsilon", eps);
  add_node(&g, "bn", "BatchNormalization", bin, bout, &e, 1);
  const char *sin_[] = {"n", NULL}, *sout[] = {"Y", NULL};
  add_node(&g, "sig", "Sigmoid", sin_, sout, NULL, 0);
  add_io(&g, "A", 2, ad, "Y", 2, (const int64_t[]){2, 4});
  pbb m = onnx_model(7, 13, &g);
  nnrt_model *model = load(&m);
  if (!model) return;
  nnrt_model_stats st;
  nnrt_model_get_stats(model, &st);
  CHECK(st.n_nodes == 1 && st.n_nodes_original == 3);
  const float a[6] = {1, -1, 2, 0.5f, 3, -2};
  nnrt_context *ctx = NULL;
  const float *y = run(model, &ctx, a, 6);
  CHECK(y != NULL);
  for (int r = 0; y && r < 2; r++)
    for (int o = 0; o < 4; o++) {
      float acc = 0;
      for (int k = 0; k < 3; k++) acc += a[r * 3 + k] * b[k * 4 + o];
      float want = 1.f / (1.f + expf(-bn(o, 0.5f * acc)));
      CHECK(fabsf(y[r * 4 + o] - want) < 1e-5f);
    }
  nnrt_context_free(ctx);
  nnrt_model_free(model);
}

/* Y = X + (C1 + C2): the constant Add folds at load; an unused initializer
 * and a dead branch disappear. */
static void test_folding_and_dead(void) {
  pbb g = {0};
  const int64_t d[2] = {1, 4};
  const float c1[4] = {1, 2, 3, 4}, c2[4] = {10, 20, 30, 40}, unused[4] = {0};
  add_init(&g, "C1", 2, d, c1);
  add_init(&g, "C2", 2, d, c2);
  add_init(&g, "unused", 2, d, unused);
  const char *ain[] = {"C1", "C2", NULL}, *aout[] = {"S", NULL};
  add_node(&g, "fold_me", "Add", ain, aout, NULL, 0);
  const char *din[] = {"X", NULL}, *dout[] = {"dead", NULL};
  add_node(&g, "dead_branch", "Relu", din, dout, NULL, 0);
  const char *yin[] = {"X", "S", NULL}, *yout[] = {"Y", NULL};
  add_node(&g, "add", "Add", yin, yout, NULL, 0);
  add_io(&g, "X", 2, d, "Y", 2, d);
  pbb m = onnx_model(7, 13, &g);
  nnrt_model *model = load(&m);
  if (!model) return;
  nnrt_model_stats st;
  nnrt_model_get_stats(model, &st);
  CHECK(st.n_nodes == 1 && st.n_nodes_original == 3);
  CHECK(st.n_params == 4); /* only the folded constant is used */
  const float x[4] = {0.5f, -1, 0, 2};
  nnrt_context *ctx = NULL;
  const float *y = run(model, &ctx, x, 4);
  for (int i = 0; y && i < 4; i++) CHECK(y[i] == x[i] + c1[i] + c2[i]);
  nnrt_context_free(ctx);
  nnrt_model_free(model);
}

/* A graph output that folds to a constant is still delivered, next to a
 * computed one; the constant branch leaves no node to run. */
static void test_constant_output(void) {
  pbb g = {0};
  const int64_t d[2] = {1, 4};
  const float c1[4] = {1, 2, 3, 4};
  add_init(&g, "C1", 2, d, c1);
  const char *kin[] = {"C1", "C1", NULL}, *kout[] = {"K", NULL};
  add_node(&g, "const_branch", "Mul", kin, kout, NULL, 0);
  const char *yin[] = {"X", NULL}, *yout[] = {"Y", NULL};
  add_node(&g, "relu", "Relu", yin, yout, NULL, 0);
  add_io(&g, "X", 2, d, "Y", 2, d);
  pbb k = onnx_value_info("K", 1, 2, d);
  pbb_msg(&g, G_OUTPUT, &k);
  pbb m = onnx_model(7, 13, &g);
  nnrt_model *model = load(&m);
  if (!model) return;
  nnrt_model_stats st;
  nnrt_model_get_stats(model, &st);
  CHECK(st.n_nodes == 1);
  const float x[4] = {-1, 1, -2, 2};
  nnrt_context *ctx = NULL;
  const float *y = run(model, &ctx, x, 4);
  const float *kk = ctx ? nnrt_context_output(ctx, 1) : NULL;
  for (int i = 0; y && kk && i < 4; i++) {
    CHECK(y[i] == fmaxf(x[i], 0.f));
    CHECK(kk[i] == c1[i] * c1[i]);
  }
  nnrt_context_free(ctx);
  nnrt_model_free(model);
}

/* A chain of 6 Relus over 4 KiB tensors needs two reused slots plus the
 * input and output slots. Also: Identity from a graph input to an output. */
static void test_arena_reuse(void) {
  pbb g = {0};
  const int64_t d[2] = {1, 1024};
  const char *names[] = {"X", "t1", "t2", "t3", "t4", "t5", "Y"};
  for (int i = 0; i < 6; i++) {
    const char *in[] = {names[i], NULL}, *out[] = {names[i + 1], NULL};
    char nm[16];
    snprintf(nm, sizeof nm, "relu%d", i);
    add_node(&g, nm, "Relu", in, out, NULL, 0);
  }
  const char *iin[] = {"X", NULL}, *iout[] = {"Z", NULL};
  add_node(&g, "copy", "Identity", iin, iout, NULL, 0);
  add_io(&g, "X", 2, d, "Y", 2, d);
  pbb z = onnx_value_info("Z", 1, 2, d);
  pbb_msg(&g, G_OUTPUT, &z);
  pbb m = onnx_model(7, 13, &g);
  nnrt_model *model = load(&m);
  if (!model) return;
  nnrt_model_stats st;
  nnrt_model_get_stats(model, &st);
  CHECK(st.arena_bytes == 5 * 4096); /* X, Y, Z slots + 2 intermediates */
  if (st.arena_bytes != 5 * 4096) fprintf(stderr, "  arena_bytes=%zu\n", st.arena_bytes);
  float x[1024];
  for (int i = 0; i < 1024; i++) x[i] = (float)(i % 5) - 2.f;
  nnrt_context *ctx = NULL;
  const float *y = run(model, &ctx, x, 1024);
  const float *zz = ctx ? nnrt_context_output(ctx, 1) : NULL;
  for (int i = 0; y && zz && i < 1024; i++) {
    CHECK(y[i] == fmaxf(x[i], 0.f));
    CHECK(zz[i] == x[i]);
  }
  nnrt_context_free(ctx);
  nnrt_model_free(model);
}

/* Free dimensions default to 1, or take the shape given at load. */
static void test_input_shapes(void) {
  for (int given = 0; given < 2; given++) {
    pbb g = {0};
    const int64_t d[2] = {-1, 3};
    const char *in[] = {"X", NULL}, *out[] = {"Y", NULL};
    add_node(&g, "relu", "Relu", in, out, NULL, 0);
    add_io(&g, "X", 2, d, "Y", 2, d);
    pbb m = onnx_model(7, 13, &g);
    nnrt_input_shape shape = {"X", 2, {5, 3}};
    nnrt_load_options o = {NNRT_ISA_AUTO, given ? &shape : NULL, given ? 1 : 0};
    nnrt_model *model = NULL;
    nnrt_error err;
    CHECK(nnrt_model_load_memory(m.p, m.n, "s.onnx", &o, &model, &err) == NNRT_OK);
    nnrt_tensor_info ti;
    CHECK(model && nnrt_model_output_info(model, 0, &ti) == NNRT_OK && ti.dims[0] == (given ? 5 : 1));
    nnrt_model_free(model);
    /* A fixed dimension cannot be changed. */
    nnrt_input_shape bad = {"X", 2, {5, 4}};
    o.input_shapes = &bad;
    o.n_input_shapes = 1;
    CHECK(nnrt_model_load_memory(m.p, m.n, "s.onnx", &o, &model, &err) == NNRT_ERR_SHAPE);
    CHECK_MSG(err.message, "dimension 1 is fixed to 3");
    free(m.p);
  }
}

int main(void) {
  test_conv_bn_relu();
  test_gemm_bn_sigmoid();
  test_folding_and_dead();
  test_arena_reuse();
  test_constant_output();
  test_input_shapes();
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  else printf("prepare: all checks passed\n");
  return test_failures ? 1 : 0;
}
