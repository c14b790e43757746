/* bench_gemm: GFLOP/s of each kernel table's packed GEMM on 1x1-convolution
 * shapes (M = output channels, K = input channels, N = output pixels), single
 * thread, median of repeated timed blocks. A benchmark, not a test: compare
 * the numbers with tools/fma-peak.
 * Usage: bench_gemm [isa ...]   (default: every table this CPU runs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cpu_runs(nnrt_isa isa) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (isa == NNRT_ISA_SSE4) return __builtin_cpu_supports("sse4.1");
  if (isa == NNRT_ISA_AVX2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa == NNRT_ISA_AVX512) return __builtin_cpu_supports("avx512f");
#elif defined(__aarch64__)
  if (isa == NNRT_ISA_NEON) return 1;
#endif
  return isa == NNRT_ISA_SCALAR;
}

static void bench(const nnrt_kernels *t, int M, int K, int N) {
  float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
  float *C = malloc(sizeof(float) * M * N), *bias = malloc(sizeof(float) * M);
  float *pa = malloc(sizeof(float) * t->gemm_pack_a_size(M, K));
  if (!A || !B || !C || !bias || !pa) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  for (int i = 0; i < M * K; i++) A[i] = (float)((i * 7) % 13) / 13.f - 0.5f;
  for (int i = 0; i < K * N; i++) B[i] = (float)((i * 5) % 11) / 11.f - 0.5f;
  for (int i = 0; i < M; i++) bias[i] = 0.1f;
  t->gemm_pack_a(A, K, M, K, pa);
  nnrt_act act = {NNRT_ACT_RELU, 0.f, 0.f};
  double flops = 2.0 * M * N * K;
  /* each timed block lasts ~2 ms; the median of 41 blocks resists noise */
  int reps = (int)(2e-3 * 20e9 / flops) + 1;
  if (t->isa == NNRT_ISA_SCALAR) reps = 1;
  double samples[41];
  for (int s = 0; s < 41; s++) {
    double t0 = now();
    for (int r = 0; r < reps; r++) t->gemm_packed(M, N, K, pa, B, N, bias, NULL, C, N, &act);
    samples[s] = (now() - t0) / reps;
  }
  qsort(samples, 41, sizeof(double), cmp_double);
  printf("%-7s M=%4d K=%4d N=%5d  %8.1f us  %7.1f GFLOP/s (best %.1f)\n", t->name, M, K, N,
         samples[20] * 1e6, flops / samples[20] * 1e-9, flops / samples[0] * 1e-9);
  free(A), free(B), free(C), free(bias), free(pa);
}

int main(int argc, char **argv) {
  static const int shapes[][3] = {
    {128, 128, 28 * 28}, {128, 256, 28 * 28}, {256, 256, 14 * 14}, {256, 128, 14 * 14},
    {64, 64, 56 * 56}, {32, 32, 64 * 64}, {96, 96, 16 * 16}, {256, 256, 7 * 7}};
  static const nnrt_isa isas[] = {NNRT_ISA_SCALAR, NNRT_ISA_SSE4, NNRT_ISA_AVX2, NNRT_ISA_AVX512,
                                  NNRT_ISA_NEON};
  for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
    const nnrt_kernels *t = nnrt_kernels_for(isas[i]);
    if (!t || !cpu_runs(isas[i])) continue;
    if (argc > 1) {
      int wanted = 0;
      for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], t->name) == 0;
      if (!wanted) continue;
    } else if (isas[i] == NNRT_ISA_SCALAR) {
      continue; /* slow; ask for it by name */
    }
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
      bench(t, shapes[s][0], shapes[s][1], shapes[s][2]);
  }
  return 0;
}
