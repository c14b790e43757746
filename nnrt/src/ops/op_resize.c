/* Resize (opset 10, 11, 13, 18) and Upsample (opset 7 attribute scales,
 * opset 9 input scales). Nearest on any axes, with every
 * coordinate_transformation_mode except tf_crop_and_resize and every
 * nearest_mode; linear as bilinear over the last two axes. Index tables are
 * computed once in infer, in float arithmetic as ONNX Runtime does, so a run
 * only gathers and blends. Upsample and opset-10 Resize use the legacy
 * semantics: asymmetric coordinates, nearest truncates (ceil when shrinking). */
#include <math.h>

#include "op_common.h"

typedef enum { CT_HALF_PIXEL, CT_ASYMMETRIC, CT_PYTORCH_HALF_PIXEL, CT_TF_HALF_PIXEL, CT_ALIGN_CORNERS } coord_mode;
typedef enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL, NM_SIMPLE } nearest_mode;

typedef struct resize_state {
  bool linear;
  int rank;
  int64_t in_dims[NNRT_MAX_DIMS], out_dims[NNRT_MAX_DIMS];
  int64_t *index[NNRT_MAX_DIMS]; /* nearest: input index per output index */
  /* linear over the last two axes: lower/upper index and weight of the upper */
  int64_t *lo[2], *hi[2];
  float *w[2];
} resize_state;

static float original_coord(coord_mode m, float x, float scale, int64_t out_len, int64_t in_len) {
  switch (m) {
    case CT_HALF_PIXEL: return (x + 0.5f) / scale - 0.5f;
    case CT_ASYMMETRIC: return x / scale;
    case CT_PYTORCH_HALF_PIXEL: return out_len > 1 ? (x + 0.5f) / scale - 0.5f : 0.f;
    case CT_TF_HALF_PIXEL: return (x + 0.5f) / scale;
    case CT_ALIGN_CORNERS:
      return out_len == 1 ? 0.f : x * (float)(in_len - 1) / (float)(out_len - 1);
  }
  return 0.f;
}

static int64_t nearest_index(nearest_mode m, float x, bool down) {
  switch (m) {
    case NM_ROUND_PREFER_FLOOR:
      if (x == (float)(int64_t)x + 0.5f) return (int64_t)floorf(x);
      return (int64_t)roundf(x);
    case NM_ROUND_PREFER_CEIL: return (int64_t)roundf(x);
    case NM_FLOOR: return (int64_t)floorf(x);
    case NM_CEIL: return (int64_t)ceilf(x);
    case NM_SIMPLE: return down ? (int64_t)ceilf(x) : (int64_t)x;
  }
  return 0;
}

static void resize_destroy(nnrt_node *n) {
  resize_state *s = n->state;
  if (s) {
    for (int i = 0; i < NNRT_MAX_DIMS; i++) free(s->index[i]);
    for (int i = 0; i < 2; i++) {
      free(s->lo[i]);
      free(s->hi[i]);
      free(s->w[i]);
    }
  }
  free(s);
  n->state = NULL;
}

