/* One loaded set of models shared by 8 threads, each with its own analyzer
 * (as 8 faceattr elements share the model cache): every thread detects and
 * classifies the same frames and must get exactly the single-threaded
 * results. Built and run under ThreadSanitizer too (tsan-run.sh), where the
 * whole path (nnrt, core) is instrumented: a data race on the shared models
 * is a report there.
 *
 *   hard-core-threads [THREADS] [ROUNDS] [FRAMES]   (FRAMES 1..4, default 4;
 *   frame k uses detector k % 3: short, long, auto) */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa-core.h"
#include "hard-util.h"

enum { W = 160, H = 120, MAX_T = 32 };

typedef struct {
  fa_models *models;
  int rounds, nnrt_threads, frames;
  float ages[4];
  float male[4];
  int n_faces[4];
  char error[640]; /* room for a prefix and an fa_error message */
} job;

static uint8_t frame_px[4][W * H * 3];

static void make_frames(void) {
  /* gradients and blocks: deterministic content the detector scans fully */
  for (int k = 0; k < 4; k++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        uint8_t *p = &frame_px[k][(y * W + x) * 3];
        p[0] = (uint8_t)(x * (k + 1));
        p[1] = (uint8_t)(y * (k + 2));
        p[2] = (uint8_t)(((x / 16 + y / 16) & 1) ? 200 - 30 * k : 40 + 20 * k);
      }
}

static void *run(void *arg) {
  job *j = arg;
  fa_error err = {{0}};
  fa_analyzer *a = fa_analyzer_new(j->models, j->nnrt_threads, &err);
  if (!a) {
    snprintf(j->error, sizeof j->error, "analyzer: %s", err.message);
    return NULL;
  }
  fa_detect_params dp;
  fa_classify_params cp;
  fa_detect_params_init(&dp);
  fa_classify_params_init(&cp);
  for (int r = 0; r < j->rounds; r++)
    for (int k = 0; k < j->frames; k++) {
      fa_frame f = {FA_FMT_RGB, W, H, {frame_px[k], NULL, NULL}, {W * 3, 0, 0}};
      fa_face faces[16];
      dp.detector = (fa_detector_kind)(k % 3);
      int n = fa_detect(a, &f, &dp, faces, 16, &err);
      fa_face box;
      memset(&box, 0, sizeof box);
      box.x = 30.f + 5.f * (float)k;
      box.y = 20.f;
      box.w = box.h = 64.f;
      if (n < 0 || fa_classify(a, &f, &cp, &box, &err) != 0) {
        snprintf(j->error, sizeof j->error, "round %d frame %d: %s", r, k, err.message);
        fa_analyzer_free(a);
        return NULL;
      }
      if (r == 0) {
        j->n_faces[k] = n;
        j->ages[k] = box.age;
        j->male[k] = box.male_prob;
      } else if (n != j->n_faces[k] || box.age != j->ages[k] || box.male_prob != j->male[k]) {
        snprintf(j->error, sizeof j->error, "round %d frame %d differs from round 0", r, k);
        break;
      }
    }
  fa_analyzer_free(a);
  return NULL;
}

int main(int argc, char **argv) {
  int n_threads = argc > 1 ? atoi(argv[1]) : 8, rounds = argc > 2 ? atoi(argv[2]) : 3;
  int frames = argc > 3 ? atoi(argv[3]) : 4;
  if (frames < 1 || frames > 4)
    frames = 4;
  if (n_threads < 1 || n_threads > MAX_T)
    n_threads = 8;
  char *probe = fa_default_model_path("blazeface-front-128.onnx");
  FILE *pf = probe ? fopen(probe, "rb") : NULL;
  if (!pf) {
    printf("SKIP: bundled models not found (%s)\n", probe ? probe : "?");
    free(probe);
    return 77;
  }
  fclose(pf);
  free(probe);
  hard_watchdog("threads sharing one model set", 280);
  make_frames();
  fa_error err = {{0}};
  fa_models_config cfg = {0};
  fa_models *m = fa_models_load(&cfg, &err);
  CHECK(m != NULL, "models: %s", err.message);
  if (!m)
    return hard_result("hard-core-threads");

  job ref = {m, 1, 1, frames, {0}, {0}, {0}, {0}};
  run(&ref);
  CHECK(ref.error[0] == 0, "reference: %s", ref.error);

  job jobs[MAX_T];
  pthread_t t[MAX_T];
  for (int i = 0; i < n_threads; i++) {
    jobs[i] = (job){m, rounds, 1 + (i % 2), frames, {0}, {0}, {0}, {0}}; /* odd ones use nnrt's pool */
    CHECK(pthread_create(&t[i], NULL, run, &jobs[i]) == 0, "thread %d", i);
  }
  for (int i = 0; i < n_threads; i++)
    pthread_join(t[i], NULL);
  for (int i = 0; i < n_threads; i++) {
    CHECK(jobs[i].error[0] == 0, "thread %d: %s", i, jobs[i].error);
    for (int k = 0; k < frames && !jobs[i].error[0]; k++)
      CHECK(jobs[i].n_faces[k] == ref.n_faces[k] && jobs[i].ages[k] == ref.ages[k] &&
                jobs[i].male[k] == ref.male[k],
            "thread %d frame %d: %d faces age %g P(male) %g vs reference %d, %g, %g", i, k,
            jobs[i].n_faces[k], jobs[i].ages[k], jobs[i].male[k], ref.n_faces[k], ref.ages[k],
            ref.male[k]);
  }
  printf("%d threads x %d rounds x %d frames on one model set: results identical to one thread\n",
         n_threads, rounds, frames);
  fa_models_free(m);
  alarm(0);
  return hard_result("hard-core-threads");
}
