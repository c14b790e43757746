/* nnrt_op_find: maps an ONNX (domain, op_type) to its op table. Only the
 * default ONNX domain is supported. */
#include <string.h>

#include "ops.h"

#define NNRT_OP_ENTRY(id, name) &nnrt_op_##id,
static const nnrt_op *const all_ops[] = {NNRT_OPS_LIST(NNRT_OP_ENTRY)};
#undef NNRT_OP_ENTRY

const nnrt_op *nnrt_op_find(const char *domain, const char *op_type) {
  if (!op_type) return NULL;
  if (domain && domain[0] && strcmp(domain, "ai.onnx") != 0) return NULL;
  for (size_t i = 0; i < sizeof all_ops / sizeof all_ops[0]; i++)
    if (strcmp(all_ops[i]->op_type, op_type) == 0) return all_ops[i];
  return NULL;
}
