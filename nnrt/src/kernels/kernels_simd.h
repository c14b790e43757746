/* Generic SIMD kernels, written once against a small vector vocabulary
 * (vf, VLEN, V_LOAD, V_FMA, v_load_part, ...) that a simd_<isa>.h header
 * defines before including this file. Each kernels_<isa>.c is exactly that
 * pair of includes, compiled with its ISA flags; everything here is static
 * except the table SIMD_TABLE.
 *
 * GEMM: A (weights) is packed once into SIMD_MR-row panels, K-major
 * (panel[k*MR + r]). At run time, for each strip of up to SIMD_NV vectors of
 * columns and each block of KC rows of B, every A panel runs the
 * MR x (NV*VLEN) register-tiled micro-kernel on the B block. The block is
 * read in place, or copied into a contiguous zero-padded stack buffer for the
 * last, partial strip (so the micro-kernel never needs tail handling) and for
 * row strides that would thrash L1 sets.
 * Bias and activation are applied in the store of the last K block. */
#ifndef NNRT_KERNELS_SIMD_H
#define NNRT_KERNELS_SIMD_H

#include <limits.h>
#include <math.h>
#include <stdalign.h>
#include <string.h>

#include "kernels.h"

#define SIMD_INLINE static inline __attribute__((always_inline))
/* Even elements of p[0 .. 2*VLEN). */
#define V_LOAD_EVEN(p) V_EVEN2(V_LOAD(p), V_LOAD((p) + VLEN))
/* [a1 .. a(VLEN-1), b0]: the next column of a row held in a then b. */
#define V_SHIFT1(a, b) V_ALIGN(a, b, 1)
#define SIMD_NR (SIMD_NV * VLEN)
/* K block: KC x NR floats of packed B stay in L1 (48 KiB for AVX-512's
 * 48 columns). */
#define SIMD_KC 256
#ifndef GEMM_DIRECT_MAX_PANELS
#define GEMM_DIRECT_MAX_PANELS 4
#endif

/* ---- activation, vector form -------------------------------------------- */

/* exp(x) for x clamped to [-87.3, 88.7]: x = n*ln2 + r with |r| <= ln2/2,
 * exp(r) by a degree-6 Taylor/minimax polynomial; relative error below
 * 2e-7 over the range (checked against expf in the kernel tests through
 * sigmoid and tanh). */
SIMD_INLINE vf v_exp(vf x) {
  x = V_MIN(V_MAX(x, V_SET1(-87.3f)), V_SET1(88.7f));
  vf n = V_ROUND(V_MUL(x, V_SET1(1.44269504088896341f)));
  /* ln2 split in a part exact in float and a small correction */
  vf r = V_FMA(n, V_SET1(-0.693359375f), x);
  r = V_FMA(n, V_SET1(2.12194440e-4f), r);
  vf p = V_SET1(1.3888949e-3f);
  p = V_FMA(p, r, V_SET1(8.3333607e-3f));
  p = V_FMA(p, r, V_SET1(4.1666638e-2f));
  p = V_FMA(p, r, V_SET1(1.6666666e-1f));
  p = V_FMA(p, r, V_SET1(0.5f));
  p = V_FMA(p, r, V_SET1(1.0f));
  p = V_FMA(p, r, V_SET1(1.0f));
  /* 2^n in two halves so n = 128 (x near 88.7) does not overflow the
   * exponent field */
  vf half = V_ROUND(V_MUL(n, V_SET1(0.5f)));
  return V_MUL(V_MUL(p, V_EXP2I(half)), V_EXP2I(V_SUB(n, half)));
}

SIMD_INLINE vf v_sigmoid(vf x) {
  vf one = V_SET1(1.f);
  return V_DIV(one, V_ADD(one, v_exp(V_SUB(V_ZERO(), x))));
}

/* tanh(x) = 1 - 2 / (exp(2x) + 1): absolute error ~1e-7 near 0. */
SIMD_INLINE vf v_tanh(vf x) {
  vf one = V_SET1(1.f);
  vf e = v_exp(V_ADD(x, x));
  return V_SUB(one, V_DIV(V_SET1(2.f), V_ADD(e, one)));
}

SIMD_INLINE vf v_act(const nnrt_act *act, vf x) {
  switch (act ? act->kind : NNRT_ACT_NONE) {
    case NNRT_ACT_NONE: return x;
    case NNRT_ACT_RELU: return V_MAX(x, V_ZERO());
    case NNRT_ACT_CLIP: return V_MIN(V_MAX(x, V_SET1(act->alpha)), V_SET1(act->beta));
    case NNRT_ACT_LEAKY_RELU:
      /* max(x,0) + alpha*min(x,0): no select needed, any alpha */
      return V_FMA(V_SET1(act->alpha), V_MIN(x, V_ZERO()), V_MAX(x, V_ZERO()));
    case NNRT_ACT_SIGMOID: return v_sigmoid(x);
    case NNRT_ACT_TANH: return v_tanh(x);
    case NNRT_ACT_HARD_SIGMOID:
      return V_MIN(V_MAX(V_FMA(V_SET1(act->alpha), x, V_SET1(act->beta)), V_ZERO()), V_SET1(1.f));
    case NNRT_ACT_HARD_SWISH: {
      vf y = V_FMA(x, V_SET1(1.f / 6.f), V_SET1(0.5f));
      return V_MUL(x, V_MIN(V_MAX(y, V_ZERO()), V_SET1(1.f)));
    }
  }
  return x;
}

/* act_k: an activation kind fixed at compile time (NONE, RELU: the common
 * ones, with no switch in the store), or -1 for any (v_act's switch). */
SIMD_INLINE vf v_act_k(int act_k, const nnrt_act *act, vf v) {
  if (act_k == NNRT_ACT_NONE) return v;
  if (act_k == NNRT_ACT_RELU) return V_MAX(v, V_ZERO());
  return v_act(act, v);
}

SIMD_INLINE int act_k_of(const nnrt_act *act) {
  if (!act || act->kind == NNRT_ACT_NONE) return NNRT_ACT_NONE;
  return act->kind == NNRT_ACT_RELU ? NNRT_ACT_RELU : -1;
}

/* ---- GEMM ---------------------------------------------------------------- */

static size_t simd_gemm_pack_a_size(int M, int K) {
  size_t panels = ((size_t)M + SIMD_MR - 1) / SIMD_MR;
  return panels * SIMD_MR * (size_t)K;
}

static void simd_gemm_pack_a(const float *A, int lda, int M, int K, float *packed) {
  for (int m0 = 0; m0 < M; m0 += SIMD_MR) {
    float *panel = packed + (size_t)m0 * K;
    for (int k = 0; k < K; k++)
      for (int r = 0; r < SIMD_MR; r++)
        panel[(size_t)k * SIMD_MR + r] = m0 + r < M ? A[(size_t)(m0 + r) * lda + k] : 0.f;
  }
}

/* Stores the first n lanes of v at d: a whole vector when n >= VLEN,
 * nothing when n <= 0 (the row tails of every kernel). */
SIMD_INLINE void store_cols(float *d, vf v, int n) {
  if (n >= VLEN)
    V_STORE(d, v);
  else if (n > 0)
    v_store_part(d, v, n);
}

/* Epilogue of one tile row segment: combine with bias (and the residual r,
 * if any) in the first K block or with the earlier K blocks already in C,
 * apply the activation after the last block, store `cols` valid columns.
 * The residual is read in the first block, before C is written, so r may be
 * C itself. */
SIMD_INLINE void tile_store(vf v, float *c, const float *r, int cols, float bias, int first,
                            int last, const nnrt_act *act) {
  if (first) {
    v = V_ADD(v, V_SET1(bias));
    if (r) v = V_ADD(v, cols >= VLEN ? V_LOAD(r) : v_load_part(r, cols));
  } else
    v = V_ADD(v, cols >= VLEN ? V_LOAD(c) : v_load_part(c, cols));
  if (last) v = v_act(act, v);
  store_cols(c, v, cols);
}

/* MR x (nv*VLEN) tile over kc steps. pa: panel at this K block (MR floats per
 * step), pb: B block, ldpb floats per step (packed, or B itself). Only `rows`
 * x `cols` of the tile are stored. nv and act_k are compile-time constants
 * in each caller.
 * A full tile (every row and column stored, nearly all of them) starts its
 * accumulators from bias + residual, or from C for a later K block, so the
 * store after the loop is the activation and a plain store: with K = 32..64
 * (AgeGenderNet's, BlazeFace's 1x1 convs) a branchy per-vector epilogue was
 * ~10% of the tile. Partial tiles combine in tile_store. */
SIMD_INLINE void gemm_tile(int nv, int act_k, int kc, const float *pa, const float *pb, int ldpb,
                           float *c, int ldc, const float *res, int rows, int cols,
                           const float *bias, int first, int last, const nnrt_act *act) {
  vf acc[SIMD_MR][SIMD_NV];
  int full = rows == SIMD_MR && cols == nv * VLEN;
  if (full) {
#pragma GCC unroll 8
    for (int r = 0; r < SIMD_MR; r++) {
      vf b0 = V_SET1(first && bias ? bias[r] : 0.f);
#pragma GCC unroll 4
      for (int j = 0; j < nv; j++) {
        size_t at = (size_t)r * ldc + j * VLEN;
        acc[r][j] = !first ? V_LOAD(c + at) : res ? V_ADD(b0, V_LOAD(res + at)) : b0;
      }
    }
  } else {
#pragma GCC unroll 8
    for (int r = 0; r < SIMD_MR; r++)
#pragma GCC unroll 4
      for (int j = 0; j < nv; j++) acc[r][j] = V_ZERO();
  }

  for (int k = 0; k < kc; k++) {
    vf b[SIMD_NV];
#pragma GCC unroll 4
    for (int j = 0; j < nv; j++) b[j] = V_LOAD(pb + j * VLEN);
#pragma GCC unroll 8
    for (int r = 0; r < SIMD_MR; r++) {
      vf a = V_SET1(pa[r]);
#pragma GCC unroll 4
      for (int j = 0; j < nv; j++) acc[r][j] = V_FMA(a, b[j], acc[r][j]);
    }
    pa += SIMD_MR;
    pb += ldpb;
  }

  if (full) {
#pragma GCC unroll 8
    for (int r = 0; r < SIMD_MR; r++)
#pragma GCC unroll 4
      for (int j = 0; j < nv; j++)
        V_STORE(c + (size_t)r * ldc + j * VLEN, last ? v_act_k(act_k, act, acc[r][j]) : acc[r][j]);
    return;
  }
#pragma GCC unroll 8
  for (int r = 0; r < SIMD_MR; r++) {
    if (r >= rows) break;
    float br = bias ? bias[r] : 0.f;
#pragma GCC unroll 4
    for (int j = 0; j < nv; j++) {
      int left = cols - j * VLEN;
      if (left <= 0) break;
      tile_store(acc[r][j], c + (size_t)r * ldc + j * VLEN,
                 res ? res + (size_t)r * ldc + j * VLEN : NULL, left, br, first, last, act);
    }
  }
}

typedef void (*gemm_tile_fn)(int kc, const float *pa, const float *pb, int ldpb, float *c, int ldc,
                             const float *res, int rows, int cols, const float *bias, int first,
                             int last, const nnrt_act *act);

/* One function per strip width and activation class, each with nv fixed so
 * the tile lives in registers. */
#define DEFINE_GEMM_TILE(NV, AK, SUFFIX)                                                         \
  static void gemm_tile_nv##NV##SUFFIX(int kc, const float *pa, const float *pb, int ldpb,      \
                                       float *c, int ldc, const float *res, int rows, int cols, \
                                       const float *bias, int first, int last,                  \
                                       const nnrt_act *act) {                                   \
    gemm_tile(NV < SIMD_NV ? NV : SIMD_NV, AK, kc, pa, pb, ldpb, c, ldc, res, rows, cols, bias,  \
              first, last, act);                                                                 \
  }
#define DEFINE_GEMM_TILES(NV)                   \
  DEFINE_GEMM_TILE(NV, NNRT_ACT_NONE, _none)    \
  DEFINE_GEMM_TILE(NV, NNRT_ACT_RELU, _relu)    \
  DEFINE_GEMM_TILE(NV, -1, _any)
