/* TensorProto decoding: initializers and tensor-valued attributes become a
 * dtype, a shape and a malloc'ed C-order array of native elements. */
#ifndef NNRT_ONNX_TENSOR_H
#define NNRT_ONNX_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "../nnrt.h"

typedef struct onnx_tensor {
  const uint8_t *name; /* points into the file bytes; not NUL-terminated */
  size_t name_len;
  nnrt_dtype dtype;
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
  void *data;          /* owned by the caller after success; never NULL */
  size_t nbytes;
} onnx_tensor;

/* Parses one TensorProto. `where` prefixes messages (e.g. "model.onnx:
 * initializer"); the tensor's name is added when known. Refuses external
 * data, segments, strings and element types nnrt does not compute with. */
nnrt_status onnx_tensor_parse(const uint8_t *bytes, size_t len, const char *where,
                              onnx_tensor *t, nnrt_error *err);

#endif /* NNRT_ONNX_TENSOR_H */
