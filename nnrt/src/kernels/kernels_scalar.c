/* The scalar kernel table: plain loops, written to be obviously correct. It is
 * the oracle every SIMD table is tested against, and the fallback on CPUs
 * without a SIMD table. Speed does not matter here; clarity does. */
#include <math.h>
#include <string.h>

#include "kernels.h"

#define SCALAR_MR 4

static size_t scalar_gemm_pack_a_size(int M, int K) {
  size_t panels = ((size_t)M + SCALAR_MR - 1) / SCALAR_MR;
  return panels * SCALAR_MR * (size_t)K;
}

/* Panel p holds rows [p*MR, p*MR+MR) column by column: packed[k*MR + r].
 * Rows past M are zero so every panel is full. */
static void scalar_gemm_pack_a(const float *A, int lda, int M, int K, float *packed) {
  for (int m0 = 0; m0 < M; m0 += SCALAR_MR) {
    float *panel = packed + (size_t)m0 * K;
    for (int k = 0; k < K; k++)
      for (int r = 0; r < SCALAR_MR; r++)
        panel[(size_t)k * SCALAR_MR + r] = m0 + r < M ? A[(size_t)(m0 + r) * lda + k] : 0.f;
  }
}

static void scalar_gemm_packed_rows(int m0, int m1, int N, int K, const float *packed_a,
                                    const float *B, int ldb, const float *bias,
                                    const float *res, float *C, int ldc, const nnrt_act *act) {
  for (int m = m0; m < m1; m++) {
    const float *panel = packed_a + (size_t)(m / SCALAR_MR) * SCALAR_MR * K;
    int r = m % SCALAR_MR;
    for (int n = 0; n < N; n++) {
      float sum = 0.f;
      for (int k = 0; k < K; k++)
        sum += panel[(size_t)k * SCALAR_MR + r] * B[(size_t)k * ldb + n];
      if (bias) sum += bias[m];
      if (res) sum += res[(size_t)m * ldc + n];
      C[(size_t)m * ldc + n] = nnrt_act_apply1(act, sum);
    }
  }
}

static void scalar_gemm_packed(int M, int N, int K, const float *packed_a, const float *B,
                               int ldb, const float *bias, const float *res, float *C, int ldc,
                               const nnrt_act *act) {
  scalar_gemm_packed_rows(0, M, N, K, packed_a, B, ldb, bias, res, C, ldc, act);
}

/* Input row/column of output position o at tap t, or -1 if it falls in the
 * padding. */
static int tap_index(int o, int t, int stride, int pad, int dil, int size) {
  int i = o * stride - pad + t * dil;
  return i >= 0 && i < size ? i : -1;
}

static void scalar_dwconv(const nnrt_window *win, int c0, int c1, const float *in,
                          const float *w, const float *bias, float *out, const nnrt_act *act) {
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    const float *wc = w + (size_t)c * win->k_h * win->k_w;
    float *dst = out + c * out_plane;
    for (int oy = 0; oy < win->out_h; oy++)
      for (int ox = 0; ox < win->out_w; ox++) {
        float sum = 0.f;
        for (int ky = 0; ky < win->k_h; ky++) {
          int iy = tap_index(oy, ky, win->stride_h, win->pad_top, win->dil_h, win->in_h);
          if (iy < 0) continue;
          for (int kx = 0; kx < win->k_w; kx++) {
            int ix = tap_index(ox, kx, win->stride_w, win->pad_left, win->dil_w, win->in_w);
            if (ix < 0) continue;
            sum += src[(size_t)iy * win->in_w + ix] * wc[ky * win->k_w + kx];
          }
        }
        if (bias) sum += bias[c];
        dst[(size_t)oy * win->out_w + ox] = nnrt_act_apply1(act, sum);
      }
  }
}

/* A window that lies entirely in the padding yields -inf (ONNX leaves it
 * undefined; it cannot happen with pads smaller than the kernel). */
static void scalar_maxpool(const nnrt_window *win, int c0, int c1, const float *in, float *out) {
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    for (int oy = 0; oy < win->out_h; oy++)
      for (int ox = 0; ox < win->out_w; ox++) {
        float best = -INFINITY;
        for (int ky = 0; ky < win->k_h; ky++) {
          int iy = tap_index(oy, ky, win->stride_h, win->pad_top, win->dil_h, win->in_h);
          if (iy < 0) continue;
          for (int kx = 0; kx < win->k_w; kx++) {
            int ix = tap_index(ox, kx, win->stride_w, win->pad_left, win->dil_w, win->in_w);
            if (ix < 0) continue;
            float v = src[(size_t)iy * win->in_w + ix];
            if (v > best) best = v;
          }
        }
        dst[(size_t)oy * win->out_w + ox] = best;
      }
  }
}

/* count_include_pad divides by the full window k_h*k_w (ONNX semantics for
 * explicit padding); otherwise by the taps that fall inside the input. */