DEFINE_GEMM_TILES(1)
DEFINE_GEMM_TILES(2)
DEFINE_GEMM_TILES(3)
DEFINE_GEMM_TILES(4)

/* [activation class: none, relu, any][strip vectors] */
static const gemm_tile_fn gemm_tiles[3][5] = {
  {NULL, gemm_tile_nv1_none, gemm_tile_nv2_none, gemm_tile_nv3_none, gemm_tile_nv4_none},
  {NULL, gemm_tile_nv1_relu, gemm_tile_nv2_relu, gemm_tile_nv3_relu, gemm_tile_nv4_relu},
  {NULL, gemm_tile_nv1_any, gemm_tile_nv2_any, gemm_tile_nv3_any, gemm_tile_nv4_any}};
_Static_assert(SIMD_NV >= 1 && SIMD_NV <= 4, "gemm_tiles covers strips of 1..4 vectors");

/* Copies rows [k0, k0+kc) x columns [n0, n0+cols) of B into pb with row
 * stride `width` (a whole number of vectors), zero-filling the padding. */
static void pack_b_block(const float *B, int ldb, int k0, int kc, int n0, int cols, int width,
                         float *pb) {
  for (int k = 0; k < kc; k++) {
    const float *src = B + (size_t)(k0 + k) * ldb + n0;
    float *dst = pb + (size_t)k * width;
    memcpy(dst, src, (size_t)cols * sizeof(float));
    for (int j = cols; j < width; j++) dst[j] = 0.f;
  }
}

/* The last few columns of a product whose N is not a whole number of
 * vectors (AgeGenderNet's 7x7 = 49 and 14x14 = 196 planes: 1 and 4 columns)
 * would take a whole vector strip of mostly padding; here they are dot
 * products along K instead, vectorised over the packed A panel itself. A
 * panel is MR x kc floats, K-major (panel[k * MR + r]); bexp repeats each
 * B value MR times in the same order (bexp[k * MR + r] = B[k][n]), so one
 * vector of the panel times one of bexp is VLEN useful products, and lane j
 * of the sum belongs to row j % MR. GEMM_COL_S vectors (lcm(MR, VLEN)
 * floats) make a step whose lanes map to rows the same way every step. */
#define GEMM_COL_MAX 4
#define SIMD_GCD_MR_VLEN                                                                  \
  (SIMD_MR % 16 == 0 && VLEN % 16 == 0 ? 16                                             \
   : SIMD_MR % 8 == 0 && VLEN % 8 == 0 ? 8                                              \
   : SIMD_MR % 4 == 0 && VLEN % 4 == 0 ? 4                                              \
   : SIMD_MR % 2 == 0 && VLEN % 2 == 0 ? 2                                              \
                                       : 1)
#define GEMM_COL_S (SIMD_MR / SIMD_GCD_MR_VLEN)
#define GEMM_COL_STEP (GEMM_COL_S * VLEN)

SIMD_INLINE void gemm_columns_panel(int ncols, const float *pa, int len, const float *bexp,
                                    int bexp_ld, float sums[GEMM_COL_MAX][SIMD_MR]) {
  vf acc[GEMM_COL_MAX][GEMM_COL_S];
#pragma GCC unroll 4
  for (int c = 0; c < ncols; c++)
#pragma GCC unroll 4
    for (int s = 0; s < GEMM_COL_S; s++) acc[c][s] = V_ZERO();
  int i = 0;
  for (; i + GEMM_COL_STEP <= len; i += GEMM_COL_STEP)
#pragma GCC unroll 4
    for (int s = 0; s < GEMM_COL_S; s++) {
      vf a = V_LOAD(pa + i + s * VLEN);
#pragma GCC unroll 4
      for (int c = 0; c < ncols; c++)
        acc[c][s] = V_FMA(a, V_LOAD(bexp + (size_t)c * bexp_ld + i + s * VLEN), acc[c][s]);
    }
  if (i < len) /* the panel may end here: read only its own floats */
#pragma GCC unroll 4
    for (int s = 0; s < GEMM_COL_S; s++) {
      int left = len - i - s * VLEN;
      if (left <= 0) break;
      vf a = left >= VLEN ? V_LOAD(pa + i + s * VLEN) : v_load_part(pa + i + s * VLEN, left);
#pragma GCC unroll 4
      for (int c = 0; c < ncols; c++)
        acc[c][s] = V_FMA(a, V_LOAD(bexp + (size_t)c * bexp_ld + i + s * VLEN), acc[c][s]);
    }
  alignas(64) float lanes[GEMM_COL_STEP];
#pragma GCC unroll 4
  for (int c = 0; c < ncols; c++) {
#pragma GCC unroll 4
    for (int s = 0; s < GEMM_COL_S; s++) V_STORE(lanes + s * VLEN, acc[c][s]);
    for (int r = 0; r < SIMD_MR; r++) sums[c][r] = 0.f;
    for (int j = 0; j < GEMM_COL_STEP; j++) sums[c][j % SIMD_MR] += lanes[j];
  }
}

static void gemm_tail_columns(int m0, int m1, int n0, int ncols, int K, const float *packed_a,
                              const float *B, int ldb, const float *bias, const float *res,
                              float *C, int ldc, const nnrt_act *act) {
  enum { BEXP_LD = SIMD_KC * SIMD_MR + GEMM_COL_STEP };
  alignas(64) float bexp[GEMM_COL_MAX * BEXP_LD];
  int k_blocks = K > 0 ? (K + SIMD_KC - 1) / SIMD_KC : 1;
  for (int kb = 0; kb < k_blocks; kb++) {
    int k0 = kb * SIMD_KC;
    int kc = K - k0 < SIMD_KC ? K - k0 : SIMD_KC;
    int len = kc * SIMD_MR;
    int len_pad = (len + GEMM_COL_STEP - 1) / GEMM_COL_STEP * GEMM_COL_STEP;
    for (int c = 0; c < ncols; c++) {
      float *e = bexp + (size_t)c * BEXP_LD;
      for (int k = 0; k < kc; k++) {
        float v = B[(size_t)(k0 + k) * ldb + n0 + c];
        for (int r = 0; r < SIMD_MR; r++) e[k * SIMD_MR + r] = v;
      }
      for (int j = len; j < len_pad; j++) e[j] = 0.f;
    }
    int first = kb == 0, last = kb == k_blocks - 1;
    for (int m = m0; m < m1; m += SIMD_MR) {
      const float *pa = packed_a + (size_t)(m / SIMD_MR) * SIMD_MR * K + (size_t)k0 * SIMD_MR;
      float sums[GEMM_COL_MAX][SIMD_MR];
      switch (ncols) {
        case 1: gemm_columns_panel(1, pa, len, bexp, BEXP_LD, sums); break;
        case 2: gemm_columns_panel(2, pa, len, bexp, BEXP_LD, sums); break;
        case 3: gemm_columns_panel(3, pa, len, bexp, BEXP_LD, sums); break;
        default: gemm_columns_panel(4, pa, len, bexp, BEXP_LD, sums); break;
      }
      int rows = m1 - m < SIMD_MR ? m1 - m : SIMD_MR;
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < ncols; c++) {
          size_t at = (size_t)(m + r) * ldc + n0 + c;
          /* as tile_store: the residual is read before C is written */
          float v = first ? sums[c][r] + (bias ? bias[m + r] : 0.f) + (res ? res[at] : 0.f)
                          : C[at] + sums[c][r];
          C[at] = last ? nnrt_act_apply1(act, v) : v;
        }
    }
  }
}

static void simd_gemm_packed_rows(int m0, int m1, int N, int K, const float *packed_a,
                                  const float *B, int ldb, const float *bias, const float *res,
                                  float *C, int ldc, const nnrt_act *act) {
  alignas(64) float pb[SIMD_KC * SIMD_NR];
  /* Full-width strips are read from B in place (measured faster on Zen 5:
   * the copy costs more than it saves), except when B's row stride is a
   * multiple of 4 KiB and many panels reuse the strip: those rows all map to
   * the same L1 sets and would evict each other, so they are copied. */
  int direct = m1 - m0 <= SIMD_MR * GEMM_DIRECT_MAX_PANELS || ldb % 1024 != 0;
  /* K == 0 still runs one empty block so C gets bias and activation. */
  int k_blocks = K > 0 ? (K + SIMD_KC - 1) / SIMD_KC : 1;
  /* a tail of at most a quarter vector goes to the dot-product path */
  int tail = N % VLEN;
  int n_main = tail > 0 && tail <= GEMM_COL_MAX && 4 * tail <= VLEN ? N - tail : N;
  if (n_main < N)
    gemm_tail_columns(m0, m1, n_main, tail, K, packed_a, B, ldb, bias, res, C, ldc, act);
  for (int n0 = 0; n0 < n_main; n0 += SIMD_NR) {
    int cols = n_main - n0 < SIMD_NR ? n_main - n0 : SIMD_NR;
    int nv = (cols + VLEN - 1) / VLEN;
    int ak = act_k_of(act);
    gemm_tile_fn tile = gemm_tiles[ak == NNRT_ACT_NONE ? 0 : ak == NNRT_ACT_RELU ? 1 : 2][nv];
    for (int kb = 0; kb < k_blocks; kb++) {
      int k0 = kb * SIMD_KC;
      int kc = K - k0 < SIMD_KC ? K - k0 : SIMD_KC;
      const float *bsrc = pb;
      int ldpb = nv * VLEN;
      if (direct && cols == SIMD_NR) {
        bsrc = B + (size_t)k0 * ldb + n0;
        ldpb = ldb;
      } else {
        pack_b_block(B, ldb, k0, kc, n0, cols, nv * VLEN, pb);
      }
      for (int m = m0; m < m1; m += SIMD_MR) {
        const float *pa = packed_a + (size_t)(m / SIMD_MR) * SIMD_MR * K + (size_t)k0 * SIMD_MR;
        int rows = m1 - m < SIMD_MR ? m1 - m : SIMD_MR;
        tile(kc, pa, bsrc, ldpb, C + (size_t)m * ldc + n0, ldc,
             res ? res + (size_t)m * ldc + n0 : NULL, rows, cols, bias ? bias + m : NULL, kb == 0,
             kb == k_blocks - 1, act);
      }
    }
  }
}

/* An inline copy: rows are short, a libc call per row costs more than the copy. */
SIMD_INLINE void copy_floats(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + VLEN <= n; i += VLEN) V_STORE(dst + i, V_LOAD(src + i));
  if (i < n) v_store_part(dst + i, v_load_part(src + i, n - i), n - i);
}

/* Float vector sums over blocks of PM_BLOCK floats (two accumulators, so a
 * 7x7 plane is not one add chain), each block's total added in double: a
 * lane sums at most PM_BLOCK / (2 * VLEN) terms in float. */
#define PM_BLOCK 1024
static void simd_plane_means(const float *in, size_t size, size_t planes, float *out) {
  for (size_t p = 0; p < planes; p++) {
    const float *src = in + p * size;
    double total = 0.0;
    for (size_t b = 0; b < size; b += PM_BLOCK) {
      size_t e = b + PM_BLOCK < size ? b + PM_BLOCK : size, i = b;
      vf a0 = V_ZERO(), a1 = V_ZERO();
      for (; i + 2 * VLEN <= e; i += 2 * VLEN) a0 = V_ADD(a0, V_LOAD(src + i)), a1 = V_ADD(a1, V_LOAD(src + i + VLEN));
      if (i + VLEN <= e) a0 = V_ADD(a0, V_LOAD(src + i)), i += VLEN;
      if (i < e) a1 = V_ADD(a1, v_load_part(src + i, (int)(e - i)));
      total += (double)V_HSUM(V_ADD(a0, a1));
    }
    out[p] = size ? (float)(total / (double)size) : 0.f;
  }
}

