/* Helpers shared by the op implementations: messages that name the node,
 * attribute lists, constant integer inputs, broadcasting and shape checks. */
#ifndef NNRT_OP_COMMON_H
#define NNRT_OP_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

/* Formats "node 'x' (Op): <message>" and returns `status`. */
nnrt_status op_fail(nnrt_error *err, const nnrt_node *n, nnrt_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Refuses a node whose count of present inputs is outside [min, max] or whose
 * first `min` inputs are omitted. */
nnrt_status op_check_inputs(const nnrt_graph *g, const nnrt_node *n, int min, int max,
                            nnrt_error *err);
/* Refuses a node with more than `max` used outputs. */
nnrt_status op_check_outputs(const nnrt_node *n, int max, nnrt_error *err);
/* Refuses an input whose dtype is not float32. */
nnrt_status op_need_float(const nnrt_graph *g, const nnrt_node *n, int i, nnrt_error *err);

/* An INTS attribute copied into out[max]; returns the count, 0 if absent,
 * -1 if longer than max. */
int op_attr_ints(const nnrt_node *n, const char *name, int64_t *out, int max);
bool op_has_attr(const nnrt_node *n, const char *name);

/* Integer contents of constant input i (int64 or int32) into out[max].
 * Returns NNRT_OK and *count; an error naming the node if the input is not
 * constant, has the wrong dtype or more than max elements. */
nnrt_status op_const_ints(const nnrt_graph *g, const nnrt_node *n, int i, int64_t *out, int max,
                          int *count, nnrt_error *err);
/* True if input i is present and a constant. */
bool op_input_is_const(const nnrt_graph *g, const nnrt_node *n, int i);

/* Normalises a possibly negative axis against rank; -1 if out of range. */
int op_axis(int64_t axis, int rank);

/* numpy broadcast of two shapes; returns false if they do not broadcast. */
bool op_broadcast_shape(int ra, const int64_t *da, int rb, const int64_t *db, int *rank,
                        int64_t *dims);
/* Element strides of a tensor of shape (r, d) seen through the broadcast shape
 * (rank, dims): 0 on broadcast axes. */
void op_broadcast_strides(int r, const int64_t *d, int rank, const int64_t *dims, int64_t *strides);

int64_t op_numel(int rank, const int64_t *dims);
/* C-order strides of a shape. */
void op_strides(int rank, const int64_t *dims, int64_t *strides);

/* Marks output value v constant with a malloc'ed copy of `data` (bytes). */
nnrt_status op_set_const_output(nnrt_value *v, const void *data, size_t bytes, nnrt_error *err,
                                const nnrt_node *n);

/* Threads available in exec (1 when there is no pool). */
int op_threads(const nnrt_exec *x);

/* How many tasks to split a node into for nnrt_pool_for (1: run it on the
 * calling thread). `work` is the node's cost in multiply-adds (MACs), a
 * memory-bound op counting OP_WORK_PER_ELEM per element it reads or
 * writes; `units` is how many independent pieces it can be cut into.
 *   - Below OP_SPLIT_MIN_WORK (about 5 us on one AVX-512 core) the node runs
 *     alone: a parallel loop costs about a microsecond to start and finish
 *     with the workers spinning, tens when they sleep, and most of a model's
 *     nodes are this small.
 *   - Larger nodes get up to OP_TASKS_PER_THREAD tasks per thread (none below
 *     OP_TASK_MIN_WORK), a multiple of the thread count: the pool hands items
 *     out one at a time, so equal tasks finish together when every thread
 *     is there, and a late or preempted worker leaves the rest to the others. */
#define OP_WORK_PER_ELEM 8
#define OP_SPLIT_MIN_WORK ((int64_t)256 * 1024)
#define OP_TASK_MIN_WORK ((int64_t)128 * 1024)
#define OP_TASKS_PER_THREAD 4
int op_tasks(const nnrt_exec *x, int64_t work, int64_t units);

/* Element conversion used by Cast and the int64 paths. */
double op_load_f(nnrt_dtype dt, const void *p, int64_t i);
int64_t op_load_i(nnrt_dtype dt, const void *p, int64_t i);
void op_store_f(nnrt_dtype dt, void *p, int64_t i, double v);
void op_store_i(nnrt_dtype dt, void *p, int64_t i, int64_t v);
bool op_dtype_is_int(nnrt_dtype dt);
bool op_dtype_supported(nnrt_dtype dt);

/* out[i] = act(out[i] + res[i]) for i < n: the residual Add fused into a
 * node whose kernel does not take it (depthwise Conv, MaxPool), applied to
 * a task's slice while it is still in cache. k NULL: scalar loop. */
void op_add_residual(const nnrt_kernels *k, float *out, const float *res, size_t n,
                     const nnrt_act *act);

/* Copies src to dst unless they are the same storage (aliased outputs). */
static inline void op_copy(void *dst, const void *src, size_t bytes) {
  if (dst != src && bytes) memmove(dst, src, bytes);
}

#endif /* NNRT_OP_COMMON_H */
