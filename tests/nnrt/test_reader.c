/* The ONNX reader and model loading on hand-built protobuf bytes: a valid
 * model reads into the expected graph; each kind of malformed or unsupported
 * file fails with a message naming the cause; every truncation of a valid
 * file fails cleanly or loads, never crashes (run under the sanitizers). */
#include <stdlib.h>

#include "graph.h"
#include "nnrt.h"
#include "onnx_reader.h"
#include "pb_build.h"
#include "test_check.h"

/* X[1,8] -> Relu -> Y, with knobs to break it. */
typedef struct spec {
  int ir, opset;
  const char *op;         /* "Relu" */
  const char *node_input; /* "X" */
  int input_elem;         /* 1 = float */
  int raw_mismatch;       /* add an initializer whose raw_data is short */
  int external;           /* add an initializer with data_location = EXTERNAL */
  int duplicate_output;   /* a second node also producing Y */
} spec;

static spec default_spec(void) {
  spec s = {7, 13, "Relu", "X", 1, 0, 0, 0};
  return s;
}

static pbb build(const spec *s) {
  pbb g = {0};
  const int64_t dims[2] = {1, 8};
  const char *ins[] = {s->node_input, NULL}, *outs[] = {"Y", NULL};
  pbb n = onnx_node("relu1", s->op, ins, outs, NULL, 0);
  pbb_msg(&g, G_NODE, &n);
  if (s->duplicate_output) {
    pbb n2 = onnx_node("relu2", "Relu", ins, outs, NULL, 0);
    pbb_msg(&g, G_NODE, &n2);
  }
  pbb_str(&g, G_NAME, "test");
  if (s->raw_mismatch) {
    float w[4] = {1, 2, 3, 4};
    const int64_t wd[1] = {5}; /* 5 elements declared, 4 present */
    pbb t = {0};
    pbb_uint(&t, 1, (uint64_t)wd[0]);
    pbb_uint(&t, 2, 1);
    pbb_str(&t, 8, "W");
    pbb_bytes(&t, 9, w, sizeof w);
    pbb_msg(&g, G_INIT, &t);
  }
  if (s->external) {
    pbb t = {0};
    pbb_uint(&t, 1, 4);
    pbb_uint(&t, 2, 1);
    pbb_str(&t, 8, "E");
    pbb_uint(&t, 14, 1);
    pbb_msg(&g, G_INIT, &t);
  }
  pbb in = onnx_value_info("X", s->input_elem, 2, dims);
  pbb_msg(&g, G_INPUT, &in);
  pbb out = onnx_value_info("Y", 1, 2, dims);
  pbb_msg(&g, G_OUTPUT, &out);
  return onnx_model(s->ir, s->opset, &g);
}

/* Loads and returns the status, with the message in err. */
static nnrt_status load(const pbb *m, nnrt_error *err) {
  nnrt_model *model = NULL;
  nnrt_load_options o = {NNRT_ISA_SCALAR, NULL, 0};
  nnrt_status st = nnrt_model_load_memory(m->p, m->n, "t.onnx", &o, &model, err);
  nnrt_model_free(model);
  return st;
}

static void expect_fail(const spec *s, nnrt_status want, const char *fragment) {
  pbb m = build(s);
  nnrt_error err;
  nnrt_status st = load(&m, &err);
  CHECK(st == want);
  if (st != NNRT_OK) {
    CHECK_MSG(err.message, "t.onnx");
    CHECK_MSG(err.message, fragment);
  }
  if (st != want) fprintf(stderr, "  got status %d: %s (wanted %d, \"%s\")\n", st, st ? err.message : "", want, fragment);
  free(m.p);
}

