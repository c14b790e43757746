/* Vector vocabulary of kernels_simd.h for AVX2 + FMA: 8 floats, tails with
 * masked loads and stores. */
#ifndef NNRT_SIMD_AVX2_H
#define NNRT_SIMD_AVX2_H

#include <immintrin.h>

#define SIMD_ISA NNRT_ISA_AVX2
#define SIMD_NAME "avx2"
#define SIMD_TABLE nnrt_kernels_avx2
#define VLEN 8
/* GEMM register tile: 6 rows x 2 vectors = 12 accumulators of 16 ymm, leaving
 * two for B and one for the broadcast A. */
#define SIMD_MR 6
#define SIMD_NV 2

typedef __m256 vf;

#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_STORE(p, v) _mm256_storeu_ps((p), (v))
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_DIV(a, b) _mm256_div_ps(a, b)
#define V_MAX(a, b) _mm256_max_ps(a, b)
#define V_MIN(a, b) _mm256_min_ps(a, b)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
/* Pins a loaded vector in a register: without it GCC folds the load into
 * every FMA that uses it (a load per use) where a kernel means to reuse it. */
#define V_KEEP(v) __asm__("" : "+x"(v))
#define V_ROUND(a) _mm256_round_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_EXP2I(n)                                                                       \
  _mm256_castsi256_ps(                                                                   \
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23))
/* Even / odd elements of the 2*VLEN floats [a, b] (in-lane shuffle, then
 * the 64-bit quarters in order). */
static inline vf v_even2(vf a, vf b) {
  __m256 s = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}
static inline vf v_odd2(vf a, vf b) {
  __m256 s = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}
static inline float v_hsum(vf v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
#define V_HSUM(v) v_hsum(v)
#define V_EVEN2(a, b) v_even2(a, b)
#define V_ODD2(a, b) v_odd2(a, b)
/* Lanes n .. n + VLEN - 1 of [a, b]; n a constant in 1 .. VLEN - 1. The
 * byte shift works within 128-bit halves, so it pairs a (or b) with the
 * middle halves [a4..a7, b0..b3]. A macro: the shift must be an immediate
 * even where the optimizer does not propagate constants. */
#define V_ALIGN_MID(a, b) _mm256_castps_si256(_mm256_permute2f128_ps((a), (b), 0x21))
#define V_ALIGN(a, b, n)                                                                        \
  ((n) < 4 ? _mm256_castsi256_ps(_mm256_alignr_epi8(V_ALIGN_MID(a, b), _mm256_castps_si256(a), \
                                                    4 * ((n) & 3)))                              \
   : (n) == 4 ? _mm256_castsi256_ps(V_ALIGN_MID(a, b))                                           \
              : _mm256_castsi256_ps(_mm256_alignr_epi8(_mm256_castps_si256(b), V_ALIGN_MID(a, b), \
                                                       4 * ((n) & 3))))

static inline __m256i v_tail_mask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline vf v_load_part(const float *p, int n) {
  return _mm256_maskload_ps(p, v_tail_mask(n));
}
static inline void v_store_part(float *p, vf v, int n) {
  _mm256_maskstore_ps(p, v_tail_mask(n), v);
}
/* p[0 .. n) with the other lanes set to fill; 0 < n < VLEN. */
static inline vf v_load_part_fill(const float *p, int n, float fill) {
  __m256i m = v_tail_mask(n);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}

/* v's first n lanes with the other lanes set to fill; 0 < n <= VLEN. */
static inline vf v_part_fill(vf v, int n, float fill) {
  return _mm256_blendv_ps(_mm256_set1_ps(fill), v, _mm256_castsi256_ps(v_tail_mask(n)));
}

#endif
