/* ONNX ModelProto reader. Walks the protobuf fields with pb_wire (every read
 * bounds-checked), builds values for initializers, graph inputs and node
 * outputs, then resolves node inputs and graph outputs by name. Field
 * numbers follow onnx/onnx.proto3. */
#include "onnx_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_tensor.h"
#include "pb_wire.h"

#define OPSET_MIN 7
#define OPSET_MAX 17
#define MAX_NODE_OUTPUTS 64

enum { MP_IR_VERSION = 1, MP_GRAPH = 7, MP_OPSET_IMPORT = 8 };
enum { OS_DOMAIN = 1, OS_VERSION = 2 };
enum { GP_NODE = 1, GP_INITIALIZER = 5, GP_INPUT = 11, GP_OUTPUT = 12, GP_SPARSE_INITIALIZER = 15 };
enum { NP_INPUT = 1, NP_OUTPUT = 2, NP_NAME = 3, NP_OP_TYPE = 4, NP_ATTRIBUTE = 5, NP_DOMAIN = 7 };
enum {
  AP_NAME = 1, AP_F = 2, AP_I = 3, AP_S = 4, AP_T = 5, AP_G = 6, AP_FLOATS = 7, AP_INTS = 8,
  AP_STRINGS = 9, AP_GRAPHS = 10, AP_TYPE = 20
};
enum { VI_NAME = 1, VI_TYPE = 2 };
enum { TY_TENSOR = 1 };
enum { TT_ELEM_TYPE = 1, TT_SHAPE = 2 };
enum { SH_DIM = 1 };
enum { DIM_VALUE = 1, DIM_PARAM = 2 };

typedef struct span {
  const uint8_t *p;
  size_t n;
} span;

typedef struct span_list {
  span *items;
  size_t n, cap;
} span_list;

/* Name -> value index, open addressing with linear probing. */
typedef struct name_map {
  int *slots; /* value index or -1 */
  size_t cap; /* power of two */
  size_t used;
} name_map;

typedef struct reader {
  nnrt_graph *g;
  nnrt_error *err;
  const char *src;
  name_map map;
} reader;

static int span_list_push(span_list *l, const uint8_t *p, size_t n) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    span *ni = realloc(l->items, cap * sizeof *ni);
    if (!ni) return -1;
    l->items = ni;
    l->cap = cap;
  }
  l->items[l->n].p = p;
  l->items[l->n].n = n;
  l->n++;
  return 0;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static int name_eq(const char *name, const uint8_t *p, size_t n) {
  return strlen(name) == n && memcmp(name, p, n) == 0;
}

static int map_find(const reader *rd, const uint8_t *p, size_t n) {
  if (!rd->map.cap) return -1;
  size_t mask = rd->map.cap - 1;
  for (size_t i = hash_bytes(p, n) & mask;; i = (i + 1) & mask) {
    int v = rd->map.slots[i];
    if (v < 0) return -1;
    if (name_eq(rd->g->values[v].name, p, n)) return v;
  }
}

static int map_insert(reader *rd, int value) {
  if ((rd->map.used + 1) * 2 > rd->map.cap) {
    size_t cap = rd->map.cap ? rd->map.cap * 2 : 256;
    int *slots = malloc(cap * sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < cap; i++) slots[i] = -1;
    for (size_t i = 0; i < rd->map.cap; i++) {
      int v = rd->map.slots[i];
      if (v < 0) continue;
      const char *nm = rd->g->values[v].name;
      size_t j = hash_bytes((const uint8_t *)nm, strlen(nm)) & (cap - 1);
      while (slots[j] >= 0) j = (j + 1) & (cap - 1);
      slots[j] = v;
    }
    free(rd->map.slots);
    rd->map.slots = slots;
    rd->map.cap = cap;
  }
  const char *nm = rd->g->values[value].name;
  size_t mask = rd->map.cap - 1;
  size_t j = hash_bytes((const uint8_t *)nm, strlen(nm)) & mask;
  while (rd->map.slots[j] >= 0) j = (j + 1) & mask;
  rd->map.slots[j] = value;
  rd->map.used++;
  return 0;
}

