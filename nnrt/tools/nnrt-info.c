/* nnrt-info MODEL [--isa I] [--shape NAME=DIMS]: what a model contains and
 * what preparation made of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt.h"
#include "model.h" /* internal: to count the ops left after optimisation */
#include "onnx_reader.h"
#include "tool_common.h"

static void print_info(const char *what, const nnrt_tensor_info *t) {
  printf("%s %s: float32[", what, t->name);
  for (int d = 0; d < t->rank; d++) printf("%s%lld", d ? "x" : "", (long long)t->dims[d]);
  printf("]\n");
}

/* Op counts as in the file, read before any preparation. */
static void print_file_ops(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  rewind(f);
  unsigned char *buf = len > 0 ? malloc((size_t)len) : NULL;
  if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    fclose(f);
    return;
  }
  fclose(f);
  nnrt_graph *g;
  nnrt_error err;
  if (nnrt_onnx_read(buf, (size_t)len, path, &g, &err) == NNRT_OK) {
    printf("ops in file:");
    for (int i = 0; i < g->n_nodes; i++) {
      int seen = 0, count = 0;
      for (int j = 0; j < i; j++) seen |= strcmp(g->nodes[j].op_type, g->nodes[i].op_type) == 0;
      if (seen) continue;
      for (int j = i; j < g->n_nodes; j++) count += strcmp(g->nodes[j].op_type, g->nodes[i].op_type) == 0;
      printf(" %s=%d", g->nodes[i].op_type, count);
    }
    printf("\n");
    nnrt_graph_free(g);
  }
  free(buf);
}

int main(int argc, char **argv) {
  tool_opts o;
  memset(&o, 0, sizeof o);
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    int r = tool_parse_common(argc, argv, &i, &o);
    if (r < 0) return 2;
    if (r) continue;
    if (argv[i][0] == '-' || path) {
      fprintf(stderr, "usage: %s MODEL [--isa I] [--shape NAME=1x3x128x128]\n", argv[0]);
      return 2;
    }
    path = argv[i];
  }
  if (!path) {
    fprintf(stderr, "usage: %s MODEL [--isa I] [--shape NAME=1x3x128x128]\n", argv[0]);
    return 2;
  }
  nnrt_model *m;
  nnrt_error err;
  if (nnrt_model_load_file(path, &o.load, &m, &err) != NNRT_OK) {
    tool_error(argv[0], &err);
    return 1;
  }
  printf("model: %s\nisa: %s\n", path, nnrt_isa_name(nnrt_model_isa(m)));
  for (size_t i = 0; i < nnrt_model_num_inputs(m); i++) {
    nnrt_tensor_info t;
    nnrt_model_input_info(m, i, &t);
    print_info("input", &t);
  }
  for (size_t i = 0; i < nnrt_model_num_outputs(m); i++) {
    nnrt_tensor_info t;
    nnrt_model_output_info(m, i, &t);
    print_info("output", &t);
  }
  print_file_ops(path);
  /* Op counts after folding and fusion, from the model's graph. */
  const nnrt_graph *g = m->g;
  printf("ops after optimisation:");
  for (int i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i].dead) continue;
    int seen = 0, count = 0, fused = 0;
    for (int j = 0; j < i; j++) seen |= !g->nodes[j].dead && strcmp(g->nodes[j].op_type, g->nodes[i].op_type) == 0;
    if (seen) continue;
    for (int j = i; j < g->n_nodes; j++)
      if (!g->nodes[j].dead && strcmp(g->nodes[j].op_type, g->nodes[i].op_type) == 0) {
        count++;
        fused += g->nodes[j].act.kind != NNRT_ACT_NONE;
      }
    printf(" %s=%d", g->nodes[i].op_type, count);
    if (fused) printf("(%d with fused activation)", fused);
  }
  printf("\n");
  nnrt_model_stats s;
  nnrt_model_get_stats(m, &s);
  printf("nodes: %zu in file, %zu after optimisation\n", s.n_nodes_original, s.n_nodes);
  printf("params: %lld\nweight_bytes: %zu\nmacs: %lld\narena_bytes: %zu\n", (long long)s.n_params, s.weight_bytes,
         (long long)s.macs, s.arena_bytes);
  printf("arena: %zu inputs+outputs, %zu intermediates (peak live %zu), %zu scratch\n", m->plan.io_bytes,
         m->plan.intermediate_bytes, m->plan.peak_live_bytes, m->plan.scratch_bytes);
  nnrt_model_free(m);
  return 0;
}
