/* Loading the three networks, checking each fits its role, and finding the
 * bundled model files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fa-internal.h"

int fa_fail(fa_error *err, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static char *join_path(const char *dir, const char *file) {
  size_t n = strlen(dir) + strlen(file) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, file);
  return p;
}

char *fa_default_model_path(const char *file_name) {
  if (!file_name)
    return NULL;
  const char *env = getenv("FACEATTR_MODEL_DIR");
  if (env && *env)
    return join_path(env, file_name);
#ifdef FA_SOURCE_MODEL_DIR
  /* Run uninstalled from a build tree: the source tree's models/. */
  char *p = join_path(FA_SOURCE_MODEL_DIR, file_name);
  if (p && access(p, R_OK) == 0)
    return p;
  free(p);
#endif
#ifdef FA_INSTALLED_MODEL_DIR
  return join_path(FA_INSTALLED_MODEL_DIR, file_name);
#else
  return join_path("models", file_name);
#endif
}

static int load_model(const char *path, int isa, nnrt_model **out, fa_error *err) {
  nnrt_load_options opts = {0};
  opts.isa = (nnrt_isa)isa;
  nnrt_error nerr = {0};
  if (access(path, R_OK) != 0)
    return fa_fail(err, "model file %s is missing or unreadable", path);
  if (nnrt_model_load_file(path, &opts, out, &nerr) != NNRT_OK)
    return fa_fail(err, "cannot load model %s: %s", path, nerr.message);
  return 0;
}

/* An image input: [1, S, S, 3] (NHWC) or [1, 3, S, S] (NCHW). */
static int image_input(const nnrt_model *m, const char *path, int *size,
                       fa_tensor_layout *layout, fa_error *err) {
  nnrt_tensor_info in;
  if (nnrt_model_num_inputs(m) != 1 || nnrt_model_input_info(m, 0, &in) != NNRT_OK)
    return fa_fail(err, "model %s: expected exactly one input", path);
  if (in.rank == 4 && in.dims[0] == 1 && in.dims[3] == 3 && in.dims[1] == in.dims[2]) {
    *layout = FA_LAYOUT_HWC;
    *size = (int)in.dims[1];
  } else if (in.rank == 4 && in.dims[0] == 1 && in.dims[1] == 3 && in.dims[2] == in.dims[3]) {
    *layout = FA_LAYOUT_CHW;
    *size = (int)in.dims[2];
  } else {
    return fa_fail(err, "model %s: input '%s' is not a square RGB image [1,S,S,3] or [1,3,S,S]",
                   path, in.name ? in.name : "?");
  }
  if (*size < 16 || *size > 1024)
    return fa_fail(err, "model %s: input size %d is implausible", path, *size);
  return 0;
}

/* BlazeFace: score outputs [1, N, 1] and box outputs [1, N, 16] whose N add
 * up to the anchor count; pairs ordered by N, larger (finer grid) first. */
static int check_detector(fa_detector_net *d, const char *expect, fa_error *err) {
  if (image_input(d->model, d->path, &d->input_size, &d->layout, err))
    return -1;
  int na = fa_blazeface_anchors(d->input_size, d->anchors, FA_BLAZEFACE_ANCHORS);
  if (na != FA_BLAZEFACE_ANCHORS)
    return fa_fail(err, "model %s: input size %d gives %d anchors, not the %d of BlazeFace",
                   d->path, d->input_size, na, FA_BLAZEFACE_ANCHORS);
  int scores[4], boxes[4], ns = 0, nb = 0;
  int64_t sn[4], bn[4];
  size_t nout = nnrt_model_num_outputs(d->model);
  for (size_t i = 0; i < nout; i++) {
    nnrt_tensor_info o;
    if (nnrt_model_output_info(d->model, i, &o) != NNRT_OK)
      continue;
    int64_t last = o.rank > 0 ? o.dims[o.rank - 1] : 0;
    int64_t n = 0;
    if (o.rank == 3 && o.dims[0] == 1)
      n = o.dims[1];
    else if (o.rank == 2)
      n = o.dims[0];
    if (last == 1 && n > 0 && ns < 4) {
      sn[ns] = n;
      scores[ns++] = (int)i;
    } else if (last == FA_BLAZEFACE_COORDS && n > 0 && nb < 4) {
      bn[nb] = n;
      boxes[nb++] = (int)i;
    }
  }
  if (ns < 1 || ns > 2 || ns != nb)
    return fa_fail(err,
                   "model %s is not a BlazeFace %s detector: expected score outputs [1,N,1] and "
                   "box outputs [1,N,16] in pairs, found %d and %d",
                   d->path, expect, ns, nb);
  if (ns == 2 && sn[0] < sn[1]) {
    int t = scores[0]; scores[0] = scores[1]; scores[1] = t;
    int64_t u = sn[0]; sn[0] = sn[1]; sn[1] = u;
  }
  if (nb == 2 && bn[0] < bn[1]) {
    int t = boxes[0]; boxes[0] = boxes[1]; boxes[1] = t;
    int64_t u = bn[0]; bn[0] = bn[1]; bn[1] = u;
  }
  int64_t total = 0;
  for (int k = 0; k < ns; k++) {
    if (sn[k] != bn[k])
      return fa_fail(err, "model %s: score and box outputs disagree (%lld vs %lld anchors)",
                     d->path, (long long)sn[k], (long long)bn[k]);
    d->score_out[k] = scores[k];
    d->box_out[k] = boxes[k];
    d->part_anchors[k] = (int)sn[k];
    total += sn[k];
  }
  d->n_parts = ns;
  if (total != FA_BLAZEFACE_ANCHORS)
    return fa_fail(err, "model %s: outputs cover %lld anchors, expected %d", d->path,
                   (long long)total, FA_BLAZEFACE_ANCHORS);
  return 0;
}

