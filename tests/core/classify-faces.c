/* Detection and age/gender through the core on raw RGB images from stdin,
 * with the option of giving the face keypoints instead of detecting them:
 * for tools/mosaic-gap, which measures where the end-to-end accuracy on
 * faces in frames differs from the crops (not a test).
 *
 *   classify-faces [--no-mirror] [--no-align] < images
 * Input, per image: a line "W H MODE N\n", W*H*3 bytes of RGB, then (MODE 0
 * only) N lines of 8 numbers: the right eye, left eye, nose tip and mouth
 * centre (x y each, frame pixels) of N faces.
 *   MODE 0: classify the given faces (fa_classify with FACEATTR_REFINE=0,
 *           so the crop is made from exactly these keypoints; box = the
 *           keypoints' bounding box, used only if they are degenerate);
 *   MODE 1: fa_detect then fa_classify (the element's and eval-mosaic's path);
 *   MODE 2: fa_analyze_image (with the second look: eval-utkface's path).
 * Output, per image: a line with the face count, then per face one line:
 * confidence, box x y w h, the four keypoints (x y), age, P(male). */
#define _POSIX_C_SOURCE 200809L /* setenv, strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa-core.h"

#define MAX_FACES 64

static int read_faces(fa_face *faces, int n) {
  for (int i = 0; i < n; i++) {
    fa_face *f = &faces[i];
    memset(f, 0, sizeof *f);
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (int k = 0; k < 4; k++) {
      if (scanf("%f %f", &f->keypoints[k][0], &f->keypoints[k][1]) != 2)
        return -1;
      float x = f->keypoints[k][0], y = f->keypoints[k][1];
      x0 = x < x0 ? x : x0;
      y0 = y < y0 ? y : y0;
      x1 = x > x1 ? x : x1;
      y1 = y > y1 ? y : y1;
    }
    f->x = x0;
    f->y = y0;
    f->w = x1 - x0 > 1.f ? x1 - x0 : 1.f;
    f->h = y1 - y0 > 1.f ? y1 - y0 : 1.f;
    f->confidence = 1.f;
  }
  return 0;
}

int main(int argc, char **argv) {
  fa_classify_params cp;
  fa_classify_params_init(&cp);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--no-mirror") == 0)
      cp.mirror = 0;
    else if (strcmp(argv[i], "--no-align") == 0)
      cp.align = 0;
    else {
      fprintf(stderr, "usage: classify-faces [--no-mirror] [--no-align] < images\n");
      return 2;
    }
  }
  const char *env = getenv("FACEATTR_REFINE");
  char *refine = env ? strdup(env) : NULL;
  fa_error err = {{0}};
  fa_models_config cfg = {0};
  fa_models *models = fa_models_load(&cfg, &err);
  fa_analyzer *a = models ? fa_analyzer_new(models, 1, &err) : NULL;
  if (!a) {
    fprintf(stderr, "classify-faces: %s\n", err.message);
    fa_models_free(models);
    return 1;
  }
  fa_detect_params dp;
  fa_detect_params_init(&dp);
  static fa_face faces[MAX_FACES];
  int w, h, mode, n, rc = 0;
  while (scanf("%d %d %d %d", &w, &h, &mode, &n) == 4) {
    if (getchar() != '\n' || w <= 0 || h <= 0 || w > 8192 || h > 8192 || mode < 0 ||
        mode > 2 || n < 0 || n > MAX_FACES) {
      fprintf(stderr, "classify-faces: bad header\n");
      rc = 1;
      break;
    }
    size_t bytes = (size_t)w * h * 3;
    uint8_t *px = malloc(bytes);
    if (!px || fread(px, 1, bytes, stdin) != bytes) {
      fprintf(stderr, "classify-faces: short image\n");
      free(px);
      rc = 1;
      break;
    }
    fa_frame f = {FA_FMT_RGB, w, h, {px, NULL, NULL}, {w * 3, 0, 0}};
    /* Given keypoints are used as given; detected ones as the core does. */
    if (mode == 0)
      setenv("FACEATTR_REFINE", "0", 1);
    else if (refine)
      setenv("FACEATTR_REFINE", refine, 1);
    else
      unsetenv("FACEATTR_REFINE");
    if (mode == 0) {
      if (read_faces(faces, n)) {
        fprintf(stderr, "classify-faces: bad keypoints\n");
        free(px);
        rc = 1;
        break;
      }
      for (int i = 0; i < n && rc == 0; i++)
        if (fa_classify(a, &f, &cp, &faces[i], &err))
          rc = 1;
    } else if (mode == 1) {
      n = fa_detect(a, &f, &dp, faces, MAX_FACES, &err);
      for (int i = 0; i < n && rc == 0; i++)
        if (fa_classify(a, &f, &cp, &faces[i], &err))
          rc = 1;
    } else {
      n = fa_analyze_image(a, &f, &dp, &cp, faces, MAX_FACES, &err);
    }
    free(px);
    if (n < 0 || rc) {
      fprintf(stderr, "classify-faces: %s\n", err.message);
      rc = 1;
      break;
    }
    printf("%d\n", n);
    for (int i = 0; i < n; i++) {
      const fa_face *o = &faces[i];
      printf("%.4f %.3f %.3f %.3f %.3f", o->confidence, o->x, o->y, o->w, o->h);
      for (int k = 0; k < 4; k++)
        printf(" %.3f %.3f", o->keypoints[k][0], o->keypoints[k][1]);
      printf(" %.3f %.5f\n", o->age, o->male_prob);
    }
    fflush(stdout);
  }
  fa_analyzer_free(a);
  fa_models_free(models);
  free(refine);
  return rc;
}
