/* Protobuf wire format decoding with every read checked against the end of
 * the buffer. See pb_wire.h. */
#include "pb_wire.h"

#include <string.h>

void pb_reader_init(pb_reader *r, const void *data, size_t len) {
  r->p = (const uint8_t *)data;
  r->end = data ? r->p + len : r->p; /* no arithmetic on NULL */
}

int pb_read_varint(pb_reader *r, uint64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; i++) {
    if (r->p >= r->end) return -1;
    uint8_t b = *r->p++;
    /* The 10th byte may only carry the single top bit of a 64-bit value. */
    if (i == 9 && b > 1) return -1;
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

static int read_fixed(pb_reader *r, size_t n, uint64_t *out) {
  if ((size_t)(r->end - r->p) < n) return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i); /* little endian on the wire */
  r->p += n;
  *out = v;
  return 0;
}

int pb_next(pb_reader *r, pb_field *f, const char **why) {
  if (r->p >= r->end) return 0;
  uint64_t key;
  if (pb_read_varint(r, &key) != 0) {
    *why = "truncated or overlong field key";
    return -1;
  }
  uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff) {
    *why = "invalid field number";
    return -1;
  }
  f->number = (uint32_t)number;
  f->data = NULL;
  f->len = 0;
  f->u64 = 0;
  switch (key & 7) {
    case PB_WIRE_VARINT:
      f->wire = PB_WIRE_VARINT;
      if (pb_read_varint(r, &f->u64) != 0) {
        *why = "truncated or overlong varint";
        return -1;
      }
      return 1;
    case PB_WIRE_FIXED64:
      f->wire = PB_WIRE_FIXED64;
      if (read_fixed(r, 8, &f->u64) != 0) {
        *why = "truncated 64-bit field";
        return -1;
      }
      return 1;
    case PB_WIRE_FIXED32:
      f->wire = PB_WIRE_FIXED32;
      if (read_fixed(r, 4, &f->u64) != 0) {
        *why = "truncated 32-bit field";
        return -1;
      }
      return 1;
    case PB_WIRE_BYTES: {
      uint64_t len;
      f->wire = PB_WIRE_BYTES;
      if (pb_read_varint(r, &len) != 0) {
        *why = "truncated or overlong length";
        return -1;
      }
      if (len > (uint64_t)(r->end - r->p)) {
        *why = "length-delimited field runs past the end of its message";
        return -1;
      }
      f->data = r->p;
      f->len = (size_t)len;
      r->p += len;
      return 1;
    }
    default:
      *why = "unsupported wire type (groups or invalid)";
      return -1;
  }
}

float pb_fixed32_to_float(uint64_t bits) {
  uint32_t b = (uint32_t)bits;
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

double pb_fixed64_to_double(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

int64_t pb_packed_varint_count(const uint8_t *data, size_t len) {
  pb_reader r;
  pb_reader_init(&r, data, len);
  int64_t n = 0;
  uint64_t v;
  while (r.p < r.end) {
    if (pb_read_varint(&r, &v) != 0) return -1;
    n++;
  }
  return n;
}