static char *dup_span(const uint8_t *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s) return NULL;
  if (n) memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

/* Shortens names in messages so that a hostile file cannot fill them. */
#define SHOW(p, n) (int)((n) > 120 ? 120 : (n)), (const char *)(p)

static nnrt_status nomem(reader *rd) {
  return nnrt_fail(rd->err, NNRT_ERR_NOMEM, "%s: out of memory while reading the model", rd->src);
}

/* Adds a value and indexes its name; refuses duplicates. */
static nnrt_status add_named_value(reader *rd, const uint8_t *p, size_t n, const char *what, int *out) {
  if (n == 0) return nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: %s with an empty name", rd->src, what);
  if (map_find(rd, p, n) >= 0)
    return nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: %s '%.*s' is defined more than once", rd->src, what,
                     SHOW(p, n));
  int v = nnrt_graph_add_value(rd->g, (const char *)p, n);
  if (v < 0 || map_insert(rd, v) != 0) return nomem(rd);
  *out = v;
  return NNRT_OK;
}

/* --- ValueInfoProto --------------------------------------------------------- */

typedef struct value_info {
  span name;
  uint64_t elem_type;
  int has_shape;
  int rank;
  int64_t dims[NNRT_MAX_DIMS]; /* -1 for a free dimension */
} value_info;

static nnrt_status parse_dim(reader *rd, const span *vname, const uint8_t *p, size_t n, int64_t *dim) {
  pb_reader r;
  pb_field f;
  const char *why = NULL;
  int rc;
  *dim = -1;
  pb_reader_init(&r, p, n);
  while ((rc = pb_next(&r, &f, &why)) == 1)
    if (f.number == DIM_VALUE && f.wire == PB_WIRE_VARINT) {
      int64_t d = (int64_t)f.u64;
      *dim = d < 0 ? -1 : d; /* a negative size can only mean "unknown" */
    }
  if (rc < 0)
    return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: shape of '%.*s': %s", rd->src, SHOW(vname->p, vname->n), why);
  return NNRT_OK;
}

static nnrt_status parse_value_info(reader *rd, const uint8_t *p, size_t n, value_info *vi) {
  memset(vi, 0, sizeof *vi);
  pb_reader r, rt, rtt, rs;
  pb_field f, ft, ftt, fs;
  const char *why = NULL;
  int rc;
  span type = {NULL, 0};
  pb_reader_init(&r, p, n);
  while ((rc = pb_next(&r, &f, &why)) == 1) {
    if (f.number == VI_NAME && f.wire == PB_WIRE_BYTES) vi->name = (span){f.data, f.len};
    else if (f.number == VI_TYPE && f.wire == PB_WIRE_BYTES) type = (span){f.data, f.len};
  }
  if (rc < 0) return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: graph input/output: %s", rd->src, why);
  if (!type.p) return NNRT_OK;
  pb_reader_init(&rt, type.p, type.n);
  while ((rc = pb_next(&rt, &ft, &why)) == 1) {
    if (ft.number != TY_TENSOR || ft.wire != PB_WIRE_BYTES) continue;
    pb_reader_init(&rtt, ft.data, ft.len);
    while ((rc = pb_next(&rtt, &ftt, &why)) == 1) {
      if (ftt.number == TT_ELEM_TYPE && ftt.wire == PB_WIRE_VARINT) {
        vi->elem_type = ftt.u64;
      } else if (ftt.number == TT_SHAPE && ftt.wire == PB_WIRE_BYTES) {
        vi->has_shape = 1;
        vi->rank = 0;
        pb_reader_init(&rs, ftt.data, ftt.len);
        while ((rc = pb_next(&rs, &fs, &why)) == 1) {
          if (fs.number != SH_DIM || fs.wire != PB_WIRE_BYTES) continue;
          if (vi->rank >= NNRT_MAX_DIMS)
            return nnrt_fail(rd->err, NNRT_ERR_UNSUPPORTED, "%s: '%.*s' has more than %d dimensions", rd->src,
                             SHOW(vi->name.p, vi->name.n), NNRT_MAX_DIMS);
          nnrt_status st = parse_dim(rd, &vi->name, fs.data, fs.len, &vi->dims[vi->rank]);
          if (st) return st;
          vi->rank++;
        }
        if (rc < 0) break;
      }
    }
    if (rc < 0) break;
  }
  if (rc < 0)
    return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: type of '%.*s': %s", rd->src, SHOW(vi->name.p, vi->name.n), why);
  return NNRT_OK;
}