/* Fills the index tables once the output dims and scales are known. */
static nnrt_status build_tables(resize_state *s, const nnrt_node *n, const float *scales, coord_mode cm,
                                nearest_mode nm, nnrt_error *err) {
  if (!s->linear) {
    for (int a = 0; a < s->rank; a++) {
      int64_t on = s->out_dims[a], in = s->in_dims[a];
      s->index[a] = malloc(sizeof(int64_t) * (size_t)(on ? on : 1));
      if (!s->index[a]) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
      for (int64_t o = 0; o < on; o++) {
        float xo = original_coord(cm, (float)o, scales[a], on, in);
        int64_t i = nearest_index(nm, xo, scales[a] < 1.f);
        s->index[a][o] = i < 0 ? 0 : (i >= in ? in - 1 : i);
      }
    }
    return NNRT_OK;
  }
  for (int t = 0; t < 2; t++) {
    int a = s->rank - 2 + t;
    int64_t on = s->out_dims[a], in = s->in_dims[a];
    size_t cnt = (size_t)(on ? on : 1);
    s->lo[t] = malloc(sizeof(int64_t) * cnt);
    s->hi[t] = malloc(sizeof(int64_t) * cnt);
    s->w[t] = malloc(sizeof(float) * cnt);
    if (!s->lo[t] || !s->hi[t] || !s->w[t]) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
    for (int64_t o = 0; o < on; o++) {
      float xo = original_coord(cm, (float)o, scales[a], on, in);
      xo = xo < 0.f ? 0.f : (xo > (float)(in - 1) ? (float)(in - 1) : xo);
      int64_t l = (int64_t)xo;
      if (l > in - 1) l = in - 1;
      int64_t h = l + 1 < in ? l + 1 : in - 1;
      s->lo[t][o] = l;
      s->hi[t][o] = h;
      s->w[t][o] = l == h ? 0.f : xo - (float)l;
    }
  }
  return NNRT_OK;
}