/* Stride-2 im2col rows. Each K row segment is stored straight from
 * registers: the earlier even/odd split into a row buffer and a memcpy per
 * kernel column took 9 us of AgeGenderNet's 41 us first conv.
 * Kernel columns starting at input offsets 0..2 (3x3 kernels with no left
 * padding, 1x1 ones) share one pass: the 2 * VLEN input floats of an output
 * vector are loaded once and give its even (offset 0) and odd (1) lanes;
 * offset 2 is the even lanes moved one lane along with the next vector's
 * first. Loads past the row's end read zeros, the padding. Other offsets
 * take one gathered load per vector and column.
 * All the rows of a plane go through one call: one call per row cost ~7 ns
 * each, 6.5 us of every strided 1x1 projection (896 rows each in
 * AgeGenderNet). Whole vectors are stored past a row's ow outputs while
 * the segment goes on (the next row overwrites them), and where no tap
 * reaches past the row (no right padding) a row's loads run on into the
 * rows after it, whose lanes only feed those discarded outputs. */
#define IM2COL_S2_SHARED_KW 3
SIMD_INLINE vf load_clamped(const float *src, int iw, int s) {
  int n = iw - s;
  return n >= VLEN ? V_LOAD(src + s) : n > 0 ? v_load_part(src + s, n) : V_ZERO();
}

/* even (*e) and odd (*o) lanes of src[b, b + 2 * VLEN), zeros from lim on; b >= 0 */
SIMD_INLINE void load_pairs(const float *src, int lim, int b, vf *e, vf *o) {
  vf lo, hi;
  if (b + 2 * VLEN <= lim) {
    lo = V_LOAD(src + b), hi = V_LOAD(src + b + VLEN);
  } else {
    lo = load_clamped(src, lim, b), hi = load_clamped(src, lim, b + VLEN);
  }
  *e = V_EVEN2(lo, hi), *o = V_ODD2(lo, hi);
}

/* the shared pass over one row: loads from src[0, lim), stores the first
 * room floats of each segment (room >= ow); offs: each kernel column's
 * input offset (0..2), kw and offs compile-time constants for the common
 * 1x1 and 3x3 cases; need_next: some offset is 2, which takes a lane of the
 * next vector */
SIMD_INLINE void im2col_s2_shared(const float *src, int lim, int kw, const int *offs, int need_next, int ow,
                                  float *dst, size_t ld, int room) {
  vf e, o;
  load_pairs(src, lim, 0, &e, &o);
  for (int ox = 0; ox < ow; ox += VLEN) {
    vf e_next = e, o_next = o;
    if (need_next || ox + VLEN < ow) load_pairs(src, lim, 2 * (ox + VLEN), &e_next, &o_next);
#pragma GCC unroll 4
    for (int kx = 0; kx < kw; kx++) {
      vf v = offs[kx] == 0 ? e : offs[kx] == 1 ? o : V_SHIFT1(e, e_next);
      store_cols(dst + (size_t)kx * ld + ox, v, room - ox);
    }
    e = e_next, o = o_next;
  }
}

/* the gathered pass over one row, for other kernel offsets */
static void im2col_s2_gather(const float *src, int iw, int x0, int dx, int kw, int ow, float *dst, size_t ld,
                             int room) {
  for (int kx = 0; kx < kw; kx++) {
    int off = x0 + kx * dx; /* input column of ox = 0 */
    for (int ox = 0; ox < ow; ox += VLEN) {
      int s = off + 2 * ox;
      vf v;
      if (s >= 0 && s + 2 * VLEN <= iw) {
        v = V_LOAD_EVEN(src + s);
      } else {
        alignas(64) float tmp[VLEN];
        for (int i = 0; i < VLEN; i++) tmp[i] = s + 2 * i >= 0 && s + 2 * i < iw ? src[s + 2 * i] : 0.f;
        v = V_LOAD(tmp);
      }
      store_cols(dst + (size_t)kx * ld + ox, v, room - ox);
    }
  }
}

static void simd_im2col_s2(const float *src, size_t src_step, int rows, int iw, int x0, int dx, int kw, int ow,
                           float *dst, size_t ld) {
  static const int offs3[3] = {0, 1, 2}, offs1[1] = {0};
  int offs[IM2COL_S2_SHARED_KW] = {0}, shared = kw >= 1 && kw <= IM2COL_S2_SHARED_KW;
  for (int kx = 0; kx < kw && shared; kx++) {
    offs[kx] = x0 + kx * dx;
    shared = offs[kx] >= 0 && offs[kx] <= 2;
  }
  /* offs ascend (dx >= 1): the last is the rightmost tap */
  int inside = shared && 2 * (ow - 1) + offs[kw - 1] < iw, need_next = shared && offs[kw - 1] == 2;
  for (int r = 0; r < rows; r++) {
    const float *s = src + (size_t)r * src_step;
    float *d = dst + (size_t)r * ow;
    size_t after = (size_t)(rows - 1 - r); /* rows after this one */
    size_t lim = inside ? after * src_step + (size_t)iw : (size_t)iw;
    size_t room = (after + 1) * (size_t)ow;
    int lim_i = lim < INT_MAX ? (int)lim : INT_MAX, room_i = room < INT_MAX ? (int)room : INT_MAX;
    if (x0 == 0 && dx == 1 && kw == 3)
      im2col_s2_shared(s, lim_i, 3, offs3, 1, ow, d, ld, room_i);
    else if (x0 == 0 && kw == 1)
      im2col_s2_shared(s, lim_i, 1, offs1, 0, ow, d, ld, room_i);
    else if (shared)
      im2col_s2_shared(s, lim_i, kw, offs, need_next, ow, d, ld, room_i);
    else
      im2col_s2_gather(s, iw, x0, dx, kw, ow, d, ld, room_i);
  }
}

/* Splits src[0, n) into its even- and odd-indexed elements (the direct
 * convolution's stride-2 rows). */
static void simd_deinterleave(const float *src, int n, float *even, float *odd) {
  int i = 0;
  /* whole vectors while the odd load (src + 1, 2 * VLEN floats) stays in src */
  for (; 2 * i + 2 * VLEN + 1 <= n; i += VLEN) {
    V_STORE(even + i, V_LOAD_EVEN(src + 2 * i));
    V_STORE(odd + i, V_LOAD_EVEN(src + 2 * i + 1));
  }
  for (int j = i; 2 * j < n; j++) even[j] = src[2 * j];
  for (int j = i; 2 * j + 1 < n; j++) odd[j] = src[2 * j + 1];
}

/* ---- direct convolution for few input channels ------------------------- */
/* Per output row, every (input channel, kernel row) input row is copied once
 * into a zero-padded row (stride 1) or split into the even and odd columns
 * of one (stride 2), so each tap of a whole row of outputs is one plain
 * vector load at a fixed offset. A block of DC_R output channels x DC_NV
 * vectors of columns accumulates over all taps (weights broadcast from the
 * ONNX layout), then adds nothing more: bias is the starting value. */
#define DC_R 4
#define DC_NV (VLEN >= 16 ? 4 : 2) /* 16 or 8 accumulators: fits 32 zmm / 16 ymm, xmm */
#define DC_MAX_TAPS 128
#define DC_MIN_TAPS 48
#define DC_BUF_FLOATS 8192 /* 32 KiB */
#define DC_MAX_OUT_W 1024

SIMD_INLINE void dc_block(int nv, int taps, const float *const *tp, int ox, const float *const *wr,
                          const float *bias4, int rows, float *const *dst, int valid, int act_k,
                          const nnrt_act *act) {
  vf acc[DC_R][4];
#pragma GCC unroll 4
  for (int r = 0; r < DC_R; r++)
#pragma GCC unroll 4
    for (int j = 0; j < nv; j++) acc[r][j] = V_SET1(bias4[r]);
  for (int t = 0; t < taps; t++) {
    vf v[4];
#pragma GCC unroll 4
    for (int j = 0; j < nv; j++) v[j] = V_LOAD(tp[t] + ox + j * VLEN);
#pragma GCC unroll 4
    for (int r = 0; r < DC_R; r++) {
      vf wk = V_SET1(wr[r][t]);
#pragma GCC unroll 4
      for (int j = 0; j < nv; j++) acc[r][j] = V_FMA(v[j], wk, acc[r][j]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < DC_R; r++) {
    if (r >= rows) break;
#pragma GCC unroll 4
    for (int j = 0; j < nv; j++) {
      store_cols(dst[r] + ox + j * VLEN, v_act_k(act_k, act, acc[r][j]), valid - j * VLEN);
    }
  }
}

/* Fills one set of rows (per input channel and kernel row) for output row
 * oy and the tap pointers into it. */
static void dc_build(const nnrt_window *win, int cin, const float *in, int oy, int s2, int L,
                     float *rows, const float *zero_row, float *prow, const float **tp) {
  int per_row = s2 ? 2 * L : L;
  for (int ci = 0; ci < cin; ci++)
    for (int ky = 0; ky < win->k_h; ky++) {
      int iy = oy * win->stride_h - win->pad_top + ky;
      float *row = rows + (size_t)(ci * win->k_h + ky) * per_row;
      const float *base = row;
      if (iy < 0 || iy >= win->in_h) {
        base = zero_row;
      } else {
        const float *src = in + ((size_t)ci * win->in_h + iy) * win->in_w;
        float *pad = s2 ? prow : row;
        int len = s2 ? 2 * L : L;
        int n = win->in_w < len - win->pad_left ? win->in_w : len - win->pad_left;
        for (int j = 0; j < win->pad_left; j++) pad[j] = 0.f;
        copy_floats(pad + win->pad_left, src, n);
        for (int j = win->pad_left + n; j < len; j++) pad[j] = 0.f;
        if (s2) simd_deinterleave(prow, 2 * L, row, row + L);
      }
      for (int kx = 0; kx < win->k_w; kx++)
        tp[(ci * win->k_h + ky) * win->k_w + kx] = s2 ? base + (kx & 1 ? L : 0) + kx / 2 : base + kx;
    }
}

SIMD_INLINE void dc_rows(int act_k, const nnrt_window *win, int cin, int cout, const float *in,
                         const float *w, const float *bias, float *out, int oy0, int oy1,
                         const nnrt_act *act, int s2, int L, float *buf) {
  int taps = cin * win->k_h * win->k_w;
  float *zero_row = buf + (size_t)cin * win->k_h * (s2 ? 2 * L : L);
  float *prow = zero_row + (s2 ? 2 * L : L); /* stride 2: the padded row before its split */
  static const float zero_w[DC_MAX_TAPS];
  const float *tp[DC_MAX_TAPS];
  for (int j = 0; j < (s2 ? 2 * L : L); j++) zero_row[j] = 0.f;
  size_t plane = (size_t)win->out_h * win->out_w;
  for (int oy = oy0; oy < oy1; oy++) {
    dc_build(win, cin, in, oy, s2, L, buf, zero_row, prow, tp);
    for (int co = 0; co < cout; co += DC_R) {
      const float *wr[DC_R];
      float b4[DC_R];
      float *dst[DC_R];
      int rows = cout - co < DC_R ? cout - co : DC_R;
      for (int r = 0; r < DC_R; r++) {
        wr[r] = r < rows ? w + (size_t)(co + r) * taps : zero_w;
        b4[r] = r < rows && bias ? bias[co + r] : 0.f;
        dst[r] = out + (size_t)(co + (r < rows ? r : 0)) * plane + (size_t)oy * win->out_w;
      }
      for (int ox = 0; ox < win->out_w; ox += DC_NV * VLEN)
        dc_block(DC_NV, taps, tp, ox, wr, b4, rows, dst, win->out_w - ox, act_k, act);
    }
  }
}

static int simd_conv_direct(const nnrt_window *win, int cin, int cout, const float *in,
                            const float *w, const float *bias, float *out, int oy0, int oy1,
                            const nnrt_act *act) {
  int s2 = win->stride_w == 2;
  int out_w_pad = (win->out_w + DC_NV * VLEN - 1) / (DC_NV * VLEN) * (DC_NV * VLEN);
  /* floats of one (padded or split) row: the last block's loads reach
   * out_w_pad - 1 + the kernel's reach */
  int L = out_w_pad + win->k_w;
  size_t need = (size_t)(cin * win->k_h + 2) * (s2 ? 2 * L : L);
  /* Measured on Zen 5: BlazeFace's 5x5 first conv (75 taps) 120 -> 98 us
   * against im2col + GEMM, AgeGenderNet's 3x3 one (27 taps) 42 -> 49 us:
   * with few taps the per-row work does not pay, so those keep im2col. */
  if (cin * win->k_h * win->k_w < DC_MIN_TAPS || (win->stride_w != 1 && !s2) || win->dil_h != 1 || win->dil_w != 1 || win->pad_left < 0 ||
      win->pad_top < 0 || cin * win->k_h * win->k_w > DC_MAX_TAPS || win->out_w > DC_MAX_OUT_W ||
      need > DC_BUF_FLOATS || (s2 ? 2 * L : L) <= win->pad_left)
    return 0;
  alignas(64) float buf[DC_BUF_FLOATS];
  int ak = act_k_of(act);
  if (ak == NNRT_ACT_NONE)
    dc_rows(NNRT_ACT_NONE, win, cin, cout, in, w, bias, out, oy0, oy1, act, s2, L, buf);
  else if (ak == NNRT_ACT_RELU)
    dc_rows(NNRT_ACT_RELU, win, cin, cout, in, w, bias, out, oy0, oy1, act, s2, L, buf);
  else
    dc_rows(-1, win, cin, cout, in, w, bias, out, oy0, oy1, act, s2, L, buf);
  return 1;
}

static void simd_gemm_packed(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                             const float *bias, const float *res, float *C, int ldc,
                             const nnrt_act *act) {
  simd_gemm_packed_rows(0, M, N, K, packed_a, B, ldb, bias, res, C, ldc, act);
}

/* ---- depthwise convolution and pooling ----------------------------------- */
/* One routine walks a plane for all three (the mode is a compile-time
 * constant in each caller): per output row, the taps whose input row is in
 * range are known; columns whose every tap is inside the input run VLEN at a
 * time (stride 1 or 2), the border columns one at a time. */

enum { WIN_DW, WIN_MAX, WIN_AVG };
#define WIN_MAX_TAPS 64 /* larger windows take the one-at-a-time path */

static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

typedef struct win_row {
  int iy[WIN_MAX_TAPS]; /* input rows of the valid vertical taps */
  int ky[WIN_MAX_TAPS];
  int n;                /* count of valid vertical taps */
} win_row;

/* One output at column ox, any position. */
SIMD_INLINE float win_point(int mode, const nnrt_window *win, const win_row *rows, int ox,
                            const float *src, const float *wc, float bias, int include_pad) {
  float acc = mode == WIN_MAX ? -INFINITY : (mode == WIN_DW ? bias : 0.f);
  int count = 0;
  for (int t = 0; t < rows->n; t++) {
    const float *row = src + (size_t)rows->iy[t] * win->in_w;
    for (int kx = 0; kx < win->k_w; kx++) {
      int ix = ox * win->stride_w - win->pad_left + kx * win->dil_w;
      if (ix < 0 || ix >= win->in_w) continue;
      float v = row[ix];
      if (mode == WIN_DW)
        acc += v * wc[rows->ky[t] * win->k_w + kx];
      else if (mode == WIN_MAX)
        acc = v > acc ? v : acc;
      else
        acc += v;
      count++;
    }
  }
  if (mode == WIN_AVG) {
    int divisor = include_pad ? win->k_h * win->k_w : count;
    acc = divisor > 0 ? acc / (float)divisor : 0.f;
  }
  return acc;
}

/* NB vectors of outputs starting at column ox, all taps inside the input. */
SIMD_INLINE void win_vectors(int mode, int nb, int stride2, const nnrt_window *win,
                             const win_row *rows, int ox, const float *src, const vf *wv,
                             vf init, vf scale, float *dst) {
  vf acc[4];
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) acc[b] = init;
  int step = stride2 ? 2 * VLEN : VLEN;
  for (int t = 0; t < rows->n; t++) {
    const float *row = src + (size_t)rows->iy[t] * win->in_w + ox * win->stride_w - win->pad_left;
    const vf *wrow = wv + rows->ky[t] * win->k_w;
    for (int kx = 0; kx < win->k_w; kx++) {
      const float *p = row + kx * win->dil_w;
#pragma GCC unroll 4
      for (int b = 0; b < nb; b++) {
        vf v = stride2 ? V_LOAD_EVEN(p + b * step) : V_LOAD(p + b * step);
        if (mode == WIN_DW)
          acc[b] = V_FMA(v, wrow[kx], acc[b]);
        else if (mode == WIN_MAX)
          acc[b] = V_MAX(acc[b], v);
        else
          acc[b] = V_ADD(acc[b], v);
      }
    }
  }
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) {
    vf v = mode == WIN_AVG ? V_MUL(acc[b], scale) : acc[b];
    V_STORE(dst + b * VLEN, v);
  }
}

