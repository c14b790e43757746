/* TensorProto -> dtype, dims, data. Two passes over the fields: the first
 * counts and validates, the second copies, so no size is trusted before it is
 * checked against the bytes actually present. */
#include "onnx_tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "pb_wire.h"

/* TensorProto field numbers (onnx.proto3). */
enum {
  TP_DIMS = 1,
  TP_DATA_TYPE = 2,
  TP_SEGMENT = 3,
  TP_FLOAT_DATA = 4,
  TP_INT32_DATA = 5,
  TP_STRING_DATA = 6,
  TP_INT64_DATA = 7,
  TP_NAME = 8,
  TP_RAW_DATA = 9,
  TP_DOUBLE_DATA = 10,
  TP_UINT64_DATA = 11,
  TP_EXTERNAL_DATA = 13,
  TP_DATA_LOCATION = 14
};

typedef struct counts {
  int64_t f32, i32, i64, f64;
} counts;

/* Formats the "where 'name'" prefix used by every message below. */
static nnrt_status tensor_fail(nnrt_error *err, nnrt_status st, const char *where,
                               const onnx_tensor *t, const char *what) {
  return nnrt_fail(err, st, "%s '%.*s': %s", where, (int)(t->name_len > 200 ? 200 : t->name_len),
                   t->name ? (const char *)t->name : "", what);
}

/* Adds the element count of one occurrence of a numeric repeated field,
 * packed or not, checking the wire type. */
static int count_field(const pb_field *f, int fixed_size, int64_t *count) {
  if (f->wire == PB_WIRE_BYTES) {
    if (fixed_size) {
      if (f->len % (size_t)fixed_size) return -1;
      *count += (int64_t)(f->len / (size_t)fixed_size);
      return 0;
    }
    int64_t n = pb_packed_varint_count(f->data, f->len);
    if (n < 0) return -1;
    *count += n;
    return 0;
  }
  if (fixed_size == 4 && f->wire == PB_WIRE_FIXED32) return (*count += 1), 0;
  if (fixed_size == 8 && f->wire == PB_WIRE_FIXED64) return (*count += 1), 0;
  if (fixed_size == 0 && f->wire == PB_WIRE_VARINT) return (*count += 1), 0;
  return -1;
}

/* Stores element k of the destination dtype from a 64-bit integer or double. */
static void store_int(void *data, nnrt_dtype dt, int64_t k, uint64_t v) {
  switch (dt) {
    case NNRT_DTYPE_UINT8: ((uint8_t *)data)[k] = (uint8_t)v; break;
    case NNRT_DTYPE_INT8: ((int8_t *)data)[k] = (int8_t)(uint8_t)v; break;
    case NNRT_DTYPE_BOOL: ((uint8_t *)data)[k] = v != 0; break;
    case NNRT_DTYPE_INT32: ((int32_t *)data)[k] = (int32_t)(uint32_t)v; break;
    case NNRT_DTYPE_INT64: ((int64_t *)data)[k] = (int64_t)v; break;
    default: break;
  }
}

/* Copies the elements of one occurrence of the typed field into data at *k. */
static int copy_field(const pb_field *f, nnrt_dtype dt, void *data, int64_t numel, int64_t *k) {
  if (dt == NNRT_DTYPE_FLOAT || dt == NNRT_DTYPE_DOUBLE) {
    size_t es = dt == NNRT_DTYPE_FLOAT ? 4 : 8;
    if (f->wire == PB_WIRE_BYTES) {
      size_t n = f->len / es;
      if ((int64_t)n > numel - *k) return -1;
      memcpy((char *)data + (size_t)*k * es, f->data, n * es); /* little-endian host */
      *k += (int64_t)n;
    } else {
      if (*k >= numel) return -1;
      if (dt == NNRT_DTYPE_FLOAT) ((float *)data)[*k] = pb_fixed32_to_float(f->u64);
      else ((double *)data)[*k] = pb_fixed64_to_double(f->u64);
      *k += 1;
    }
    return 0;
  }
  if (f->wire == PB_WIRE_BYTES) {
    pb_reader r;
    uint64_t v;
    pb_reader_init(&r, f->data, f->len);
    while (r.p < r.end) {
      if (pb_read_varint(&r, &v) != 0 || *k >= numel) return -1;
      store_int(data, dt, (*k)++, v);
    }
  } else {
    if (*k >= numel) return -1;
    store_int(data, dt, (*k)++, f->u64);
  }
  return 0;
}

/* The repeated field that carries elements of dt when raw_data is absent. */
static uint32_t typed_field_for(nnrt_dtype dt) {
  switch (dt) {
    case NNRT_DTYPE_FLOAT: return TP_FLOAT_DATA;
    case NNRT_DTYPE_DOUBLE: return TP_DOUBLE_DATA;
    case NNRT_DTYPE_INT64: return TP_INT64_DATA;
    default: return TP_INT32_DATA; /* int32, uint8, int8, bool */
  }
}

