/* The kernel table: the hot loops of nnrt, one implementation per ISA, all
 * with the same signatures. `nnrt_kernels_for(isa)` returns the table; the
 * scalar table is the reference every other one is tested against.
 *
 * Layout conventions: activations are NCHW float32; a "plane" is one channel
 * of H*W contiguous floats. Kernels never allocate. */
#ifndef NNRT_KERNELS_H
#define NNRT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "../../nnrt.h"

typedef enum nnrt_act_kind {
  NNRT_ACT_NONE = 0,
  NNRT_ACT_RELU,
  NNRT_ACT_CLIP,         /* min(max(x, alpha), beta); Relu6 is Clip(0, 6) */
  NNRT_ACT_LEAKY_RELU,   /* x < 0 ? alpha * x : x */
  NNRT_ACT_SIGMOID,
  NNRT_ACT_TANH,
  NNRT_ACT_HARD_SIGMOID, /* max(0, min(1, alpha * x + beta)) */
  NNRT_ACT_HARD_SWISH    /* x * max(0, min(1, x / 6 + 0.5)) */
} nnrt_act_kind;

typedef struct nnrt_act {
  nnrt_act_kind kind;
  float alpha;
  float beta;
} nnrt_act;

/* Depthwise / pooling window geometry over one plane. */
typedef struct nnrt_window {
  int in_h, in_w;
  int out_h, out_w;
  int k_h, k_w;
  int stride_h, stride_w;
  int pad_top, pad_left; /* bottom/right padding follows from the sizes */
  int dil_h, dil_w;
} nnrt_window;

typedef enum nnrt_binary_kind {
  NNRT_BIN_ADD = 0,
  NNRT_BIN_SUB,
  NNRT_BIN_MUL,
  NNRT_BIN_DIV,
  NNRT_BIN_MAX,
  NNRT_BIN_MIN
} nnrt_binary_kind;

