/* Vector vocabulary of kernels_simd.h for AVX-512F: 16 floats, tails with
 * mask registers. */
#ifndef NNRT_SIMD_AVX512_H
#define NNRT_SIMD_AVX512_H

#include <immintrin.h>

#define SIMD_ISA NNRT_ISA_AVX512
#define SIMD_NAME "avx512"
#define SIMD_TABLE nnrt_kernels_avx512
#define VLEN 16
/* GEMM register tile: 8 rows x 3 vectors = 24 accumulators of 32 zmm; 8 rows
 * fit the channel counts of the bundled models (multiples of 8) with little
 * padding, 48 columns keep the B strip small enough for L1. */
#define SIMD_MR 8
#define SIMD_NV 3

typedef __m512 vf;

#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_STORE(p, v) _mm512_storeu_ps((p), (v))
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
#define V_DIV(a, b) _mm512_div_ps(a, b)
#define V_MAX(a, b) _mm512_max_ps(a, b)
#define V_MIN(a, b) _mm512_min_ps(a, b)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
/* Pins a loaded vector in a register: without it GCC folds the load into
 * every FMA that uses it (a load per use) where a kernel means to reuse it. */
#define V_KEEP(v) __asm__("" : "+v"(v))
#define V_ROUND(a) _mm512_roundscale_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_EXP2I(n)                                                                       \
  _mm512_castsi512_ps(                                                                   \
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23))
/* Even / odd elements of the 2*VLEN floats [a, b]. */
static inline vf v_even2(vf a, vf b) {
  const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  return _mm512_permutex2var_ps(a, idx, b);
}
static inline vf v_odd2(vf a, vf b) {
  const __m512i idx = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  return _mm512_permutex2var_ps(a, idx, b);
}
#define V_HSUM(v) _mm512_reduce_add_ps(v)
#define V_EVEN2(a, b) v_even2(a, b)
#define V_ODD2(a, b) v_odd2(a, b)
/* Lanes n .. n + VLEN - 1 of [a, b]; n a constant in 1 .. VLEN - 1. */
#define V_ALIGN(a, b, n) \
  _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), (n)))

static inline vf v_load_part(const float *p, int n) {
  return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), p);
}
static inline void v_store_part(float *p, vf v, int n) {
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1u), v);
}
/* p[0 .. n) with the other lanes set to fill; 0 < n < VLEN. */
static inline vf v_load_part_fill(const float *p, int n, float fill) {
  return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), (__mmask16)((1u << n) - 1u), p);
}

/* v's first n lanes with the other lanes set to fill; 0 < n <= VLEN. */
static inline vf v_part_fill(vf v, int n, float fill) {
  return _mm512_mask_mov_ps(_mm512_set1_ps(fill), (__mmask16)((1u << n) - 1u), v);
}

#endif