nnrt_status onnx_tensor_parse(const uint8_t *bytes, size_t len, const char *where,
                              onnx_tensor *t, nnrt_error *err) {
  memset(t, 0, sizeof *t);
  pb_reader r;
  pb_field f;
  const char *why = NULL;
  int rc;
  uint64_t data_type = 0;
  const uint8_t *raw = NULL;
  size_t raw_len = 0;
  int has_raw = 0;
  counts c = {0, 0, 0, 0};
  int too_many_dims = 0;

  /* Pass 1: shape, type, name, and how many elements each field holds. */
  pb_reader_init(&r, bytes, len);
  while ((rc = pb_next(&r, &f, &why)) == 1) {
    switch (f.number) {
      case TP_DIMS:
        if (f.wire == PB_WIRE_BYTES) {
          pb_reader d;
          uint64_t v;
          pb_reader_init(&d, f.data, f.len);
          while (d.p < d.end) {
            if (pb_read_varint(&d, &v) != 0) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "malformed dims");
            if (t->rank >= NNRT_MAX_DIMS) too_many_dims = 1;
            else t->dims[t->rank++] = (int64_t)v;
          }
        } else if (f.wire == PB_WIRE_VARINT) {
          if (t->rank >= NNRT_MAX_DIMS) too_many_dims = 1;
          else t->dims[t->rank++] = (int64_t)f.u64;
        } else {
          return tensor_fail(err, NNRT_ERR_PARSE, where, t, "dims has the wrong wire type");
        }
        break;
      case TP_DATA_TYPE:
        if (f.wire != PB_WIRE_VARINT) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "data_type has the wrong wire type");
        data_type = f.u64;
        break;
      case TP_NAME:
        if (f.wire != PB_WIRE_BYTES) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "name has the wrong wire type");
        t->name = f.data;
        t->name_len = f.len;
        break;
      case TP_RAW_DATA:
        if (f.wire != PB_WIRE_BYTES) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "raw_data has the wrong wire type");
        raw = f.data;
        raw_len = f.len;
        has_raw = 1;
        break;
      case TP_FLOAT_DATA:
        if (count_field(&f, 4, &c.f32)) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "malformed float_data");
        break;
      case TP_INT32_DATA:
        if (count_field(&f, 0, &c.i32)) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "malformed int32_data");
        break;
      case TP_INT64_DATA:
        if (count_field(&f, 0, &c.i64)) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "malformed int64_data");
        break;
      case TP_DOUBLE_DATA:
        if (count_field(&f, 8, &c.f64)) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "malformed double_data");
        break;
      case TP_SEGMENT:
        return tensor_fail(err, NNRT_ERR_UNSUPPORTED, where, t, "segmented tensors are not supported");
      case TP_STRING_DATA:
        return tensor_fail(err, NNRT_ERR_UNSUPPORTED, where, t, "string tensors are not supported");
      case TP_EXTERNAL_DATA:
        return tensor_fail(err, NNRT_ERR_UNSUPPORTED, where, t,
                           "external data (weights in a separate file) is not supported; save the model with its weights inside");
      case TP_DATA_LOCATION:
        if (f.wire == PB_WIRE_VARINT && f.u64 == 1)
          return tensor_fail(err, NNRT_ERR_UNSUPPORTED, where, t,
                             "external data (weights in a separate file) is not supported; save the model with its weights inside");
        break;
      default:
        break; /* doc_string, uint64_data of other types, future fields */
    }
  }
  if (rc < 0) return tensor_fail(err, NNRT_ERR_PARSE, where, t, why);
  if (too_many_dims) return tensor_fail(err, NNRT_ERR_UNSUPPORTED, where, t, "more than 8 dimensions");

  nnrt_dtype dt = (nnrt_dtype)data_type;
  size_t es = data_type <= 16 ? nnrt_dtype_size(dt) : 0;
  if (es == 0) {
    char buf[96];
    snprintf(buf, sizeof buf, "element type %llu is not supported (float, double, int8/32/64, uint8, bool are)",
             (unsigned long long)data_type);
    return tensor_fail(err, NNRT_ERR_UNSUPPORTED, where, t, buf);
  }
  t->dtype = dt;
  int64_t numel = 1;
  for (int i = 0; i < t->rank; i++) {
    if (t->dims[i] < 0) return tensor_fail(err, NNRT_ERR_PARSE, where, t, "negative dimension");
    if (t->dims[i] != 0 && numel > ((int64_t)1 << 50) / t->dims[i])
      return tensor_fail(err, NNRT_ERR_NOMEM, where, t, "element count overflows");
    numel *= t->dims[i];
  }
  t->nbytes = (size_t)numel * es;

  uint32_t typed = typed_field_for(dt);
  int64_t typed_count = typed == TP_FLOAT_DATA ? c.f32
                       : typed == TP_DOUBLE_DATA ? c.f64
                       : typed == TP_INT64_DATA ? c.i64 : c.i32;
  /* Check the data present matches the shape before allocating anything. */
  if (has_raw) {
    if (raw_len != t->nbytes) {
      char buf[128];
      snprintf(buf, sizeof buf, "raw_data has %zu bytes but the shape needs %zu", raw_len, t->nbytes);
      return tensor_fail(err, NNRT_ERR_PARSE, where, t, buf);
    }
  } else if (typed_count != numel) {
    char buf[128];
    snprintf(buf, sizeof buf, "holds %lld elements but the shape needs %lld", (long long)typed_count,
             (long long)numel);
    return tensor_fail(err, NNRT_ERR_PARSE, where, t, buf);
  }

  t->data = malloc(t->nbytes ? t->nbytes : 1);
  if (!t->data) return tensor_fail(err, NNRT_ERR_NOMEM, where, t, "out of memory");
  if (has_raw) {
    if (t->nbytes) memcpy(t->data, raw, t->nbytes);
    if (dt == NNRT_DTYPE_BOOL)
      for (size_t i = 0; i < t->nbytes; i++) ((uint8_t *)t->data)[i] = ((uint8_t *)t->data)[i] != 0;
    return NNRT_OK;
  }

  /* Pass 2: copy the typed elements. */
  int64_t k = 0;
  pb_reader_init(&r, bytes, len);
  while (pb_next(&r, &f, &why) == 1) {
    if (f.number != typed) continue;
    if (copy_field(&f, dt, t->data, numel, &k) != 0) {
      free(t->data);
      t->data = NULL;
      return tensor_fail(err, NNRT_ERR_PARSE, where, t, "malformed element data");
    }
  }
  return NNRT_OK;
}
