/* Graph preparation driver: fixes input shapes, orders nodes, infers shapes
 * node by node and folds nodes whose inputs are all constant, then simplifies,
 * fuses and packs. See graph_prepare.h. */
#include "graph_prepare.h"

#include <stdlib.h>
#include <string.h>

static const nnrt_input_shape *find_user_shape(const nnrt_load_options *opts, const char *name) {
  if (!opts || !opts->input_shapes) return NULL;
  for (size_t i = 0; i < opts->n_input_shapes; i++)
    if (opts->input_shapes[i].name && strcmp(opts->input_shapes[i].name, name) == 0) return &opts->input_shapes[i];
  return NULL;
}

/* Gives every user input a concrete shape: user shapes first, free
 * dimensions default to 1. */
static nnrt_status apply_input_shapes(nnrt_graph *g, const nnrt_load_options *opts, nnrt_error *err) {
  if (opts && opts->input_shapes) {
    for (size_t i = 0; i < opts->n_input_shapes; i++) {
      const char *nm = opts->input_shapes[i].name;
      int found = 0;
      for (int k = 0; k < g->n_inputs && nm; k++) found |= strcmp(g->values[g->inputs[k]].name, nm) == 0;
      if (!found)
        return nnrt_fail(err, NNRT_ERR_INVALID, "%s: a shape was given for '%s', which is not a graph input",
                         g->source_name, nm ? nm : "(null)");
    }
  }
  for (int k = 0; k < g->n_inputs; k++) {
    nnrt_value *v = &g->values[g->inputs[k]];
    if (v->dtype != NNRT_DTYPE_FLOAT)
      return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: graph input '%s' has element type %d; only float32 inputs are supported",
                       g->source_name, v->name, (int)v->dtype);
    const nnrt_input_shape *us = find_user_shape(opts, v->name);
    if (us) {
      if (us->rank < 0 || us->rank > NNRT_MAX_DIMS || (v->rank >= 0 && us->rank != v->rank))
        return nnrt_fail(err, NNRT_ERR_SHAPE, "%s: input '%s' has rank %d in the file but the given shape has rank %d",
                         g->source_name, v->name, v->rank, us->rank);
      for (int d = 0; d < us->rank; d++) {
        if (us->dims[d] <= 0)
          return nnrt_fail(err, NNRT_ERR_SHAPE, "%s: input '%s': given dimension %d is %lld", g->source_name, v->name, d,
                           (long long)us->dims[d]);
        if (v->rank >= 0 && v->dims[d] >= 0 && v->dims[d] != us->dims[d])
          return nnrt_fail(err, NNRT_ERR_SHAPE, "%s: input '%s': dimension %d is fixed to %lld in the file, not %lld",
                           g->source_name, v->name, d, (long long)v->dims[d], (long long)us->dims[d]);
      }
      v->rank = us->rank;
      memcpy(v->dims, us->dims, sizeof v->dims);
    } else if (v->rank < 0) {
      return nnrt_fail(err, NNRT_ERR_SHAPE, "%s: input '%s' has no shape in the file; give one in the load options",
                       g->source_name, v->name);
    }
    for (int d = 0; d < v->rank; d++)
      if (v->dims[d] < 0) v->dims[d] = 1;
    size_t bytes;
    if (nnrt_value_nbytes(v, &bytes) != 0 || bytes > NNRT_MAX_TENSOR_BYTES)
      return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: input '%s' is too large", g->source_name, v->name);
    v->shape_known = true;
  }
  return NNRT_OK;
}

/* Kahn's algorithm; reorders g->nodes if the file was not already in order.
 * A cycle (or a node reading its own output) is an error. */
