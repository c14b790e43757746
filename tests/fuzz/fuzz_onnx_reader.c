/* libFuzzer target: arbitrary bytes through the whole model load (ONNX
 * reader, shape inference of every op, constant folding, fusion, packing,
 * memory plan). Loading must fail cleanly or succeed; when it succeeds, a
 * context is created and run once so that the plan is exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "nnrt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nnrt_model *model = NULL;
  nnrt_error err;
  /* Scalar kernels: the same on every machine, so crashes reproduce. */
  nnrt_load_options opts = {NNRT_ISA_SCALAR, NULL, 0};
  if (nnrt_model_load_memory(data, size, "fuzz.onnx", &opts, &model, &err) != NNRT_OK) return 0;
  nnrt_model_stats stats;
  nnrt_model_get_stats(model, &stats);
  /* Only run small models: a large arena tests malloc, not nnrt, and a mutated
   * model with billions of MACs only makes the fuzzer time out. */
  nnrt_context *ctx = NULL;
  if (stats.arena_bytes < ((size_t)64 << 20) && stats.macs >= 0 && stats.macs < 40000000 &&
      nnrt_context_create(model, 1, &ctx, &err) == NNRT_OK) {
    nnrt_context_run(ctx, &err);
    nnrt_context_free(ctx);
  }
  nnrt_model_free(model);
  return 0;
}
