/* fa_detect_video (the element's detector schedule) against fa_detect on a
 * moving picture: face-api's demo photo sample1.jpg at half size (faces of
 * ~80-100 px, too small for the whole-frame view of a 1920x1080 frame, so
 * only tiles find them) pasted on a grey 1920x1080 canvas and moved 3 px
 * right and 1 px down per frame. Every call must report the photo's three
 * clear frontal faces where they are (as tests/core/check-photos.py expects
 * of fa_detect; the photo's partly hidden faces come and go with either),
 * while running at most ceil(views / 10) long-range scan views plus, per
 * remembered face, one short-range follow view or none (a slow face
 * carried) and a long-range one where the short-range one misses; the
 * first call and the first after a reset must run every view.
 *
 * Then the picture stands still for 60 calls: the faces are still reported
 * on every call, but the scan looks only at views that changed (none, once
 * the motion has been looked at) and each view once per 80 calls: far fewer
 * long-range views than the one or two per call of a moving picture. Last,
 * a copy of one face appears elsewhere on the still picture: it changes the
 * views there, which are looked at next, and it must be reported within 5
 * calls.
 *
 * Also the element's cheaper age/gender on tracks: the mean of one estimate
 * on the plain crop and one on the mirrored crop (mirror off, flip off/on)
 * is the mirror-averaged estimate.
 *
 * usage: test-detect-video SOURCE_ROOT (finds the demo photos as
 * tests/core/check-photos.py does; exit 77 without them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/test-core-util.h"
#include "fa-image-io.h"
#include "fa-internal.h"

#define CW 1920
#define CH 1080

/* Half-size copy of the photo at (ox, oy) on grey (2x2 box filter). */
static void compose(const fa_frame *photo, int ox, int oy, uint8_t *canvas) {
  memset(canvas, 110, (size_t)CW * CH * 3);
  for (int y = 0; y < photo->height / 2; y++)
    for (int x = 0; x < photo->width / 2; x++) {
      int cx = ox + x, cy = oy + y;
      if (cx < 0 || cy < 0 || cx >= CW || cy >= CH)
        continue;
      for (int c = 0; c < 3; c++) {
        int s = 0;
        for (int k = 0; k < 4; k++)
          s += photo->planes[0][(size_t)(2 * y + (k >> 1)) * photo->strides[0] +
                                (size_t)(2 * x + (k & 1)) * 3 + c];
        canvas[((size_t)cy * CW + cx) * 3 + c] = (uint8_t)((s + 2) / 4);
      }
    }
}

/* The three clear faces of sample1.jpg (1920x1280): centre and size. */
static const float clear_faces[3][3] = {{515, 500, 193}, {1568, 344, 153}, {948, 558, 179}};

/* Whether `got` has each clear face of the half-size photo at (ox, oy):
 * centre within a quarter of its size, size within 35%. */
