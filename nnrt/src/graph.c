/* Helpers over the in-memory graph: attribute lookup, shapes and sizes,
 * building and freeing. */
#include "graph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nnrt_status nnrt_fail(nnrt_error *err, nnrt_status status, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->status = status;
  }
  return status;
}

const nnrt_attr *nnrt_node_attr(const nnrt_node *n, const char *name) {
  for (int i = 0; i < n->n_attrs; i++)
    if (n->attrs[i].name && strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
  return NULL;
}

int64_t nnrt_attr_int(const nnrt_node *n, const char *name, int64_t dflt) {
  const nnrt_attr *a = nnrt_node_attr(n, name);
  return a && a->type == NNRT_ATTR_INT ? a->i : dflt;
}

float nnrt_attr_float(const nnrt_node *n, const char *name, float dflt) {
  const nnrt_attr *a = nnrt_node_attr(n, name);
  return a && a->type == NNRT_ATTR_FLOAT ? a->f : dflt;
}

const char *nnrt_attr_string(const nnrt_node *n, const char *name, const char *dflt) {
  const nnrt_attr *a = nnrt_node_attr(n, name);
  return a && a->type == NNRT_ATTR_STRING && a->s ? a->s : dflt;
}

const nnrt_value *nnrt_node_input(const nnrt_graph *g, const nnrt_node *n, int i) {
  if (i < 0 || i >= n->n_inputs || n->inputs[i] < 0 || n->inputs[i] >= g->n_values) return NULL;
  return &g->values[n->inputs[i]];
}

nnrt_value *nnrt_node_output(nnrt_graph *g, const nnrt_node *n, int i) {
  if (i < 0 || i >= n->n_outputs || n->outputs[i] < 0 || n->outputs[i] >= g->n_values) return NULL;
  return &g->values[n->outputs[i]];
}

/* Product of the dims; -1 on a negative dim or if it exceeds 2^62 (no valid
 * model comes near, and callers multiply by an element size). */
int64_t nnrt_value_numel(const nnrt_value *v) {
  int64_t n = 1;
  for (int i = 0; i < v->rank && i < NNRT_MAX_DIMS; i++) {
    int64_t d = v->dims[i];
    if (d < 0) return -1;
    if (d != 0 && n > ((int64_t)1 << 62) / d) return -1;
    n *= d;
  }
  return n;
}

size_t nnrt_dtype_size(nnrt_dtype dt) {
  switch (dt) {
    case NNRT_DTYPE_FLOAT: return 4;
    case NNRT_DTYPE_UINT8: return 1;
    case NNRT_DTYPE_INT8: return 1;
    case NNRT_DTYPE_INT32: return 4;
    case NNRT_DTYPE_INT64: return 8;
    case NNRT_DTYPE_BOOL: return 1;
    case NNRT_DTYPE_DOUBLE: return 8;
    default: return 0;
  }
}

int nnrt_value_nbytes(const nnrt_value *v, size_t *out) {
  int64_t n = nnrt_value_numel(v);
  size_t es = nnrt_dtype_size(v->dtype);
  if (n < 0 || es == 0) return -1;
  if ((uint64_t)n > (uint64_t)SIZE_MAX / es) return -1;
  *out = (size_t)n * es;
  return 0;
}

void nnrt_value_set_shape(nnrt_value *v, nnrt_dtype dt, int rank, const int64_t *dims) {
  v->dtype = dt;
  if (rank < 0 || rank > NNRT_MAX_DIMS) {
    /* Left unknown: graph preparation reports the node that produced it. */
    v->rank = 0;
    v->shape_known = false;
    return;
  }
  v->rank = rank;
  for (int i = 0; i < rank; i++) v->dims[i] = dims[i];
  for (int i = rank; i < NNRT_MAX_DIMS; i++) v->dims[i] = 0;
  v->shape_known = true;
}

const char *nnrt_node_label(const nnrt_node *n, char *buf, size_t size) {
  snprintf(buf, size, "node '%s' (%s)", n->name ? n->name : "", n->op_type ? n->op_type : "?");
  return buf;
}

nnrt_graph *nnrt_graph_new(const char *source_name) {
  nnrt_graph *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->source_name = strdup(source_name ? source_name : "model");
  if (!g->source_name) {
    free(g);
    return NULL;
  }
  return g;
}

int nnrt_graph_add_value(nnrt_graph *g, const char *name, size_t name_len) {
  if (g->n_values == g->cap_values) {
    int cap = g->cap_values ? g->cap_values * 2 : 64;
    if (cap < 0 || (size_t)cap > SIZE_MAX / sizeof(nnrt_value)) return -1;
    nnrt_value *nv = realloc(g->values, (size_t)cap * sizeof *nv);
    if (!nv) return -1;
    g->values = nv;
    g->cap_values = cap;
  }
  char *copy = malloc(name_len + 1);
  if (!copy) return -1;
  memcpy(copy, name, name_len);
  copy[name_len] = '\0';
  nnrt_value *v = &g->values[g->n_values];
  memset(v, 0, sizeof *v);
  v->name = copy;
  v->producer = -1;
  v->alias_of = -1;
  return g->n_values++;
}

int nnrt_graph_add_node(nnrt_graph *g) {
  if (g->n_nodes == g->cap_nodes) {
    int cap = g->cap_nodes ? g->cap_nodes * 2 : 64;
    if (cap < 0 || (size_t)cap > SIZE_MAX / sizeof(nnrt_node)) return -1;
    nnrt_node *nn = realloc(g->nodes, (size_t)cap * sizeof *nn);
    if (!nn) return -1;
    g->nodes = nn;
    g->cap_nodes = cap;
  }
  nnrt_node *n = &g->nodes[g->n_nodes];
  memset(n, 0, sizeof *n);
  n->act.kind = NNRT_ACT_NONE;
  return g->n_nodes++;
}

void nnrt_attr_clear(nnrt_attr *a) {
  free(a->name);
  free(a->s);
  free(a->floats);
  free(a->ints);
  if (a->t) {
    free(a->t->data);
    free(a->t);
  }
  memset(a, 0, sizeof *a);
}

void nnrt_graph_count_consumers(nnrt_graph *g) {
  for (int v = 0; v < g->n_values; v++) g->values[v].n_consumers = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const nnrt_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] >= 0 && n->inputs[k] < g->n_values) g->values[n->inputs[k]].n_consumers++;
  }
}

void nnrt_graph_free(nnrt_graph *g) {
  if (!g) return;
  for (int i = 0; i < g->n_nodes; i++) {
    nnrt_node *n = &g->nodes[i];
    if (n->op && n->op->destroy && n->state) n->op->destroy(n);
    free(n->name);
    free(n->op_type);
    free(n->domain);
    free(n->inputs);
    free(n->outputs);
    for (int a = 0; a < n->n_attrs; a++) nnrt_attr_clear(&n->attrs[a]);
    free(n->attrs);
  }
  for (int v = 0; v < g->n_values; v++) {
    free(g->values[v].name);
    free(g->values[v].data);
  }
  free(g->nodes);
  free(g->values);
  free(g->inputs);
  free(g->outputs);
  free(g->source_name);
  free(g);
}
