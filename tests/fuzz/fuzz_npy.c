/* libFuzzer target: arbitrary bytes through the .npy parser of the tools. */
#include <stddef.h>
#include <stdint.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npy_array a;
  char msg[256];
  if (npy_parse(data, size, &a, msg, sizeof msg) == 0) npy_free(&a);
  return 0;
}
