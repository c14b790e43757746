/* The prepared model and the per-thread context behind the public API. */
#ifndef NNRT_MODEL_H
#define NNRT_MODEL_H

#include "graph.h"
#include "memory_plan.h"

struct nnrt_model {
  nnrt_graph *g;
  nnrt_plan plan;
  nnrt_tensor_info *inputs;  /* one per graph input */
  nnrt_tensor_info *outputs; /* one per graph output */
  int *run_order;            /* live node indices, in order */
  int n_run;
  size_t n_io_ptrs;          /* sum of inputs + outputs over run_order */
  nnrt_model_stats stats;
};

struct nnrt_context {
  const nnrt_model *model;
  unsigned char *arena;
  nnrt_pool *pool;
  const void **in_ptrs;      /* per run node, its inputs' data */
  void **out_ptrs;           /* per run node, its outputs' data */
  nnrt_exec *execs;          /* one per run node */
  /* NNRT_PROFILE=1 in the environment at context creation: nanoseconds per
   * run node summed over runs and their minimum, printed to stderr when the context is freed
   * (a tuning aid; NULL otherwise, so a normal run pays one branch). */
  uint64_t *profile_ns;
  uint64_t *profile_min_ns;  /* fastest single run per node: robust on a busy machine */
  uint64_t profile_runs;
  uint32_t *profile_samples; /* per node, the last NNRT_PROFILE_SAMPLES run times (ns), for medians */
};

#endif /* NNRT_MODEL_H */
