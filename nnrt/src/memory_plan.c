/* Liveness-based arena planning. Nodes run in index order; each value's
 * storage ("root": itself, or what it aliases) is live from the step that
 * produces it to the last step that reads it or any alias of it. Free space
 * is a sorted list of blocks; a new value takes the smallest block that fits
 * (best fit), else grows the arena. */
#include "memory_plan.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>

#define FREED INT_MIN

typedef struct block {
  size_t off, size;
} block;

typedef struct free_list {
  block *b;
  int n, cap;
  size_t top; /* end of the region used so far */
} free_list;

static size_t round_up(size_t x) { return (x + NNRT_ARENA_ALIGN - 1) & ~(size_t)(NNRT_ARENA_ALIGN - 1); }

static size_t fl_alloc(free_list *fl, size_t size) {
  int best = -1;
  for (int i = 0; i < fl->n; i++)
    if (fl->b[i].size >= size && (best < 0 || fl->b[i].size < fl->b[best].size)) best = i;
  if (best >= 0) {
    size_t off = fl->b[best].off;
    fl->b[best].off += size;
    fl->b[best].size -= size;
    if (fl->b[best].size == 0) {
      memmove(&fl->b[best], &fl->b[best + 1], (size_t)(fl->n - best - 1) * sizeof(block));
      fl->n--;
    }
    return off;
  }
  /* Grow: reuse a free block that ends at the top. */
  if (fl->n > 0 && fl->b[fl->n - 1].off + fl->b[fl->n - 1].size == fl->top) {
    size_t off = fl->b[fl->n - 1].off;
    fl->n--;
    fl->top = off + size;
    return off;
  }
  size_t off = fl->top;
  fl->top += size;
  return off;
}

static int fl_free(free_list *fl, size_t off, size_t size) {
  if (fl->n == fl->cap) {
    int cap = fl->cap ? fl->cap * 2 : 32;
    block *nb = realloc(fl->b, (size_t)cap * sizeof *nb);
    if (!nb) return -1;
    fl->b = nb;
    fl->cap = cap;
  }
  int i = 0;
  while (i < fl->n && fl->b[i].off < off) i++;
  memmove(&fl->b[i + 1], &fl->b[i], (size_t)(fl->n - i) * sizeof(block));
  fl->b[i] = (block){off, size};
  fl->n++;
  /* Coalesce with the next, then the previous neighbour. */
  if (i + 1 < fl->n && fl->b[i].off + fl->b[i].size == fl->b[i + 1].off) {
    fl->b[i].size += fl->b[i + 1].size;
    memmove(&fl->b[i + 1], &fl->b[i + 2], (size_t)(fl->n - i - 2) * sizeof(block));
    fl->n--;
  }
  if (i > 0 && fl->b[i - 1].off + fl->b[i - 1].size == fl->b[i].off) {
    fl->b[i - 1].size += fl->b[i].size;
    memmove(&fl->b[i], &fl->b[i + 1], (size_t)(fl->n - i - 1) * sizeof(block));
    fl->n--;
  }
  return 0;
}

int nnrt_value_in_arena(const nnrt_value *v) {
  return v->kind != NNRT_VALUE_CONSTANT && (v->arena_bytes > 0 || v->alias_of >= 0);
}

/* Storage owner of v after validating the alias chain; breaks aliases that
 * cannot be shared (graph outputs need their own slot, constants are not in
 * the arena, chains that loop). */
static int resolve_root(nnrt_graph *g, int v) {
  nnrt_value *val = &g->values[v];
  if (val->alias_of < 0) return v;
  if (val->is_output || val->kind != NNRT_VALUE_INTERMEDIATE) {
    val->alias_of = -1;
    return v;
  }
  int r = val->alias_of, hops = 0;
  while (r >= 0 && r < g->n_values && g->values[r].alias_of >= 0 && hops++ < g->n_values) r = g->values[r].alias_of;
  if (r < 0 || r >= g->n_values || hops >= g->n_values || g->values[r].kind == NNRT_VALUE_CONSTANT ||
      nnrt_value_numel(&g->values[r]) != nnrt_value_numel(val) || g->values[r].dtype != val->dtype) {
    val->alias_of = -1;
    return v;
  }
  val->alias_of = r; /* flatten the chain */
  return r;
}