/* --- AttributeProto --------------------------------------------------------- */

static nnrt_status parse_attr(reader *rd, const nnrt_node *node, const uint8_t *p, size_t n, nnrt_attr *a) {
  char label[320];
  nnrt_node_label(node, label, sizeof label);
  pb_reader r;
  pb_field f;
  const char *why = NULL;
  int rc;
  uint64_t type = 0;
  int has_f = 0, has_i = 0, has_s = 0, has_g = 0;
  int64_t n_floats = 0, n_ints = 0, n_strings = 0, n_graphs = 0;
  span s = {NULL, 0}, t = {NULL, 0};
  span name = {NULL, 0};

  memset(a, 0, sizeof *a);
  pb_reader_init(&r, p, n);
  while ((rc = pb_next(&r, &f, &why)) == 1) {
    switch (f.number) {
      case AP_NAME:
        if (f.wire == PB_WIRE_BYTES) name = (span){f.data, f.len};
        break;
      case AP_F:
        if (f.wire != PB_WIRE_FIXED32) goto bad_wire;
        a->f = pb_fixed32_to_float(f.u64);
        has_f = 1;
        break;
      case AP_I:
        if (f.wire != PB_WIRE_VARINT) goto bad_wire;
        a->i = (int64_t)f.u64;
        has_i = 1;
        break;
      case AP_S:
        if (f.wire != PB_WIRE_BYTES) goto bad_wire;
        s = (span){f.data, f.len};
        has_s = 1;
        break;
      case AP_T:
        if (f.wire != PB_WIRE_BYTES) goto bad_wire;
        t = (span){f.data, f.len};
        break;
      case AP_G:
        has_g = 1;
        break;
      case AP_FLOATS:
        if (f.wire == PB_WIRE_BYTES) {
          if (f.len % 4) goto bad_wire;
          n_floats += (int64_t)(f.len / 4);
        } else if (f.wire == PB_WIRE_FIXED32) {
          n_floats++;
        } else {
          goto bad_wire;
        }
        break;
      case AP_INTS:
        if (f.wire == PB_WIRE_BYTES) {
          int64_t k = pb_packed_varint_count(f.data, f.len);
          if (k < 0) goto bad_wire;
          n_ints += k;
        } else if (f.wire == PB_WIRE_VARINT) {
          n_ints++;
        } else {
          goto bad_wire;
        }
        break;
      case AP_STRINGS:
        n_strings++;
        break;
      case AP_GRAPHS:
        n_graphs++;
        break;
      case AP_TYPE:
        if (f.wire != PB_WIRE_VARINT) goto bad_wire;
        type = f.u64;
        break;
      default:
        break;
    }
  }
  if (rc < 0)
    return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: %s: attribute '%.*s': %s", rd->src, label, SHOW(name.p, name.n), why);
  if (!name.p || name.n == 0)
    return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: %s: attribute without a name", rd->src, label);

  /* Old files may omit `type`: deduce it from the field that is set. */
  if (type == 0) {
    type = n_floats ? NNRT_ATTR_FLOATS : n_ints ? NNRT_ATTR_INTS : n_strings ? NNRT_ATTR_STRINGS
         : t.p ? NNRT_ATTR_TENSOR : has_g ? NNRT_ATTR_GRAPH : has_s ? NNRT_ATTR_STRING
         : has_f ? NNRT_ATTR_FLOAT : has_i ? NNRT_ATTR_INT : NNRT_ATTR_UNDEFINED;
  }
  a->name = dup_span(name.p, name.n);
  if (!a->name) return nomem(rd);
  a->type = type <= NNRT_ATTR_STRINGS ? (nnrt_attr_type)type : NNRT_ATTR_UNDEFINED;

  switch (a->type) {
    case NNRT_ATTR_STRING:
      a->s = dup_span(s.p, s.n);
      if (!a->s) return nomem(rd);
      break;
    case NNRT_ATTR_STRINGS:
      a->n = (size_t)n_strings; /* contents are not used by any supported op */
      break;
    case NNRT_ATTR_TENSOR: {
      if (!t.p)
        return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: %s: tensor attribute '%s' has no tensor", rd->src, label, a->name);
      char where[400];
      snprintf(where, sizeof where, "%s: %s: attribute '%s': tensor", rd->src, label, a->name);
      onnx_tensor ot;
      nnrt_status st = onnx_tensor_parse(t.p, t.n, where, &ot, rd->err);
      if (st) return st;
      a->t = calloc(1, sizeof *a->t);
      if (!a->t) {
        free(ot.data);
        return nomem(rd);
      }
      a->t->dtype = ot.dtype;
      a->t->rank = ot.rank;
      memcpy(a->t->dims, ot.dims, sizeof ot.dims);
      a->t->data = ot.data;
      break;
    }
    case NNRT_ATTR_FLOATS:
    case NNRT_ATTR_INTS: {
      int is_f = a->type == NNRT_ATTR_FLOATS;
      int64_t cnt = is_f ? n_floats : n_ints;
      /* cnt is bounded by the attribute's byte length, so this cannot overflow. */
      void *arr = malloc((size_t)(cnt ? cnt : 1) * (is_f ? sizeof(float) : sizeof(int64_t)));
      if (!arr) return nomem(rd);
      if (is_f) a->floats = arr;
      else a->ints = arr;
      a->n = (size_t)cnt;
      size_t k = 0;
      pb_reader_init(&r, p, n);
      while (pb_next(&r, &f, &why) == 1) {
        if (f.number != (is_f ? (uint32_t)AP_FLOATS : (uint32_t)AP_INTS)) continue;
        if (f.wire == PB_WIRE_BYTES) {
          pb_reader pr;
          pb_reader_init(&pr, f.data, f.len);
          while (pr.p < pr.end && k < a->n) {
            if (is_f) {
              uint32_t bits;
              memcpy(&bits, pr.p, 4);
              a->floats[k++] = pb_fixed32_to_float(bits);
              pr.p += 4;
            } else {
              uint64_t v;
              if (pb_read_varint(&pr, &v) != 0) break;
              a->ints[k++] = (int64_t)v;
            }
          }
        } else if (k < a->n) {
          if (is_f) a->floats[k++] = pb_fixed32_to_float(f.u64);
          else a->ints[k++] = (int64_t)f.u64;
        }
      }
      break;
    }
    default:
      break;
  }
  return NNRT_OK;

bad_wire:
  return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: %s: attribute '%.*s': field %u has the wrong wire type", rd->src,
                   label, SHOW(name.p, name.n), (unsigned)f.number);
}

