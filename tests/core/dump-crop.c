/* Prints the AgeGenderNet input the core prepares for a synthetic image and
 * a face box, for check-crop-reference.py to compare with face-api's
 * preprocessing computed independently in numpy.
 *
 *   dump-crop W H X Y BW BH EXPAND  ->  "bx0 by0 bx1 by1\n" then 112*112*3
 *   floats (HWC, RGB 0..255) as text, one per line.
 * The picture is pixel (x, y) = ((x*7 + y*3) % 256, (x*x + 5*y) % 256,
 * (x*y) % 256), the same formula as in the script. */
#include <stdio.h>
#include <stdlib.h>

#include "fa-classify-crop.h"

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: dump-crop W H X Y BW BH EXPAND\n");
    return 2;
  }
  int w = atoi(argv[1]), h = atoi(argv[2]);
  uint8_t *px = malloc((size_t)w * h * 3);
  if (!px)
    return 1;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = px + ((size_t)y * w + x) * 3;
      p[0] = (uint8_t)((x * 7 + y * 3) % 256);
      p[1] = (uint8_t)((x * x + 5 * y) % 256);
      p[2] = (uint8_t)((x * y) % 256);
    }
  fa_frame f = {FA_FMT_RGB, w, h, {px, NULL, NULL}, {w * 3, 0, 0}};
  fa_face face = {0};
  face.x = (float)atof(argv[3]);
  face.y = (float)atof(argv[4]);
  face.w = (float)atof(argv[5]);
  face.h = (float)atof(argv[6]);
  fa_crop_geometry g = {(float)atof(argv[7]), 0.f, 1.f};
  static float out[112 * 112 * 3];
  fa_sample_target t;
  fa_sample_target_init(&t, out, 112, 112);
  if (fa_prepare_crop(&f, &face, &g, 0, 0, &t, NULL))
    return 1;
  printf("%d %d %d %d\n", t.valid_x0, t.valid_y0, t.valid_x1, t.valid_y1);
  for (int i = 0; i < 112 * 112 * 3; i++)
    printf("%.6f\n", out[i]);
  free(px);
  return 0;
}