SIMD_INLINE void win_planes(int mode, const nnrt_window *win, int c0, int c1, const float *in,
                            const float *w, const float *bias, float *out, const nnrt_act *act,
                            int include_pad) {
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  int taps = win->k_h * win->k_w;
  int sw = win->stride_w;
  /* Columns [x_lo, x_hi) have every tap inside the row; a stride-2 vector
   * load also reads the odd element after its last tap, so it needs one
   * more column of room. */
  int vector_ok = (sw == 1 || sw == 2) && taps <= WIN_MAX_TAPS;
  int x_lo = (win->pad_left + sw - 1) / sw;
  int x_hi = floor_div(win->in_w - 1 - (sw - 1) + win->pad_left - (win->k_w - 1) * win->dil_w,
                       sw) + 1;
  if (x_lo > win->out_w) x_lo = win->out_w;
  if (x_hi > win->out_w) x_hi = win->out_w;
  if (x_hi < x_lo || !vector_ok) x_hi = x_lo;

  vf wv[WIN_MAX_TAPS];
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    const float *wc = mode == WIN_DW ? w + (size_t)c * taps : NULL;
    float b = mode == WIN_DW && bias ? bias[c] : 0.f;
    float *dst = out + c * out_plane;
    if (mode == WIN_DW && vector_ok)
      for (int t = 0; t < taps; t++) wv[t] = V_SET1(wc[t]);
    vf init = mode == WIN_MAX ? V_SET1(-INFINITY) : V_SET1(b);

    for (int oy = 0; oy < win->out_h; oy++) {
      win_row rows;
      rows.n = 0;
      for (int ky = 0; ky < win->k_h; ky++) {
        int iy = oy * win->stride_h - win->pad_top + ky * win->dil_h;
        if (iy < 0 || iy >= win->in_h) continue;
        rows.iy[rows.n] = iy;
        rows.ky[rows.n] = ky;
        rows.n++;
      }
      float *drow = dst + (size_t)oy * win->out_w;
      int divisor = include_pad ? taps : rows.n * win->k_w;
      vf scale = V_SET1(divisor > 0 ? 1.f / (float)divisor : 0.f);

      int ox = 0;
      for (; ox < x_lo; ox++) drow[ox] = win_point(mode, win, &rows, ox, src, wc, b, include_pad);
      if (x_hi > x_lo) {
        if (sw == 1) {
          for (; ox + 4 * VLEN <= x_hi; ox += 4 * VLEN)
            win_vectors(mode, 4, 0, win, &rows, ox, src, wv, init, scale, drow + ox);
          for (; ox + VLEN <= x_hi; ox += VLEN)
            win_vectors(mode, 1, 0, win, &rows, ox, src, wv, init, scale, drow + ox);
        } else {
          for (; ox + 4 * VLEN <= x_hi; ox += 4 * VLEN)
            win_vectors(mode, 4, 1, win, &rows, ox, src, wv, init, scale, drow + ox);
          for (; ox + VLEN <= x_hi; ox += VLEN)
            win_vectors(mode, 1, 1, win, &rows, ox, src, wv, init, scale, drow + ox);
        }
      }
      for (; ox < win->out_w; ox++)
        drow[ox] = win_point(mode, win, &rows, ox, src, wc, b, include_pad);
      if (mode == WIN_DW && act && act->kind != NNRT_ACT_NONE) {
        int x = 0;
        for (; x + VLEN <= win->out_w; x += VLEN) V_STORE(drow + x, v_act(act, V_LOAD(drow + x)));
        if (x < win->out_w)
          v_store_part(drow + x, v_act(act, v_load_part(drow + x, win->out_w - x)),
                       win->out_w - x);
      }
    }
  }
}

/* The fast path for stride 1 and 2: input rows are copied once per channel
 * into a small ring of padded rows (padding = 0, or -inf for max), so every
 * output row is computed a vector at a time with no border logic; the last
 * vector of a row is stored partially. Returns 0 (and does nothing) when the
 * geometry does not fit the stack buffers; the caller then uses win_planes. */
#define PAD_RING_FLOATS 12288 /* 48 KiB of padded rows */
#define PAD_MAX_OUT_W 2048


/* NB vectors at output column ox of one output row; kw_c is k_w when it is a
 * compile-time constant (3, 5), else 0. */
SIMD_INLINE void pad_vectors(int mode, int nb, int stride2, int kw_c, const nnrt_window *win,
                             const float *const *rows, const int *kys, int n_rows, int ox,
                             const vf *wv, vf init, vf row_scale, const float *col_scale,
                             const nnrt_act *act, float *dst, int valid) {
  int kw = kw_c ? kw_c : win->k_w;
  int dw = win->dil_w;
  vf acc[4];
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) acc[b] = init;
  for (int t = 0; t < n_rows; t++) {
    const float *row = rows[t] + (stride2 ? 2 * ox : ox);
    const vf *wrow = wv + kys[t] * kw;
#pragma GCC unroll 8
    for (int kx = 0; kx < kw; kx++) {
      const float *p = row + kx * dw;
      vf wk = mode == WIN_DW ? wrow[kx] : init;
#pragma GCC unroll 4
      for (int b = 0; b < nb; b++) {
        vf v = stride2 ? V_LOAD_EVEN(p + 2 * b * VLEN) : V_LOAD(p + b * VLEN);
        if (mode == WIN_DW)
          acc[b] = V_FMA(v, wk, acc[b]);
        else if (mode == WIN_MAX)
          acc[b] = V_MAX(acc[b], v);
        else
          acc[b] = V_ADD(acc[b], v);
      }
    }
  }
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) {
    vf v = acc[b];
    if (mode == WIN_AVG) v = V_MUL(V_MUL(v, row_scale), V_LOAD(col_scale + ox + b * VLEN));
    if (mode == WIN_DW) v = v_act(act, v);
    store_cols(dst + b * VLEN, v, valid - b * VLEN);
  }
}

/* Like pad_vectors for two output rows whose every vertical tap is inside
 * the input (rows0/rows1: the k_h padded input rows of each). */
SIMD_INLINE void pad_vectors2(int mode, int nb, int stride2, int kw_c, const nnrt_window *win,
                              const float *const *rows0, const float *const *rows1, int ox,
                              const vf *wv, vf init, vf row_scale, const float *col_scale,
                              const nnrt_act *act, float *dst0, float *dst1, int valid) {
  int kw = kw_c ? kw_c : win->k_w;
  int dw = win->dil_w;
  /* even and odd kernel rows accumulate separately (joined at the end):
   * twice the independent chains again, so a narrow plane is not bound by
   * FMA latency */
  vf acc0[4], acc1[4], odd0[4], odd1[4];
  vf zero = mode == WIN_MAX ? init : V_ZERO();
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) {
    acc0[b] = acc1[b] = init;
    odd0[b] = odd1[b] = zero;
  }
