/* The per-thread analyzer and the still-image convenience path. */
#include <stdlib.h>

#include "fa-internal.h"

/* How much larger than the image the canvas of the second look is. On a
 * canvas twice its size a UTKFace chip gets the box and keypoints BlazeFace
 * gives faces in frames (mosaic-dev): keypoint spread within 0.03 of it,
 * against 0.24 on the bare chip, and a third of the bare chip's jitter.
 * 2457 of the 2459 utkface-dev chips are found on it. */
#define FA_SECOND_LOOK_CANVAS 2.0f
/* A face box this large a fraction of the image's shorter side makes the
 * image a tight crop: out of the detectors' training range, so it is looked
 * at again on the canvas (utkface-dev's first-look boxes: 0.76 +- 0.08). */
#define FA_TIGHT_CROP_FRACTION 0.5f

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
  free(a->schedule.grid);
  free(a);
}

int fa_analyze_image(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *dp,
                     const fa_classify_params *cp, fa_face *out, int max_out, fa_error *err) {
  int n = fa_detect(a, frame, dp, out, max_out, err);
  int short_side = frame->width < frame->height ? frame->width : frame->height;
  int tight = n > 0 && (out[0].w > FA_TIGHT_CROP_FRACTION * (float)short_side ||
                        out[0].h > FA_TIGHT_CROP_FRACTION * (float)short_side);
  if ((n == 0 || tight) && max_out > 0) {
    /* A tight crop (a face filling the photo) is larger than the detectors
     * were trained on: look again with the image on a larger canvas of its
     * own mean colour, as if photographed from further away. Keep the first
     * look when the second finds nothing. */
    float mean[3];
    fa_frame_mean_rgb(frame, mean);
    int first = n;
    fa_face keep = {0};
    if (first > 0)
      keep = out[0];
    n = fa_detect_canvas(a, frame, dp, FA_SECOND_LOOK_CANVAS, mean, out, max_out, err);
    if (n == 0 && first > 0) {
      out[0] = keep; /* the other first-look faces are gone; a tight crop has one */
      n = 1;
    }
  }
  if (n < 0)
    return -1;
  /* Photos are classified from the detected keypoints as they are (no
   * refinement): found on the tight-crop canvas they are already in the
   * regime the crop is fitted in, and on utkface-dev the refinement only
   * changes the 16 chips whose first look is a spurious small face (MAE
   * 4.216 -> 4.218, one gender answer worse). */
  fa_classify_params photo;
  if (cp)
    photo = *cp;
  else
    fa_classify_params_init(&photo);
  photo.refine = 0;
  for (int i = 0; i < n; i++)
    if (fa_classify(a, frame, &photo, &out[i], err))
      return -1;
  return n;
}