/* --- NodeProto ---------------------------------------------------------------- */

/* First pass over a node: name, op type, domain, attributes, and a value for
 * each output. Inputs are resolved later, once every producer is known. */
static nnrt_status parse_node(reader *rd, int index, const uint8_t *p, size_t n) {
  pb_reader r;
  pb_field f;
  const char *why = NULL;
  int rc;
  span name = {NULL, 0}, op_type = {NULL, 0}, domain = {NULL, 0};
  int n_inputs = 0, n_outputs = 0, n_attrs = 0;

  pb_reader_init(&r, p, n);
  while ((rc = pb_next(&r, &f, &why)) == 1) {
    if (f.wire != PB_WIRE_BYTES) continue;
    switch (f.number) {
      case NP_INPUT: n_inputs++; break;
      case NP_OUTPUT: n_outputs++; break;
      case NP_NAME: name = (span){f.data, f.len}; break;
      case NP_OP_TYPE: op_type = (span){f.data, f.len}; break;
      case NP_ATTRIBUTE: n_attrs++; break;
      case NP_DOMAIN: domain = (span){f.data, f.len}; break;
      default: break;
    }
  }
  if (rc < 0) return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: node #%d: %s", rd->src, index, why);

  int ni = nnrt_graph_add_node(rd->g);
  if (ni < 0) return nomem(rd);
  nnrt_node *node = &rd->g->nodes[ni];
  node->op_type = dup_span(op_type.p, op_type.n);
  node->domain = dup_span(domain.p, domain.n);
  node->name = dup_span(name.p, name.n);
  if (!node->op_type || !node->domain || !node->name) return nomem(rd);
  if (op_type.n == 0) return nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: node #%d has no op_type", rd->src, index);
  if (n_inputs > NNRT_MAX_NODE_INPUTS || n_outputs > MAX_NODE_OUTPUTS)
    return nnrt_fail(rd->err, NNRT_ERR_UNSUPPORTED, "%s: node #%d (%s) has %d inputs and %d outputs (limits %d, %d)",
                     rd->src, index, node->op_type, n_inputs, n_outputs, NNRT_MAX_NODE_INPUTS, MAX_NODE_OUTPUTS);
  node->inputs = malloc((size_t)(n_inputs ? n_inputs : 1) * sizeof(int));
  node->outputs = malloc((size_t)(n_outputs ? n_outputs : 1) * sizeof(int));
  node->attrs = calloc((size_t)(n_attrs ? n_attrs : 1), sizeof(nnrt_attr));
  if (!node->inputs || !node->outputs || !node->attrs) return nomem(rd);
  for (int k = 0; k < n_inputs; k++) node->inputs[k] = -1;

  pb_reader_init(&r, p, n);
  while (pb_next(&r, &f, &why) == 1) {
    if (f.wire != PB_WIRE_BYTES) continue;
    node = &rd->g->nodes[ni]; /* add_named_value does not move nodes, but stay safe */
    if (f.number == NP_OUTPUT) {
      /* Unnamed nodes are named after their first output, for messages. */
      if (node->n_outputs == 0 && node->name[0] == '\0' && f.len) {
        char *nm = dup_span(f.data, f.len);
        if (!nm) return nomem(rd);
        free(node->name);
        node->name = nm;
      }
      if (f.len == 0) {
        node->outputs[node->n_outputs++] = -1; /* omitted optional output */
        continue;
      }
      int v;
      if (map_find(rd, f.data, f.len) >= 0)
        return nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: node '%s' (%s): output '%.*s' is already produced elsewhere",
                         rd->src, node->name, node->op_type, SHOW(f.data, f.len));
      nnrt_status st = add_named_value(rd, f.data, f.len, "value", &v);
      if (st) return st;
      rd->g->values[v].producer = ni;
      node->outputs[node->n_outputs++] = v;
    } else if (f.number == NP_ATTRIBUTE) {
      nnrt_status st = parse_attr(rd, node, f.data, f.len, &node->attrs[node->n_attrs]);
      node->n_attrs++; /* counted even on failure so that graph_free releases it */
      if (st) return st;
    }
  }
  return NNRT_OK;
}