static int has_clear_faces(const fa_face *got, int n_got, int ox, int oy) {
  for (int k = 0; k < 3; k++) {
    float cx = ox + 0.5f * clear_faces[k][0], cy = oy + 0.5f * clear_faces[k][1];
    float size = 0.5f * clear_faces[k][2];
    int found = 0;
    for (int j = 0; j < n_got && !found; j++) {
      float gx = got[j].x + 0.5f * got[j].w, gy = got[j].y + 0.5f * got[j].h;
      found = fabsf(gx - cx) < 0.25f * size && fabsf(gy - cy) < 0.25f * size &&
              got[j].w > 0.65f * size && got[j].w < 1.35f * size;
    }
    if (!found)
      return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  char path[1024];
  const char *dirs[] = {"%s/.cache/npm/fa/package/demo/sample1.jpg",
                        "%s/.cache/node/node_modules/@vladmandic/face-api/demo/sample1.jpg",
                        "/tmp/npm/fa/package/demo/sample1.jpg%s"};
  int have = 0;
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !have; i++) {
    snprintf(path, sizeof path, dirs[i], i == 2 ? "" : root);
    FILE *f = fopen(path, "rb");
    if (f) {
      fclose(f);
      have = 1;
    }
  }
  if (!have) {
    printf("SKIP: face-api demo photo sample1.jpg not found (see tests/core/check-photos.py)\n");
    return 77;
  }
  gst_init(NULL, NULL);
  fa_error err = {{0}};
  fa_image img;
  if (fa_image_load(path, &img, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  fa_models_config cfg = {0};
  fa_models *models = fa_models_load(&cfg, &err);
  fa_analyzer *a = models ? fa_analyzer_new(models, 1, &err) : NULL;
  if (!a) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  uint8_t *canvas = malloc((size_t)CW * CH * 3);
  fa_frame frame = {FA_FMT_RGB, CW, CH, {canvas, NULL, NULL}, {CW * 3, 0, 0}};
  fa_detect_params p;
  fa_detect_params_init(&p);
  fa_view views[FA_MAX_VIEWS];
  int n_views = fa_detect_plan(&frame, &p, 1.f, &a->models->long_net, views, FA_MAX_VIEWS);
  CHECK(n_views > 10, "1920x1080 needs tiles (%d views)", n_views);
  int per_call = (n_views + 9) / 10;

  fa_face want[64], got[64];
  int frames = 24, bad_video = 0, bad_full = 0;
  unsigned long long carried_moving = 0;
  int ox = 0, oy = 0;
  for (int i = 0; i < frames; i++) {
    if (i == frames / 2)
      fa_detect_video_reset(a);
    ox = 300 + 3 * i;
    oy = 150 + i;
    compose(&img.frame, ox, oy, canvas);
    int n_want = fa_detect(a, &frame, &p, want, 64, &err);
    int remembered = a->schedule.n_follow;
    fa_video_stats before = a->schedule.stats;
    int n_got = fa_detect_video(a, &frame, &p, got, 64, &err);
    fa_video_stats after = a->schedule.stats;
    CHECK(n_want >= 0 && n_got >= 0, "frame %d: %s", i, err.message);
    bad_full += !has_clear_faces(want, n_want, ox, oy);
    if (!has_clear_faces(got, n_got, ox, oy)) {
      bad_video++;
      fprintf(stderr, "frame %d: fa_detect_video misses a clear face (%d faces)\n", i, n_got);
    }
    int long_runs = (int)(after.long_views - before.long_views);
    int follows = (int)(after.follow_views - before.follow_views);
    int carried = (int)(after.carried - before.carried);
    carried_moving += (unsigned long long)carried;
    if (i == 0 || i == frames / 2)
      CHECK(long_runs == n_views && follows == 0, "frame %d (fresh): %d long, %d follow views",
            i, long_runs, follows);
    else
      /* plus one long-range follow view per face the short-range one missed */
      CHECK(long_runs <= per_call + follows && follows + carried == remembered &&
                remembered >= 3,
            "frame %d: %d long views (want at most %d + %d), %d follow views and %d carried "
            "for %d remembered faces", i, long_runs, per_call, follows, follows, carried,
            remembered);
  }
  CHECK(carried_moving > 0, "no slow face was carried");

  /* Still: after the motion has been looked at, only idle looks. */
  unsigned long long still_long = 0;
  int bad_still = 0, still_calls = 60;
  for (int i = 0; i < still_calls; i++) {
    fa_video_stats before = a->schedule.stats;
    int n_got = fa_detect_video(a, &frame, &p, got, 64, &err);
    CHECK(n_got >= 0, "still call %d: %s", i, err.message);
    if (i >= 10)
      still_long += a->schedule.stats.long_views - before.long_views;
    bad_still += !has_clear_faces(got, n_got, ox, oy);
  }
  printf("still picture: %llu long-range views in %d calls (%d views)\n", still_long,
         still_calls - 10, n_views);
  CHECK(bad_still == 0, "still picture: a clear face missed on %d calls", bad_still);
  /* each view once per 80 calls, plus fallbacks: far below 2 per call */
  CHECK(still_long <= (unsigned long long)(2 * n_views), "still picture: %llu long views in %d "
        "calls", still_long, still_calls - 10);

  /* A face appears: a copy of the first clear face, away from the photo. */
  int side = (int)(0.5f * clear_faces[0][2] * 1.6f);
  int sx = ox + (int)(0.5f * clear_faces[0][0]) - side / 2;
  int sy = oy + (int)(0.5f * clear_faces[0][1]) - side / 2;
  int dx = 1600, dy = 800;
  for (int y = 0; y < side; y++)
    memcpy(canvas + ((size_t)(dy + y) * CW + dx) * 3, canvas + ((size_t)(sy + y) * CW + sx) * 3,
           (size_t)side * 3);
  float nx = dx + 0.5f * side, ny = dy + 0.5f * side, nsize = 0.5f * clear_faces[0][2];
  int found_after = -1;
  for (int i = 0; i < 5 && found_after < 0; i++) {
    int n_got = fa_detect_video(a, &frame, &p, got, 64, &err);
    CHECK(n_got >= 0, "appearing face, call %d: %s", i, err.message);
    for (int j = 0; j < n_got; j++)
      if (fabsf(got[j].x + 0.5f * got[j].w - nx) < 0.25f * nsize &&
          fabsf(got[j].y + 0.5f * got[j].h - ny) < 0.25f * nsize)
        found_after = i;
  }
  printf("appearing face reported on call %d after it appeared\n", found_after);
  CHECK(found_after >= 0, "a face appearing on a still picture was not found in 5 calls");

  /* plain + flipped = mirror averaging, on the appearing face */
  if (found_after >= 0) {
    fa_face face = got[0];
    for (int j = 0; j < a->schedule.n_follow; j++)
      if (fabsf(a->schedule.follow[j].x + 0.5f * a->schedule.follow[j].w - nx) < 0.25f * nsize)
        face = a->schedule.follow[j];
    fa_classify_params cp;
    fa_classify_params_init(&cp);
    fa_face both = face, plain = face, flipped = face;
    CHECK(fa_classify(a, &frame, &cp, &both, &err) == 0, "%s", err.message);
    cp.mirror = 0;
    CHECK(fa_classify(a, &frame, &cp, &plain, &err) == 0, "%s", err.message);
    cp.flip = 1;
    CHECK(fa_classify(a, &frame, &cp, &flipped, &err) == 0, "%s", err.message);
    CHECK_NEAR(0.5f * (plain.age + flipped.age), both.age, 1e-3, "age: plain/flipped mean");
    CHECK_NEAR(0.5f * (plain.male_prob + flipped.male_prob), both.male_prob, 1e-5,
               "P(male): plain/flipped mean");
    CHECK(fabsf(plain.age - flipped.age) > 1e-4f, "the flipped crop is another look (%.3f)",
          plain.age);
  }

  CHECK(bad_full == 0, "fa_detect misses a clear face on %d of %d frames", bad_full, frames);
  CHECK(bad_video == 0, "fa_detect_video misses a clear face on %d of %d frames", bad_video,
        frames);
  free(canvas);
  fa_analyzer_free(a);
  fa_models_free(models);
  fa_image_clear(&img);
  return test_result("detect-video");
}
