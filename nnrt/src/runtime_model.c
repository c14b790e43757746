/* Public model API: load (read -> prepare -> plan), describe, statistics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_prepare.h"
#include "model.h"
#include "onnx_reader.h"

#define MAX_FILE_BYTES ((size_t)2 << 30)

/* Chooses the ISA: explicit option, else the NNRT_ISA environment variable,
 * else the best this CPU supports. */
static nnrt_status choose_isa(const nnrt_load_options *opts, nnrt_isa *out, nnrt_error *err) {
  nnrt_isa isa = opts ? opts->isa : NNRT_ISA_AUTO;
  const char *src = "the load options";
  if (isa == NNRT_ISA_AUTO) {
    const char *env = getenv("NNRT_ISA");
    if (env && *env) {
      if (nnrt_isa_from_name(env, &isa) != 0)
        return nnrt_fail(err, NNRT_ERR_ISA, "NNRT_ISA='%s' is not one of scalar, sse4, avx2, avx512, neon, auto", env);
      src = "NNRT_ISA";
    }
  }
  if (isa == NNRT_ISA_AUTO) isa = nnrt_isa_best();
  if ((int)isa < NNRT_ISA_SCALAR || isa > NNRT_ISA_NEON)
    return nnrt_fail(err, NNRT_ERR_ISA, "unknown ISA %d in %s", (int)isa, src);
  if (!nnrt_isa_supported(isa))
    return nnrt_fail(err, NNRT_ERR_ISA, "ISA '%s' (from %s) is not available: %s", nnrt_isa_name(isa), src,
                     nnrt_kernels_for(isa) ? "this CPU or OS lacks it" : "its kernels are not built into nnrt");
  *out = isa;
  return NNRT_OK;
}

static void fill_info(const nnrt_value *v, nnrt_tensor_info *info) {
  memset(info, 0, sizeof *info);
  info->name = v->name;
  info->dtype = v->dtype;
  info->rank = v->rank;
  for (int d = 0; d < v->rank; d++) info->dims[d] = v->dims[d];
}

static void compute_stats(nnrt_model *m) {
  nnrt_graph *g = m->g;
  nnrt_model_stats *s = &m->stats;
  memset(s, 0, sizeof *s);
  s->n_nodes = (size_t)m->n_run;
  s->n_nodes_original = g->n_nodes_original;
  s->arena_bytes = m->plan.total_bytes;
  char *seen = calloc((size_t)g->n_values + 1, 1);
  for (int r = 0; r < m->n_run; r++) {
    const nnrt_node *n = &g->nodes[m->run_order[r]];
    if (n->op->macs) s->macs += n->op->macs(g, n);
    for (int k = 0; k < n->n_inputs; k++) {
      int v = n->inputs[k];
      if (v < 0 || !seen || seen[v]) continue;
      seen[v] = 1;
      const nnrt_value *val = &g->values[v];
      if (val->kind != NNRT_VALUE_CONSTANT) continue;
      size_t bytes = 0;
      nnrt_value_nbytes(val, &bytes);
      s->weight_bytes += bytes;
      if (val->dtype == NNRT_DTYPE_FLOAT) s->n_params += nnrt_value_numel(val);
    }
  }
  free(seen);
}

static nnrt_status build_model(nnrt_graph *g, nnrt_model **out, nnrt_error *err) {
  nnrt_model *m = calloc(1, sizeof *m);
  if (!m) return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory", g->source_name);
  m->g = g;
  nnrt_status st = nnrt_memory_plan(g, &m->plan, err);
  if (st) goto fail;
  m->inputs = calloc((size_t)g->n_inputs + 1, sizeof *m->inputs);
  m->outputs = calloc((size_t)g->n_outputs + 1, sizeof *m->outputs);
  m->run_order = malloc(((size_t)g->n_nodes + 1) * sizeof(int));
  if (!m->inputs || !m->outputs || !m->run_order) goto nomem;
  for (int k = 0; k < g->n_inputs; k++) fill_info(&g->values[g->inputs[k]], &m->inputs[k]);
  for (int k = 0; k < g->n_outputs; k++) fill_info(&g->values[g->outputs[k]], &m->outputs[k]);
  for (int i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i].dead) continue;
    m->run_order[m->n_run++] = i;
    m->n_io_ptrs += (size_t)g->nodes[i].n_inputs + (size_t)g->nodes[i].n_outputs;
  }
  compute_stats(m);
  *out = m;
  return NNRT_OK;
