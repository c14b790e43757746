/* Static memory plan: one arena per context holds the graph inputs, the graph
 * outputs (each in its own slot), every intermediate (slots reused once the
 * last reader has run) and one scratch region shared by all nodes. */
#ifndef NNRT_MEMORY_PLAN_H
#define NNRT_MEMORY_PLAN_H

#include "graph.h"

#define NNRT_ARENA_ALIGN 64

typedef struct nnrt_plan {
  size_t total_bytes;        /* whole arena */
  size_t io_bytes;           /* inputs and outputs, at the start */
  size_t intermediate_bytes; /* reused region after them */
  size_t peak_live_bytes;    /* most intermediate bytes alive at once: the
                                lower bound intermediate_bytes is compared to */
  size_t scratch_offset;
  size_t scratch_bytes;
} nnrt_plan;

/* Fills arena_offset/arena_bytes of every value that lives in the arena
 * (aliases get their storage's offset) and resets aliases it cannot honour. */
nnrt_status nnrt_memory_plan(nnrt_graph *g, nnrt_plan *plan, nnrt_error *err);

/* True if the value is stored in the arena at run time. */
int nnrt_value_in_arena(const nnrt_value *v);

#endif /* NNRT_MEMORY_PLAN_H */
