/* One loaded model shared by several threads, each with its own context, and
 * a context with a worker pool: all must give the single-threaded result (a
 * model is immutable after load; a context owns all mutable state).
 *   test_threads MODEL   (exits 77 when MODEL is absent) */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "nnrt.h"
#include "test_check.h"

#define THREADS 3
#define RUNS 4

typedef struct job {
  const nnrt_model *model;
  const float *input;
  size_t in_n;
  const float *ref;
  size_t out_n;
  int mismatches;
  int errors;
} job;

static void *worker(void *arg) {
  job *j = arg;
  nnrt_context *ctx;
  nnrt_error err;
  if (nnrt_context_create(j->model, 1, &ctx, &err) != NNRT_OK) {
    j->errors++;
    return NULL;
  }
  for (int r = 0; r < RUNS; r++) {
    memcpy(nnrt_context_input(ctx, 0), j->input, j->in_n * sizeof(float));
    if (nnrt_context_run(ctx, &err) != NNRT_OK) j->errors++;
    const float *y = nnrt_context_output(ctx, 0);
    for (size_t i = 0; i < j->out_n; i++) j->mismatches += y[i] != j->ref[i]; /* same code path: bitwise equal */
  }
  nnrt_context_free(ctx);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2 || access(argv[1], R_OK) != 0) {
    printf("SKIP: model not found: %s\n", argc > 1 ? argv[1] : "(none)");
    return 77;
  }
  nnrt_model *model;
  nnrt_error err;
  if (nnrt_model_load_file(argv[1], NULL, &model, &err) != NNRT_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  nnrt_tensor_info ti, to;
  nnrt_model_input_info(model, 0, &ti);
  nnrt_model_output_info(model, 0, &to);
  size_t in_n = (size_t)nnrt_tensor_info_numel(&ti), out_n = (size_t)nnrt_tensor_info_numel(&to);
  float *input = malloc(in_n * sizeof *input), *ref = malloc(out_n * sizeof *ref);
  for (size_t i = 0; i < in_n; i++) input[i] = sinf((float)i * 0.37f);

  nnrt_context *ctx;
  CHECK(nnrt_context_create(model, 1, &ctx, &err) == NNRT_OK);
  memcpy(nnrt_context_input(ctx, 0), input, in_n * sizeof *input);
  CHECK(nnrt_context_run(ctx, &err) == NNRT_OK);
  memcpy(ref, nnrt_context_output(ctx, 0), out_n * sizeof *ref);
  nnrt_context_free(ctx);

  job jobs[THREADS];
  pthread_t tid[THREADS];
  for (int t = 0; t < THREADS; t++) {
    jobs[t] = (job){model, input, in_n, ref, out_n, 0, 0};
    pthread_create(&tid[t], NULL, worker, &jobs[t]);
  }
  for (int t = 0; t < THREADS; t++) {
    pthread_join(tid[t], NULL);
    CHECK(jobs[t].errors == 0);
    CHECK(jobs[t].mismatches == 0);
  }

  /* A pooled context: work is split differently, so allow rounding. */
  CHECK(nnrt_context_create(model, 2, &ctx, &err) == NNRT_OK);
  for (int r = 0; r < RUNS; r++) {
    memcpy(nnrt_context_input(ctx, 0), input, in_n * sizeof *input);
    CHECK(nnrt_context_run(ctx, &err) == NNRT_OK);
    const float *y = nnrt_context_output(ctx, 0);
    float worst = 0;
    for (size_t i = 0; i < out_n; i++) worst = fmaxf(worst, fabsf(y[i] - ref[i]) / (1.f + fabsf(ref[i])));
    CHECK(worst < 1e-4f);
  }
  nnrt_context_free(ctx);
  nnrt_model_free(model);
  free(input);
  free(ref);
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  else printf("threads: all checks passed\n");
  return test_failures ? 1 : 0;
}
