/* Detection with keypoints on raw RGB images from stdin, for
 * tools/fit-chip-keypoints (the JSON schema carries no keypoints).
 *
 *   dump-keypoints CANVAS < images
 * Input: per image a line "W H\n" then W*H*3 bytes of RGB. Output: per image
 * one line: the face count, then for the most confident face its box x y w h
 * and the six keypoints (x y each), frame pixels. CANVAS > 1 detects on a
 * canvas of the image's mean colour CANVAS times its size (fa_analyze_image's
 * second look), 1 on the image itself. */
#include <stdio.h>
#include <stdlib.h>

#include "fa-core.h"
#include "fa-internal.h"

#define MAX_FACES 64

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: dump-keypoints CANVAS < images\n");
    return 2;
  }
  float canvas = (float)atof(argv[1]);
  fa_error err = {{0}};
  fa_models_config cfg = {0};
  fa_models *models = fa_models_load(&cfg, &err);
  fa_analyzer *a = models ? fa_analyzer_new(models, 1, &err) : NULL;
  if (!a) {
    fprintf(stderr, "dump-keypoints: %s\n", err.message);
    fa_models_free(models);
    return 1;
  }
  fa_detect_params dp;
  fa_detect_params_init(&dp);
  static fa_face faces[MAX_FACES];
  int w, h, rc = 0;
  while (scanf("%d %d", &w, &h) == 2) {
    if (getchar() != '\n' || w <= 0 || h <= 0 || w > 8192 || h > 8192) {
      fprintf(stderr, "dump-keypoints: bad header\n");
      rc = 1;
      break;
    }
    size_t bytes = (size_t)w * h * 3;
    uint8_t *px = malloc(bytes);
    if (!px || fread(px, 1, bytes, stdin) != bytes) {
      fprintf(stderr, "dump-keypoints: short image\n");
      free(px);
      rc = 1;
      break;
    }
    fa_frame f = {FA_FMT_RGB, w, h, {px, NULL, NULL}, {w * 3, 0, 0}};
    float mean[3];
    fa_frame_mean_rgb(&f, mean);
    int n = fa_detect_canvas(a, &f, &dp, canvas, mean, faces, MAX_FACES, &err);
    free(px);
    if (n < 0) {
      fprintf(stderr, "dump-keypoints: %s\n", err.message);
      rc = 1;
      break;
    }
    printf("%d", n);
    if (n > 0) {
      printf(" %.3f %.3f %.3f %.3f", faces[0].x, faces[0].y, faces[0].w, faces[0].h);
      for (int k = 0; k < FA_KP_COUNT; k++)
        printf(" %.3f %.3f", faces[0].keypoints[k][0], faces[0].keypoints[k][1]);
    }
    printf("\n");
    fflush(stdout);
  }
  fa_analyzer_free(a);
  fa_models_free(models);
  return rc;
}