static nnrt_status sort_nodes(nnrt_graph *g, nnrt_error *err) {
  int n = g->n_nodes;
  if (n == 0) return NNRT_OK;
  int *pending = calloc((size_t)n, sizeof(int));   /* unsatisfied inputs per node */
  int *order = malloc((size_t)n * sizeof(int));
  int *cons_start = calloc((size_t)g->n_values + 1, sizeof(int));
  int *cons = NULL;
  nnrt_status st = NNRT_OK;
  if (!pending || !order || !cons_start) goto nomem;

  /* Consumers of each produced value in CSR form. */
  size_t n_edges = 0;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < g->nodes[i].n_inputs; k++) {
      int v = g->nodes[i].inputs[k];
      if (v >= 0 && g->values[v].producer >= 0) {
        cons_start[v + 1]++;
        pending[i]++;
        n_edges++;
      }
    }
  for (int v = 0; v < g->n_values; v++) cons_start[v + 1] += cons_start[v];
  cons = malloc((n_edges ? n_edges : 1) * sizeof(int));
  int *fill = calloc((size_t)g->n_values, sizeof(int));
  if (!cons || !fill) {
    free(fill);
    goto nomem;
  }
  for (int i = 0; i < n; i++)
    for (int k = 0; k < g->nodes[i].n_inputs; k++) {
      int v = g->nodes[i].inputs[k];
      if (v >= 0 && g->values[v].producer >= 0) cons[cons_start[v] + fill[v]++] = i;
    }
  free(fill);

  int head = 0, tail = 0;
  for (int i = 0; i < n; i++)
    if (pending[i] == 0) order[tail++] = i;
  while (head < tail) {
    int i = order[head++];
    for (int k = 0; k < g->nodes[i].n_outputs; k++) {
      int v = g->nodes[i].outputs[k];
      if (v < 0) continue;
      for (int c = cons_start[v]; c < cons_start[v + 1]; c++)
        if (--pending[cons[c]] == 0) order[tail++] = cons[c];
    }
  }
  if (tail != n) {
    int stuck = 0;
    while (stuck < n && pending[stuck] == 0) stuck++;
    char label[300];
    st = nnrt_fail(err, NNRT_ERR_INVALID, "%s: the graph has a cycle (%s is on it or after it)", g->source_name,
                   nnrt_node_label(&g->nodes[stuck < n ? stuck : 0], label, sizeof label));
    goto out;
  }
  int sorted = 1;
  for (int i = 0; i < n; i++) sorted &= order[i] == i;
  if (!sorted) {
    nnrt_node *nodes = malloc((size_t)g->cap_nodes * sizeof *nodes);
    if (!nodes) goto nomem;
    for (int i = 0; i < n; i++) nodes[i] = g->nodes[order[i]];
    free(g->nodes);
    g->nodes = nodes;
    for (int i = 0; i < n; i++)
      for (int k = 0; k < nodes[i].n_outputs; k++)
        if (nodes[i].outputs[k] >= 0) g->values[nodes[i].outputs[k]].producer = i;
  }
  goto out;
nomem:
  st = nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory while ordering nodes", g->source_name);
out:
  free(pending);
  free(order);
  free(cons_start);
  free(cons);
  return st;
}

static void *aligned_alloc64(size_t bytes) {
  size_t rounded = (bytes + 63) & ~(size_t)63;
  return aligned_alloc(64, rounded ? rounded : 64);
}

/* Runs a node whose inputs are all constant, at load time, and turns its
 * outputs into constants. */
static nnrt_status fold_node(nnrt_graph *g, int ni, nnrt_error *err) {
  nnrt_node *n = &g->nodes[ni];
  char label[300];
  const void *in[NNRT_MAX_NODE_INPUTS];
  void *out[64];
  void *scratch = NULL;
  nnrt_status st = NNRT_OK;

  for (int k = 0; k < n->n_inputs; k++) in[k] = n->inputs[k] >= 0 ? g->values[n->inputs[k]].data : NULL;
  for (int k = 0; k < n->n_outputs; k++) {
    out[k] = NULL;
    nnrt_value *v = nnrt_node_output(g, n, k);
    if (!v) continue;
    size_t bytes = 0;
    nnrt_value_nbytes(v, &bytes); /* checked by the caller */
    free(v->data);
    v->data = malloc(bytes ? bytes : 1);
    if (!v->data) return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: %s: out of memory folding constants", g->source_name,
                                   nnrt_node_label(n, label, sizeof label));
    v->alias_of = -1; /* a constant owns its data */
    out[k] = v->data;
  }
  if (n->op->pack) {
    st = n->op->pack(g, n, err);
    if (st) return st;
  }
  if (n->scratch_bytes) {
    if (n->scratch_bytes > NNRT_MAX_TENSOR_BYTES || !(scratch = aligned_alloc64(n->scratch_bytes)))
      return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: %s: scratch of %zu bytes cannot be allocated", g->source_name,
                       nnrt_node_label(n, label, sizeof label), n->scratch_bytes);
  }
  nnrt_exec x = {g, in, out, scratch, g->kernels, NULL};
  n->op->run(n, &x);
  free(scratch);
  for (int k = 0; k < n->n_outputs; k++) {
    nnrt_value *v = nnrt_node_output(g, n, k);
    if (v) v->kind = NNRT_VALUE_CONSTANT;
  }
  if (n->op->destroy && n->state) n->op->destroy(n);
  n->state = NULL;
  n->dead = true;
  return NNRT_OK;
}

/* Resolves the op of node ni, infers its output shapes and folds it when it
 * only reads constants. */