typedef struct nnrt_kernels {
  nnrt_isa isa;
  const char *name;

  /* GEMM with a constant left operand packed once at load:
   *   C[M x N] (row stride ldc) = A[M x K] * B[K x N] (row stride ldb) + bias[M] + res
   * then `act` element-wise. bias may be NULL. res is NULL or an M x N matrix
   * laid out like C (row stride ldc; a residual Add fused into a Conv); it may
   * be C itself. C is overwritten, never accumulated into. Convolution uses it with A = weights (Cout x Cin*kh*kw), B = input plane
   * rows (1x1) or an im2col buffer, N = output H*W. */
  size_t (*gemm_pack_a_size)(int M, int K);        /* floats */
  void (*gemm_pack_a)(const float *A, int lda, int M, int K, float *packed);
  void (*gemm_packed)(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                      const float *bias, const float *res, float *C, int ldc, const nnrt_act *act);
  /* Rows [m0, m1) of the same product (for splitting work over threads);
   * m0 and m1 must be multiples of gemm_mr or equal to M. */
  void (*gemm_packed_rows)(int m0, int m1, int N, int K, const float *packed_a, const float *B,
                           int ldb, const float *bias, const float *res, float *C, int ldc,
                           const nnrt_act *act);
  int gemm_mr; /* row tile of the packed layout */

  /* Direct convolution (group 1) of output rows [oy0, oy1), for inputs with
   * few channels (a network's first conv, where im2col costs about as much
   * as the GEMM): in is cin planes of in_h*in_w, w is cout x cin*k_h*k_w as
   * in ONNX, bias cout values or NULL, out cout planes of out_h*out_w.
   * Returns 0, writing nothing, when the geometry is not one it takes (the
   * caller then uses im2col + GEMM); the scalar table takes every one. */
  int (*conv_direct)(const nnrt_window *win, int cin, int cout, const float *in, const float *w,
                     const float *bias, float *out, int oy0, int oy1, const nnrt_act *act);

  /* Depthwise convolution of channels [c0, c1): in is C planes of in_h*in_w,
   * w is C filters of k_h*k_w, bias C values (or NULL), out C planes. */
  void (*dwconv)(const nnrt_window *win, int c0, int c1, const float *in, const float *w,
                 const float *bias, float *out, const nnrt_act *act);

  /* Pooling of planes [c0, c1). Padding never wins the max; for average,
   * count_include_pad selects the ONNX divisor. */
  void (*maxpool)(const nnrt_window *win, int c0, int c1, const float *in, float *out);
  void (*avgpool)(const nnrt_window *win, int c0, int c1, const float *in, float *out,
                  int count_include_pad);

  /* out[p] = mean of the `size` floats of plane p, for p < planes (global
   * average pooling; 0 for empty planes). The sum keeps double precision
   * across blocks of at most 1024 floats. */
  void (*plane_means)(const float *in, size_t size, size_t planes, float *out);

  /* out[i] = a[i] op b[i] for i < n (same shapes). */
  void (*binary)(nnrt_binary_kind kind, const float *a, const float *b, float *out, size_t n);
  /* out[i] = a[i] op s (scalar right operand). */
  void (*binary_scalar)(nnrt_binary_kind kind, const float *a, float s, float *out, size_t n);
  /* out[i] = act(x[i]); in place allowed. */
  void (*activation)(const nnrt_act *act, const float *x, float *out, size_t n);
  /* The stride-2 im2col rows of `rows` input rows, row r being
   * src[r * src_step, r * src_step + iw): for kx < kw and ox < ow,
   * dst[kx * ld + r * ow + ox] = src[r * src_step + 2 * ox + x0 + kx * dx]
   * when 2 * ox + x0 + kx * dx is in [0, iw), else 0 (the padding).
   * x0 = -pad_left, dx = the dilation. Reads nothing past the last row's
   * end and writes nothing outside the kw segments [kx * ld, kx * ld +
   * rows * ow). */
  void (*im2col_s2)(const float *src, size_t src_step, int rows, int iw, int x0, int dx, int kw, int ow,
                    float *dst, size_t ld);
} nnrt_kernels;

/* The table for an ISA, or NULL if it is not compiled in. Does not check the CPU. */
const nnrt_kernels *nnrt_kernels_for(nnrt_isa isa);

/* Per-ISA tables (defined in the kernels_<isa>.c files). */
extern const nnrt_kernels nnrt_kernels_scalar;
#if defined(__x86_64__) || defined(_M_X64)
extern const nnrt_kernels nnrt_kernels_sse4;
extern const nnrt_kernels nnrt_kernels_avx2;
extern const nnrt_kernels nnrt_kernels_avx512;
#endif
#if defined(__aarch64__)
extern const nnrt_kernels nnrt_kernels_neon;
#endif

/* Scalar activation of one value (shared by every table's tail loops). */
static inline float nnrt_act_apply1(const nnrt_act *act, float x);

#include <math.h>
static inline float nnrt_act_apply1(const nnrt_act *act, float x) {
  switch (act ? act->kind : NNRT_ACT_NONE) {
    case NNRT_ACT_NONE: return x;
    case NNRT_ACT_RELU: return x > 0.f ? x : 0.f;
    case NNRT_ACT_CLIP: return x < act->alpha ? act->alpha : (x > act->beta ? act->beta : x);
    case NNRT_ACT_LEAKY_RELU: return x < 0.f ? act->alpha * x : x;
    case NNRT_ACT_SIGMOID: return 1.f / (1.f + expf(-x));
    case NNRT_ACT_TANH: return tanhf(x);
    case NNRT_ACT_HARD_SIGMOID: {
      float y = act->alpha * x + act->beta;
      return y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
    }
    case NNRT_ACT_HARD_SWISH: {
      float y = x / 6.f + 0.5f;
      y = y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
      return x * y;
    }
  }
  return x;
}

#endif /* NNRT_KERNELS_H */