static nnrt_status resize_common(nnrt_graph *g, nnrt_node *n, nnrt_error *err, bool legacy) {
  nnrt_status st = op_check_outputs(n, 1, err);
  if (st) return st;
  if ((st = op_need_float(g, n, 0, err))) return st;
  const nnrt_value *x = nnrt_node_input(g, n, 0);
  int r = x->rank;
  if (r < 1) return op_fail(err, n, NNRT_ERR_SHAPE, "input must have rank >= 1");
  resize_state *s = calloc(1, sizeof *s);
  if (!s) return op_fail(err, n, NNRT_ERR_NOMEM, "out of memory");
  resize_destroy(n);
  n->state = s;
  s->rank = r;
  memcpy(s->in_dims, x->dims, sizeof(int64_t) * (size_t)r);
  const char *mode = nnrt_attr_string(n, "mode", "nearest");
  if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) s->linear = true;
  else if (strcmp(mode, "nearest") != 0)
    return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute mode '%s' is not supported (nearest, linear)", mode);
  coord_mode cm = CT_ASYMMETRIC;
  nearest_mode nm = NM_SIMPLE;
  if (!legacy) {
    const char *c = nnrt_attr_string(n, "coordinate_transformation_mode", "half_pixel");
    if (strcmp(c, "half_pixel") == 0) cm = CT_HALF_PIXEL;
    else if (strcmp(c, "asymmetric") == 0) cm = CT_ASYMMETRIC;
    else if (strcmp(c, "pytorch_half_pixel") == 0) cm = CT_PYTORCH_HALF_PIXEL;
    else if (strcmp(c, "tf_half_pixel_for_nearest") == 0) cm = CT_TF_HALF_PIXEL;
    else if (strcmp(c, "align_corners") == 0) cm = CT_ALIGN_CORNERS;
    else return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute coordinate_transformation_mode '%s' is not supported", c);
    const char *m = nnrt_attr_string(n, "nearest_mode", "round_prefer_floor");
    if (strcmp(m, "round_prefer_floor") == 0) nm = NM_ROUND_PREFER_FLOOR;
    else if (strcmp(m, "round_prefer_ceil") == 0) nm = NM_ROUND_PREFER_CEIL;
    else if (strcmp(m, "floor") == 0) nm = NM_FLOOR;
    else if (strcmp(m, "ceil") == 0) nm = NM_CEIL;
    else return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute nearest_mode '%s' is not supported", m);
    if (nnrt_attr_int(n, "antialias", 0) != 0)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute antialias 1 is not supported");
    const char *k = nnrt_attr_string(n, "keep_aspect_ratio_policy", "stretch");
    if (strcmp(k, "stretch") != 0)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "attribute keep_aspect_ratio_policy '%s' is not supported", k);
  }
  /* scales and sizes: attribute (Upsample-7), input 1 (Upsample-9,
   * Resize-10) or inputs 2 and 3 (Resize-11+), optionally over `axes` (18) */
  float scales[NNRT_MAX_DIMS];
  for (int i = 0; i < r; i++) scales[i] = 1.f;
  int64_t axes[NNRT_MAX_DIMS];
  int na = op_attr_ints(n, "axes", axes, NNRT_MAX_DIMS);
  if (na < 0) return op_fail(err, n, NNRT_ERR_INVALID, "attribute axes has too many values");
  if (na == 0) {
    na = r;
    for (int i = 0; i < r; i++) axes[i] = i;
  }
  for (int i = 0; i < na; i++)
    if (op_axis(axes[i], r) < 0) return op_fail(err, n, NNRT_ERR_INVALID, "axis %lld is out of range", (long long)axes[i]);
  const nnrt_value *sv = NULL, *zv = NULL;
  if (strcmp(n->op_type, "Upsample") == 0 && g->opset < 9) {
    const nnrt_attr *a = nnrt_node_attr(n, "scales");
    if (!a || a->type != NNRT_ATTR_FLOATS || !a->floats || (int)a->n != r)
      return op_fail(err, n, NNRT_ERR_INVALID, "attribute scales must have %d floats", r);
    for (int i = 0; i < r; i++) scales[i] = a->floats[i];
  } else if (legacy) {
    sv = nnrt_node_input(g, n, 1);
  } else {
    sv = nnrt_node_input(g, n, 2);
    zv = nnrt_node_input(g, n, 3);
    if (sv && nnrt_value_numel(sv) == 0) sv = NULL;
    if (zv && nnrt_value_numel(zv) == 0) zv = NULL;
    if (!sv && !zv) return op_fail(err, n, NNRT_ERR_INVALID, "needs scales or sizes");
    if (sv && zv) return op_fail(err, n, NNRT_ERR_INVALID, "has both scales and sizes");
  }
  bool have_sizes = false;
  if (sv) {
    int idx = legacy ? 1 : 2;
    if (!op_input_is_const(g, n, idx) || sv->dtype != NNRT_DTYPE_FLOAT)
      return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "scales must be a float32 constant");
    if (nnrt_value_numel(sv) != na)
      return op_fail(err, n, NNRT_ERR_INVALID, "scales has %lld values for %d axes", (long long)nnrt_value_numel(sv), na);
    for (int i = 0; i < na; i++) scales[op_axis(axes[i], r)] = ((const float *)sv->data)[i];
  } else if (zv) {
    int64_t sizes[NNRT_MAX_DIMS];
    int c;
    if ((st = op_const_ints(g, n, 3, sizes, NNRT_MAX_DIMS, &c, err))) return st;
    if (c != na) return op_fail(err, n, NNRT_ERR_INVALID, "sizes has %d values for %d axes", c, na);
    for (int i = 0; i < r; i++) s->out_dims[i] = x->dims[i];
    for (int i = 0; i < na; i++) {
      int a = op_axis(axes[i], r);
      if (sizes[i] < 1 || sizes[i] > INT32_MAX)
        return op_fail(err, n, NNRT_ERR_SHAPE, "size %lld on axis %d", (long long)sizes[i], a);
      s->out_dims[a] = sizes[i];
      scales[a] = (float)sizes[i] / (float)x->dims[a];
    }
    have_sizes = true;
  }
  if (!have_sizes)
    for (int i = 0; i < r; i++) {
      float o = (float)x->dims[i] * scales[i];
      if (!(scales[i] > 0.f) || !(o < 2147483648.f))
        return op_fail(err, n, NNRT_ERR_INVALID, "scale %g on axis %d", (double)scales[i], i);
      s->out_dims[i] = (int64_t)o;
      if (s->out_dims[i] < 1 && x->dims[i] > 0)
        return op_fail(err, n, NNRT_ERR_SHAPE, "axis %d resizes to nothing", i);
    }
  if (s->linear) {
    if (r < 2) return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "linear mode needs rank >= 2");
    for (int i = 0; i < r - 2; i++)
      if (s->out_dims[i] != x->dims[i])
        return op_fail(err, n, NNRT_ERR_UNSUPPORTED, "linear mode resizes only the last two axes (axis %d changes)", i);
  }
  /* the tables are built before the core's limit on output sizes applies */
  double total = 1.0;
  for (int i = 0; i < r; i++) total *= (double)s->out_dims[i];
  if (total > 2147483648.0) return op_fail(err, n, NNRT_ERR_NOMEM, "output of more than 2^31 elements");
  if ((st = build_tables(s, n, scales, cm, nm, err))) return st;
  nnrt_value_set_shape(nnrt_node_output(g, n, 0), NNRT_DTYPE_FLOAT, r, s->out_dims);
  return NNRT_OK;
}