#define TAP_ROW(KY, A0, A1)                                                                   \
  do {                                                                                        \
    const float *r0 = rows0[KY] + (stride2 ? 2 * ox : ox);                                    \
    const float *r1 = rows1[KY] + (stride2 ? 2 * ox : ox);                                    \
    const vf *wrow = wv + (KY) * kw;                                                          \
    _Pragma("GCC unroll 8") for (int kx = 0; kx < kw; kx++) {                                 \
      vf wk = mode == WIN_DW ? wrow[kx] : init;                                               \
      _Pragma("GCC unroll 4") for (int b = 0; b < nb; b++) {                                  \
        const float *p0 = r0 + kx * dw + (stride2 ? 2 * b * VLEN : b * VLEN);                 \
        const float *p1 = r1 + kx * dw + (stride2 ? 2 * b * VLEN : b * VLEN);                 \
        vf v0 = stride2 ? V_LOAD_EVEN(p0) : V_LOAD(p0);                                       \
        vf v1 = stride2 ? V_LOAD_EVEN(p1) : V_LOAD(p1);                                       \
        if (mode == WIN_DW) {                                                                 \
          A0[b] = V_FMA(v0, wk, A0[b]);                                                       \
          A1[b] = V_FMA(v1, wk, A1[b]);                                                       \
        } else if (mode == WIN_MAX) {                                                         \
          A0[b] = V_MAX(A0[b], v0);                                                           \
          A1[b] = V_MAX(A1[b], v1);                                                           \
        } else {                                                                              \
          A0[b] = V_ADD(A0[b], v0);                                                           \
          A1[b] = V_ADD(A1[b], v1);                                                           \
        }                                                                                     \
      }                                                                                       \
    }                                                                                         \
  } while (0)
  int ky = 0;
  for (; ky + 1 < win->k_h; ky += 2) {
    TAP_ROW(ky, acc0, acc1);
    TAP_ROW(ky + 1, odd0, odd1);
  }
  if (ky < win->k_h) TAP_ROW(ky, acc0, acc1);
#undef TAP_ROW
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) {
    if (mode == WIN_MAX) {
      acc0[b] = V_MAX(acc0[b], odd0[b]);
      acc1[b] = V_MAX(acc1[b], odd1[b]);
    } else {
      acc0[b] = V_ADD(acc0[b], odd0[b]);
      acc1[b] = V_ADD(acc1[b], odd1[b]);
    }
  }
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) {
    vf v0 = acc0[b], v1 = acc1[b];
    if (mode == WIN_AVG) {
      vf cs = V_MUL(row_scale, V_LOAD(col_scale + ox + b * VLEN));
      v0 = V_MUL(v0, cs);
      v1 = V_MUL(v1, cs);
    }
    if (mode == WIN_DW) {
      v0 = v_act(act, v0);
      v1 = v_act(act, v1);
    }
    store_cols(dst0 + b * VLEN, v0, valid - b * VLEN);
    store_cols(dst1 + b * VLEN, v1, valid - b * VLEN);
  }
}

SIMD_INLINE int win_planes_padded_kw(int mode, int stride2, int kw_c, const nnrt_window *win,
                                     int c0, int c1, const float *in, const float *w,
                                     const float *bias, float *out, const nnrt_act *act,
                                     int include_pad) {
  int sw = stride2 ? 2 : 1;
  int out_w_vec = (win->out_w + VLEN - 1) / VLEN * VLEN;
  int ext_w = (win->k_w - 1) * win->dil_w + 1;
  /* floats a padded row must hold for the vector loads of out_w_vec columns
   * (a stride-2 load reads one odd element past its last tap) */
  int row_len = (out_w_vec - 1) * sw + ext_w + (stride2 ? 1 : 0);
  int span = (win->k_h - 1) * win->dil_h + 1;
  /* a power of two, so the slot of an input row is a mask, not a division */
  int ring = 1;
  while (ring < span + win->stride_h) ring *= 2;
  int taps = win->k_h * win->k_w;
  if (taps > WIN_MAX_TAPS || win->k_h > WIN_MAX_TAPS || ring > 2 * WIN_MAX_TAPS + 4 ||
      out_w_vec > PAD_MAX_OUT_W ||
      (size_t)ring * row_len > PAD_RING_FLOATS)
    return 0;

  alignas(64) float buf[PAD_RING_FLOATS];
  /* where a row's input floats go in its padded copy */
  int copy_left = win->pad_left < row_len ? win->pad_left : row_len;
  int copy_n = win->in_w < row_len - copy_left ? win->in_w : row_len - copy_left;
  alignas(64) float col_scale[PAD_MAX_OUT_W];
  int tag[2 * WIN_MAX_TAPS + 4];
  vf wv[WIN_MAX_TAPS];
  const float pad_value = mode == WIN_MAX ? -INFINITY : 0.f;

  if (mode == WIN_AVG)
    for (int ox = 0; ox < out_w_vec; ox++) {
      int n = 0;
      for (int kx = 0; kx < win->k_w; kx++) {
        int ix = ox * sw - win->pad_left + kx * win->dil_w;
        n += ix >= 0 && ix < win->in_w;
      }
      col_scale[ox] = include_pad ? 1.f : (n > 0 ? 1.f / (float)n : 0.f);
    }

  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    float b = mode == WIN_DW && bias ? bias[c] : 0.f;
    if (mode == WIN_DW)
      for (int t = 0; t < taps; t++) wv[t] = V_SET1(w[(size_t)c * taps + t]);
    vf init = mode == WIN_MAX ? V_SET1(-INFINITY) : V_SET1(b);
    for (int s = 0; s < ring; s++) tag[s] = -1;
    if (c == c0) /* the padding of every ring row, once: rows only overwrite their middle */
      for (int j = 0; j < ring * row_len; j++) buf[j] = pad_value;

    for (int oy = 0; oy < win->out_h;) {
      const float *rows[2][WIN_MAX_TAPS];
      int kys[2][WIN_MAX_TAPS];
      int n_rows[2] = {0, 0};
      /* taps of this output row and the next: together they span at most
       * span + stride_h input rows, so the ring holds both sets at once */
      int pair = oy + 1 < win->out_h ? 2 : 1;
      for (int q = 0; q < pair; q++)
        for (int ky = 0; ky < win->k_h; ky++) {
          int iy = (oy + q) * win->stride_h - win->pad_top + ky * win->dil_h;
          if (iy < 0 || iy >= win->in_h) continue;
          int slot = iy & (ring - 1);
          float *r = buf + (size_t)slot * row_len;
          if (tag[slot] != iy) { /* first use of this input row: copy it */
            copy_floats(r + copy_left, src + (size_t)iy * win->in_w, copy_n);
            tag[slot] = iy;
          }
          rows[q][n_rows[q]] = r;
          kys[q][n_rows[q]] = ky;
          n_rows[q]++;
        }
      float *drow = dst + (size_t)oy * win->out_w;
      if (pair == 2 && n_rows[0] == win->k_h && n_rows[1] == win->k_h) {
        /* two interior rows at once: twice the independent FMA chains,
         * which matters for narrow planes (one vector per row) */
        vf scale = V_SET1(1.f / (float)(include_pad ? taps : win->k_h));
        for (int ox = 0; ox < win->out_w; ox += 4 * VLEN) {
          int nvec = (win->out_w - ox + VLEN - 1) / VLEN;
          int valid = win->out_w - ox;
#define PAIR_CALL(NB)                                                                          \
  pad_vectors2(mode, NB, stride2, kw_c, win, rows[0], rows[1], ox, wv, init, scale, col_scale, \
               act, drow + ox, drow + win->out_w + ox, valid)
          if (nvec >= 4) PAIR_CALL(4);
          else if (nvec == 3) PAIR_CALL(3);
          else if (nvec == 2) PAIR_CALL(2);
          else PAIR_CALL(1);
#undef PAIR_CALL
        }
        oy += 2;
        continue;
      }
      int divisor = include_pad ? taps : n_rows[0];
      vf row_scale = V_SET1(divisor > 0 ? 1.f / (float)divisor : 0.f);
      for (int ox = 0; ox < win->out_w; ox += 4 * VLEN) {
        int nvec = (win->out_w - ox + VLEN - 1) / VLEN;
        int valid = win->out_w - ox;
#define ROW_CALL(NB)                                                                          \
  pad_vectors(mode, NB, stride2, kw_c, win, rows[0], kys[0], n_rows[0], ox, wv, init, row_scale, \
              col_scale, act, drow + ox, valid)
        if (nvec >= 4) ROW_CALL(4);
        else if (nvec == 3) ROW_CALL(3);
        else if (nvec == 2) ROW_CALL(2);
        else ROW_CALL(1);
#undef ROW_CALL
      }
      oy += 1;
    }
  }
  return 1;
}

/* Instantiations for the common widths and strides. */
SIMD_INLINE int win_planes_padded(int mode, const nnrt_window *win, int c0, int c1,
                                  const float *in, const float *w, const float *bias, float *out,
                                  const nnrt_act *act, int include_pad) {
  if (win->stride_w != 1 && win->stride_w != 2) return 0;
  int s2 = win->stride_w == 2;
#define PAD_CALL(S2, KW) \
  win_planes_padded_kw(mode, S2, KW, win, c0, c1, in, w, bias, out, act, include_pad)
  /* fixed widths only for depthwise (the hot one): pools stay generic to
   * keep the compile time and code size down */
  if (mode == WIN_DW && win->k_w == 3) return s2 ? PAD_CALL(1, 3) : PAD_CALL(0, 3);
  if (mode == WIN_DW && win->k_w == 5) return s2 ? PAD_CALL(1, 5) : PAD_CALL(0, 5);
  return s2 ? PAD_CALL(1, 0) : PAD_CALL(0, 0);
#undef PAD_CALL
}

/* Channel c's K*K depthwise taps broadcast into wv; returns its bias (or 0)
 * broadcast, the accumulators' start. */
SIMD_INLINE vf dw_channel_weights(const float *w, const float *bias, int c, int taps, vf *wv) {
  for (int t = 0; t < taps; t++) wv[t] = V_SET1(w[(size_t)c * taps + t]);
  return V_SET1(bias ? bias[c] : 0.f);
}

/* Depthwise, stride 1, small planes that dw_narrow, dw_plane and dw_rows
 * leave (simd_dwconv tries those first): the whole plane is copied once
 * into a zero-padded stack buffer of row stride pw (padded width) and the
 * output is computed over the flattened padded coordinates p = oy * pw + ox:
 * every tap is then one unaligned load at a fixed offset, with no per-row or border logic, and vectors run across row
 * ends (the pw - out_w columns past each row end are computed and dropped).
 * A 7-wide plane fills 7/9 of every vector instead of 7/16 on AVX-512, and
 * a channel costs one copy in and out instead of per-row ring bookkeeping.
 * Returns 0 when the geometry is not one this path takes or would not win. */
#define FLAT_MAX_FLOATS 4096 /* 16 KiB padded plane, same for the output */

SIMD_INLINE void flat_vectors(int nb, int kw_c, const nnrt_window *win, int pw, const float *buf,
                              int p, const vf *wv, vf init, const nnrt_act *act, float *obuf) {
  int kw = kw_c ? kw_c : win->k_w;
  vf acc[4], odd[4];
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) acc[b] = init, odd[b] = V_ZERO();
  for (int ky = 0; ky < win->k_h; ky++) {
    const float *row = buf + p + ky * win->dil_h * pw;
    const vf *wrow = wv + ky * kw;
#pragma GCC unroll 8
    for (int kx = 0; kx < kw; kx++) {
      const float *q = row + kx * win->dil_w;
#pragma GCC unroll 4
      for (int b = 0; b < nb; b++) {
        /* alternate taps into two chains: FMA latency, not throughput,
         * bounds a short plane otherwise */
        if (kx & 1)
          odd[b] = V_FMA(V_LOAD(q + b * VLEN), wrow[kx], odd[b]);
        else
          acc[b] = V_FMA(V_LOAD(q + b * VLEN), wrow[kx], acc[b]);
      }
    }
  }
#pragma GCC unroll 4
  for (int b = 0; b < nb; b++) V_STORE(obuf + p + b * VLEN, v_act(act, V_ADD(acc[b], odd[b])));
}