/* Second pass over a node: map its input names to values. */
static nnrt_status resolve_node_inputs(reader *rd, int ni, const uint8_t *p, size_t n) {
  pb_reader r;
  pb_field f;
  const char *why = NULL;
  nnrt_node *node = &rd->g->nodes[ni];
  pb_reader_init(&r, p, n);
  while (pb_next(&r, &f, &why) == 1) {
    if (f.number != NP_INPUT || f.wire != PB_WIRE_BYTES) continue;
    int v = -1;
    if (f.len) {
      v = map_find(rd, f.data, f.len);
      if (v < 0)
        return nnrt_fail(rd->err, NNRT_ERR_INVALID,
                         "%s: node '%s' (%s): input '%.*s' is not produced by any node or initializer", rd->src,
                         node->name, node->op_type, SHOW(f.data, f.len));
    }
    node->inputs[node->n_inputs++] = v;
  }
  return NNRT_OK;
}

/* --- GraphProto ---------------------------------------------------------------- */

static nnrt_status read_graph(reader *rd, const uint8_t *p, size_t n) {
  span_list nodes = {0}, inits = {0}, inputs = {0}, outputs = {0};
  pb_reader r;
  pb_field f;
  const char *why = NULL;
  int rc;
  nnrt_status st = NNRT_OK;
  nnrt_graph *g = rd->g;

  pb_reader_init(&r, p, n);
  while ((rc = pb_next(&r, &f, &why)) == 1) {
    span_list *l = NULL;
    switch (f.number) {
      case GP_NODE: l = &nodes; break;
      case GP_INITIALIZER: l = &inits; break;
      case GP_INPUT: l = &inputs; break;
      case GP_OUTPUT: l = &outputs; break;
      case GP_SPARSE_INITIALIZER:
        st = nnrt_fail(rd->err, NNRT_ERR_UNSUPPORTED, "%s: sparse initializers are not supported", rd->src);
        goto done;
      default: break;
    }
    if (!l) continue;
    if (f.wire != PB_WIRE_BYTES) {
      st = nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: graph field %u has the wrong wire type", rd->src, (unsigned)f.number);
      goto done;
    }
    if (span_list_push(l, f.data, f.len) != 0) {
      st = nomem(rd);
      goto done;
    }
  }
  if (rc < 0) {
    st = nnrt_fail(rd->err, NNRT_ERR_PARSE, "%s: graph: %s", rd->src, why);
    goto done;
  }
  if (nodes.n > (size_t)1 << 24 || outputs.n == 0) {
    st = nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: graph has %zu nodes and %zu outputs", rd->src, nodes.n, outputs.n);
    goto done;
  }

  /* Initializers: constants. */
  char where[300];
  snprintf(where, sizeof where, "%s: initializer", rd->src);
  for (size_t i = 0; i < inits.n; i++) {
    onnx_tensor t;
    st = onnx_tensor_parse(inits.items[i].p, inits.items[i].n, where, &t, rd->err);
    if (st) goto done;
    int v;
    st = add_named_value(rd, t.name, t.name_len, "initializer", &v);
    if (st) {
      free(t.data);
      goto done;
    }
    nnrt_value *val = &g->values[v];
    val->kind = NNRT_VALUE_CONSTANT;
    val->data = t.data;
    nnrt_value_set_shape(val, t.dtype, t.rank, t.dims);
  }

  /* Graph inputs; those that are also initializers stay constants. */
  g->inputs = malloc((inputs.n ? inputs.n : 1) * sizeof(int));
  g->outputs = malloc(outputs.n * sizeof(int));
  if (!g->inputs || !g->outputs) {
    st = nomem(rd);
    goto done;
  }
  for (size_t i = 0; i < inputs.n; i++) {
    value_info vi;
    st = parse_value_info(rd, inputs.items[i].p, inputs.items[i].n, &vi);
    if (st) goto done;
    if (!vi.name.p || vi.name.n == 0) {
      st = nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: graph input #%zu has no name", rd->src, i);
      goto done;
    }
    int existing = map_find(rd, vi.name.p, vi.name.n);
    if (existing >= 0 && g->values[existing].kind == NNRT_VALUE_CONSTANT) continue;
    int v;
    st = add_named_value(rd, vi.name.p, vi.name.n, "graph input", &v);
    if (st) goto done;
    nnrt_value *val = &g->values[v];
    val->kind = NNRT_VALUE_INPUT;
    val->dtype = vi.elem_type <= 16 ? (nnrt_dtype)vi.elem_type : NNRT_DTYPE_UNDEFINED;
    if (vi.has_shape) {
      val->rank = vi.rank;
      memcpy(val->dims, vi.dims, sizeof vi.dims);
    } else {
      val->rank = -1; /* unknown rank: the user must give a shape */
    }
    val->shape_known = false;
    g->inputs[g->n_inputs++] = v;
  }

  /* Nodes, in two passes so that file order does not matter. */
  for (size_t i = 0; i < nodes.n; i++) {
    st = parse_node(rd, (int)i, nodes.items[i].p, nodes.items[i].n);
    if (st) goto done;
  }
  for (size_t i = 0; i < nodes.n; i++) {
    st = resolve_node_inputs(rd, (int)i, nodes.items[i].p, nodes.items[i].n);
    if (st) goto done;
  }
  g->n_nodes_original = nodes.n;

  /* Graph outputs. */
  for (size_t i = 0; i < outputs.n; i++) {
    value_info vi;
    st = parse_value_info(rd, outputs.items[i].p, outputs.items[i].n, &vi);
    if (st) goto done;
    int v = vi.name.p ? map_find(rd, vi.name.p, vi.name.n) : -1;
    if (v < 0) {
      st = nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: graph output '%.*s' is not produced by any node", rd->src,
                     SHOW(vi.name.p, vi.name.n));
      goto done;
    }
    if (g->values[v].is_output) {
      st = nnrt_fail(rd->err, NNRT_ERR_INVALID, "%s: graph output '%s' is listed twice", rd->src, g->values[v].name);
      goto done;
    }
    g->values[v].is_output = true;
    g->outputs[g->n_outputs++] = v;
  }

