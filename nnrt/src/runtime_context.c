/* Public context API: one arena per context, node pointers resolved once at
 * creation, so that a run only calls the ops. */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static void *value_ptr(const nnrt_model *m, unsigned char *arena, int v) {
  if (v < 0) return NULL;
  const nnrt_value *val = &m->g->values[v];
  if (val->kind == NNRT_VALUE_CONSTANT && !val->is_output) return val->data;
  return arena + val->arena_offset;
}

nnrt_status nnrt_context_create(const nnrt_model *m, int threads, nnrt_context **out, nnrt_error *err) {
  if (!m || !out) return nnrt_fail(err, NNRT_ERR_INVALID, "nnrt_context_create: model or out is NULL");
  *out = NULL;
  nnrt_context *c = calloc(1, sizeof *c);
  if (!c) goto nomem;
  c->model = m;
  size_t arena_bytes = m->plan.total_bytes ? m->plan.total_bytes : NNRT_ARENA_ALIGN;
  c->arena = aligned_alloc(NNRT_ARENA_ALIGN, arena_bytes);
  c->in_ptrs = calloc(m->n_io_ptrs + 1, sizeof(void *));
  c->out_ptrs = calloc(m->n_io_ptrs + 1, sizeof(void *));
  c->execs = calloc((size_t)m->n_run + 1, sizeof *c->execs);
  if (!c->arena || !c->in_ptrs || !c->out_ptrs || !c->execs) goto nomem;
  /* Zeroed so that a run before any input is written is deterministic. */
  memset(c->arena, 0, arena_bytes);

  const nnrt_graph *g = m->g;
  size_t pos = 0;
  for (int r = 0; r < m->n_run; r++) {
    const nnrt_node *n = &g->nodes[m->run_order[r]];
    const void **in = &c->in_ptrs[pos];
    void **outp = &c->out_ptrs[pos];
    for (int k = 0; k < n->n_inputs; k++) in[k] = value_ptr(m, c->arena, n->inputs[k]);
    for (int k = 0; k < n->n_outputs; k++) outp[k] = value_ptr(m, c->arena, n->outputs[k]);
    pos += (size_t)n->n_inputs + (size_t)n->n_outputs;
    nnrt_exec *x = &c->execs[r];
    x->g = g;
    x->in = in;
    x->out = outp;
    x->scratch = m->plan.scratch_bytes ? c->arena + m->plan.scratch_offset : NULL;
    x->k = g->kernels;
  }
  /* Outputs that folded to constants are written once. */
  for (int k = 0; k < g->n_outputs; k++) {
    const nnrt_value *v = &g->values[g->outputs[k]];
    size_t bytes;
    if (v->kind == NNRT_VALUE_CONSTANT && v->data && nnrt_value_nbytes(v, &bytes) == 0)
      memcpy(c->arena + v->arena_offset, v->data, bytes);
  }
  if (threads > 1) {
    c->pool = nnrt_pool_create(threads);
    if (!c->pool) {
      nnrt_context_free(c);
      return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: cannot start %d threads", g->source_name, threads);
    }
    for (int r = 0; r < m->n_run; r++) c->execs[r].pool = c->pool;
  }
  *out = c;
  return NNRT_OK;
nomem:
  nnrt_context_free(c);
  return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory creating a context (%zu arena bytes)", m->g->source_name,
                   m->plan.total_bytes);
}

void nnrt_context_free(nnrt_context *c) {
  if (!c) return;
  nnrt_pool_destroy(c->pool);
  free(c->arena);
  free(c->in_ptrs);
  free(c->out_ptrs);
  free(c->execs);
  free(c);
}

float *nnrt_context_input(nnrt_context *c, size_t index) {
  if (!c || index >= (size_t)c->model->g->n_inputs) return NULL;
  return (float *)(c->arena + c->model->g->values[c->model->g->inputs[index]].arena_offset);
}

const float *nnrt_context_output(const nnrt_context *c, size_t index) {
  if (!c || index >= (size_t)c->model->g->n_outputs) return NULL;
  return (const float *)(c->arena + c->model->g->values[c->model->g->outputs[index]].arena_offset);
}

nnrt_status nnrt_context_run(nnrt_context *c, nnrt_error *err) {
  if (!c) return nnrt_fail(err, NNRT_ERR_INVALID, "nnrt_context_run: context is NULL");
  const nnrt_model *m = c->model;
  for (int r = 0; r < m->n_run; r++) {
    const nnrt_node *n = &m->g->nodes[m->run_order[r]];
    n->op->run(n, &c->execs[r]);
  }
  return NNRT_OK;
}
