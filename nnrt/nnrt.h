/* nnrt — a small CNN runtime for ONNX models, in C11.
 *
 * Life cycle:
 *   1. nnrt_model_load_file() / nnrt_model_load_memory(): parse the ONNX file,
 *      fix free input dimensions, fold constants, fuse, pack weights for the
 *      chosen ISA and plan memory. The returned model is immutable and may be
 *      shared by any number of threads.
 *   2. nnrt_context_create(): one per thread; holds the activation arena and
 *      the input/output buffers. A run allocates nothing.
 *   3. Write inputs through nnrt_context_input(), call nnrt_context_run(), read
 *      nnrt_context_output().
 *
 * Every call that can fail returns an nnrt_status and, when `err` is not NULL,
 * fills it with a message naming the cause (file, node, op type, attribute).
 * Nothing in the library aborts or exits.
 */
#ifndef NNRT_H
#define NNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NNRT_MAX_DIMS 8

typedef enum nnrt_status {
  NNRT_OK = 0,
  NNRT_ERR_IO,          /* file missing or unreadable */
  NNRT_ERR_PARSE,       /* not a valid ONNX protobuf */
  NNRT_ERR_UNSUPPORTED, /* op, attribute value, data type or feature not supported */
  NNRT_ERR_INVALID,     /* inconsistent model or bad argument */
  NNRT_ERR_SHAPE,       /* shapes do not agree */
  NNRT_ERR_NOMEM,       /* allocation failed or a size overflowed */
  NNRT_ERR_ISA          /* requested ISA not available on this CPU */
} nnrt_status;

typedef struct nnrt_error {
  nnrt_status status;
  char message[512];
} nnrt_error;

/* Element types use the ONNX TensorProto.DataType numbering. */
typedef enum nnrt_dtype {
  NNRT_DTYPE_UNDEFINED = 0,
  NNRT_DTYPE_FLOAT = 1,
  NNRT_DTYPE_UINT8 = 2,
  NNRT_DTYPE_INT8 = 3,
  NNRT_DTYPE_INT32 = 6,
  NNRT_DTYPE_INT64 = 7,
  NNRT_DTYPE_BOOL = 9,
  NNRT_DTYPE_DOUBLE = 11
} nnrt_dtype;

typedef enum nnrt_isa {
  NNRT_ISA_AUTO = 0, /* best the CPU supports; the NNRT_ISA environment variable overrides */
  NNRT_ISA_SCALAR,
  NNRT_ISA_SSE4,
  NNRT_ISA_AVX2,
  NNRT_ISA_AVX512,
  NNRT_ISA_NEON
} nnrt_isa;

typedef struct nnrt_tensor_info {
  const char *name;
  nnrt_dtype dtype;
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
} nnrt_tensor_info;

/* Fixes the shape of one graph input before the model is prepared. Dimensions
 * that are free (symbolic or unknown) and not set here default to 1. */
typedef struct nnrt_input_shape {
  const char *name;
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
} nnrt_input_shape;

typedef struct nnrt_load_options {
  nnrt_isa isa;                         /* NNRT_ISA_AUTO unless forcing one */
  const nnrt_input_shape *input_shapes; /* may be NULL */
  size_t n_input_shapes;
} nnrt_load_options;

typedef struct nnrt_model nnrt_model;
typedef struct nnrt_context nnrt_context;

/* Statistics of a prepared model (after folding and fusion). */
typedef struct nnrt_model_stats {
  size_t n_nodes;          /* nodes left to run */
  size_t n_nodes_original; /* nodes in the file */
  int64_t n_params;        /* elements in weight tensors used by the nodes */
  int64_t macs;            /* multiply-accumulates of one run */
  size_t arena_bytes;      /* activation memory of one context */
  size_t weight_bytes;     /* packed weights */
} nnrt_model_stats;

/* --- ISA ------------------------------------------------------------------ */
nnrt_isa nnrt_isa_best(void);
int nnrt_isa_supported(nnrt_isa isa);
const char *nnrt_isa_name(nnrt_isa isa);
/* Returns 0 and sets *isa on a known name ("scalar", "sse4", "avx2", "avx512", "neon", "auto"). */
int nnrt_isa_from_name(const char *name, nnrt_isa *isa);

/* --- Models --------------------------------------------------------------- */
nnrt_status nnrt_model_load_file(const char *path, const nnrt_load_options *opts,
                                 nnrt_model **out, nnrt_error *err);
/* `name` is only used in messages. The buffer may be freed after the call. */
nnrt_status nnrt_model_load_memory(const void *data, size_t size, const char *name,
                                   const nnrt_load_options *opts, nnrt_model **out,
                                   nnrt_error *err);
void nnrt_model_free(nnrt_model *model);

size_t nnrt_model_num_inputs(const nnrt_model *model);
size_t nnrt_model_num_outputs(const nnrt_model *model);
/* Pointers in the info stay valid while the model lives. Returns NNRT_ERR_INVALID on a bad index. */
nnrt_status nnrt_model_input_info(const nnrt_model *model, size_t index, nnrt_tensor_info *info);
nnrt_status nnrt_model_output_info(const nnrt_model *model, size_t index, nnrt_tensor_info *info);
/* Index of the input/output with this name, or -1. */
int nnrt_model_find_input(const nnrt_model *model, const char *name);
int nnrt_model_find_output(const nnrt_model *model, const char *name);
nnrt_isa nnrt_model_isa(const nnrt_model *model);
void nnrt_model_get_stats(const nnrt_model *model, nnrt_model_stats *stats);

/* --- Contexts ------------------------------------------------------------- */
/* `threads` <= 1 runs on the calling thread only; more starts a small pool of
 * persistent worker threads owned by the context. */
nnrt_status nnrt_context_create(const nnrt_model *model, int threads, nnrt_context **out,
                                nnrt_error *err);
void nnrt_context_free(nnrt_context *ctx);
/* Input buffers are float32, C order, of the size given by the input info. */
float *nnrt_context_input(nnrt_context *ctx, size_t index);
/* Valid until the next run on this context. */
const float *nnrt_context_output(const nnrt_context *ctx, size_t index);
nnrt_status nnrt_context_run(nnrt_context *ctx, nnrt_error *err);

/* Number of elements of a tensor info (product of dims). */
int64_t nnrt_tensor_info_numel(const nnrt_tensor_info *info);

#ifdef __cplusplus
}
#endif

#endif /* NNRT_H */
