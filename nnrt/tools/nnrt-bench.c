/* nnrt-bench MODEL [--threads N] [--runs N] [--isa I] [--shape NAME=DIMS]
 * Latency of one run after warm-up: median and 90th percentile, GFLOP/s
 * counted as 2 * MACs / time, and the process's peak RSS. The last line is
 * machine-readable: median_ms=<x> p90_ms=<y> gflops=<z> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tool_common.h"

#define WARMUP_RUNS 3

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  tool_opts o;
  memset(&o, 0, sizeof o);
  o.threads = 1;
  int runs = 50;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    int r = tool_parse_common(argc, argv, &i, &o);
    if (r < 0) return 2;
    if (r) continue;
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = atoi(argv[++i]);
      if (runs < 1 || runs > 1000000) {
        fprintf(stderr, "%s: bad --runs\n", argv[0]);
        return 2;
      }
    } else if (argv[i][0] != '-' && !path) {
      path = argv[i];
    } else {
      fprintf(stderr, "usage: %s MODEL [--threads N] [--runs N] [--isa I] [--shape NAME=DIMS]\n", argv[0]);
      return 2;
    }
  }
  if (!path) {
    fprintf(stderr, "usage: %s MODEL [--threads N] [--runs N] [--isa I] [--shape NAME=DIMS]\n", argv[0]);
    return 2;
  }
  nnrt_model *m = NULL;
  nnrt_context *ctx = NULL;
  nnrt_error err;
  double *t = malloc((size_t)runs * sizeof *t);
  int status = 1;
  if (!t) goto out;
  if (nnrt_model_load_file(path, &o.load, &m, &err) != NNRT_OK ||
      nnrt_context_create(m, o.threads, &ctx, &err) != NNRT_OK) {
    tool_error(argv[0], &err);
    goto out;
  }
  for (size_t k = 0; k < nnrt_model_num_inputs(m); k++) {
    nnrt_tensor_info ti;
    nnrt_model_input_info(m, k, &ti);
    tool_fill_random(nnrt_context_input(ctx, k), (size_t)nnrt_tensor_info_numel(&ti), 42 + k);
  }
  for (int i = 0; i < WARMUP_RUNS + runs; i++) {
    double t0 = now_ms();
    if (nnrt_context_run(ctx, &err) != NNRT_OK) {
      tool_error(argv[0], &err);
      goto out;
    }
    if (i >= WARMUP_RUNS) t[i - WARMUP_RUNS] = now_ms() - t0;
  }
  qsort(t, (size_t)runs, sizeof *t, cmp_double);
  double median = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
  int i90 = (int)(0.9 * (runs - 1) + 0.5);
  double p90 = t[i90];
  nnrt_model_stats s;
  nnrt_model_get_stats(m, &s);
  double gflops = median > 0 ? 2.0 * (double)s.macs / (median * 1e-3) / 1e9 : 0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("model: %s\nisa: %s\nthreads: %d\nruns: %d (after %d warm-up)\n", path, nnrt_isa_name(nnrt_model_isa(m)),
         o.threads, runs, WARMUP_RUNS);
  printf("macs: %lld\narena_bytes: %zu\nmin_ms: %.3f\npeak_rss_kb: %ld\n", (long long)s.macs, s.arena_bytes, t[0],
         ru.ru_maxrss);
  printf("median_ms=%.3f p90_ms=%.3f gflops=%.2f\n", median, p90, gflops);
  status = 0;
out:
  free(t);
  nnrt_context_free(ctx);
  nnrt_model_free(m);
  return status;
}