nomem:
  st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory", g->source_name);
fail:
  m->g = NULL; /* the caller frees the graph */
  nnrt_model_free(m);
  return st;
}

nnrt_status nnrt_model_load_memory(const void *data, size_t size, const char *name,
                                   const nnrt_load_options *opts, nnrt_model **out,
                                   nnrt_error *err) {
  if (err) {
    err->status = NNRT_OK;
    err->message[0] = '\0';
  }
  if (!out) return nnrt_fail(err, NNRT_ERR_INVALID, "nnrt_model_load_memory: out is NULL");
  *out = NULL;
  nnrt_isa isa = NNRT_ISA_SCALAR;
  nnrt_status st = choose_isa(opts, &isa, err);
  if (st) return st;
  nnrt_graph *g = NULL;
  st = nnrt_onnx_read(data, size, name ? name : "model", &g, err);
  if (st) return st;
  g->isa = isa;
  g->kernels = nnrt_kernels_for(isa);
  st = nnrt_graph_prepare(g, opts, err);
  if (!st) st = build_model(g, out, err);
  if (st) nnrt_graph_free(g);
  return st;
}

nnrt_status nnrt_model_load_file(const char *path, const nnrt_load_options *opts, nnrt_model **out,
                                 nnrt_error *err) {
  if (!out) return nnrt_fail(err, NNRT_ERR_INVALID, "nnrt_model_load_file: out is NULL");
  *out = NULL;
  if (!path) return nnrt_fail(err, NNRT_ERR_INVALID, "nnrt_model_load_file: path is NULL");
  FILE *f = fopen(path, "rb");
  if (!f) return nnrt_fail(err, NNRT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 20, len = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len < cap) break;
    if (cap >= MAX_FILE_BYTES) {
      free(buf);
      fclose(f);
      return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: file larger than 2 GiB", path);
    }
    unsigned char *nb = realloc(buf, cap * 2);
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  int read_error = ferror(f);
  fclose(f);
  if (!buf) return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory reading the file", path);
  if (read_error) {
    free(buf);
    return nnrt_fail(err, NNRT_ERR_IO, "%s: read error", path);
  }
  nnrt_status st = nnrt_model_load_memory(buf, len, path, opts, out, err);
  free(buf);
  return st;
}

void nnrt_model_free(nnrt_model *m) {
  if (!m) return;
  nnrt_graph_free(m->g);
  free(m->inputs);
  free(m->outputs);
  free(m->run_order);
  free(m);
}

size_t nnrt_model_num_inputs(const nnrt_model *m) { return m ? (size_t)m->g->n_inputs : 0; }
size_t nnrt_model_num_outputs(const nnrt_model *m) { return m ? (size_t)m->g->n_outputs : 0; }

nnrt_status nnrt_model_input_info(const nnrt_model *m, size_t index, nnrt_tensor_info *info) {
  if (!m || !info || index >= (size_t)m->g->n_inputs) return NNRT_ERR_INVALID;
  *info = m->inputs[index];
  return NNRT_OK;
}

nnrt_status nnrt_model_output_info(const nnrt_model *m, size_t index, nnrt_tensor_info *info) {
  if (!m || !info || index >= (size_t)m->g->n_outputs) return NNRT_ERR_INVALID;
  *info = m->outputs[index];
  return NNRT_OK;
}

int nnrt_model_find_input(const nnrt_model *m, const char *name) {
  if (!m || !name) return -1;
  for (int k = 0; k < m->g->n_inputs; k++)
    if (strcmp(m->inputs[k].name, name) == 0) return k;
  return -1;
}

int nnrt_model_find_output(const nnrt_model *m, const char *name) {
  if (!m || !name) return -1;
  for (int k = 0; k < m->g->n_outputs; k++)
    if (strcmp(m->outputs[k].name, name) == 0) return k;
  return -1;
}

nnrt_isa nnrt_model_isa(const nnrt_model *m) { return m ? m->g->isa : NNRT_ISA_AUTO; }

void nnrt_model_get_stats(const nnrt_model *m, nnrt_model_stats *stats) {
  if (!stats) return;
  if (!m) {
    memset(stats, 0, sizeof *stats);
    return;
  }
  *stats = m->stats;
}

int64_t nnrt_tensor_info_numel(const nnrt_tensor_info *info) {
  if (!info) return 0;
  int64_t n = 1;
  for (int d = 0; d < info->rank && d < NNRT_MAX_DIMS; d++) n *= info->dims[d];
  return n;
}