static void test_valid_structure(void) {
  spec s = default_spec();
  pbb m = build(&s);
  nnrt_graph *g = NULL;
  nnrt_error err;
  CHECK(nnrt_onnx_read(m.p, m.n, "t.onnx", &g, &err) == NNRT_OK);
  if (g) {
    CHECK(g->n_nodes == 1 && g->n_inputs == 1 && g->n_outputs == 1 && g->opset == 13);
    CHECK(strcmp(g->nodes[0].op_type, "Relu") == 0 && strcmp(g->nodes[0].name, "relu1") == 0);
    CHECK(g->values[g->inputs[0]].kind == NNRT_VALUE_INPUT && g->values[g->inputs[0]].rank == 2);
    CHECK(g->values[g->outputs[0]].producer == 0 && g->values[g->outputs[0]].is_output);
    nnrt_graph_free(g);
  }
  /* And it runs: Y = max(X, 0). */
  nnrt_model *model = NULL;
  nnrt_context *ctx = NULL;
  CHECK(nnrt_model_load_memory(m.p, m.n, "t.onnx", NULL, &model, &err) == NNRT_OK);
  CHECK(model && nnrt_context_create(model, 1, &ctx, &err) == NNRT_OK);
  if (ctx) {
    float *x = nnrt_context_input(ctx, 0);
    for (int i = 0; i < 8; i++) x[i] = (float)i - 3.5f;
    CHECK(nnrt_context_run(ctx, &err) == NNRT_OK);
    const float *y = nnrt_context_output(ctx, 0);
    for (int i = 0; i < 8; i++) CHECK(y[i] == (i < 4 ? 0.f : (float)i - 3.5f));
    CHECK(nnrt_context_input(ctx, 1) == NULL && nnrt_context_output(ctx, 7) == NULL);
  }
  nnrt_tensor_info info;
  CHECK(model && nnrt_model_input_info(model, 3, &info) == NNRT_ERR_INVALID);
  CHECK(model && nnrt_model_find_input(model, "X") == 0 && nnrt_model_find_output(model, "Y") == 0 &&
        nnrt_model_find_output(model, "nope") == -1);
  nnrt_context_free(ctx);
  nnrt_model_free(model);
  free(m.p);
}

static void test_errors(void) {
  spec s;
  s = default_spec(), s.node_input = "missing";
  expect_fail(&s, NNRT_ERR_INVALID, "node 'relu1' (Relu): input 'missing' is not produced by any node or initializer");
  s = default_spec(), s.op = "FooBar";
  expect_fail(&s, NNRT_ERR_UNSUPPORTED, "node 'relu1' (FooBar): op type 'FooBar' is not supported");
  s = default_spec(), s.opset = 6;
  expect_fail(&s, NNRT_ERR_UNSUPPORTED, "opset 6");
  s = default_spec(), s.opset = 18;
  expect_fail(&s, NNRT_ERR_UNSUPPORTED, "opset 18");
  s = default_spec(), s.input_elem = 7;
  expect_fail(&s, NNRT_ERR_UNSUPPORTED, "only float32 inputs");
  s = default_spec(), s.raw_mismatch = 1;
  expect_fail(&s, NNRT_ERR_PARSE, "initializer 'W': raw_data has 16 bytes but the shape needs 20");
  s = default_spec(), s.external = 1;
  expect_fail(&s, NNRT_ERR_UNSUPPORTED, "external data");
  s = default_spec(), s.duplicate_output = 1;
  expect_fail(&s, NNRT_ERR_INVALID, "output 'Y' is already produced");

  /* Not protobuf at all, empty, and a missing file. */
  nnrt_error err;
  nnrt_model *model = NULL;
  const char junk[] = "\x0b\x0c this is not onnx";
  CHECK(nnrt_model_load_memory(junk, sizeof junk, "junk.onnx", NULL, &model, &err) == NNRT_ERR_PARSE);
  CHECK_MSG(err.message, "junk.onnx: not a valid ONNX file");
  CHECK(nnrt_model_load_memory(junk, 0, "empty.onnx", NULL, &model, &err) == NNRT_ERR_PARSE);
  CHECK(nnrt_model_load_file("/nonexistent/x.onnx", NULL, &model, &err) == NNRT_ERR_IO);
  CHECK_MSG(err.message, "/nonexistent/x.onnx");
  CHECK(model == NULL);
}

