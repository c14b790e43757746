/* The per-thread analyzer and the still-image convenience path. */
#include <stdlib.h>

#include "fa-internal.h"

/* How much larger than the image the canvas of the second look is. */
#define FA_SECOND_LOOK_CANVAS 1.6f

fa_analyzer *fa_analyzer_new(fa_models *models, int threads, fa_error *err) {
  if (!models) {
    fa_fail(err, "fa_analyzer_new: no models");
    return NULL;
  }
  fa_analyzer *a = calloc(1, sizeof *a);
  if (!a) {
    fa_fail(err, "out of memory");
    return NULL;
  }
  a->models = models;
  nnrt_error nerr = {0};
  const char *which = NULL;
  if (nnrt_context_create(models->short_net.model, threads, &a->short_ctx, &nerr) != NNRT_OK)
    which = models->short_net.path;
  else if (nnrt_context_create(models->long_net.model, threads, &a->long_ctx, &nerr) != NNRT_OK)
    which = models->long_net.path;
  else if (nnrt_context_create(models->attributes.model, threads, &a->attributes_ctx, &nerr) !=
           NNRT_OK)
    which = models->attributes.path;
  if (which) {
    fa_fail(err, "cannot create a context for %s: %s", which, nerr.message);
    fa_analyzer_free(a);
    return NULL;
  }
  return a;
}

void fa_analyzer_free(fa_analyzer *a) {
  if (!a)
    return;
  nnrt_context_free(a->short_ctx);
  nnrt_context_free(a->long_ctx);
  nnrt_context_free(a->attributes_ctx);
  free(a->candidates);
  free(a);
}

int fa_analyze_image(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *dp,
                     const fa_classify_params *cp, fa_face *out, int max_out, fa_error *err) {
  int n = fa_detect(a, frame, dp, out, max_out, err);
  if (n == 0 && max_out > 0) {
    /* A tight crop (a face filling the photo) is larger than the detectors
     * were trained on: look again with the image on a larger canvas of its
     * own mean colour, as if photographed from further away. */
    float mean[3];
    fa_frame_mean_rgb(frame, mean);
    n = fa_detect_canvas(a, frame, dp, FA_SECOND_LOOK_CANVAS, mean, out, max_out, err);
  }
  if (n < 0)
    return -1;
  for (int i = 0; i < n; i++)
    if (fa_classify(a, frame, cp, &out[i], err))
      return -1;
  return n;
}