static void scalar_avgpool(const nnrt_window *win, int c0, int c1, const float *in, float *out,
                           int count_include_pad) {
  size_t in_plane = (size_t)win->in_h * win->in_w, out_plane = (size_t)win->out_h * win->out_w;
  for (int c = c0; c < c1; c++) {
    const float *src = in + c * in_plane;
    float *dst = out + c * out_plane;
    for (int oy = 0; oy < win->out_h; oy++)
      for (int ox = 0; ox < win->out_w; ox++) {
        float sum = 0.f;
        int count = 0;
        for (int ky = 0; ky < win->k_h; ky++) {
          int iy = tap_index(oy, ky, win->stride_h, win->pad_top, win->dil_h, win->in_h);
          if (iy < 0) continue;
          for (int kx = 0; kx < win->k_w; kx++) {
            int ix = tap_index(ox, kx, win->stride_w, win->pad_left, win->dil_w, win->in_w);
            if (ix < 0) continue;
            sum += src[(size_t)iy * win->in_w + ix];
            count++;
          }
        }
        int divisor = count_include_pad ? win->k_h * win->k_w : count;
        dst[(size_t)oy * win->out_w + ox] = divisor > 0 ? sum / (float)divisor : 0.f;
      }
  }
}

static float binary_apply1(nnrt_binary_kind kind, float a, float b) {
  switch (kind) {
    case NNRT_BIN_ADD: return a + b;
    case NNRT_BIN_SUB: return a - b;
    case NNRT_BIN_MUL: return a * b;
    case NNRT_BIN_DIV: return a / b;
    case NNRT_BIN_MAX: return a > b ? a : b;
    case NNRT_BIN_MIN: return a < b ? a : b;
  }
  return a;
}

static void scalar_binary(nnrt_binary_kind kind, const float *a, const float *b, float *out,
                          size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = binary_apply1(kind, a[i], b[i]);
}

static void scalar_binary_scalar(nnrt_binary_kind kind, const float *a, float s, float *out,
                                 size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = binary_apply1(kind, a[i], s);
}

static void scalar_activation(const nnrt_act *act, const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = nnrt_act_apply1(act, x[i]);
}

static int scalar_conv_direct(const nnrt_window *win, int cin, int cout, const float *in,
                              const float *w, const float *bias, float *out, int oy0, int oy1,
                              const nnrt_act *act) {
  int taps = win->k_h * win->k_w;
  for (int co = 0; co < cout; co++)
    for (int oy = oy0; oy < oy1; oy++)
      for (int ox = 0; ox < win->out_w; ox++) {
        float sum = bias ? bias[co] : 0.f;
        for (int ci = 0; ci < cin; ci++)
          for (int ky = 0; ky < win->k_h; ky++) {
            int iy = oy * win->stride_h - win->pad_top + ky * win->dil_h;
            if (iy < 0 || iy >= win->in_h) continue;
            for (int kx = 0; kx < win->k_w; kx++) {
              int ix = ox * win->stride_w - win->pad_left + kx * win->dil_w;
              if (ix < 0 || ix >= win->in_w) continue;
              sum += in[((size_t)ci * win->in_h + iy) * win->in_w + ix] *
                     w[((size_t)co * cin + ci) * taps + ky * win->k_w + kx];
            }
          }
        out[((size_t)co * win->out_h + oy) * win->out_w + ox] = nnrt_act_apply1(act, sum);
      }
  return 1;
}

/* Eight double partial sums per plane, so the adds are not one dependency
 * chain and large planes keep double accuracy. */
static void scalar_plane_means(const float *in, size_t size, size_t planes, float *out) {
  for (size_t p = 0; p < planes; p++) {
    const float *src = in + p * size;
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= size; i += 8)
      for (int j = 0; j < 8; j++) acc[j] += src[i + j];
    for (; i < size; i++) acc[0] += src[i];
    double sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    out[p] = size ? (float)(sum / (double)size) : 0.f;
  }
}

static void scalar_im2col_s2(const float *src, size_t src_step, int rows, int iw, int x0, int dx, int kw,
                             int ow, float *dst, size_t ld) {
  for (int r = 0; r < rows; r++)
    for (int kx = 0; kx < kw; kx++)
      for (int ox = 0; ox < ow; ox++) {
        int x = 2 * ox + x0 + kx * dx;
        dst[(size_t)kx * ld + (size_t)r * ow + ox] = x >= 0 && x < iw ? src[r * src_step + (size_t)x] : 0.f;
      }
}

const nnrt_kernels nnrt_kernels_scalar = {
  .isa = NNRT_ISA_SCALAR,
  .name = "scalar",
  .gemm_pack_a_size = scalar_gemm_pack_a_size,
  .gemm_pack_a = scalar_gemm_pack_a,
  .gemm_packed = scalar_gemm_packed,
  .gemm_packed_rows = scalar_gemm_packed_rows,
  .gemm_mr = SCALAR_MR,
  .dwconv = scalar_dwconv,
  .maxpool = scalar_maxpool,
  .avgpool = scalar_avgpool,
  .binary = scalar_binary,
  .binary_scalar = scalar_binary_scalar,
  .activation = scalar_activation,
  .im2col_s2 = scalar_im2col_s2,
  .plane_means = scalar_plane_means,
  .conv_direct = scalar_conv_direct,
};
