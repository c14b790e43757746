/* The .npy reader and writer: a round trip, and each malformed or unsupported
 * header refused with a message (the parser reads untrusted files). */
#include <stdlib.h>

#include "npy.h"
#include "test_check.h"

/* Builds a v1.0 .npy in buf from a header dict and n data bytes. */
static size_t make_npy(unsigned char *buf, const char *dict, size_t data_bytes) {
  size_t hl = strlen(dict);
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (unsigned char)(hl & 0xff);
  buf[9] = (unsigned char)(hl >> 8);
  memcpy(buf + 10, dict, hl);
  memset(buf + 10 + hl, 0, data_bytes);
  return 10 + hl + data_bytes;
}

static void expect_refused(const char *dict, size_t data_bytes, const char *fragment) {
  unsigned char buf[1024];
  size_t n = make_npy(buf, dict, data_bytes);
  unsigned char *exact = malloc(n);
  memcpy(exact, buf, n);
  npy_array a;
  char msg[256] = "";
  CHECK(npy_parse(exact, n, &a, msg, sizeof msg) == -1);
  CHECK_MSG(msg, fragment);
  free(exact);
}

int main(void) {
  const char *path = "test_npy_roundtrip.npy";
  float x[6] = {1.5f, -2, 0, 3.25f, 1e-8f, -7};
  int64_t dims[2] = {2, 3};
  char msg[256];
  CHECK(npy_save(path, x, 2, dims, msg, sizeof msg) == 0);
  npy_array a;
  CHECK(npy_load(path, &a, msg, sizeof msg) == 0);
  CHECK(a.rank == 2 && a.dims[0] == 2 && a.dims[1] == 3 && a.numel == 6);
  for (int i = 0; a.data && i < 6; i++) CHECK(a.data[i] == x[i]);
  npy_free(&a);
  int64_t one = 4;
  CHECK(npy_save(path, x, 1, &one, msg, sizeof msg) == 0);
  CHECK(npy_load(path, &a, msg, sizeof msg) == 0 && a.rank == 1 && a.numel == 4);
  npy_free(&a);
  remove(path);

  unsigned char ok[256];
  size_t n = make_npy(ok, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
  CHECK(npy_parse(ok, n, &a, msg, sizeof msg) == 0 && a.numel == 2);
  npy_free(&a);
  /* Every truncation of a valid file is refused. */
  for (size_t len = 0; len < n; len++) {
    unsigned char *cut = malloc(len ? len : 1);
    memcpy(cut, ok, len);
    CHECK(npy_parse(cut, len, &a, msg, sizeof msg) == -1);
    free(cut);
  }
  expect_refused("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "only little-endian float32");
  expect_refused("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "'>f4'");
  expect_refused("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8, "Fortran order");
  expect_refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8, "shape needs 12");
  expect_refused("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4, "more than 8");
  expect_refused("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999,), }", 4, "too large");
  expect_refused("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8, "shape");
  expect_refused("{'fortran_order': False, 'shape': (2,), }", 8, "no descr");
  CHECK(npy_parse("\x93NUMPX\x01\x00\x00\x00", 10, &a, msg, sizeof msg) == -1);
  CHECK_MSG(msg, "magic");
  CHECK(npy_load("/nonexistent/in.npy", &a, msg, sizeof msg) == -1);
  CHECK_MSG(msg, "/nonexistent/in.npy");
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  else printf("npy: all checks passed\n");
  return test_failures ? 1 : 0;
}
