/* libFuzzer target: the face core's frame path. The input chooses a pixel
 * format, a size, row padding per plane, detector settings, extra face boxes
 * (anywhere, also far outside the frame) and the pixel bytes; the frame goes
 * through fa_detect, fa_classify and fa_draw_faces. Every plane is its own
 * allocation of exactly the bytes the geometry needs, so a read or write
 * past a plane is an ASan report.
 *
 * In "lying" mode the header claims a size up to 2^31 with strides too small
 * for it (nothing allocated to match): fa_detect and fa_classify must refuse
 * the frame, never read it.
 *
 * Layout: [0] format, [1..2] width-1, [3..4] height-1, [5] row padding
 * (bits 0-4; bit 5: any detector, else the short one),
 * [6] flags, [7] threshold, [8] max faces, [9] extra faces, then 12 bytes per
 * extra face (x, y, w, h as int16; quarter-pixel fractions of x and y;
 * confidence; two bytes placing the keypoints in the box),
 * then pixels (repeated to fill the planes). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa-core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { MAX_W = 320, MAX_H = 240, MAX_FACES = 16, MAX_EXTRA = 4 };

static fa_models *models;
static fa_analyzer *analyzer;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fa_error err;
  fa_models_config cfg = {0};
  /* auto ISA: the frame path is the target, not the kernels */
  models = fa_models_load(&cfg, &err);
  if (!models) {
    fprintf(stderr, "fuzz_frame: cannot load the bundled models: %s\n", err.message);
    return 0;
  }
  analyzer = fa_analyzer_new(models, 1, &err);
  if (!analyzer)
    fprintf(stderr, "fuzz_frame: no analyzer: %s\n", err.message);
  return 0;
}

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Bytes per pixel of plane 0 for packed formats. */
static int packed_bytes(fa_pixel_format f) {
  switch (f) {
  case FA_FMT_RGB:
  case FA_FMT_BGR:
    return 3;
  case FA_FMT_GRAY8:
  case FA_FMT_I420:
  case FA_FMT_NV12:
    return 1;
  default:
    return 4;
  }
}

static void fill_plane(uint8_t *dst, size_t n, const uint8_t *src, size_t src_n) {
  for (size_t i = 0; i < n; i++)
    dst[i] = src_n ? src[i % src_n] : (uint8_t)i;
}

