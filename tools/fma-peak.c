/* fma-peak: this core's single-thread fused multiply-add peak, in GFLOP/s,
 * for AVX2 (8-wide) and AVX-512 (16-wide). Each loop iteration updates many
 * independent accumulators (more than FMA pipes x FMA latency), so the
 * result is throughput-bound: the ceiling the GEMM kernels are measured
 * against. Prints one line per ISA the CPU supports:
 *   avx2 <GFLOP/s>
 *   avx512 <GFLOP/s>
 * Usage: fma-peak [seconds per measurement, default 0.3] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 12 chains of 8 floats: 2 pipes x 4-cycle latency needs 8 in flight. */
__attribute__((target("avx2,fma"), noinline)) static float run_avx2(long iters) {
  __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-6f);
  /* distinct starting values, and the empty asm below, keep the compiler
   * from merging identical chains */
  __m256 a0 = _mm256_set1_ps(1.f), a1 = _mm256_set1_ps(1.1f), a2 = _mm256_set1_ps(1.2f),
         a3 = _mm256_set1_ps(1.3f), a4 = _mm256_set1_ps(1.4f), a5 = _mm256_set1_ps(1.5f),
         a6 = _mm256_set1_ps(1.6f), a7 = _mm256_set1_ps(1.7f), a8 = _mm256_set1_ps(1.8f),
         a9 = _mm256_set1_ps(1.9f), a10 = _mm256_set1_ps(2.0f), a11 = _mm256_set1_ps(2.1f);
  for (long i = 0; i < iters; i++) {
    a0 = _mm256_fmadd_ps(a0, m, c); a1 = _mm256_fmadd_ps(a1, m, c);
    a2 = _mm256_fmadd_ps(a2, m, c); a3 = _mm256_fmadd_ps(a3, m, c);
    a4 = _mm256_fmadd_ps(a4, m, c); a5 = _mm256_fmadd_ps(a5, m, c);
    a6 = _mm256_fmadd_ps(a6, m, c); a7 = _mm256_fmadd_ps(a7, m, c);
    a8 = _mm256_fmadd_ps(a8, m, c); a9 = _mm256_fmadd_ps(a9, m, c);
    a10 = _mm256_fmadd_ps(a10, m, c); a11 = _mm256_fmadd_ps(a11, m, c);
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5));
    __asm__ volatile("" : "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11));
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  return _mm256_cvtss_f32(s);
}

/* 16 chains of 16 floats (AVX-512 has 32 registers). */
#define FMA16(v) v = _mm512_fmadd_ps(v, m, c)
__attribute__((target("avx512f"), noinline)) static float run_avx512(long iters) {
  __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-6f);
  __m512 a0 = _mm512_set1_ps(1.f), a1 = _mm512_set1_ps(1.1f), a2 = _mm512_set1_ps(1.2f),
         a3 = _mm512_set1_ps(1.3f), a4 = _mm512_set1_ps(1.4f), a5 = _mm512_set1_ps(1.5f),
         a6 = _mm512_set1_ps(1.6f), a7 = _mm512_set1_ps(1.7f), a8 = _mm512_set1_ps(1.8f),
         a9 = _mm512_set1_ps(1.9f), a10 = _mm512_set1_ps(2.0f), a11 = _mm512_set1_ps(2.1f),
         a12 = _mm512_set1_ps(2.2f), a13 = _mm512_set1_ps(2.3f), a14 = _mm512_set1_ps(2.4f),
         a15 = _mm512_set1_ps(2.5f);
  for (long i = 0; i < iters; i++) {
    FMA16(a0); FMA16(a1); FMA16(a2); FMA16(a3); FMA16(a4); FMA16(a5); FMA16(a6); FMA16(a7);
    FMA16(a8); FMA16(a9); FMA16(a10); FMA16(a11); FMA16(a12); FMA16(a13); FMA16(a14); FMA16(a15);
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6),
                     "+v"(a7));
    __asm__ volatile("" : "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11), "+v"(a12), "+v"(a13),
                     "+v"(a14), "+v"(a15));
  }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                           _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15)));
  return _mm512_reduce_add_ps(s);
}

/* Best of 5 timed runs (the peak is a ceiling: the fastest run is closest). */
static double measure(float (*fn)(long), double flops_per_iter, double seconds) {
  long iters = 1000000;
  double t0 = now();
  volatile float sink = fn(iters);
  double dt = now() - t0;
  iters = (long)(iters * seconds / (dt > 1e-6 ? dt : 1e-6));
  double best = 0.0;
  for (int r = 0; r < 5; r++) {
    t0 = now();
    sink += fn(iters);
    dt = now() - t0;
    double gflops = flops_per_iter * iters / dt * 1e-9;
    if (gflops > best) best = gflops;
  }
  (void)sink;
  return best;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 0.3;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    printf("avx2 %.1f\n", measure(run_avx2, 12 * 8 * 2, seconds));
  if (__builtin_cpu_supports("avx512f"))
    printf("avx512 %.1f\n", measure(run_avx512, 16 * 16 * 2, seconds));
  return 0;
}
#else
int main(void) {
  fprintf(stderr, "fma-peak: x86-64 only\n");
  return 77;
}
#endif
