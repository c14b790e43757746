/* Vector vocabulary of kernels_simd.h for SSE4.1: 4 floats, no FMA (a
 * multiply and an add), tails through a small stack buffer. */
#ifndef NNRT_SIMD_SSE4_H
#define NNRT_SIMD_SSE4_H

#include <smmintrin.h>
#include <string.h>

#define SIMD_ISA NNRT_ISA_SSE4
#define SIMD_NAME "sse4"
#define SIMD_TABLE nnrt_kernels_sse4
#define VLEN 4
/* GEMM register tile: 6 rows x 2 vectors = 12 accumulators of 16 xmm. */
#define SIMD_MR 6
#define SIMD_NV 2

typedef __m128 vf;

#define V_ZERO() _mm_setzero_ps()
#define V_SET1(x) _mm_set1_ps(x)
#define V_LOAD(p) _mm_loadu_ps(p)
#define V_STORE(p, v) _mm_storeu_ps((p), (v))
#define V_ADD(a, b) _mm_add_ps(a, b)
#define V_SUB(a, b) _mm_sub_ps(a, b)
#define V_MUL(a, b) _mm_mul_ps(a, b)
#define V_DIV(a, b) _mm_div_ps(a, b)
#define V_MAX(a, b) _mm_max_ps(a, b)
#define V_MIN(a, b) _mm_min_ps(a, b)
#define V_FMA(a, b, c) _mm_add_ps(_mm_mul_ps(a, b), c) /* a*b + c */
/* Pins a loaded vector in a register: without it GCC folds the load into
 * every FMA that uses it (a load per use) where a kernel means to reuse it. */
#define V_KEEP(v) __asm__("" : "+x"(v))
/* Round to nearest integer (as float), and 2^n for a vector of integral n. */
#define V_ROUND(a) _mm_round_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_EXP2I(n) \
  _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_cvtps_epi32(n), _mm_set1_epi32(127)), 23))
static inline float v_hsum(vf v) {
  __m128 s = _mm_add_ps(v, _mm_movehl_ps(v, v));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
#define V_HSUM(v) v_hsum(v)
/* Even / odd elements of the 2*VLEN floats [a, b]. */
#define V_EVEN2(a, b) _mm_shuffle_ps((a), (b), _MM_SHUFFLE(2, 0, 2, 0))
#define V_ODD2(a, b) _mm_shuffle_ps((a), (b), _MM_SHUFFLE(3, 1, 3, 1))
/* Lanes n .. n + VLEN - 1 of [a, b]; n a constant in 1 .. VLEN - 1. */
#define V_ALIGN(a, b, n) \
  _mm_castsi128_ps(_mm_alignr_epi8(_mm_castps_si128(b), _mm_castps_si128(a), 4 * (n)))

/* Partial loads/stores of n < VLEN floats; never touch memory past p[n-1]. */
static inline void v_store_part(float *p, vf v, int n) {
  float buf[VLEN];
  _mm_storeu_ps(buf, v);
  memcpy(p, buf, (size_t)n * sizeof(float));
}
/* p[0 .. n) with the other lanes set to fill; 0 < n < VLEN. */
static inline vf v_load_part_fill(const float *p, int n, float fill) {
  float buf[VLEN] = {fill, fill, fill, fill};
  memcpy(buf, p, (size_t)n * sizeof(float));
  return _mm_loadu_ps(buf);
}
static inline vf v_load_part(const float *p, int n) { return v_load_part_fill(p, n, 0.f); }

/* v's first n lanes with the other lanes set to fill; 0 < n <= VLEN. */
static inline vf v_part_fill(vf v, int n, float fill) {
  __m128i m = _mm_cmpgt_epi32(_mm_set1_epi32(n), _mm_setr_epi32(0, 1, 2, 3));
  return _mm_blendv_ps(_mm_set1_ps(fill), v, _mm_castsi128_ps(m));
}

#endif