SIMD_INLINE int dw_flat_kw(int kw_c, const nnrt_window *win, int c0, int c1, const float *in,
                           const float *w, const float *bias, float *out, const nnrt_act *act) {
  int pad_right = win->out_w + (win->k_w - 1) * win->dil_w - win->in_w - win->pad_left;
  int pad_bottom = win->out_h + (win->k_h - 1) * win->dil_h - win->in_h - win->pad_top;
  int pw = win->in_w + win->pad_left + pad_right, ph = win->in_h + win->pad_top + pad_bottom;
  int taps = win->k_h * win->k_w;
  int n_out = win->out_h * pw; /* flattened padded output positions */
  int n_vec = (n_out + VLEN - 1) / VLEN;
  int row_vec = win->out_h * ((win->out_w + VLEN - 1) / VLEN);
  /* the last vector's taps read up to this far past the padded plane */
  int slack = VLEN + (win->k_w - 1) * win->dil_w;
  if (win->stride_h != 1 || win->stride_w != 1 || pad_right < 0 || pad_bottom < 0 ||
      taps > WIN_MAX_TAPS || n_vec > row_vec || (size_t)ph * pw + slack > FLAT_MAX_FLOATS ||
      (size_t)n_vec * VLEN > FLAT_MAX_FLOATS)
    return 0;
  alignas(64) float buf[FLAT_MAX_FLOATS];
  alignas(64) float obuf[FLAT_MAX_FLOATS];
  memset(buf, 0, sizeof(float) * ((size_t)ph * pw + slack));
  vf wv[WIN_MAX_TAPS];
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    vf init = dw_channel_weights(w, bias, c, taps, wv);
    /* interior only: the padding stays zero from the memset */
    for (int iy = 0; iy < win->in_h; iy++)
      copy_floats(buf + (size_t)(iy + win->pad_top) * pw + win->pad_left, src + (size_t)iy * win->in_w,
                  win->in_w);
    int v = 0;
    for (; v + 4 <= n_vec; v += 4) flat_vectors(4, kw_c, win, pw, buf, v * VLEN, wv, init, act, obuf);
    for (; v < n_vec; v++) flat_vectors(1, kw_c, win, pw, buf, v * VLEN, wv, init, act, obuf);
    for (int oy = 0; oy < win->out_h; oy++)
      copy_floats(dst + (size_t)oy * win->out_w, obuf + (size_t)oy * pw, win->out_w);
  }
  return 1;
}

SIMD_INLINE int dw_flat(const nnrt_window *win, int c0, int c1, const float *in, const float *w,
                        const float *bias, float *out, const nnrt_act *act) {
  if (win->k_w == 3) return dw_flat_kw(3, win, c0, c1, in, w, bias, out, act);
  return dw_flat_kw(0, win, c0, c1, in, w, bias, out, act);
}

/* Depthwise KxK (K = 3 or 5), stride 1, no dilation: R output rows at a
 * time. Each input vector (one of the R + K - 1 padded rows, shifted by kx)
 * is loaded once and multiplied into every output row it feeds, so a vector
 * of outputs costs (R + K - 1) * K / R loads instead of K * K: the padded-row
 * path above is bound by loads (most of them split cache lines), this one by
 * FMAs. R * NB accumulators (8) cover the FMA latency. Input rows come from a
 * ring of zero-padded copies as in win_planes_padded_kw; rows above or below
 * the input read a shared zero row. */
#define DWR_BUF_FLOATS 12288 /* 48 KiB: ring rows plus the zero row */


SIMD_INLINE void dwr_vectors(int K, int R, int nb, int act_k, const float *const *rows, int ox,
                             const vf *wv, vf init, const nnrt_act *act, float *dst, int ld, int rows_valid,
                             int valid) {
  vf acc[8][2];
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 2
    for (int b = 0; b < nb; b++) acc[r][b] = init;
#pragma GCC unroll 12
  for (int j = 0; j < R + K - 1; j++) {
    const float *row = rows[j] + ox;
#pragma GCC unroll 5
    for (int kx = 0; kx < K; kx++)
#pragma GCC unroll 2
      for (int b = 0; b < nb; b++) {
        vf v = V_LOAD(row + b * VLEN + kx);
        V_KEEP(v);
#pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
          int ky = j - r;
          if (ky >= 0 && ky < K) acc[r][b] = V_FMA(v, wv[ky * K + kx], acc[r][b]);
        }
      }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++) {
    if (r >= rows_valid) break;
#pragma GCC unroll 2
    for (int b = 0; b < nb; b++) {
      store_cols(dst + (size_t)r * ld + b * VLEN, v_act_k(act_k, act, acc[r][b]), valid - b * VLEN);
    }
  }
}

/* One block of R output rows across the plane: two vectors at a time where
 * R <= 4 leaves the registers for it, then one. */
SIMD_INLINE void dwr_row_block(int K, int R, int act_k, const float *const *rows, int out_w_vec,
                               const vf *wv, vf init, const nnrt_act *act, float *drow, int out_w,
                               int rows_valid) {
  int ox = 0;
  if (R <= 4)
    for (; ox + 2 * VLEN <= out_w_vec; ox += 2 * VLEN)
      dwr_vectors(K, R, 2, act_k, rows, ox, wv, init, act, drow + ox, out_w, rows_valid, out_w - ox);
  for (; ox < out_w_vec; ox += VLEN)
    dwr_vectors(K, R, 1, act_k, rows, ox, wv, init, act, drow + ox, out_w, rows_valid, out_w - ox);
}

SIMD_INLINE void dw_rows_kr(int K, int R, int act_k, const nnrt_window *win, int c0, int c1, const float *in,
                            const float *w, const float *bias, float *out, const nnrt_act *act,
                            float *buf, int ring, int row_len) {
  int taps = K * K;
  float *zero_row = buf + (size_t)ring * row_len;
  /* the padding columns of every ring row and the zero row, once: rows only
   * overwrite their middle */
  memset(buf, 0, sizeof(float) * (size_t)(ring + 1) * row_len);
  int copy_left = win->pad_left < row_len ? win->pad_left : row_len;
  int copy_n = win->in_w < row_len - copy_left ? win->in_w : row_len - copy_left;
  int out_w_vec = (win->out_w + VLEN - 1) / VLEN * VLEN;
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  int tag[32];
  vf wv[25];
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    vf init = dw_channel_weights(w, bias, c, taps, wv);
    for (int s = 0; s < ring; s++) tag[s] = -1;
    for (int oy = 0; oy < win->out_h; oy += R) {
      /* rows of this block (only the first block copies any), then those of
       * the next block: a row is copied one block before it is read, so the
       * loads do not wait on the stores that wrote it */
      for (int j = 0; j < 2 * R + K - 1; j++) {
        int iy = oy - win->pad_top + j;
        if (iy < 0 || iy >= win->in_h) continue;
        int slot = iy & (ring - 1);
        if (tag[slot] != iy) {
          if (copy_n > 0)
            copy_floats(buf + (size_t)slot * row_len + copy_left, src + (size_t)iy * win->in_w, copy_n);
          tag[slot] = iy;
        }
      }
      const float *rows[12];
      for (int j = 0; j < R + K - 1; j++) {
        int iy = oy - win->pad_top + j;
        rows[j] = iy < 0 || iy >= win->in_h ? zero_row : buf + (size_t)(iy & (ring - 1)) * row_len;
      }
      int rows_valid = win->out_h - oy < R ? win->out_h - oy : R;
      float *drow = dst + (size_t)oy * win->out_w;
      dwr_row_block(K, R, act_k, rows, out_w_vec, wv, init, act, drow, win->out_w, rows_valid);
    }
  }
}

/* The same R-row kernel over whole zero-padded planes, for planes that fit
 * twice in DWP_BUF_FLOATS: each channel is copied once (no ring slots or
 * tags), and channel c + 1 is copied before channel c is computed. The
 * kernel's loads straddle the copy's stores, which cannot be forwarded; a
 * load issued right after them waits for them to retire, which drained the
 * pipeline for every channel of a small plane (7x7, 14x14: ~3x the FMA
 * time). A plane's row stride is its padded width: a vector running past a
 * row end reads the next row, which only feeds output columns past out_w,
 * never stored. */
#define DWP_BUF_FLOATS 12288 /* 48 KiB: two padded planes */

/* Input rows [iy0, iy1) of one channel into its padded plane. */
SIMD_INLINE void dwp_copy_rows(const nnrt_window *win, int pw, const float *src, float *plane,
                               int iy0, int iy1) {
  int n = win->in_w;
  float *dst0 = plane + (size_t)win->pad_top * pw + win->pad_left;
  if (iy1 > win->in_h) iy1 = win->in_h;
  for (int iy = iy0; iy < iy1; iy++) {
    const float *s = src + (size_t)iy * n;
    float *d = dst0 + (size_t)iy * pw;
    if (n < VLEN) {
      v_store_part(d, v_load_part(s, n), n);
      continue;
    }
    int x = 0;
    for (; x + VLEN <= n; x += VLEN) V_STORE(d + x, V_LOAD(s + x));
    /* the last vector overlaps the one before: no partial load/store, and
     * the padding columns either side are not touched */
    if (x < n) V_STORE(d + n - VLEN, V_LOAD(s + n - VLEN));
  }
}

SIMD_INLINE void dw_plane_kr(int K, int R, int act_k, const nnrt_window *win, int c0, int c1,
                             const float *in, const float *w, const float *bias, float *out,
                             const nnrt_act *act, float *buf, int pw, int ph, size_t plane_len) {
  int taps = K * K;
  int out_w_vec = (win->out_w + VLEN - 1) / VLEN * VLEN;
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  memset(buf, 0, sizeof(float) * 2 * plane_len); /* the padding, never overwritten */
  vf wv[25];
  /* channel c + 1's rows are copied a share per block of channel c: the
   * copy's reads (from L2 for the larger planes) overlap the FMAs instead of
   * running as a phase of their own */
  int blocks = (win->out_h + R - 1) / R;
  int copy_share = (win->in_h + blocks - 1) / blocks;
  dwp_copy_rows(win, pw, in + c0 * in_plane, buf, 0, win->in_h);
  for (int c = c0; c < c1; c++) {
    float *plane = buf + (size_t)((c - c0) & 1) * plane_len;
    const float *next_src = c + 1 < c1 ? in + (c + 1) * in_plane : NULL;
    float *next_plane = buf + (size_t)((c + 1 - c0) & 1) * plane_len;
    float *dst = out + c * out_plane;
    vf init = dw_channel_weights(w, bias, c, taps, wv);
    for (int oy = 0; oy < win->out_h; oy += R) {
      if (next_src) {
        int iy0 = oy / R * copy_share;
        dwp_copy_rows(win, pw, next_src, next_plane, iy0, iy0 + copy_share);
      }
      const float *rows[12];
      /* a last block's rows past the plane feed only rows it does not store */
      for (int j = 0; j < R + K - 1; j++)
        rows[j] = plane + (size_t)(oy + j < ph ? oy + j : 0) * pw;
      int rows_valid = win->out_h - oy < R ? win->out_h - oy : R;
      float *drow = dst + (size_t)oy * win->out_w;
      dwr_row_block(K, R, act_k, rows, out_w_vec, wv, init, act, drow, win->out_w, rows_valid);
    }
  }
}

/* Calls CALL(K, R, activation class) with each argument a compile-time
 * constant: K (3 or 5) x R (8 or 4) x act_k (none, relu, any), for the
 * depthwise paths that instantiate a kernel per combination. */
#define DW_ACTS(CALL, KK, RR, ACT_K)                 \
  do {                                               \
    if ((ACT_K) == NNRT_ACT_NONE) CALL(KK, RR, NNRT_ACT_NONE);      \
    else if ((ACT_K) == NNRT_ACT_RELU) CALL(KK, RR, NNRT_ACT_RELU); \
    else CALL(KK, RR, -1);                           \
  } while (0)
#define DW_DISPATCH(CALL, K, R, ACT_K)               \
  do {                                               \
    if ((K) == 3) {                                  \
      if ((R) == 8) DW_ACTS(CALL, 3, 8, ACT_K);      \
      else DW_ACTS(CALL, 3, 4, ACT_K);               \
    } else {                                         \
      if ((R) == 8) DW_ACTS(CALL, 5, 8, ACT_K);      \
      else DW_ACTS(CALL, 5, 4, ACT_K);               \
    }                                                \
  } while (0)