static nnrt_status infer_node(nnrt_graph *g, int ni, nnrt_error *err) {
  nnrt_node *n = &g->nodes[ni];
  char label[300];
  nnrt_node_label(n, label, sizeof label);
  n->op = nnrt_op_find(n->domain, n->op_type);
  if (!n->op)
    return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: %s: op type '%s%s%s' is not supported", g->source_name, label,
                     n->domain[0] ? n->domain : "", n->domain[0] ? "." : "", n->op_type);
  if (n->n_outputs > 64)
    return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: %s: too many outputs", g->source_name, label);
  int all_const = 1;
  for (int k = 0; k < n->n_inputs; k++) {
    if (n->inputs[k] < 0) continue;
    const nnrt_value *v = &g->values[n->inputs[k]];
    if (!v->shape_known)
      return nnrt_fail(err, NNRT_ERR_INVALID, "%s: %s: the shape of input '%s' is unknown", g->source_name, label, v->name);
    if (v->kind != NNRT_VALUE_CONSTANT) all_const = 0;
  }
  nnrt_status st = n->op->infer(g, n, err);
  if (st) return st;
  int outs_const = 1, any_out = 0;
  for (int k = 0; k < n->n_outputs; k++) {
    nnrt_value *v = nnrt_node_output(g, n, k);
    if (!v) continue;
    any_out = 1;
    size_t bytes;
    if (!v->shape_known)
      return nnrt_fail(err, NNRT_ERR_INVALID, "%s: %s: output '%s' got no shape", g->source_name, label, v->name);
    if (nnrt_value_nbytes(v, &bytes) != 0 || bytes > NNRT_MAX_TENSOR_BYTES)
      return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: %s: output '%s' would be larger than %zu bytes", g->source_name, label,
                       v->name, NNRT_MAX_TENSOR_BYTES);
    if (v->alias_of >= g->n_values) v->alias_of = -1;
    if (v->kind != NNRT_VALUE_CONSTANT) outs_const = 0;
  }
  if (any_out && outs_const) {
    /* The op computed its outputs itself (Shape, Constant). */
    if (n->op->destroy && n->state) n->op->destroy(n);
    n->state = NULL;
    n->dead = true;
    return NNRT_OK;
  }
  /* Nodes without inputs (Constant is handled above) are not folded: a
   * generator's output may be meant to differ per run. */
  if (all_const && n->n_inputs > 0 && any_out) return fold_node(g, ni, err);
  return NNRT_OK;
}

nnrt_status nnrt_graph_reinfer(nnrt_graph *g, int ni, nnrt_error *err) {
  nnrt_node *n = &g->nodes[ni];
  if (n->op->destroy && n->state) n->op->destroy(n);
  n->state = NULL;
  return n->op->infer(g, n, err);
}

void nnrt_graph_replace_uses(nnrt_graph *g, int from, int to) {
  for (int i = 0; i < g->n_nodes; i++) {
    nnrt_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] == from) n->inputs[k] = to;
  }
  for (int v = 0; v < g->n_values; v++)
    if (g->values[v].alias_of == from) g->values[v].alias_of = to;
}

static nnrt_status check_outputs(nnrt_graph *g, nnrt_error *err) {
  for (int k = 0; k < g->n_outputs; k++) {
    const nnrt_value *v = &g->values[g->outputs[k]];
    if (!v->shape_known)
      return nnrt_fail(err, NNRT_ERR_INVALID, "%s: graph output '%s' has no shape", g->source_name, v->name);
    if (v->dtype != NNRT_DTYPE_FLOAT)
      return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: graph output '%s' has element type %d; only float32 outputs are supported",
                       g->source_name, v->name, (int)v->dtype);
    if (v->kind == NNRT_VALUE_INPUT)
      return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: graph output '%s' is a graph input", g->source_name, v->name);
  }
  return NNRT_OK;
}

nnrt_status nnrt_graph_prepare(nnrt_graph *g, const nnrt_load_options *opts, nnrt_error *err) {
  nnrt_status st = apply_input_shapes(g, opts, err);
  if (!st) st = sort_nodes(g, err);
  for (int i = 0; !st && i < g->n_nodes; i++) st = infer_node(g, i, err);
  if (!st) st = check_outputs(g, err);
  if (st) return st;

  nnrt_graph_count_consumers(g);
  nnrt_graph_remove_noops(g);
  nnrt_graph_remove_dead(g);
  st = nnrt_graph_fold_batchnorm(g, err);
  if (!st) st = nnrt_graph_fold_input_scale(g, err);
  if (st) return st;
  nnrt_graph_fuse_activations(g);
  st = nnrt_graph_fuse_residual_add(g, err);
  if (st) return st;
  nnrt_graph_remove_dead(g);

  for (int i = 0; i < g->n_nodes; i++) {
    nnrt_node *n = &g->nodes[i];
    if (n->dead || !n->op->pack) continue;
    st = n->op->pack(g, n, err);
    if (st) return st;
  }
  return NNRT_OK;
}
