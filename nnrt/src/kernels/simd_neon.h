/* Vector vocabulary of kernels_simd.h for AArch64 NEON: 4 floats, FMA, tails
 * through a small stack buffer. */
#ifndef NNRT_SIMD_NEON_H
#define NNRT_SIMD_NEON_H

#include <arm_neon.h>
#include <string.h>

#define SIMD_ISA NNRT_ISA_NEON
#define SIMD_NAME "neon"
#define SIMD_TABLE nnrt_kernels_neon
#define VLEN 4
/* GEMM register tile: 8 rows x 3 vectors = 24 accumulators of 32 q registers. */
#define SIMD_MR 8
#define SIMD_NV 3

typedef float32x4_t vf;

#define V_ZERO() vdupq_n_f32(0.f)
#define V_SET1(x) vdupq_n_f32(x)
#define V_LOAD(p) vld1q_f32(p)
#define V_STORE(p, v) vst1q_f32((p), (v))
#define V_ADD(a, b) vaddq_f32(a, b)
#define V_SUB(a, b) vsubq_f32(a, b)
#define V_MUL(a, b) vmulq_f32(a, b)
#define V_DIV(a, b) vdivq_f32(a, b)
#define V_MAX(a, b) vmaxq_f32(a, b)
#define V_MIN(a, b) vminq_f32(a, b)
#define V_FMA(a, b, c) vfmaq_f32((c), (a), (b)) /* a*b + c */
/* Pins a loaded vector in a register: without it GCC folds the load into
 * every FMA that uses it (a load per use) where a kernel means to reuse it. */
#define V_KEEP(v) __asm__("" : "+w"(v))
#define V_ROUND(a) vrndnq_f32(a)
#define V_EXP2I(n) \
  vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23))
#define V_HSUM(v) vaddvq_f32(v)
/* Even / odd elements of the 2*VLEN floats [a, b]. */
#define V_EVEN2(a, b) vuzp1q_f32((a), (b))
#define V_ODD2(a, b) vuzp2q_f32((a), (b))
/* Lanes n .. n + VLEN - 1 of [a, b]; n a constant in 1 .. VLEN - 1. */
#define V_ALIGN(a, b, n) vextq_f32((a), (b), (n))

static inline void v_store_part(float *p, vf v, int n) {
  float buf[VLEN];
  vst1q_f32(buf, v);
  memcpy(p, buf, (size_t)n * sizeof(float));
}
/* p[0 .. n) with the other lanes set to fill; 0 < n < VLEN. */
static inline vf v_load_part_fill(const float *p, int n, float fill) {
  float buf[VLEN] = {fill, fill, fill, fill};
  memcpy(buf, p, (size_t)n * sizeof(float));
  return vld1q_f32(buf);
}
static inline vf v_load_part(const float *p, int n) { return v_load_part_fill(p, n, 0.f); }

/* v's first n lanes with the other lanes set to fill; 0 < n <= VLEN. */
static inline vf v_part_fill(vf v, int n, float fill) {
  static const int32_t lane[VLEN] = {0, 1, 2, 3};
  return vbslq_f32(vcltq_s32(vld1q_s32(lane), vdupq_n_s32(n)), v, vdupq_n_f32(fill));
}

#endif
