/* A tiny protobuf/ONNX writer for tests: builds ModelProto bytes by hand so
 * that tests can make valid models and precisely broken ones. Header-only;
 * allocation failures abort (test code only). */
#ifndef NNRT_TEST_PB_BUILD_H
#define NNRT_TEST_PB_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pbb {
  uint8_t *p;
  size_t n, cap;
} pbb;

static inline void pbb_raw(pbb *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  if (n) memcpy(b->p + b->n, d, n);
  b->n += n;
}
static inline void pbb_varint(pbb *b, uint64_t v) {
  do {
    uint8_t c = (uint8_t)(v & 0x7f);
    v >>= 7;
    if (v) c |= 0x80;
    pbb_raw(b, &c, 1);
  } while (v);
}
static inline void pbb_key(pbb *b, int field, int wire) { pbb_varint(b, ((uint64_t)field << 3) | (uint64_t)wire); }
static inline void pbb_uint(pbb *b, int field, uint64_t v) {
  pbb_key(b, field, 0);
  pbb_varint(b, v);
}
static inline void pbb_bytes(pbb *b, int field, const void *d, size_t n) {
  pbb_key(b, field, 2);
  pbb_varint(b, n);
  pbb_raw(b, d, n);
}
static inline void pbb_str(pbb *b, int field, const char *s) { pbb_bytes(b, field, s, strlen(s)); }
/* Appends sub as a sub-message and frees it. */
static inline void pbb_msg(pbb *b, int field, pbb *sub) {
  pbb_bytes(b, field, sub->p, sub->n);
  free(sub->p);
  memset(sub, 0, sizeof *sub);
}
static inline void pbb_f32(pbb *b, int field, float f) {
  pbb_key(b, field, 5);
  pbb_raw(b, &f, 4);
}

/* --- ONNX messages ----------------------------------------------------------- */

/* ValueInfoProto with a tensor type; dims < 0 become dim_param "N". */
static inline pbb onnx_value_info(const char *name, int elem, int rank, const int64_t *dims) {
  pbb shape = {0}, tt = {0}, ty = {0}, vi = {0};
  for (int i = 0; i < rank; i++) {
    pbb d = {0};
    if (dims[i] >= 0) pbb_uint(&d, 1, (uint64_t)dims[i]);
    else pbb_str(&d, 2, "N");
    pbb_msg(&shape, 1, &d);
  }
  pbb_uint(&tt, 1, (uint64_t)elem);
  if (rank >= 0) pbb_msg(&tt, 2, &shape);
  pbb_msg(&ty, 1, &tt);
  pbb_str(&vi, 1, name);
  pbb_msg(&vi, 2, &ty);
  return vi;
}

/* Float TensorProto with raw_data. */
static inline pbb onnx_tensor_f32(const char *name, int rank, const int64_t *dims, const float *data) {
  pbb t = {0};
  size_t n = 1;
  for (int i = 0; i < rank; i++) {
    pbb_uint(&t, 1, (uint64_t)dims[i]);
    n *= (size_t)dims[i];
  }
  pbb_uint(&t, 2, 1);
  pbb_str(&t, 8, name);
  pbb_bytes(&t, 9, data, n * 4);
  return t;
}

/* int64 TensorProto with int64_data (packed). */
static inline pbb onnx_tensor_i64(const char *name, int rank, const int64_t *dims, const int64_t *data) {
  pbb t = {0}, packed = {0};
  size_t n = 1;
  for (int i = 0; i < rank; i++) {
    pbb_uint(&t, 1, (uint64_t)dims[i]);
    n *= (size_t)dims[i];
  }
  pbb_uint(&t, 2, 7);
  for (size_t i = 0; i < n; i++) pbb_varint(&packed, (uint64_t)data[i]);
  pbb_msg(&t, 7, &packed);
  pbb_str(&t, 8, name);
  return t;
}

static inline pbb onnx_attr_int(const char *name, int64_t v) {
  pbb a = {0};
  pbb_str(&a, 1, name);
  pbb_uint(&a, 3, (uint64_t)v);
  pbb_uint(&a, 20, 2);
  return a;
}
static inline pbb onnx_attr_float(const char *name, float v) {
  pbb a = {0};
  pbb_str(&a, 1, name);
  pbb_f32(&a, 2, v);
  pbb_uint(&a, 20, 1);
  return a;
}
static inline pbb onnx_attr_ints(const char *name, const int64_t *v, int n) {
  pbb a = {0}, packed = {0};
  pbb_str(&a, 1, name);
  for (int i = 0; i < n; i++) pbb_varint(&packed, (uint64_t)v[i]);
  pbb_msg(&a, 8, &packed);
  pbb_uint(&a, 20, 7);
  return a;
}

/* NodeProto; ins/outs are NULL-terminated lists; attrs (n_attrs) are consumed. */
static inline pbb onnx_node(const char *name, const char *op, const char *const *ins, const char *const *outs,
                            pbb *attrs, int n_attrs) {
  pbb nd = {0};
  for (int i = 0; ins && ins[i]; i++) pbb_str(&nd, 1, ins[i]);
  for (int i = 0; outs && outs[i]; i++) pbb_str(&nd, 2, outs[i]);
  if (name) pbb_str(&nd, 3, name);
  pbb_str(&nd, 4, op);
  for (int i = 0; i < n_attrs; i++) pbb_msg(&nd, 5, &attrs[i]);
  return nd;
}

/* ModelProto around a graph (consumed). */
static inline pbb onnx_model(int ir_version, int opset, pbb *graph) {
  pbb m = {0}, os = {0};
  pbb_uint(&m, 1, (uint64_t)ir_version);
  pbb_str(&m, 2, "nnrt-test");
  pbb_msg(&m, 7, graph);
  pbb_str(&os, 1, "");
  pbb_uint(&os, 2, (uint64_t)opset);
  pbb_msg(&m, 8, &os);
  return m;
}

/* GraphProto field numbers. */
enum { G_NODE = 1, G_NAME = 2, G_INIT = 5, G_INPUT = 11, G_OUTPUT = 12 };

#endif /* NNRT_TEST_PB_BUILD_H */
