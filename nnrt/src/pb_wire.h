/* A bounds-checked reader for the protobuf wire format: just enough to walk
 * the fields of an ONNX file. It never reads past `end`, and refuses the
 * encodings a valid ONNX writer does not produce (groups, overlong varints,
 * field number 0) so that corrupted files fail early with a reason. */
#ifndef NNRT_PB_WIRE_H
#define NNRT_PB_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef enum pb_wire_type {
  PB_WIRE_VARINT = 0,
  PB_WIRE_FIXED64 = 1,
  PB_WIRE_BYTES = 2,   /* length-delimited: strings, sub-messages, packed arrays */
  PB_WIRE_FIXED32 = 5
} pb_wire_type;

typedef struct pb_reader {
  const uint8_t *p;
  const uint8_t *end;
} pb_reader;

typedef struct pb_field {
  uint32_t number;
  pb_wire_type wire;
  uint64_t u64;         /* VARINT, FIXED64, FIXED32 (zero-extended) */
  const uint8_t *data;  /* BYTES */
  size_t len;           /* BYTES */
} pb_field;

void pb_reader_init(pb_reader *r, const void *data, size_t len);

/* Reads the next field. Returns 1 on a field, 0 at the clean end of the
 * buffer, -1 on malformed input with *why set to a static description. */
int pb_next(pb_reader *r, pb_field *f, const char **why);

/* Reads one varint from r (used inside packed arrays). 0 on success, -1 on
 * truncation or overlong encoding. */
int pb_read_varint(pb_reader *r, uint64_t *out);

/* Bit conversions of fixed-width fields. */
float pb_fixed32_to_float(uint64_t bits);
double pb_fixed64_to_double(uint64_t bits);

/* Element counts of a packed array, or -1 if the length does not divide
 * (fixed widths) / the varints are malformed. */
int64_t pb_packed_varint_count(const uint8_t *data, size_t len);

#endif /* NNRT_PB_WIRE_H */
