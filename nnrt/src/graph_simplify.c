/* Simplification passes: drop nodes that only pass data through (Identity,
 * inference-time Dropout) and nodes whose results nobody reads; free
 * constants no live node uses. */
#include "graph_prepare.h"

#include <stdlib.h>
#include <string.h>

static int is_noop(const nnrt_graph *g, const nnrt_node *n) {
  if (strcmp(n->domain, "") != 0 && strcmp(n->domain, "ai.onnx") != 0) return 0;
  if (n->n_inputs < 1 || n->inputs[0] < 0 || n->n_outputs < 1 || n->outputs[0] < 0) return 0;
  if (strcmp(n->op_type, "Identity") == 0) return n->n_outputs == 1;
  if (strcmp(n->op_type, "Dropout") == 0) {
    /* Only when the mask output is absent or unread. */
    for (int k = 1; k < n->n_outputs; k++) {
      int v = n->outputs[k];
      if (v >= 0 && (g->values[v].n_consumers > 0 || g->values[v].is_output)) return 0;
    }
    return 1;
  }
  return 0;
}

void nnrt_graph_remove_noops(nnrt_graph *g) {
  nnrt_graph_count_consumers(g);
  for (int i = 0; i < g->n_nodes; i++) {
    nnrt_node *n = &g->nodes[i];
    if (n->dead || !is_noop(g, n)) continue;
    int x = n->inputs[0], y = n->outputs[0];
    nnrt_value *vx = &g->values[x], *vy = &g->values[y];
    if (!vy->is_output) {
      nnrt_graph_replace_uses(g, y, x);
    } else if (vx->kind == NNRT_VALUE_INTERMEDIATE && vx->producer >= 0 && !vx->is_output) {
      /* y is what the user asks for: let x's producer write y directly. */
      nnrt_node *p = &g->nodes[vx->producer];
      for (int k = 0; k < p->n_outputs; k++)
        if (p->outputs[k] == x) p->outputs[k] = y;
      vy->producer = vx->producer;
      vy->alias_of = vx->alias_of;
      vx->producer = -1;
      n->dead = true; /* before replace_uses, so y is not fed to itself */
      nnrt_graph_replace_uses(g, x, y);
    } else {
      continue; /* an input or constant straight to an output: keep the copy */
    }
    if (n->op && n->op->destroy && n->state) n->op->destroy(n);
    n->state = NULL;
    n->dead = true;
  }
  nnrt_graph_count_consumers(g);
}

void nnrt_graph_remove_dead(nnrt_graph *g) {
  char *needed = calloc((size_t)g->n_values, 1);
  if (!needed) return; /* an optimisation only: keeping everything is correct */
  for (int k = 0; k < g->n_outputs; k++) needed[g->outputs[k]] = 1;
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    nnrt_node *n = &g->nodes[i];
    if (n->dead) continue;
    int live = 0;
    for (int k = 0; k < n->n_outputs; k++)
      if (n->outputs[k] >= 0 && needed[n->outputs[k]]) live = 1;
    if (!live) {
      if (n->op && n->op->destroy && n->state) n->op->destroy(n);
      n->state = NULL;
      n->dead = true;
      continue;
    }
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] >= 0) needed[n->inputs[k]] = 1;
  }
  /* Aliases keep their storage's owner alive. */
  for (int v = g->n_values - 1; v >= 0; v--)
    if (needed[v] && g->values[v].alias_of >= 0) needed[g->values[v].alias_of] = 1;
  for (int v = 0; v < g->n_values; v++) {
    nnrt_value *val = &g->values[v];
    if (!needed[v] && val->kind == NNRT_VALUE_CONSTANT && val->data) {
      free(val->data);
      val->data = NULL;
    }
  }
  free(needed);
  nnrt_graph_count_consumers(g);
}
