/* The protobuf wire decoder on hand-written bytes: every encoding it must
 * accept and every malformation it must refuse. */
#include <stdint.h>

#include "pb_wire.h"
#include "test_check.h"

static int next_of(const uint8_t *b, size_t n, pb_field *f) {
  pb_reader r;
  const char *why = NULL;
  pb_reader_init(&r, b, n);
  return pb_next(&r, f, &why);
}

int main(void) {
  pb_field f;
  /* field 1 varint 300 */
  const uint8_t v300[] = {0x08, 0xac, 0x02};
  CHECK(next_of(v300, sizeof v300, &f) == 1 && f.number == 1 && f.wire == PB_WIRE_VARINT && f.u64 == 300);
  /* The largest 64-bit varint (10 bytes) */
  const uint8_t vmax[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  CHECK(next_of(vmax, sizeof vmax, &f) == 1 && f.u64 == UINT64_MAX);
  /* 10th byte with more than one bit, or an 11-byte varint: overlong */
  const uint8_t vover[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  CHECK(next_of(vover, sizeof vover, &f) == -1);
  const uint8_t v11[] = {0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  CHECK(next_of(v11, sizeof v11, &f) == -1);
  /* Truncated varint, fixed32, fixed64 */
  const uint8_t vtrunc[] = {0x08, 0xac};
  CHECK(next_of(vtrunc, sizeof vtrunc, &f) == -1);
  const uint8_t f32[] = {0x15, 0x00, 0x00, 0x80, 0x3f};
  CHECK(next_of(f32, sizeof f32, &f) == 1 && f.number == 2 && pb_fixed32_to_float(f.u64) == 1.0f);
  CHECK(next_of(f32, sizeof f32 - 1, &f) == -1);
  const uint8_t f64[] = {0x19, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
  CHECK(next_of(f64, sizeof f64, &f) == 1 && pb_fixed64_to_double(f.u64) == 1.0);
  CHECK(next_of(f64, sizeof f64 - 3, &f) == -1);
  /* Length-delimited: exact, past the end, huge length */
  const uint8_t bytes[] = {0x22, 0x03, 'a', 'b', 'c'};
  CHECK(next_of(bytes, sizeof bytes, &f) == 1 && f.number == 4 && f.len == 3 && f.data == bytes + 2);
  CHECK(next_of(bytes, sizeof bytes - 1, &f) == -1);
  const uint8_t huge[] = {0x22, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'};
  CHECK(next_of(huge, sizeof huge, &f) == -1);
  /* Groups (wire types 3, 4), invalid 6/7, field number 0 */
  const uint8_t g3[] = {0x0b}, g4[] = {0x0c}, w6[] = {0x0e, 0x00}, w7[] = {0x0f}, f0[] = {0x00, 0x01};
  CHECK(next_of(g3, 1, &f) == -1);
  CHECK(next_of(g4, 1, &f) == -1);
  CHECK(next_of(w6, 2, &f) == -1);
  CHECK(next_of(w7, 1, &f) == -1);
  CHECK(next_of(f0, 2, &f) == -1);
  /* Empty input is a clean end, also with a NULL pointer */
  CHECK(next_of(v300, 0, &f) == 0);
  CHECK(next_of(NULL, 0, &f) == 0);
  /* Packed varint counts */
  const uint8_t packed[] = {0x01, 0xac, 0x02, 0x7f};
  CHECK(pb_packed_varint_count(packed, sizeof packed) == 3);
  CHECK(pb_packed_varint_count(packed, 2) == -1);
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  else printf("pb_wire: all checks passed\n");
  return test_failures ? 1 : 0;
}