nnrt_status nnrt_memory_plan(nnrt_graph *g, nnrt_plan *plan, nnrt_error *err) {
  memset(plan, 0, sizeof *plan);
  int nv = g->n_values;
  int *root = malloc((size_t)(nv ? nv : 1) * sizeof(int));
  int *last = malloc((size_t)(nv ? nv : 1) * sizeof(int));
  free_list fl = {0};
  nnrt_status st = NNRT_OK;
  if (!root || !last) goto nomem;

  for (int v = 0; v < nv; v++) {
    g->values[v].arena_offset = 0;
    g->values[v].arena_bytes = 0;
  }
  /* Aliases are only trusted when produced by a live node. */
  for (int v = 0; v < nv; v++) {
    nnrt_value *val = &g->values[v];
    if (val->alias_of >= 0 && (val->producer < 0 || g->nodes[val->producer].dead)) val->alias_of = -1;
  }
  for (int v = 0; v < nv; v++) {
    root[v] = resolve_root(g, v);
    last[v] = -1;
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const nnrt_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] >= 0) last[root[n->inputs[k]]] = i;
    if (n->scratch_bytes > plan->scratch_bytes) plan->scratch_bytes = n->scratch_bytes;
  }

  /* Inputs and outputs: fixed slots. */
  size_t off = 0;
  for (int pass = 0; pass < 2; pass++) {
    int count = pass ? g->n_outputs : g->n_inputs;
    const int *list = pass ? g->outputs : g->inputs;
    for (int k = 0; k < count; k++) {
      nnrt_value *val = &g->values[list[k]];
      if (val->arena_bytes) continue; /* listed twice */
      size_t bytes;
      if (nnrt_value_nbytes(val, &bytes) != 0) goto too_big;
      val->arena_offset = off;
      val->arena_bytes = round_up(bytes ? bytes : 1);
      off += val->arena_bytes;
    }
  }
  plan->io_bytes = off;

  /* Intermediates: greedy reuse in execution order. */
  size_t live = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const nnrt_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_outputs; k++) {
      int v = n->outputs[k];
      if (v < 0 || root[v] != v) continue;
      nnrt_value *val = &g->values[v];
      if (val->kind != NNRT_VALUE_INTERMEDIATE || val->is_output) continue;
      size_t bytes;
      if (nnrt_value_nbytes(val, &bytes) != 0 || bytes > ((size_t)1 << 40)) goto too_big;
      val->arena_bytes = round_up(bytes ? bytes : 1);
      val->arena_offset = plan->io_bytes + fl_alloc(&fl, val->arena_bytes);
      live += val->arena_bytes;
    }
    if (live > plan->peak_live_bytes) plan->peak_live_bytes = live;
    /* Release storage whose last reader is this node, and outputs nobody reads. */
    for (int pass = 0; pass < 2; pass++) {
      int count = pass ? n->n_outputs : n->n_inputs;
      const int *list = pass ? n->outputs : n->inputs;
      for (int k = 0; k < count; k++) {
        if (list[k] < 0) continue;
        int r = root[list[k]];
        nnrt_value *rv = &g->values[r];
        if (rv->kind != NNRT_VALUE_INTERMEDIATE || rv->is_output || rv->arena_bytes == 0) continue;
        if (last[r] == FREED) continue;
        if (pass == 0 ? last[r] == i : last[r] < i) {
          if (fl_free(&fl, rv->arena_offset - plan->io_bytes, rv->arena_bytes) != 0) goto nomem;
          live -= rv->arena_bytes;
          last[r] = FREED;
        }
      }
    }
  }
  plan->intermediate_bytes = fl.top;
  for (int v = 0; v < nv; v++)
    if (root[v] != v) {
      g->values[v].arena_offset = g->values[root[v]].arena_offset;
      g->values[v].arena_bytes = 0;
    }
  plan->scratch_offset = plan->io_bytes + plan->intermediate_bytes;
  plan->scratch_bytes = round_up(plan->scratch_bytes);
  plan->total_bytes = plan->scratch_offset + plan->scratch_bytes;
  goto out;
too_big:
  st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: activation memory size overflows", g->source_name);
  goto out;
nomem:
  st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory while planning memory", g->source_name);
out:
  free(root);
  free(last);
  free(fl.b);
  return st;
}
