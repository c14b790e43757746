/* ONNX file bytes -> nnrt_graph (graph.h). Only structure is read here:
 * shapes of intermediates are inferred later by graph_prepare. */
#ifndef NNRT_ONNX_READER_H
#define NNRT_ONNX_READER_H

#include <stddef.h>

#include "graph.h"

/* Parses a ModelProto. `name` prefixes every message. Never reads outside
 * [data, data+size). On failure *out is NULL and err names the cause. */
nnrt_status nnrt_onnx_read(const void *data, size_t size, const char *name, nnrt_graph **out,
                           nnrt_error *err);

#endif /* NNRT_ONNX_READER_H */