static int dw_plane(const nnrt_window *win, int c0, int c1, const float *in, const float *w,
                    const float *bias, float *out, const nnrt_act *act) {
  int K = win->k_h;
  if ((K != 3 && K != 5) || win->k_w != K || win->stride_h != 1 || win->stride_w != 1 ||
      win->dil_h != 1 || win->dil_w != 1 || win->pad_top < 0 || win->pad_left < 0)
    return 0;
  /* padded plane: the implied bottom/right padding (stride 1) */
  int pw = win->out_w + K - 1, ph = win->out_h + K - 1;
  if (pw < win->pad_left + win->in_w || ph < win->pad_top + win->in_h) return 0;
  /* row stride a whole number of vectors: every kx = 0 load is then aligned
   * (the others split cache lines; with an odd stride nearly all did, and
   * the kernel was bound by cache accesses, not FMAs) */
  pw = (pw + VLEN - 1) / VLEN * VLEN;
  int R = win->out_w <= VLEN ? 8 : 4;
  int out_w_vec = (win->out_w + VLEN - 1) / VLEN * VLEN;
  /* the last row's vectors read out_w_vec + K - 1 floats from its start */
  size_t plane_len = (size_t)ph * pw + (size_t)(out_w_vec - win->out_w) + VLEN;
  plane_len = (plane_len + VLEN - 1) / VLEN * VLEN;
  if (2 * plane_len > DWP_BUF_FLOATS) return 0;
  alignas(64) float buf[DWP_BUF_FLOATS];
  int act_k = act_k_of(act);
#define DWP_CALL(KK, RR, AK) \
  dw_plane_kr(KK, RR, AK, win, c0, c1, in, w, bias, out, act, buf, pw, ph, plane_len)
  DW_DISPATCH(DWP_CALL, K, R, act_k);
#undef DWP_CALL
  return 1;
}

/* Returns 0 when the geometry is not one this path takes. */
static int dw_rows(const nnrt_window *win, int c0, int c1, const float *in, const float *w,
                   const float *bias, float *out, const nnrt_act *act) {
  int K = win->k_h;
  if ((K != 3 && K != 5) || win->k_w != K || win->stride_h != 1 || win->stride_w != 1 ||
      win->dil_h != 1 || win->dil_w != 1 || win->pad_top < 0 || win->pad_left < 0)
    return 0;
  /* a plane one vector wide gets 8 rows (8 chains); wider ones 4 rows of
   * two vectors */
  int R = win->out_w <= VLEN ? 8 : 4;
  int ring = 1;
  while (ring < 2 * R + K - 1) ring *= 2; /* this block's rows and the next's */
  int out_w_vec = (win->out_w + VLEN - 1) / VLEN * VLEN;
  int row_len = out_w_vec + K - 1;
  if ((size_t)(ring + 1) * row_len > DWR_BUF_FLOATS) return 0;
  alignas(64) float buf[DWR_BUF_FLOATS];
  int act_k = act_k_of(act);
#define DWR_CALL(KK, RR, AK) dw_rows_kr(KK, RR, AK, win, c0, c1, in, w, bias, out, act, buf, ring, row_len)
  DW_DISPATCH(DWR_CALL, K, R, act_k);
#undef DWR_CALL
  return 1;
}

/* Depthwise K x K (3, 5), stride 1, on planes whose rows fit one vector
 * (AgeGenderNet's 14x14 and 7x7 with 16 lanes). Each input row is one
 * masked load straight from the plane (zeros past in_w) and its K taps are
 * that vector moved by kx - pad_left lanes with zeros shifted in, which is
 * the left and right padding: no padded copy of the plane (its masked
 * loads and stores per row were about half of a 14x14 channel's time) and
 * no loads that split cache lines. R output rows share each input row's K
 * moved copies; R = 7 divides both 14 and 7. */
#define DWN_R 7
SIMD_INLINE vf dwn_tap(vf v, int s) {
  switch (s) { /* s = kx - pad_left, a constant in -2 .. 2 once inlined */
    case -2: return V_ALIGN(V_ZERO(), v, VLEN - 2);
    case -1: return V_ALIGN(V_ZERO(), v, VLEN - 1);
    case 1: return V_ALIGN(v, V_ZERO(), 1);
    case 2: return V_ALIGN(v, V_ZERO(), 2);
    default: return v;
  }
}

SIMD_INLINE void dw_narrow_k(int K, int PL, int act_k, const nnrt_window *win, int c0, int c1, const float *in,
                             const float *w, const float *bias, float *out, const nnrt_act *act) {
  int taps = K * K, in_w = win->in_w, out_w = win->out_w, in_h = win->in_h;
  size_t in_plane = (size_t)in_h * in_w, out_plane = (size_t)win->out_h * out_w;
  vf wv[25];
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    vf init = dw_channel_weights(w, bias, c, taps, wv);
    for (int oy = 0; oy < win->out_h; oy += DWN_R) {
      vf acc[DWN_R];
#pragma GCC unroll 8
      for (int r = 0; r < DWN_R; r++) acc[r] = init;
#pragma GCC unroll 12
      for (int j = 0; j < DWN_R + K - 1; j++) {
        int iy = oy - win->pad_top + j;
        vf row = iy >= 0 && iy < in_h ? (in_w >= VLEN ? V_LOAD(src + (size_t)iy * in_w)
                                                      : v_load_part(src + (size_t)iy * in_w, in_w))
                                      : V_ZERO();
#pragma GCC unroll 5
        for (int kx = 0; kx < K; kx++) {
          vf v = dwn_tap(row, kx - PL);
#pragma GCC unroll 8
          for (int r = 0; r < DWN_R; r++) {
            int ky = j - r;
            if (ky >= 0 && ky < K) acc[r] = V_FMA(v, wv[ky * K + kx], acc[r]);
          }
        }
      }
      /* a whole vector past a row's end lands in the next rows of this
       * plane, stored later; only the plane's end takes a partial store */
#pragma GCC unroll 8
      for (int r = 0; r < DWN_R; r++) {
        if (oy + r >= win->out_h) break;
        size_t pos = (size_t)(oy + r) * out_w;
        store_cols(dst + pos, v_act_k(act_k, act, acc[r]), (int)(out_plane - pos < VLEN ? out_plane - pos : VLEN));
      }
    }
  }
}

/* Returns 0 when the geometry is not one this path takes. */
static int dw_narrow(const nnrt_window *win, int c0, int c1, const float *in, const float *w,
                     const float *bias, float *out, const nnrt_act *act) {
  int K = win->k_h, PL = win->pad_left;
  if ((K != 3 && K != 5) || win->k_w != K || win->stride_h != 1 || win->stride_w != 1 || win->dil_h != 1 ||
      win->dil_w != 1 || win->pad_top < 0 || win->in_w > VLEN || win->out_w > VLEN || win->in_w < 1)
    return 0;
  /* taps move by kx - PL lanes: -2 .. 2 */
  if (!(K == 3 && PL >= 0 && PL <= 2) && !(K == 5 && PL == 2)) return 0;
  int act_k = act_k_of(act);
#define DWN_ACTS(KK, PP)                                                                              \
  do {                                                                                                \
    if (act_k == NNRT_ACT_NONE) dw_narrow_k(KK, PP, NNRT_ACT_NONE, win, c0, c1, in, w, bias, out, act); \
    else if (act_k == NNRT_ACT_RELU) dw_narrow_k(KK, PP, NNRT_ACT_RELU, win, c0, c1, in, w, bias, out, act); \
    else dw_narrow_k(KK, PP, -1, win, c0, c1, in, w, bias, out, act);                                \
  } while (0)
  if (K == 5) DWN_ACTS(5, 2);
  else if (PL == 1) DWN_ACTS(3, 1);
  else if (PL == 0) DWN_ACTS(3, 0);
  else DWN_ACTS(3, 2);
#undef DWN_ACTS
  return 1;
}

/* Windows taller than WIN_MAX_TAPS rows (never seen in practice) go to the
 * scalar table; small stride-1 depthwise planes to the flat path; stride 1
 * and 2 to the padded-row path; the rest (stride 3+,
 * rows too wide for the stack ring) to win_planes. */
static void simd_dwconv(const nnrt_window *win, int c0, int c1, const float *in, const float *w,
                        const float *bias, float *out, const nnrt_act *act) {
  if (win->k_h > WIN_MAX_TAPS) {
    nnrt_kernels_scalar.dwconv(win, c0, c1, in, w, bias, out, act);
    return;
  }
  if (dw_narrow(win, c0, c1, in, w, bias, out, act)) return;
  if (dw_plane(win, c0, c1, in, w, bias, out, act)) return;
  if (dw_rows(win, c0, c1, in, w, bias, out, act)) return;
  if (dw_flat(win, c0, c1, in, w, bias, out, act)) return;
  if (win_planes_padded(WIN_DW, win, c0, c1, in, w, bias, out, act, 0)) return;
  win_planes(WIN_DW, win, c0, c1, in, w, bias, out, act, 0);
}

/* Max pooling, 2x2 or 3x3 window, stride 2, no dilation (AgeGenderNet's
 * 3x3/2 reductions, BlazeFace's 2x2/2). Max is separable: for each output
 * row the k_h input rows are maxed vertically into two vectors A and B
 * covering the 2*VLEN input columns of VLEN outputs, and the horizontal
 * taps are then register shuffles of those: the even lanes of [A, B], the
 * odd lanes, and (k_w = 3) the even lanes moved by one with the next chunk's
 * first column (which is the next chunk's A, loaded anyway). Nothing goes
 * through memory between the two passes: a row buffer written by the
 * vertical pass and read back with shuffled loads measured twice as slow
 * (its loads straddle stores that cannot be forwarded).
 * Columns outside the row read as -inf (masked loads at the row's right
 * end, a small buffer for a left pad), so padding never wins; a missing
 * input row is replaced by another row of the same window (max is
 * idempotent). Returns 0 when the geometry is not one this path takes. */

/* The vertical max of the rows r over columns [c, c + VLEN), where the
 * first n of those columns lie inside the rows and the rest read as -inf.
 * c < 0 (a left pad) goes through a small buffer; the row's right end
 * through masked loads. */
SIMD_INLINE vf maxs2_load(const float *row, int c, int n) {
  if (c >= 0) return n >= VLEN ? V_LOAD(row + c) : v_load_part_fill(row + c, n, -INFINITY);
  float buf[VLEN];
  for (int i = 0; i < VLEN; i++) buf[i] = i >= -c && i < n ? row[c + i] : -INFINITY;
  return V_LOAD(buf);
}

SIMD_INLINE vf maxs2_vcols(const float *r0, const float *r1, const float *r2, int c, int w) {
  int n = w - c < VLEN ? w - c : VLEN;
  if (n <= 0) return V_SET1(-INFINITY);
  return V_MAX(V_MAX(maxs2_load(r0, c, n), maxs2_load(r1, c, n)), maxs2_load(r2, c, n));
}

/* One output row: out_w outputs from the rows r (first tap at column -pad).
 * Chunks whose columns all lie inside the row take plain loads; the rest
 * (the row's right end, a left pad) go through maxs2_vcols. Inlined with
 * k_w and pad as constants so the common cases carry no dead branches. */
SIMD_INLINE void maxs2_row(const float *r0, const float *r1, const float *r2, int in_w, int pad, int out_w, int k_w,
                           float *dst, size_t room) {
  vf a = maxs2_vcols(r0, r1, r2, -pad, in_w);
  int ox = 0;
  if (pad == 0)
    for (; ox + VLEN <= out_w && 2 * ox + 3 * VLEN <= in_w; ox += VLEN) {
      const float *p0 = r0 + 2 * ox, *p1 = r1 + 2 * ox, *p2 = r2 + 2 * ox;
      vf b = V_MAX(V_MAX(V_LOAD(p0 + VLEN), V_LOAD(p1 + VLEN)), V_LOAD(p2 + VLEN));
      vf next = V_MAX(V_MAX(V_LOAD(p0 + 2 * VLEN), V_LOAD(p1 + 2 * VLEN)), V_LOAD(p2 + 2 * VLEN));
      vf even = V_EVEN2(a, b), v = V_MAX(even, V_ODD2(a, b));
      if (k_w == 3) v = V_MAX(v, V_SHIFT1(even, next));
      V_STORE(dst + ox, v);
      a = next;
    }
  for (; ox < out_w; ox += VLEN) {
    int c = 2 * ox - pad;
    vf b = maxs2_vcols(r0, r1, r2, c + VLEN, in_w), next = maxs2_vcols(r0, r1, r2, c + 2 * VLEN, in_w);
    vf even = V_EVEN2(a, b), v = V_MAX(even, V_ODD2(a, b));
    if (k_w == 3) v = V_MAX(v, V_SHIFT1(even, next));
    /* a full store past the row end lands in the next rows or planes,
     * which are written later; only one past room (the end of the task's
     * planes) must be partial */
    if ((size_t)ox + VLEN <= room)
      V_STORE(dst + ox, v);
    else
      v_store_part(dst + ox, v, out_w - ox);
    a = next;
  }
}