static void lying_frame(const uint8_t *h, fa_face *faces) {
  /* A claimed geometry far larger than the 64 bytes behind each plane, with
   * strides smaller than one row: it must be refused before any read. */
  static uint8_t tiny[3][64];
  fa_frame f;
  fa_error err;
  memset(&f, 0, sizeof f);
  f.format = (fa_pixel_format)(h[0] % FA_FMT_COUNT);
  f.width = (int)(((uint32_t)u16(h + 1) << 15) | 1u) & 0x7fffffff;
  f.height = (int)(((uint32_t)u16(h + 3) << 15) | 1u) & 0x7fffffff;
  for (int p = 0; p < 3; p++) {
    f.planes[p] = tiny[p];
    f.strides[p] = f.width > 2 ? (f.width - 1) / 2 : 0; /* below every format's row size */
  }
  if (f.width <= 2)
    return;
  fa_detect_params dp;
  fa_detect_params_init(&dp);
  if (fa_detect(analyzer, &f, &dp, faces, MAX_FACES, &err) != -1) {
    fprintf(stderr, "fa_detect accepted a %dx%d frame with stride %d\n", f.width, f.height,
            f.strides[0]);
    abort();
  }
  faces[0].x = faces[0].y = 0;
  faces[0].w = faces[0].h = 10;
  if (fa_classify(analyzer, &f, NULL, &faces[0], &err) != -1) {
    fprintf(stderr, "fa_classify accepted a lying frame\n");
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!analyzer || size < 10)
    return 0;
  const uint8_t *h = data;
  uint8_t flags = h[6];
  fa_face faces[MAX_FACES + MAX_EXTRA];
  memset(faces, 0, sizeof faces);
  if (flags & 0x80) {
    lying_frame(h, faces);
    return 0;
  }

  fa_frame f;
  memset(&f, 0, sizeof f);
  f.format = (fa_pixel_format)(h[0] % FA_FMT_COUNT);
  f.width = 1 + u16(h + 1) % MAX_W;
  f.height = 1 + u16(h + 3) % MAX_H;
  int pad = h[5] & 31;
  int n_extra = h[9] % (MAX_EXTRA + 1);
  size_t off = 10;
  const uint8_t *face_bytes = data + off;
  size_t face_avail = size > off ? (size - off) / 12 : 0;
  if ((size_t)n_extra > face_avail)
    n_extra = (int)face_avail;
  off += (size_t)n_extra * 12;
  const uint8_t *pix = data + (off < size ? off : size);
  size_t pix_n = off < size ? size - off : 0;

  int n_planes = f.format == FA_FMT_I420 ? 3 : f.format == FA_FMT_NV12 ? 2 : 1;
  uint8_t *planes[3] = {NULL, NULL, NULL};
  for (int p = 0; p < n_planes; p++) {
    int row = p == 0 ? f.width * packed_bytes(f.format)
                     : f.format == FA_FMT_NV12 ? (f.width + 1) / 2 * 2 : (f.width + 1) / 2;
    int rows = p == 0 ? f.height : (f.height + 1) / 2;
    f.strides[p] = row + (p == 0 ? pad : pad / 2);
    /* exactly up to the end of the last row: no slack after it */
    size_t bytes = (size_t)f.strides[p] * (size_t)(rows - 1) + (size_t)row;
    planes[p] = malloc(bytes);
    if (!planes[p])
      goto out;
    fill_plane(planes[p], bytes, pix, pix_n);
    f.planes[p] = planes[p];
  }

  fa_error err;
  int n = 0;
  if (flags & 0x04) {
    fa_detect_params dp;
    fa_detect_params_init(&dp);
    /* the long-range and tiled detectors cost several times the short one:
     * only when asked, so that most executions explore the frame code */
    dp.detector = h[5] & 0x20 ? (fa_detector_kind)(flags % 3) : FA_DETECTOR_SHORT;
    dp.threshold = (float)h[7] / 255.f;
    dp.max_faces = h[8] % (MAX_FACES + 1);
    dp.min_face_size = h[8] >> 4;
    n = fa_detect(analyzer, &f, &dp, faces, MAX_FACES, &err);
    if (n < 0 || n > MAX_FACES) {
      fprintf(stderr, "fa_detect on a valid %dx%d frame: %d (%s)\n", f.width, f.height, n,
              n < 0 ? err.message : "too many");
      abort();
    }
  }
  /* Extra boxes from the input: anywhere, any size, partly or wholly off
   * the frame, as a tracker's prediction or an upstream region may be. */
  for (int i = 0; i < n_extra; i++) {
    const uint8_t *b = face_bytes + (size_t)i * 12;
    fa_face *fc = &faces[n++];
    fc->x = (float)(int16_t)u16(b) + (float)(b[8] & 3) * 0.25f;
    fc->y = (float)(int16_t)u16(b + 2) + (float)(b[8] >> 2 & 3) * 0.25f;
    fc->w = (float)(int16_t)u16(b + 4);
    fc->h = (float)(int16_t)u16(b + 6);
    fc->confidence = (float)b[9] / 255.f;
    for (int k = 0; k < FA_KP_COUNT; k++) {
      fc->keypoints[k][0] = fc->x + fc->w * (float)((b[10] + 37 * k) % 256) / 255.f;
      fc->keypoints[k][1] = fc->y + fc->h * (float)((b[11] + 91 * k) % 256) / 255.f;
    }
  }
  fa_classify_params cp;
  fa_classify_params_init(&cp);
  cp.align = (flags >> 3) & 1;
  cp.mirror = (flags >> 4) & 1;
  int n_detected = n - n_extra;
  for (int i = 0; i < n; i++) {
    if (i > 0 && i < n_detected)
      continue; /* one detected face is enough for the crop path; extras all run */
    int empty = !(faces[i].w > 0.f && faces[i].h > 0.f);
    int r = fa_classify(analyzer, &f, &cp, &faces[i], &err);
    if (r == 0 && (empty || !(faces[i].age == faces[i].age) || faces[i].male_prob < 0.f ||
                   faces[i].male_prob > 1.f)) {
      fprintf(stderr, "fa_classify: box %gx%g gave age %g, P(male) %g\n", faces[i].w,
              faces[i].h, faces[i].age, faces[i].male_prob);
      abort();
    }
    if (r != 0 && !empty) {
      fprintf(stderr, "fa_classify refused a %gx%g box: %s\n", faces[i].w, faces[i].h,
              err.message);
      abort();
    }
  }
  if (flags & 0x20) {
    fa_draw_options o = {(flags >> 6) & 1, (flags >> 1) & 1};
    for (int i = 0; i < n; i++)
      faces[i].track_id = (int)h[8] * 1000 + i;
    fa_draw_faces(&f, faces, n, &o);
  }
out:
  for (int p = 0; p < 3; p++)
    free(planes[p]);
  return 0;
}
