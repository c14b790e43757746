/* The in-memory graph nnrt prepares and runs: values (tensors), nodes with
 * their ONNX attributes, and the op table that gives each node its shape
 * inference, weight packing and run function.
 *
 * Pipeline: onnx_reader (file -> graph) -> graph_prepare (infer shapes in
 * topological order, fold constants, drop no-ops and dead nodes, fold
 * BatchNorm, fuse activations, pack weights) -> memory_plan (arena offsets by
 * liveness) -> runtime (contexts, run). */
#ifndef NNRT_GRAPH_H
#define NNRT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../nnrt.h"
#include "kernels/kernels.h"

/* Fills err (may be NULL) with a formatted message and returns `status`. */
nnrt_status nnrt_fail(nnrt_error *err, nnrt_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef enum nnrt_value_kind {
  NNRT_VALUE_INTERMEDIATE = 0,
  NNRT_VALUE_INPUT,    /* graph input fed by the user */
  NNRT_VALUE_CONSTANT  /* initializer, Constant node or folded: `data` holds it */
} nnrt_value_kind;

typedef struct nnrt_value {
  char *name;
  nnrt_value_kind kind;
  nnrt_dtype dtype;
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
  bool shape_known;
  void *data;         /* constants: owned, malloc'ed, dtype elements in C order */
  int producer;       /* node index, or -1 */
  int n_consumers;    /* nodes reading this value (filled by graph_prepare) */
  bool is_output;     /* a graph output */
  /* memory plan (intermediates, inputs and outputs) */
  size_t arena_offset;
  size_t arena_bytes;
  int alias_of;       /* >= 0: shares the storage of that value (Reshape & co.) */
} nnrt_value;

typedef enum nnrt_attr_type {
  NNRT_ATTR_UNDEFINED = 0,
  NNRT_ATTR_FLOAT = 1,
  NNRT_ATTR_INT = 2,
  NNRT_ATTR_STRING = 3,
  NNRT_ATTR_TENSOR = 4,
  NNRT_ATTR_GRAPH = 5,
  NNRT_ATTR_FLOATS = 6,
  NNRT_ATTR_INTS = 7,
  NNRT_ATTR_STRINGS = 8
} nnrt_attr_type;

/* A constant tensor carried by an attribute (Constant's `value`,
 * ConstantOfShape's `value`). */
typedef struct nnrt_attr_tensor {
  nnrt_dtype dtype;
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
  void *data; /* owned */
} nnrt_attr_tensor;

typedef struct nnrt_attr {
  char *name;
  nnrt_attr_type type;
  float f;
  int64_t i;
  char *s;            /* NUL-terminated copy */
  float *floats;
  int64_t *ints;
  size_t n;           /* count of floats or ints */
  nnrt_attr_tensor *t;
} nnrt_attr;

struct nnrt_graph;
struct nnrt_node;
struct nnrt_exec;

/* One ONNX op. Every op has a scalar `run`; fast paths go through the kernel
 * table in `exec->k` and are chosen inside `run` (or prepared in `pack`). */
typedef struct nnrt_op {
  const char *op_type;
  /* Check attributes and input count, parse attributes into n->state, and
   * set the dtype and shape of every output from the inputs (which are
   * known by then). May mark an output constant (Shape does) by filling
   * its data. Must refuse unsupported attribute values with a message naming
   * node, op and attribute. */
  nnrt_status (*infer)(struct nnrt_graph *g, struct nnrt_node *n, nnrt_error *err);
  /* Optional: after fusion, re-lay-out constant weights once for g->kernels
   * and record scratch needs in n->scratch_bytes. */
  nnrt_status (*pack)(struct nnrt_graph *g, struct nnrt_node *n, nnrt_error *err);
  /* Compute the outputs. Also used for constant folding at load time. */
  void (*run)(const struct nnrt_node *n, struct nnrt_exec *x);
  /* Optional: free n->state. */
  void (*destroy)(struct nnrt_node *n);
  /* Optional: multiply-accumulates of one run (for stats). */
  int64_t (*macs)(const struct nnrt_graph *g, const struct nnrt_node *n);
} nnrt_op;

#define NNRT_MAX_NODE_INPUTS 64

typedef struct nnrt_node {
  char *name;
  char *op_type;
  char *domain;
  int n_inputs;
  int *inputs;     /* value indices; -1 for an omitted optional input */
  int n_outputs;
  int *outputs;
  int n_attrs;
  nnrt_attr *attrs;
  const nnrt_op *op;
  void *state;          /* parsed attributes / packed weights, owned by the op */
  size_t scratch_bytes; /* per-context scratch this node needs during run */
  bool dead;            /* removed by an optimisation */
  /* Conv and MaxPool: a following residual Add was fused in by graph_fuse;
   * its other operand (same shape as the output; Conv input 3, MaxPool
   * input 1) is added before node->act. */
  bool fused_add;
  /* Activation fused by graph_prepare into Conv/Gemm; kind NNRT_ACT_NONE if none. */
  nnrt_act act;
} nnrt_node;

typedef struct nnrt_graph {
  char *source_name;  /* file name or given name, for messages */
  int64_t opset;
  nnrt_value *values;
  int n_values, cap_values;
  nnrt_node *nodes;
  int n_nodes, cap_nodes;
  int *inputs;  /* user inputs (value indices), initializers excluded */
  int n_inputs;
  int *outputs;
  int n_outputs;
  nnrt_isa isa;
  const nnrt_kernels *kernels;
  size_t n_nodes_original;
} nnrt_graph;

/* What a node's run sees: resolved data pointers for its inputs and outputs. */
typedef struct nnrt_exec {
  const nnrt_graph *g;
  const void *const *in;  /* per node input; NULL for omitted ones */
  void *const *out;       /* per node output */
  void *scratch;          /* n->scratch_bytes, 64-byte aligned */
  const nnrt_kernels *k;
  struct nnrt_pool *pool; /* may be NULL: run on the calling thread */
} nnrt_exec;

/* --- graph helpers (graph.c) ---------------------------------------------- */
const nnrt_attr *nnrt_node_attr(const nnrt_node *n, const char *name);
int64_t nnrt_attr_int(const nnrt_node *n, const char *name, int64_t dflt);
float nnrt_attr_float(const nnrt_node *n, const char *name, float dflt);
const char *nnrt_attr_string(const nnrt_node *n, const char *name, const char *dflt);
/* Input value i of node n, or NULL if omitted / out of range. */
const nnrt_value *nnrt_node_input(const nnrt_graph *g, const nnrt_node *n, int i);
nnrt_value *nnrt_node_output(nnrt_graph *g, const nnrt_node *n, int i);
int64_t nnrt_value_numel(const nnrt_value *v);
size_t nnrt_dtype_size(nnrt_dtype dt);
/* Sets an output's dtype and shape; marks it known. */
void nnrt_value_set_shape(nnrt_value *v, nnrt_dtype dt, int rank, const int64_t *dims);
/* Formats "node 'name' (OpType)" into buf for messages. */
const char *nnrt_node_label(const nnrt_node *n, char *buf, size_t size);

/* --- op registry (ops/registry.c) ---------------------------------------- */
const nnrt_op *nnrt_op_find(const char *domain, const char *op_type);

/* --- thread pool (pool.c) ------------------------------------------------- */
typedef struct nnrt_pool nnrt_pool;
nnrt_pool *nnrt_pool_create(int threads);
void nnrt_pool_destroy(nnrt_pool *pool);
int nnrt_pool_threads(const nnrt_pool *pool);
/* Calls fn(arg, i) for i in [0, n) spread over the pool and the calling
 * thread; returns when all are done. pool may be NULL (runs inline). */
void nnrt_pool_for(nnrt_pool *pool, int n, void (*fn)(void *arg, int i), void *arg);

/* --- graph building and lifetime (graph.c; reader, preparation, tests) --- */
/* Value storage sharing (alias_of): an op whose output is a plain view of its
 * first input (Reshape, Flatten, Squeeze, Unsqueeze) may set the output's
 * alias_of to that input's index in infer. The memory plan honours it when it
 * can and otherwise resets alias_of to -1 (e.g. for graph outputs), so such a
 * run must copy when x->out[0] != x->in[0] and do nothing when they are equal. */
nnrt_graph *nnrt_graph_new(const char *source_name);
void nnrt_graph_free(nnrt_graph *g);
/* Appends an intermediate value named by the first name_len bytes of name;
 * returns its index, or -1 if memory ran out. */
int nnrt_graph_add_value(nnrt_graph *g, const char *name, size_t name_len);
/* Appends a zeroed node (act NONE); returns its index, or -1. The nodes array
 * may move. */
int nnrt_graph_add_node(nnrt_graph *g);
void nnrt_attr_clear(nnrt_attr *a);
/* Storage bytes of a value of known shape; 0 on success, -1 if the size
 * overflows or the dtype has no size. */
int nnrt_value_nbytes(const nnrt_value *v, size_t *out);
/* Recounts n_consumers from live nodes (graph outputs are not counted). */
void nnrt_graph_count_consumers(nnrt_graph *g);

#endif /* NNRT_GRAPH_H */
