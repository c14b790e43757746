/* Graph preparation: everything between reading a file and planning memory.
 *   graph_prepare.c  input shapes, topological order, shape inference and
 *                    constant folding, then the passes below, then packing
 *   graph_simplify.c Identity/Dropout removal and dead-node elimination
 *   graph_fuse.c     BatchNormalization and input-scale folding, activation
 *                    and residual-Add fusion */
#ifndef NNRT_GRAPH_PREPARE_H
#define NNRT_GRAPH_PREPARE_H

#include "graph.h"

/* Runs the whole preparation. g->isa and g->kernels must be set. */
nnrt_status nnrt_graph_prepare(nnrt_graph *g, const nnrt_load_options *opts, nnrt_error *err);

/* Passes (each recounts consumers before it returns). */
void nnrt_graph_remove_noops(nnrt_graph *g);
void nnrt_graph_remove_dead(nnrt_graph *g);
nnrt_status nnrt_graph_fold_batchnorm(nnrt_graph *g, nnrt_error *err);
nnrt_status nnrt_graph_fold_input_scale(nnrt_graph *g, nnrt_error *err);
void nnrt_graph_fuse_activations(nnrt_graph *g);
nnrt_status nnrt_graph_fuse_residual_add(nnrt_graph *g, nnrt_error *err);

/* Re-runs an op's infer on a node whose inputs or attributes were rewritten
 * (its parsed state may hold stale pointers). */
nnrt_status nnrt_graph_reinfer(nnrt_graph *g, int node, nnrt_error *err);

/* Replaces every read of value `from` by live nodes with `to` (and aliases). */
void nnrt_graph_replace_uses(nnrt_graph *g, int from, int to);

/* Largest single tensor nnrt accepts (guards against absurd shapes in
 * corrupted files before anything is allocated). */
#define NNRT_MAX_TENSOR_BYTES ((size_t)1 << 30)

#endif /* NNRT_GRAPH_PREPARE_H */