done:
  free(nodes.items);
  free(inits.items);
  free(inputs.items);
  free(outputs.items);
  return st;
}

/* --- ModelProto ---------------------------------------------------------------- */

static int is_default_domain(const uint8_t *p, size_t n) {
  return n == 0 || (n == 7 && memcmp(p, "ai.onnx", 7) == 0);
}

nnrt_status nnrt_onnx_read(const void *data, size_t size, const char *name, nnrt_graph **out,
                           nnrt_error *err) {
  *out = NULL;
  reader rd;
  memset(&rd, 0, sizeof rd);
  rd.err = err;
  rd.src = name ? name : "model";
  if (!data || size == 0) return nnrt_fail(err, NNRT_ERR_PARSE, "%s: empty file", rd.src);

  pb_reader r;
  pb_field f;
  const char *why = NULL;
  int rc;
  span graph = {NULL, 0};
  int64_t opset = -1;
  uint64_t ir_version = 0;
  pb_reader_init(&r, data, size);
  while ((rc = pb_next(&r, &f, &why)) == 1) {
    if (f.number == MP_IR_VERSION && f.wire == PB_WIRE_VARINT) {
      ir_version = f.u64;
    } else if (f.number == MP_GRAPH && f.wire == PB_WIRE_BYTES) {
      graph = (span){f.data, f.len};
    } else if (f.number == MP_OPSET_IMPORT && f.wire == PB_WIRE_BYTES) {
      pb_reader ro;
      pb_field fo;
      span dom = {NULL, 0};
      int64_t ver = -1;
      pb_reader_init(&ro, f.data, f.len);
      while ((rc = pb_next(&ro, &fo, &why)) == 1) {
        if (fo.number == OS_DOMAIN && fo.wire == PB_WIRE_BYTES) dom = (span){fo.data, fo.len};
        else if (fo.number == OS_VERSION && fo.wire == PB_WIRE_VARINT) ver = (int64_t)fo.u64;
      }
      if (rc < 0) break;
      if (is_default_domain(dom.p, dom.n)) opset = ver;
    }
  }
  if (rc < 0) return nnrt_fail(err, NNRT_ERR_PARSE, "%s: not a valid ONNX file (%s)", rd.src, why);
  if (!graph.p) return nnrt_fail(err, NNRT_ERR_PARSE, "%s: not an ONNX model (no graph)", rd.src);
  if (ir_version < 3)
    return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: ONNX IR version %llu is not supported (3 or later is)", rd.src,
                     (unsigned long long)ir_version);
  if (opset < OPSET_MIN || opset > OPSET_MAX)
    return nnrt_fail(err, NNRT_ERR_UNSUPPORTED, "%s: opset %lld of the default domain is not supported (%d..%d are)",
                     rd.src, (long long)opset, OPSET_MIN, OPSET_MAX);

  rd.g = nnrt_graph_new(rd.src);
  if (!rd.g) return nnrt_fail(err, NNRT_ERR_NOMEM, "%s: out of memory", rd.src);
  rd.g->opset = opset;
  nnrt_status st = read_graph(&rd, graph.p, graph.n);
  free(rd.map.slots);
  if (st) {
    nnrt_graph_free(rd.g);
    return st;
  }
  *out = rd.g;
  return NNRT_OK;
}