/* AgeGenderNet: one output with 1 element (age, years) and one with 2
 * (gender: P(male), P(female) or their logits). */
static int check_attributes(fa_attributes_net *n, fa_error *err) {
  if (image_input(n->model, n->path, &n->input_size, &n->layout, err))
    return -1;
  n->age_out = n->gender_out = -1;
  size_t nout = nnrt_model_num_outputs(n->model);
  for (size_t i = 0; i < nout; i++) {
    nnrt_tensor_info o;
    if (nnrt_model_output_info(n->model, i, &o) != NNRT_OK)
      continue;
    int64_t numel = nnrt_tensor_info_numel(&o);
    if (numel == 1 && n->age_out < 0)
      n->age_out = (int)i;
    else if (numel == 2 && n->gender_out < 0)
      n->gender_out = (int)i;
  }
  if (n->age_out < 0 || n->gender_out < 0)
    return fa_fail(err,
                   "model %s is not an age/gender network: expected an output of 1 element "
                   "(age) and one of 2 (gender)",
                   n->path);
  /* The bundled age-gender.onnx subtracts face-api's mean and divides by 255
   * itself (models/README.md): it takes RGB 0..255. */
  for (int c = 0; c < 3; c++) {
    n->scale[c] = 1.f;
    n->offset[c] = 0.f;
  }
  return 0;
}

static char *path_or_default(const char *given, const char *file) {
  return given ? strdup(given) : fa_default_model_path(file);
}

fa_models *fa_models_load(const fa_models_config *cfg, fa_error *err) {
  fa_models_config dflt = {0};
  if (!cfg)
    cfg = &dflt;
  fa_models *m = calloc(1, sizeof *m);
  if (!m) {
    fa_fail(err, "out of memory");
    return NULL;
  }
  m->short_net.path = path_or_default(cfg->short_model_path, "blazeface-front-128.onnx");
  m->long_net.path = path_or_default(cfg->long_model_path, "blazeface-back-256.onnx");
  m->attributes.path = path_or_default(cfg->attributes_model_path, "age-gender.onnx");
  if (!m->short_net.path || !m->long_net.path || !m->attributes.path) {
    fa_fail(err, "out of memory");
    goto fail;
  }
  if (load_model(m->short_net.path, cfg->isa, &m->short_net.model, err) ||
      check_detector(&m->short_net, "front (short-range)", err))
    goto fail;
  if (load_model(m->long_net.path, cfg->isa, &m->long_net.model, err) ||
      check_detector(&m->long_net, "back (long-range)", err))
    goto fail;
  if (load_model(m->attributes.path, cfg->isa, &m->attributes.model, err) ||
      check_attributes(&m->attributes, err))
    goto fail;
  return m;
fail:
  fa_models_free(m);
  return NULL;
}

void fa_models_free(fa_models *m) {
  if (!m)
    return;
  nnrt_model_free(m->short_net.model);
  nnrt_model_free(m->long_net.model);
  nnrt_model_free(m->attributes.model);
  free(m->short_net.path);
  free(m->long_net.path);
  free(m->attributes.path);
  free(m);
}