static nnrt_status resize_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  bool legacy = g->opset < 11;
  nnrt_status st = op_check_inputs(g, n, legacy ? 2 : (g->opset < 13 ? 3 : 1), legacy ? 2 : 4, err);
  if (st) return st;
  return resize_common(g, n, err, legacy);
}

static nnrt_status upsample_infer(nnrt_graph *g, nnrt_node *n, nnrt_error *err) {
  nnrt_status st = op_check_inputs(g, n, g->opset < 9 ? 1 : 2, g->opset < 9 ? 1 : 2, err);
  if (st) return st;
  return resize_common(g, n, err, true);
}

static void resize_run(const nnrt_node *n, nnrt_exec *x) {
  const resize_state *s = n->state;
  const float *in = x->in[0];
  float *out = x->out[0];
  int r = s->rank;
  int64_t in_strides[NNRT_MAX_DIMS];
  op_strides(r, s->in_dims, in_strides);
  if (s->linear) {
    int64_t oh = s->out_dims[r - 2], ow = s->out_dims[r - 1], ih = s->in_dims[r - 2], iw = s->in_dims[r - 1];
    int64_t planes = op_numel(r - 2, s->out_dims);
    for (int64_t p = 0; p < planes; p++) {
      const float *src = in + p * ih * iw;
      float *dst = out + p * oh * ow;
      for (int64_t y = 0; y < oh; y++) {
        const float *r0 = src + s->lo[0][y] * iw, *r1 = src + s->hi[0][y] * iw;
        float wy = s->w[0][y];
        for (int64_t xo = 0; xo < ow; xo++) {
          int64_t l = s->lo[1][xo], h = s->hi[1][xo];
          float wx = s->w[1][xo];
          float top = r0[l] + (r0[h] - r0[l]) * wx, bot = r1[l] + (r1[h] - r1[l]) * wx;
          dst[y * ow + xo] = top + (bot - top) * wy;
        }
      }
    }
    return;
  }
  int64_t total = op_numel(r, s->out_dims), idx[NNRT_MAX_DIMS] = {0};
  int64_t inner = r ? s->out_dims[r - 1] : 1;
  for (int64_t k = 0; k < total; k += inner) {
    int64_t off = 0;
    for (int i = 0; i < r - 1; i++) off += s->index[i][idx[i]] * in_strides[i];
    const int64_t *last = s->index[r - 1];
    for (int64_t j = 0; j < inner; j++) out[k + j] = in[off + last[j]];
    for (int i = r - 2; i >= 0; i--) {
      if (++idx[i] < s->out_dims[i]) break;
      idx[i] = 0;
    }
  }
}

const nnrt_op nnrt_op_resize = {.op_type = "Resize", .infer = resize_infer, .run = resize_run, .destroy = resize_destroy};
const nnrt_op nnrt_op_upsample = {.op_type = "Upsample", .infer = upsample_infer, .run = resize_run,
                                  .destroy = resize_destroy};
