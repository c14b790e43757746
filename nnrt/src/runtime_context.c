/* Public context API: one arena per context, node pointers resolved once at
 * creation, so that a run only calls the ops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

/* Per-node run times kept for the profile's medians (the most recent ones). */
#define NNRT_PROFILE_SAMPLES 2048

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
  const char *prof = getenv("NNRT_PROFILE");
  if (prof && *prof && strcmp(prof, "0") != 0) {
    c->profile_ns = calloc((size_t)m->n_run + 1, sizeof *c->profile_ns);
    c->profile_min_ns = calloc((size_t)m->n_run + 1, sizeof *c->profile_min_ns);
    c->profile_samples = calloc(((size_t)m->n_run + 1) * NNRT_PROFILE_SAMPLES, sizeof *c->profile_samples);
    if (!c->profile_ns || !c->profile_min_ns || !c->profile_samples) {
      free(c->profile_ns);
      free(c->profile_min_ns);
      free(c->profile_samples);
      c->profile_ns = c->profile_min_ns = NULL;
      c->profile_samples = NULL;
    }
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

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Median of node r's kept samples (sorts them in place: called once, at the end). */
static uint64_t sample_median(const nnrt_context *c, int r) {
  size_t n = c->profile_runs < NNRT_PROFILE_SAMPLES ? (size_t)c->profile_runs : NNRT_PROFILE_SAMPLES;
  uint32_t *s = c->profile_samples + (size_t)r * NNRT_PROFILE_SAMPLES;
  qsort(s, n, sizeof *s, cmp_u32);
  return s[n / 2];
}

/* One line per run node in run order: median and minimum microseconds, the
 * minimum's share of the sum of minima, MACs and GFLOP/s (at the minimum),
 * op type, node name and output shape. Medians rather than means: a busy
 * machine's outliers would dominate a mean. */
static void print_profile(const nnrt_context *c) {
  const nnrt_model *m = c->model;
  const nnrt_graph *g = m->g;
  uint64_t total = 0, total_min = 0, total_med = 0;
  if (!c->profile_runs) return;
  for (int r = 0; r < m->n_run; r++)
    total += c->profile_ns[r], total_min += c->profile_min_ns[r], total_med += sample_median(c, r);
  if (!total_min) return;
  double runs = (double)c->profile_runs;
  fprintf(stderr, "nnrt profile: %llu runs, mean %.1f us, sums of per-node medians %.1f us and minima %.1f us\n",
          (unsigned long long)c->profile_runs, (double)total / runs / 1e3, (double)total_med / 1e3,
          (double)total_min / 1e3);
  fprintf(stderr, "%4s %9s %9s %6s %10s %7s  %-18s %-28s %s\n", "#", "median us", "min us", "%", "MACs", "GFLOP/s", "op",
          "node", "out shape");
  for (int r = 0; r < m->n_run; r++) {
    const nnrt_node *n = &g->nodes[m->run_order[r]];
    double med_us = (double)sample_median(c, r) / 1e3, us = (double)c->profile_min_ns[r] / 1e3;
    int64_t macs = n->op->macs ? n->op->macs(g, n) : 0;
    char shape[64] = "";
    if (n->n_outputs > 0 && n->outputs[0] >= 0) {
      const nnrt_value *v = &g->values[n->outputs[0]];
      size_t len = 0;
      for (int d = 0; d < v->rank && len + 24 < sizeof shape; d++)
        len += (size_t)snprintf(shape + len, sizeof shape - len, d ? "x%lld" : "%lld", (long long)v->dims[d]);
    }
    fprintf(stderr, "%4d %9.2f %9.2f %6.2f %10lld %7.1f  %-18s %-28.28s %s%s\n", r, med_us, us,
            100.0 * (double)c->profile_min_ns[r] / (double)total_min,
            (long long)macs, us > 0 ? 2.0 * (double)macs / (us * 1e3) : 0.0, n->op_type,
            n->name ? n->name : "", shape, n->act.kind != NNRT_ACT_NONE ? " +act" : "");
  }
}

void nnrt_context_free(nnrt_context *c) {
  if (!c) return;
  if (c->profile_ns) {
    print_profile(c);
    free(c->profile_ns);
    free(c->profile_min_ns);
    free(c->profile_samples);
  }
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
  if (c->profile_ns) {
    uint64_t t0 = now_ns();
    for (int r = 0; r < m->n_run; r++) {
      const nnrt_node *n = &m->g->nodes[m->run_order[r]];
      n->op->run(n, &c->execs[r]);
      uint64_t t1 = now_ns();
      c->profile_ns[r] += t1 - t0;
      if (!c->profile_runs || t1 - t0 < c->profile_min_ns[r]) c->profile_min_ns[r] = t1 - t0;
      c->profile_samples[(size_t)r * NNRT_PROFILE_SAMPLES + c->profile_runs % NNRT_PROFILE_SAMPLES] =
          (uint32_t)(t1 - t0 < UINT32_MAX ? t1 - t0 : UINT32_MAX);
      t0 = t1;
    }
    c->profile_runs++;
    return NNRT_OK;
  }
  for (int r = 0; r < m->n_run; r++) {
    const nnrt_node *n = &m->g->nodes[m->run_order[r]];
    n->op->run(n, &c->execs[r]);
  }
  return NNRT_OK;
}