/* Output rows narrower than a vector (out_w < VLEN: AgeGenderNet's 14x14
 * and 7x7 outputs on AVX-512), no left pad. The taps span columns
 * [0, 2 * out_w + 1) <= 2 * VLEN: A and B cover them, B only when the row
 * is wider than A (wide; else B's columns are all right padding), and the
 * k_w = 3 tap the next chunk would give feeds only lane VLEN - 1, past
 * out_w. When whole vectors from the rows stay inside the task's planes
 * (plain), they are loaded whole and the lanes past the row, the next
 * rows' columns, set to -inf once after the vertical max: three masked
 * loads per vector measured 13% slower on 256x14x14 (Zen 5). */
SIMD_INLINE vf maxs2_narrow(const float *r0, const float *r1, const float *r2, int in_w, int k_w, int wide,
                            int plain) {
  vf a, b = V_SET1(-INFINITY);
  if (plain) {
    a = V_MAX(V_MAX(V_LOAD(r0), V_LOAD(r1)), V_LOAD(r2));
    if (wide)
      b = v_part_fill(V_MAX(V_MAX(V_LOAD(r0 + VLEN), V_LOAD(r1 + VLEN)), V_LOAD(r2 + VLEN)), in_w - VLEN,
                      -INFINITY);
    else if (in_w < VLEN)
      a = v_part_fill(a, in_w, -INFINITY);
  } else {
    a = maxs2_vcols(r0, r1, r2, 0, in_w);
    if (wide) b = maxs2_vcols(r0, r1, r2, VLEN, in_w);
  }
  vf even = V_EVEN2(a, b), v = V_MAX(even, V_ODD2(a, b));
  return k_w == 3 ? V_MAX(v, V_SHIFT1(even, b)) : v;
}

/* The rows of a plane whose windows lie inside it, narrow: rows r0 + i *
 * 2 * in_w (k_h of them), outputs at dst + i * out_w, i < n. in_end and
 * out_end bound the task's planes: a whole vector may be loaded up to
 * in_end and stored up to out_end (a store past the row lands in later
 * rows or planes, which are written after it). */
SIMD_INLINE void maxs2_narrow_rows(const float *r0, int n, int in_w, int k_h, int k_w, int wide, int out_w,
                                   const float *in_end, float *dst, const float *out_end) {
  int span = wide ? 2 * VLEN : VLEN;
  for (int i = 0; i < n; i++, r0 += 2 * in_w, dst += out_w) {
    const float *r1 = r0 + in_w, *r2 = k_h == 3 ? r1 + in_w : r1;
    vf v = r2 + span <= in_end ? maxs2_narrow(r0, r1, r2, in_w, k_w, wide, 1)
                               : maxs2_narrow(r0, r1, r2, in_w, k_w, wide, 0);
    if (dst + VLEN <= out_end)
      V_STORE(dst, v);
    else
      v_store_part(dst, v, out_w);
  }
}

/* One output row in the top or bottom padding: the window's rows inside
 * the plane, a missing one replaced by another (max is idempotent); all
 * -inf when there are none (huge pads). */
static void maxs2_edge_row(const nnrt_window *win, const float *src, int oy, int narrow, const float *in_end,
                           float *dst, const float *out_end) {
  int iy0 = 2 * oy - win->pad_top, n = 0, in_w = win->in_w, out_w = win->out_w;
  const float *r[3];
  for (int ky = 0; ky < win->k_h; ky++)
    if (iy0 + ky >= 0 && iy0 + ky < win->in_h) r[n++] = src + (size_t)(iy0 + ky) * in_w;
  if (n == 0) {
    for (int j = 0; j < out_w; j++) dst[j] = -INFINITY;
    return;
  }
  for (; n < 3; n++) r[n] = r[n - 1]; /* r[2] stays the last row */
  if (narrow) {
    int wide = in_w > VLEN, plain = r[2] + (wide ? 2 * VLEN : VLEN) <= in_end;
    vf v = maxs2_narrow(r[0], r[1], r[2], in_w, win->k_w, wide, plain);
    store_cols(dst, v, dst + VLEN <= out_end ? VLEN : out_w);
  } else {
    maxs2_row(r[0], r[1], r[2], in_w, win->pad_left, out_w, win->k_w, dst, (size_t)(out_end - dst));
  }
}

static int maxpool_s2(const nnrt_window *win, int c0, int c1, const float *in, float *out) {
  if (win->stride_h != 2 || win->stride_w != 2 || win->dil_h != 1 || win->dil_w != 1 ||
      win->k_h < 2 || win->k_h > 3 || win->k_w < 2 || win->k_w > 3 || win->pad_top < 0 ||
      win->pad_left < 0 || win->pad_left >= win->k_w)
    return 0;
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  int in_w = win->in_w, out_w = win->out_w, k_h = win->k_h, k_w = win->k_w, pad = win->pad_left;
  /* in_w <= 2 * VLEN holds for such rows unless a caller cut the output short */
  int narrow = pad == 0 && out_w < VLEN && in_w <= 2 * VLEN, wide = in_w > VLEN;
  /* output rows [y0, y1) have all k_h window rows inside the plane */
  int y0 = (win->pad_top + 1) / 2, last = win->in_h - k_h + win->pad_top;
  int y1 = last < 0 ? 0 : last / 2 + 1;
  if (y1 > win->out_h) y1 = win->out_h;
  if (y1 < y0) y1 = y0;
  const float *in_end = in + (size_t)c1 * in_plane;
  const float *out_end = out + (size_t)c1 * out_plane;
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    for (int oy = 0; oy < y0 && oy < win->out_h; oy++)
      maxs2_edge_row(win, src, oy, narrow, in_end, dst + (size_t)oy * out_w, out_end);
    const float *r0 = src + (size_t)(2 * y0 - win->pad_top) * in_w * (y1 > y0);
    float *d = dst + (size_t)y0 * out_w * (y1 > y0);
    if (narrow) {
      int n = y1 - y0;
      if (k_h == 3 && k_w == 3)
        wide ? maxs2_narrow_rows(r0, n, in_w, 3, 3, 1, out_w, in_end, d, out_end)
             : maxs2_narrow_rows(r0, n, in_w, 3, 3, 0, out_w, in_end, d, out_end);
      else
        maxs2_narrow_rows(r0, n, in_w, k_h, k_w, wide, out_w, in_end, d, out_end);
    } else {
      for (int oy = y0; oy < y1; oy++, r0 += 2 * in_w, d += out_w) {
        const float *r1 = r0 + in_w, *r2 = k_h == 3 ? r1 + in_w : r1;
        size_t room = (size_t)(out_end - d);
        if (pad == 0 && k_w == 3)
          maxs2_row(r0, r1, r2, in_w, 0, out_w, 3, d, room);
        else if (pad == 0)
          maxs2_row(r0, r1, r2, in_w, 0, out_w, 2, d, room);
        else
          maxs2_row(r0, r1, r2, in_w, pad, out_w, k_w, d, room);
      }
    }
    for (int oy = y1; oy < win->out_h; oy++)
      maxs2_edge_row(win, src, oy, narrow, in_end, dst + (size_t)oy * out_w, out_end);
  }
  return 1;
}

static void simd_maxpool(const nnrt_window *win, int c0, int c1, const float *in, float *out) {
  if (win->k_h > WIN_MAX_TAPS) {
    nnrt_kernels_scalar.maxpool(win, c0, c1, in, out);
    return;
  }
  if (maxpool_s2(win, c0, c1, in, out)) return;
  if (win_planes_padded(WIN_MAX, win, c0, c1, in, NULL, NULL, out, NULL, 0)) return;
  win_planes(WIN_MAX, win, c0, c1, in, NULL, NULL, out, NULL, 0);
}

static void simd_avgpool(const nnrt_window *win, int c0, int c1, const float *in, float *out,
                         int count_include_pad) {
  if (win->k_h > WIN_MAX_TAPS) {
    nnrt_kernels_scalar.avgpool(win, c0, c1, in, out, count_include_pad);
    return;
  }
  if (win_planes_padded(WIN_AVG, win, c0, c1, in, NULL, NULL, out, NULL, count_include_pad))
    return;
  win_planes(WIN_AVG, win, c0, c1, in, NULL, NULL, out, NULL, count_include_pad);
}

/* ---- element-wise -------------------------------------------------------- */

SIMD_INLINE vf v_binary(int kind, vf a, vf b) {
  switch (kind) {
    case NNRT_BIN_ADD: return V_ADD(a, b);
    case NNRT_BIN_SUB: return V_SUB(a, b);
    case NNRT_BIN_MUL: return V_MUL(a, b);
    case NNRT_BIN_DIV: return V_DIV(a, b);
    case NNRT_BIN_MAX: return V_MAX(a, b);
    case NNRT_BIN_MIN: return V_MIN(a, b);
  }
  return a;
}

/* The switch is hoisted: one loop per op kind. */
#define BINARY_LOOP(KIND, LOAD_B, LOAD_B_PART)                                      \
  do {                                                                              \
    size_t i = 0;                                                                   \
    for (; i + VLEN <= n; i += VLEN) V_STORE(out + i, v_binary(KIND, V_LOAD(a + i), LOAD_B)); \
    if (i < n) {                                                                    \
      int rest = (int)(n - i);                                                      \
      v_store_part(out + i, v_binary(KIND, v_load_part(a + i, rest), LOAD_B_PART), rest); \
    }                                                                               \
  } while (0)

static void simd_binary(nnrt_binary_kind kind, const float *a, const float *b, float *out,
                        size_t n) {
  switch (kind) {
#define CASE(K) \
  case K: BINARY_LOOP(K, V_LOAD(b + i), v_load_part(b + i, rest)); break;
    CASE(NNRT_BIN_ADD) CASE(NNRT_BIN_SUB) CASE(NNRT_BIN_MUL) CASE(NNRT_BIN_DIV)
    CASE(NNRT_BIN_MAX) CASE(NNRT_BIN_MIN)
#undef CASE
  }
}

static void simd_binary_scalar(nnrt_binary_kind kind, const float *a, float s, float *out,
                               size_t n) {
  vf sv = V_SET1(s);
  switch (kind) {
#define CASE(K) \
  case K: BINARY_LOOP(K, sv, sv); break;
    CASE(NNRT_BIN_ADD) CASE(NNRT_BIN_SUB) CASE(NNRT_BIN_MUL) CASE(NNRT_BIN_DIV)
    CASE(NNRT_BIN_MAX) CASE(NNRT_BIN_MIN)
#undef CASE
  }
}

static void simd_activation(const nnrt_act *act, const float *x, float *out, size_t n) {
  size_t i = 0;
  for (; i + VLEN <= n; i += VLEN) V_STORE(out + i, v_act(act, V_LOAD(x + i)));
  if (i < n) {
    int rest = (int)(n - i);
    v_store_part(out + i, v_act(act, v_load_part(x + i, rest)), rest);
  }
}


const nnrt_kernels SIMD_TABLE = {
  .isa = SIMD_ISA,
  .name = SIMD_NAME,
  .gemm_pack_a_size = simd_gemm_pack_a_size,
  .gemm_pack_a = simd_gemm_pack_a,
  .gemm_packed = simd_gemm_packed,
  .gemm_packed_rows = simd_gemm_packed_rows,
  .gemm_mr = SIMD_MR,
  .dwconv = simd_dwconv,
  .maxpool = simd_maxpool,
  .avgpool = simd_avgpool,
  .binary = simd_binary,
  .binary_scalar = simd_binary_scalar,
  .activation = simd_activation,
  .im2col_s2 = simd_im2col_s2,
  .plane_means = simd_plane_means,
  .conv_direct = simd_conv_direct,
};

#endif /* NNRT_KERNELS_SIMD_H */