/* Nodes listed out of order are sorted; a cycle is refused. */
static void test_order_and_cycle(void) {
  const int64_t dims[2] = {1, 4};
  for (int cyclic = 0; cyclic < 2; cyclic++) {
    pbb g = {0};
    const char *in2[] = {"A", NULL}, *out2[] = {"Y", NULL};
    const char *in1[] = {cyclic ? "Y" : "X", NULL}, *out1[] = {"A", NULL};
    pbb n2 = onnx_node("second", "Relu", in2, out2, NULL, 0);
    pbb_msg(&g, G_NODE, &n2);
    pbb n1 = onnx_node("first", "Relu", in1, out1, NULL, 0);
    pbb_msg(&g, G_NODE, &n1);
    pbb in = onnx_value_info("X", 1, 2, dims), out = onnx_value_info("Y", 1, 2, dims);
    pbb_msg(&g, G_INPUT, &in);
    pbb_msg(&g, G_OUTPUT, &out);
    pbb m = onnx_model(7, 13, &g);
    nnrt_error err;
    nnrt_status st = load(&m, &err);
    if (cyclic) {
      CHECK(st == NNRT_ERR_INVALID);
      CHECK_MSG(err.message, "cycle");
    } else {
      CHECK(st == NNRT_OK);
    }
    free(m.p);
  }
}

/* ISA choice: refused ISAs and a bad NNRT_ISA value give NNRT_ERR_ISA. */
static void test_isa(void) {
  spec s = default_spec();
  pbb m = build(&s);
  nnrt_error err;
  nnrt_model *model = NULL;
#if defined(__x86_64__)
  nnrt_load_options o = {NNRT_ISA_NEON, NULL, 0};
  CHECK(nnrt_model_load_memory(m.p, m.n, "t.onnx", &o, &model, &err) == NNRT_ERR_ISA);
  CHECK_MSG(err.message, "neon");
#endif
  setenv("NNRT_ISA", "bogus", 1);
  CHECK(nnrt_model_load_memory(m.p, m.n, "t.onnx", NULL, &model, &err) == NNRT_ERR_ISA);
  CHECK_MSG(err.message, "NNRT_ISA='bogus'");
  setenv("NNRT_ISA", "scalar", 1);
  CHECK(nnrt_model_load_memory(m.p, m.n, "t.onnx", NULL, &model, &err) == NNRT_OK);
  CHECK(model && nnrt_model_isa(model) == NNRT_ISA_SCALAR);
  nnrt_model_free(model);
  unsetenv("NNRT_ISA");
  nnrt_isa isa;
  CHECK(nnrt_isa_from_name("avx2", &isa) == 0 && isa == NNRT_ISA_AVX2);
  CHECK(nnrt_isa_from_name("avx3", &isa) != 0);
  CHECK(strcmp(nnrt_isa_name(NNRT_ISA_AVX512), "avx512") == 0);
  CHECK(nnrt_isa_supported(NNRT_ISA_SCALAR) && nnrt_isa_supported(nnrt_isa_best()));
  free(m.p);
}

/* Every prefix of a valid file: an error with a message, or a clean load. */
static void test_truncations(void) {
  spec s = default_spec();
  s.raw_mismatch = 0;
  pbb m = build(&s);
  int failed = 0;
  for (size_t len = 0; len < m.n; len++) {
    uint8_t *copy = malloc(len ? len : 1); /* exact size so ASan sees overreads */
    memcpy(copy, m.p, len);
    nnrt_error err;
    nnrt_model *model = NULL;
    nnrt_status st = nnrt_model_load_memory(copy, len, "cut.onnx", NULL, &model, &err);
    if (st != NNRT_OK) {
      failed++;
      CHECK(model == NULL && err.message[0] != '\0');
    }
    nnrt_model_free(model);
    free(copy);
  }
  CHECK(failed > (int)m.n / 2); /* most prefixes cannot be valid models */
  free(m.p);
}

int main(void) {
  test_valid_structure();
  test_errors();
  test_order_and_cycle();
  test_isa();
  test_truncations();
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  else printf("reader: all checks passed\n");
  return test_failures ? 1 : 0;
}
