/* NumPy .npy files of float32: reading ('<f4', C order, format 1.0/2.0/3.0
 * headers; anything else refused with a reason) and writing (1.0). Every
 * read is bounds-checked: the parser is fuzzed. */
#ifndef NNRT_NPY_H
#define NNRT_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_DIMS 8

typedef struct npy_array {
  int rank;
  int64_t dims[NPY_MAX_DIMS];
  size_t numel;
  float *data; /* malloc'ed */
} npy_array;

/* Parses .npy bytes. 0 on success; -1 with a message in msg otherwise. */
int npy_parse(const void *bytes, size_t len, npy_array *out, char *msg, size_t msg_size);
int npy_load(const char *path, npy_array *out, char *msg, size_t msg_size);
int npy_save(const char *path, const float *data, int rank, const int64_t *dims, char *msg, size_t msg_size);
void npy_free(npy_array *a);

#endif /* NNRT_NPY_H */
