/* Every kernel of every SIMD table this build has and this CPU runs, checked
 * against the scalar table (the oracle) on randomised shapes: sizes that are
 * not multiples of the vector width or the GEMM tile, 1x1..7x7 windows,
 * strides 1..3, each padding edge 0..2, dilation 1..2, every activation. The
 * scalar GEMM itself is checked against a double-precision product.
 *
 * Usage: test_kernels [seed] [rounds]. Exits 1 on the first table with a
 * mismatch (the failing cases are printed), 0 otherwise; ISAs that are not
 * compiled in or not supported by the CPU are reported as skipped. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* ---- helpers ------------------------------------------------------------- */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;
static unsigned rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state >> 32);
}
static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (unsigned)(hi - lo + 1)); }
static float rnd_float(float lo, float hi) {
  return lo + (hi - lo) * (float)(rnd() & 0xffffff) / (float)0xffffff;
}
static void fill(float *p, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) p[i] = rnd_float(lo, hi);
}
static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static int cpu_runs(nnrt_isa isa) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  switch (isa) {
    case NNRT_ISA_SSE4: return __builtin_cpu_supports("sse4.1");
    case NNRT_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case NNRT_ISA_AVX512: return __builtin_cpu_supports("avx512f");
    default: return 0;
  }
#elif defined(__aarch64__)
  return isa == NNRT_ISA_NEON;
#else
  (void)isa;
  return 0;
#endif
}

static const char *act_names[] = {"none", "relu", "clip", "leaky", "sigmoid", "tanh",
                                  "hardsigmoid", "hardswish"};
static nnrt_act random_act(void) {
  nnrt_act a = {(nnrt_act_kind)rnd_int(0, 7), 0.f, 0.f};
  if (a.kind == NNRT_ACT_CLIP) {
    a.alpha = rnd_float(-1.f, 0.f);
    a.beta = rnd_float(0.f, 6.f);
  } else if (a.kind == NNRT_ACT_LEAKY_RELU) {
    a.alpha = rnd_float(0.f, 1.f);
  } else if (a.kind == NNRT_ACT_HARD_SIGMOID) {
    a.alpha = 0.2f;
    a.beta = 0.5f;
  }
  return a;
}

/* Every activation is at most 1.5-Lipschitz (hard-swish), so an input error e
 * becomes at most 1.5 e; vector sigmoid/tanh add at most ~2e-7 absolute
 * (polynomial exp), allowed for with 2e-6. */
#define ACT_SLACK 1.5
#define ACT_ABS 2e-6

static int failures;
#define MAX_REPORTS 20
static void report(const char *what, const char *fmt_case, double got, double want, double tol) {
  failures++;
  if (failures <= MAX_REPORTS)
    fprintf(stderr, "MISMATCH %s [%s]: got %.9g want %.9g (|diff| %.3g > tol %.3g)\n", what,
            fmt_case, got, want, fabs(got - want), tol);
}
static int close_enough(float got, float want, double tol) {
  if (got == want) return 1; /* also equal infinities */
  if (isnan(got) || isnan(want)) return 0;
  return fabs((double)got - (double)want) <= tol;
}

/* ---- GEMM ---------------------------------------------------------------- */

static void check_gemm(const nnrt_kernels *t, int M, int N, int K, int use_bias, nnrt_act act,
                       int split) {
  const nnrt_kernels *s = &nnrt_kernels_scalar;
  /* N a multiple of 1024 keeps ldb == N: the 4 KiB-stride copy path */
  int lda = K + rnd_int(0, 3), ldb = N % 1024 ? N + rnd_int(0, 3) : N, ldc = N + rnd_int(0, 3);
  float *A = xmalloc(sizeof(float) * (size_t)M * lda);
  float *B = xmalloc(sizeof(float) * (size_t)(K ? K : 1) * ldb);
  float *bias = xmalloc(sizeof(float) * (size_t)M);
  float *pa_s = xmalloc(sizeof(float) * s->gemm_pack_a_size(M, K));
  float *pa_t = xmalloc(sizeof(float) * t->gemm_pack_a_size(M, K));
  float *C_s = xmalloc(sizeof(float) * (size_t)M * ldc);
  float *C_t = xmalloc(sizeof(float) * (size_t)M * ldc);
  fill(A, (size_t)M * lda, -1.f, 1.f);
  fill(B, (size_t)(K ? K : 1) * ldb, -1.f, 1.f);
  fill(bias, (size_t)M, -1.f, 1.f);
  /* residual: 0 none, 1 a separate matrix, 2 in place (C holds it on entry) */
  int use_res = rnd_int(0, 2);
  float *R = xmalloc(sizeof(float) * (size_t)M * ldc);
  fill(R, (size_t)M * ldc, -1.f, 1.f);
  const float sentinel = 12345.f;
  for (size_t i = 0; i < (size_t)M * ldc; i++) C_s[i] = C_t[i] = use_res == 2 ? R[i] : sentinel;
  const float *res_s = use_res == 1 ? R : use_res == 2 ? C_s : NULL;
  const float *res_t = use_res == 1 ? R : use_res == 2 ? C_t : NULL;
  s->gemm_pack_a(A, lda, M, K, pa_s);
  t->gemm_pack_a(A, lda, M, K, pa_t);
  s->gemm_packed(M, N, K, pa_s, B, ldb, use_bias ? bias : NULL, res_s, C_s, ldc, &act);
  /* split: rows in two calls at a multiple of the tile, as threads do */
  int m_split = split ? (M / 2) / t->gemm_mr * t->gemm_mr : M;
  if (m_split > 0 && m_split < M) {
    t->gemm_packed_rows(0, m_split, N, K, pa_t, B, ldb, use_bias ? bias : NULL, res_t, C_t, ldc, &act);
    t->gemm_packed_rows(m_split, M, N, K, pa_t, B, ldb, use_bias ? bias : NULL, res_t, C_t, ldc, &act);
  } else {
    t->gemm_packed(M, N, K, pa_t, B, ldb, use_bias ? bias : NULL, res_t, C_t, ldc, &act);
  }
  char desc[160];
  snprintf(desc, sizeof desc, "%s gemm M=%d N=%d K=%d lda=%d ldb=%d ldc=%d bias=%d res=%d act=%s split=%d",
           t->name, M, N, K, lda, ldb, ldc, use_bias, use_res, act_names[act.kind], m_split);
  for (int m = 0; m < M; m++)
    for (int n = 0; n < ldc; n++) {
      size_t i = (size_t)m * ldc + n;
      if (n >= N) { /* padding columns of C must be untouched */
        float pad = use_res == 2 ? R[i] : sentinel;
        if (C_t[i] != pad || C_s[i] != pad) report(desc, "C padding written", C_t[i], pad, 0);
        continue;
      }
      double exact = use_bias ? bias[m] : 0.0, mag = use_bias ? fabs(bias[m]) : 0.0;
      if (use_res) exact += R[i], mag += fabs(R[i]);
      for (int k = 0; k < K; k++) {
        double p = (double)A[(size_t)m * lda + k] * B[(size_t)k * ldb + n];
        exact += p;
        mag += fabs(p);
      }
      /* float dot product error bound gamma_K ~ K*eps times sum |a*b| (x2
       * margin), through the activation */
      double tol = ACT_SLACK * 2.0 * (K + 1) * FLT_EPSILON * mag + ACT_ABS;
      double want = nnrt_act_apply1(&act, (float)exact);
      if (!close_enough(C_s[i], (float)want, tol)) report(desc, "scalar vs double", C_s[i], want, tol);
      if (!close_enough(C_t[i], C_s[i], 2 * tol)) report(desc, "simd vs scalar", C_t[i], C_s[i], 2 * tol);
    }
  free(A), free(B), free(bias), free(pa_s), free(pa_t), free(C_s), free(C_t), free(R);
}

static void test_gemm(const nnrt_kernels *t, int rounds) {
  for (int i = 0; i < rounds; i++)
    check_gemm(t, rnd_int(1, 67), rnd_int(1, 67), rnd_int(1, 67), rnd_int(0, 1), random_act(),
               rnd_int(0, 1));
  /* B rows 4 KiB apart with many row panels */
  check_gemm(t, 70, 1024, rnd_int(1, 300), 1, random_act(), 1);
  /* K = 0: bias and activation only */
  check_gemm(t, 5, 9, 0, 1, random_act(), 0);
  /* several K blocks and column strips, conv-like sizes */
  for (int i = 0; i < rounds / 10 + 1; i++)
    check_gemm(t, rnd_int(1, 130), rnd_int(50, 300), rnd_int(250, 600), rnd_int(0, 1),
               random_act(), rnd_int(0, 1));
}

/* ---- windows (depthwise conv, pooling) ----------------------------------- */

enum { OP_DW, OP_MAX, OP_AVG };
static const char *op_names[] = {"dwconv", "maxpool", "avgpool"};

/* Random geometry, or `fixed` (its in/k/stride/pad_top/pad_left/dil;
 * bottom/right padding fixed_b/fixed_r, or equal to top/left when negative)
 * with C channels when C > 0. */
static void check_window_pads(const nnrt_kernels *t, int op, int wide, const nnrt_window *fixed,
                              int fixed_b, int fixed_r, int C) {
  const nnrt_kernels *s = &nnrt_kernels_scalar;
  static const int ks[] = {1, 2, 3, 3, 3, 5, 5, 7};
  nnrt_window w;
  int kh = ks[rnd_int(0, 7)], kw = rnd() % 4 ? kh : ks[rnd_int(0, 7)];
  int pad_bottom = rnd_int(0, 2), pad_right = rnd_int(0, 2);
  w.k_h = kh, w.k_w = kw;
  w.stride_h = rnd_int(1, 2), w.stride_w = rnd() % 8 ? rnd_int(1, 2) : 3;
  w.dil_h = rnd() % 4 ? 1 : 2, w.dil_w = rnd() % 4 ? 1 : 2;
  w.pad_top = rnd_int(0, 2), w.pad_left = rnd_int(0, 2);
  /* wide == 2: rows too wide for the padded-row stack ring (other path) */
  w.in_h = wide == 2 ? rnd_int(1, 4) : rnd_int(1, 24);
  w.in_w = wide == 2 ? rnd_int(2040, 2300) : wide ? rnd_int(40, 160) : rnd_int(1, 40);
  if (fixed) {
    w = *fixed;
    kh = w.k_h, kw = w.k_w;
    pad_bottom = fixed_b < 0 ? w.pad_top : fixed_b;
    pad_right = fixed_r < 0 ? w.pad_left : fixed_r;
  }
  int ext_h = (kh - 1) * w.dil_h + 1, ext_w = (kw - 1) * w.dil_w + 1;
  w.out_h = (w.in_h + w.pad_top + pad_bottom - ext_h) / w.stride_h + 1;
  w.out_w = (w.in_w + w.pad_left + pad_right - ext_w) / w.stride_w + 1;
  if (w.in_h + w.pad_top + pad_bottom < ext_h || w.in_w + w.pad_left + pad_right < ext_w) return;
  if (C <= 0) C = rnd_int(1, 5);
  int c0 = rnd_int(0, C - 1), c1 = rnd_int(c0 + 1, C);
  size_t in_n = (size_t)C * w.in_h * w.in_w, out_n = (size_t)C * w.out_h * w.out_w;
  float *in = xmalloc(sizeof(float) * in_n), *wt = xmalloc(sizeof(float) * C * kh * kw);
  float *bias = xmalloc(sizeof(float) * C);
  float *o_s = xmalloc(sizeof(float) * out_n), *o_t = xmalloc(sizeof(float) * out_n);
  fill(in, in_n, -1.f, 1.f);
  fill(wt, (size_t)C * kh * kw, -1.f, 1.f);
  fill(bias, (size_t)C, -1.f, 1.f);
  const float sentinel = 12345.f;
  for (size_t i = 0; i < out_n; i++) o_s[i] = o_t[i] = sentinel;
  nnrt_act act = random_act();
  int use_bias = rnd_int(0, 1), include_pad = rnd_int(0, 1);
  if (op == OP_DW) {
    s->dwconv(&w, c0, c1, in, wt, use_bias ? bias : NULL, o_s, &act);
    t->dwconv(&w, c0, c1, in, wt, use_bias ? bias : NULL, o_t, &act);
  } else if (op == OP_MAX) {
    s->maxpool(&w, c0, c1, in, o_s);
    t->maxpool(&w, c0, c1, in, o_t);
  } else {
    s->avgpool(&w, c0, c1, in, o_s, include_pad);
    t->avgpool(&w, c0, c1, in, o_t, include_pad);
  }
  char desc[256];
  snprintf(desc, sizeof desc,
           "%s %s C=%d c=[%d,%d) in=%dx%d out=%dx%d k=%dx%d s=%d,%d pad t%d l%d b%d r%d dil=%d,%d "
           "bias=%d act=%s include_pad=%d",
           t->name, op_names[op], C, c0, c1, w.in_h, w.in_w, w.out_h, w.out_w, kh, kw, w.stride_h,
           w.stride_w, w.pad_top, w.pad_left, pad_bottom, pad_right, w.dil_h, w.dil_w, use_bias,
           act_names[op == OP_DW ? act.kind : 0], include_pad);
  /* Tolerances: maxpool exact; sums of `taps` terms of magnitude <= 1 within
   * 2*taps*eps*taps (+ bias) through the activation. */
  double taps = (double)kh * kw;
  double tol = op == OP_MAX ? 0.0 : ACT_SLACK * 2.0 * (taps + 1) * FLT_EPSILON * (taps + 1) + ACT_ABS;
  size_t plane = (size_t)w.out_h * w.out_w;
  for (size_t i = 0; i < out_n; i++) {
    int c = (int)(i / plane);
    if (c < c0 || c >= c1) {
      if (o_t[i] != sentinel) report(desc, "channel outside [c0,c1) written", o_t[i], sentinel, 0);
      continue;
    }
    if (!close_enough(o_t[i], o_s[i], tol)) {
      char where[64];
      snprintf(where, sizeof where, "c=%d y=%d x=%d", c, (int)(i % plane) / w.out_w,
               (int)(i % plane) % w.out_w);
      report(desc, where, o_t[i], o_s[i], tol);
    }
  }
  free(in), free(wt), free(bias), free(o_s), free(o_t);
}

static void check_window_geom(const nnrt_kernels *t, int op, int wide, const nnrt_window *fixed, int C) {
  check_window_pads(t, op, wide, fixed, -1, -1, C);
}

static void check_window(const nnrt_kernels *t, int op, int wide) { check_window_geom(t, op, wide, NULL, 0); }

/* Depthwise 3x3 / 5x5 stride 1 over whole padded planes (double-buffered
 * copies): asymmetric pads (TF-SAME 0,0,1,1 and 1,1,0,0, none), planes
 * narrower than a vector, odd widths, not square, and planes too large for
 * the two-plane buffer (the ring path); channel ranges not starting at 0. */
static void check_dw_planes(const nnrt_kernels *t) {
  static const int sizes[] = {1, 2, 3, 5, 7, 14, 15, 17, 33, 56, 90};
  static const int pads[][4] = {{1, 1, 1, 1}, {0, 0, 1, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}, {2, 1, 0, 2}};
  for (int k = 3; k <= 5; k += 2)
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
      for (size_t p = 0; p < sizeof pads / sizeof pads[0]; p++) {
        nnrt_window w = {.in_h = sizes[i], .in_w = sizes[i] + (int)p % 2, .k_h = k, .k_w = k,
                         .stride_h = 1, .stride_w = 1, .pad_top = pads[p][0] * (k / 2),
                         .pad_left = pads[p][1] * (k / 2), .dil_h = 1, .dil_w = 1};
        check_window_pads(t, OP_DW, 0, &w, pads[p][2] * (k / 2), pads[p][3] * (k / 2),
                          rnd_int(1, 7));
      }
}

/* Depthwise planes whose rows fit one vector (the taps are register moves
 * of one masked row load): every width up to VLEN + 1 (one past the path),
 * K = 3 with each left/right/top/bottom padding 0-2 and K = 5 with 2, heights
 * around the 7-row block, with and without an activation. */
static void check_dw_narrow(const nnrt_kernels *t) {
  static const int heights[] = {1, 2, 6, 7, 8, 13, 14, 15};
  for (int iw = 1; iw <= 17; iw++)
    for (int pads = 0; pads < 81; pads++) {
      int pt = pads % 3, pl = pads / 3 % 3, pb = pads / 9 % 3, pr = pads / 27;
      int k = pads % 5 == 0 ? 5 : 3;
      if (k == 5) pt = pl = pb = pr = 2;
      if (iw + pl + pr < k) continue;
      nnrt_window w = {.in_h = heights[(iw + pads) % 8], .in_w = iw, .k_h = k, .k_w = k, .stride_h = 1,
                       .stride_w = 1, .pad_top = pt, .pad_left = pl, .dil_h = 1, .dil_w = 1};
      if (w.in_h + pt + pb < k) continue;
      check_window_pads(t, OP_DW, 0, &w, pb, pr, rnd_int(1, 5));
    }
}

/* The separable stride-2 max pool (2x2 and 3x3): odd and even sizes from 1
 * to past two vectors, every top/left/bottom/right padding from 0 to 2
 * (TF-SAME's asymmetric 0,0,1,1 among them), channel ranges not a multiple
 * of anything; plus the model's reduction planes. */
static void check_maxpool_s2(const nnrt_kernels *t) {
  static const int sizes[] = {1, 2, 3, 4, 5, 7, 13, 14, 15, 16, 17, 28, 33, 56};
  for (int k = 2; k <= 3; k++)
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
      for (int pads = 0; pads < 81; pads++) {
        int pt = pads % 3, pl = pads / 3 % 3, pb = pads / 9 % 3, pr = pads / 27;
        /* all pad combinations for small planes, a sample for the rest */
        if (sizes[i] > 5 && pads % 7 != 0 && pads != 36) continue;
        nnrt_window w = {.in_h = sizes[i], .in_w = sizes[i], .k_h = k, .k_w = k, .stride_h = 2,
                         .stride_w = 2, .pad_top = pt, .pad_left = pl, .dil_h = 1, .dil_w = 1};
        check_window_pads(t, OP_MAX, 0, &w, pb, pr, rnd_int(1, 19));
        /* not square, and 2x3 / 3x2 windows */
        w.in_w = sizes[i] + 3;
        w.k_w = 5 - k;
        check_window_pads(t, OP_MAX, 0, &w, pb, pr, rnd_int(1, 5));
      }
  /* Rows narrower than a vector (out_w < VLEN) and up to two vectors wide:
   * widths 1..34 (around VLEN/2 and VLEN of every ISA), odd and even
   * heights, pads 0/1 on each side, 2x2 to 3x3 windows, random channel
   * ranges (whole-vector loads and stores stop at the range's end). */
  static const int heights[] = {1, 2, 3, 5, 7, 14};
  for (int in_w = 1; in_w <= 34; in_w++)
    for (size_t h = 0; h < sizeof heights / sizeof heights[0]; h++)
      for (int k = 0; k < 4; k++)
        for (int pads = 0; pads < 16; pads++) {
          nnrt_window w = {.in_h = heights[h], .in_w = in_w, .k_h = 2 + k / 2, .k_w = 2 + k % 2,
                           .stride_h = 2, .stride_w = 2, .pad_top = pads & 1, .pad_left = pads >> 1 & 1,
                           .dil_h = 1, .dil_w = 1};
          check_window_pads(t, OP_MAX, 0, &w, pads >> 2 & 1, pads >> 3, rnd_int(1, 6));
        }
  static const int model[] = {56, 28, 14, 7};
  for (size_t i = 0; i < sizeof model / sizeof model[0]; i++) {
    nnrt_window w = {.in_h = model[i], .in_w = model[i], .k_h = 3, .k_w = 3, .stride_h = 2,
                     .stride_w = 2, .pad_top = 0, .pad_left = 0, .dil_h = 1, .dil_w = 1};
    check_window_pads(t, OP_MAX, 0, &w, 1, 1, 37);
  }
}

/* The depthwise planes of the bundled models (AgeGenderNet 56..7, BlazeFace
 * 128..8, 3x3 pad 1) plus 5x5 and dilated small planes: on AVX-512 the
 * small stride-1 ones take the flat whole-plane path, the large ones the
 * padded-row ring. */
static void check_model_dw_shapes(const nnrt_kernels *t) {
  static const int sizes[] = {7, 8, 14, 16, 28, 32, 56, 64, 5, 3, 1};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    for (int variant = 0; variant < 4; variant++) {
      nnrt_window w = {.in_h = sizes[i], .in_w = sizes[i], .k_h = 3, .k_w = 3, .stride_h = 1,
                       .stride_w = 1, .pad_top = 1, .pad_left = 1, .dil_h = 1, .dil_w = 1};
      if (variant == 1) w.k_h = w.k_w = 5, w.pad_top = w.pad_left = 2;
      if (variant == 2) w.dil_h = w.dil_w = 2, w.pad_top = w.pad_left = 2;
      if (variant == 3) w.in_w = sizes[i] + 3, w.k_w = 1, w.pad_left = 0; /* 3x1, wider than tall */
      check_window_geom(t, OP_DW, 0, &w, 19);
    }
}

/* ---- element-wise -------------------------------------------------------- */

static void check_elementwise(const nnrt_kernels *t, size_t n) {
  const nnrt_kernels *s = &nnrt_kernels_scalar;
  float *a = xmalloc(sizeof(float) * n), *b = xmalloc(sizeof(float) * n);
  float *o_s = xmalloc(sizeof(float) * (n + 1)), *o_t = xmalloc(sizeof(float) * (n + 1));
  fill(a, n, -20.f, 20.f);
  fill(b, n, 0.5f, 3.f);
  for (size_t i = 0; i < n; i += 7) b[i] = -b[i];
  if (n > 3) a[0] = 100.f, a[1] = -100.f, a[2] = 0.f, a[3] = -0.f;
  char desc[96];
  /* IEEE add/sub/mul/div/max/min are exact per element: results must match
   * bit for bit (the tail element past n must stay untouched). */
  for (int k = NNRT_BIN_ADD; k <= NNRT_BIN_MIN; k++) {
    float sc = n ? b[n / 2] : 1.5f;
    for (int with_scalar = 0; with_scalar < 2; with_scalar++) {
      o_s[n] = o_t[n] = 7.f;
      if (with_scalar) {
        s->binary_scalar((nnrt_binary_kind)k, a, sc, o_s, n);
        t->binary_scalar((nnrt_binary_kind)k, a, sc, o_t, n);
      } else {
        s->binary((nnrt_binary_kind)k, a, b, o_s, n);
        t->binary((nnrt_binary_kind)k, a, b, o_t, n);
      }
      snprintf(desc, sizeof desc, "%s binary%s kind=%d n=%zu", t->name,
               with_scalar ? "_scalar" : "", k, n);
      for (size_t i = 0; i <= n; i++)
        if (!close_enough(o_t[i], o_s[i], 0.0)) report(desc, "element", o_t[i], o_s[i], 0.0);
    }
  }
  /* activations, also in place; relative 2e-6 plus the absolute slack */
  for (int kind = NNRT_ACT_NONE; kind <= NNRT_ACT_HARD_SWISH; kind++) {
    nnrt_act act = random_act();
    act.kind = (nnrt_act_kind)kind;
    if (kind == NNRT_ACT_CLIP) act.alpha = -1.f, act.beta = 6.f;
    if (kind == NNRT_ACT_LEAKY_RELU) act.alpha = 0.1f;
    if (kind == NNRT_ACT_HARD_SIGMOID) act.alpha = 0.2f, act.beta = 0.5f;
    s->activation(&act, a, o_s, n);
    memcpy(o_t, a, sizeof(float) * n);
    t->activation(&act, o_t, o_t, n);
    snprintf(desc, sizeof desc, "%s activation %s n=%zu (in place)", t->name, act_names[kind], n);
    for (size_t i = 0; i < n; i++) {
      double tol = 2e-6 * fabs(o_s[i]) + ACT_ABS;
      if (!close_enough(o_t[i], o_s[i], tol)) {
        char where[48];
        snprintf(where, sizeof where, "x=%.9g", a[i]);
        report(desc, where, o_t[i], o_s[i], tol);
      }
    }
  }
  free(a), free(b), free(o_s), free(o_t);
}

/* Direct convolution of a first layer against the scalar table: random
 * geometry (stride 1-3, dilation, pads incl. asymmetric, widths around the
 * vector blocks), a random row range; rows outside it must stay untouched.
 * When the table declines the geometry it must write nothing. */
static void check_conv_direct(const nnrt_kernels *t, int fixed_wide) {
  const nnrt_kernels *s = &nnrt_kernels_scalar;
  static const int ks[] = {1, 2, 3, 3, 5, 5, 7};
  nnrt_window w;
  w.k_h = ks[rnd_int(0, 6)], w.k_w = rnd() % 4 ? w.k_h : ks[rnd_int(0, 6)];
  w.stride_h = rnd_int(1, 2), w.stride_w = rnd() % 8 ? rnd_int(1, 2) : 3;
  w.dil_h = rnd() % 6 ? 1 : 2, w.dil_w = rnd() % 6 ? 1 : 2;
  w.pad_top = rnd_int(0, 3), w.pad_left = rnd_int(0, 3);
  int pad_bottom = rnd_int(0, 3), pad_right = rnd_int(0, 3);
  w.in_h = rnd_int(1, 20);
  w.in_w = fixed_wide ? fixed_wide : rnd_int(1, 150);
  int ext_h = (w.k_h - 1) * w.dil_h + 1, ext_w = (w.k_w - 1) * w.dil_w + 1;
  if (w.in_h + w.pad_top + pad_bottom < ext_h || w.in_w + w.pad_left + pad_right < ext_w) return;
  w.out_h = (w.in_h + w.pad_top + pad_bottom - ext_h) / w.stride_h + 1;
  w.out_w = (w.in_w + w.pad_left + pad_right - ext_w) / w.stride_w + 1;
  int cin = rnd_int(1, 4), cout = rnd_int(1, 13);
  int oy0 = rnd_int(0, w.out_h - 1), oy1 = rnd_int(oy0 + 1, w.out_h);
  size_t in_n = (size_t)cin * w.in_h * w.in_w, out_n = (size_t)cout * w.out_h * w.out_w;
  size_t w_n = (size_t)cout * cin * w.k_h * w.k_w;
  float *in = xmalloc(sizeof(float) * in_n), *wt = xmalloc(sizeof(float) * w_n);
  float *bias = xmalloc(sizeof(float) * cout);
  float *o_s = xmalloc(sizeof(float) * out_n), *o_t = xmalloc(sizeof(float) * out_n);
  fill(in, in_n, -1.f, 1.f);
  fill(wt, w_n, -1.f, 1.f);
  fill(bias, (size_t)cout, -1.f, 1.f);
  const float sentinel = 12345.f;
  for (size_t i = 0; i < out_n; i++) o_s[i] = o_t[i] = sentinel;
  nnrt_act act = random_act();
  int use_bias = rnd_int(0, 1);
  s->conv_direct(&w, cin, cout, in, wt, use_bias ? bias : NULL, o_s, oy0, oy1, &act);
  int took = t->conv_direct(&w, cin, cout, in, wt, use_bias ? bias : NULL, o_t, oy0, oy1, &act);
  char desc[256];
  snprintf(desc, sizeof desc, "%s conv_direct cin=%d cout=%d in=%dx%d out=%dx%d rows [%d,%d) k=%dx%d s=%d,%d pad t%d l%d b%d r%d dil=%d,%d bias=%d act=%s took=%d",
           t->name, cin, cout, w.in_h, w.in_w, w.out_h, w.out_w, oy0, oy1, w.k_h, w.k_w, w.stride_h, w.stride_w,
           w.pad_top, w.pad_left, pad_bottom, pad_right, w.dil_h, w.dil_w, use_bias, act_names[act.kind], took);
  double taps = (double)cin * w.k_h * w.k_w;
  double tol = ACT_SLACK * 2.0 * (taps + 1) * FLT_EPSILON * (taps + 1) + ACT_ABS;
  size_t plane = (size_t)w.out_h * w.out_w;
  for (size_t i = 0; i < out_n; i++) {
    int oy = (int)(i % plane) / w.out_w;
    int inside = took && oy >= oy0 && oy < oy1;
    if (!inside) {
      if (o_t[i] != sentinel) report(desc, took ? "outside the rows" : "declined but wrote", o_t[i], sentinel, 0.0);
    } else if (!close_enough(o_t[i], o_s[i], tol)) {
      report(desc, "output", o_t[i], o_s[i], tol);
    }
  }
  /* BlazeFace-sized first layers (48 to 75 taps) must take the fast path */
  if (t->isa == NNRT_ISA_AVX512 && w.stride_w <= 2 && w.dil_h == 1 && w.dil_w == 1 && taps >= 48 && taps <= 75 && w.out_w <= 256 && !took)
    report(desc, "declined a first-layer geometry", 0, 1, 0.0);
  free(in), free(wt), free(bias), free(o_s), free(o_t);
}

/* stride-2 im2col rows copy values: exact; padding columns (left of the row
 * for x0 < 0, past its end) are 0, and the gaps between the K segments
 * (ld > rows * ow) stay untouched. The source is exactly the rows' extent,
 * so a read past the last row's end is a sanitizer error. */
static void check_im2col_s2(const nnrt_kernels *t, int iw, int x0, int dx, int kw, int ow, int rows, size_t step) {
  const nnrt_kernels *s = &nnrt_kernels_scalar;
  size_t ld = (size_t)rows * ow + 5, n = (size_t)kw * ld, n_src = (size_t)(rows - 1) * step + (size_t)iw;
  float *src = xmalloc(sizeof(float) * n_src);
  float *d_s = xmalloc(sizeof(float) * n), *d_t = xmalloc(sizeof(float) * n);
  fill(src, n_src, -2.f, 2.f);
  for (size_t i = 0; i < n; i++) d_s[i] = d_t[i] = 7.f;
  s->im2col_s2(src, step, rows, iw, x0, dx, kw, ow, d_s, ld);
  t->im2col_s2(src, step, rows, iw, x0, dx, kw, ow, d_t, ld);
  char desc[128];
  snprintf(desc, sizeof desc, "%s im2col_s2 iw=%d x0=%d dx=%d kw=%d ow=%d rows=%d step=%zu", t->name, iw, x0, dx, kw,
           ow, rows, step);
  for (size_t i = 0; i < n; i++) {
    size_t col = i % ld;
    if (col >= (size_t)rows * ow ? d_t[i] != 7.f : !close_enough(d_t[i], d_s[i], 0.0))
      report(desc, "row", d_t[i], d_s[i], 0.0);
  }
  free(src), free(d_s), free(d_t);
}

/* plane means: float blocks summed in double against the scalar's double
 * partial sums. Values in [-1, 1]; a lane sums at most 1024 / (2 * VLEN)
 * = 128 terms in float (SSE4, NEON), off by < 128 * eps times the block's
 * magnitude sum, so the mean is off by < 128 * eps = 7.6e-6: 1e-5 */
static void check_plane_means(const nnrt_kernels *t, size_t size, size_t planes) {
  const nnrt_kernels *s = &nnrt_kernels_scalar;
  float *in = xmalloc(sizeof(float) * (size * planes + 1));
  float *o_s = xmalloc(sizeof(float) * (planes + 1)), *o_t = xmalloc(sizeof(float) * (planes + 1));
  fill(in, size * planes + 1, -1.f, 1.f);
  o_s[planes] = o_t[planes] = 7.f;
  s->plane_means(in, size, planes, o_s);
  t->plane_means(in, size, planes, o_t);
  char desc[96];
  snprintf(desc, sizeof desc, "%s plane_means size=%zu planes=%zu", t->name, size, planes);
  for (size_t p = 0; p < planes; p++)
    if (!close_enough(o_t[p], o_s[p], 1e-5)) report(desc, "mean", o_t[p], o_s[p], 1e-5);
  if (o_t[planes] != 7.f) report(desc, "written past the planes", o_t[planes], 7.f, 0.0);
  free(in), free(o_s), free(o_t);
}

static void test_table(const nnrt_kernels *t, int rounds) {
  test_gemm(t, rounds);
  for (int i = 0; i < rounds; i++)
    for (int op = OP_DW; op <= OP_AVG; op++) check_window(t, op, i % 15 == 0 ? 2 : i % 3 == 0);
  check_model_dw_shapes(t);
  check_maxpool_s2(t);
  check_dw_planes(t);
  check_dw_narrow(t);
  static const size_t sizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 67, 1000, 4099};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) check_elementwise(t, sizes[i]);
  for (int i = 0; i < rounds; i++) check_conv_direct(t, 0);
  check_conv_direct(t, 224); /* AgeGenderNet's first conv row */
  check_conv_direct(t, 256);
  /* AgeGenderNet's first conv (112 -> 56, pads right only) and its strided
   * 1x1 projections; then odd widths, left padding, dilation, outputs reaching
   * past the row and rows shorter than a vector */
  check_im2col_s2(t, 112, 0, 1, 3, 56, 55, 224);
  check_im2col_s2(t, 56, 0, 1, 1, 28, 28, 112);
  check_im2col_s2(t, 28, 0, 1, 1, 14, 14, 56);
  check_im2col_s2(t, 14, 0, 1, 1, 7, 7, 28);
  check_im2col_s2(t, 4097, -2, 1, 5, 2049, 1, 4097);
  for (int iw = 1; iw <= 70; iw++) {
    int pl = iw % 3, kw = 1 + iw % 5, dx = 1 + (iw % 7 == 0);
    int ow = (iw + pl + (iw % 2) - dx * (kw - 1) - 1) / 2 + 1;
    /* one row; several rows 2 * iw apart (stride 2), iw apart (stride 1) and
     * further apart */
    int rows = 1 + iw % 4;
    size_t step = iw % 3 == 0 ? (size_t)iw : iw % 3 == 1 ? 2 * (size_t)iw : 2 * (size_t)iw + 3;
    check_im2col_s2(t, iw, -pl, dx, kw, ow < 1 ? 1 : ow, 1, (size_t)iw);
    check_im2col_s2(t, iw, -pl, dx, kw, ow < 1 ? 1 : ow, rows, step);
    check_im2col_s2(t, iw, 0, 1, 1, (iw + 1) / 2, rows, step);     /* 1x1: taps never past the row */
    check_im2col_s2(t, iw, 0, 1, 3, (iw - 1) / 2 + 1, rows, step); /* 3x3, right pad when iw is odd */
    check_im2col_s2(t, iw, 1, 1, 2, (iw + 1) / 2, rows, step);     /* starts inside the row, runs past it */
  }
  static const size_t mean_sizes[] = {0, 1, 5, 7, 15, 16, 17, 31, 32, 33, 49, 196, 1023, 1024, 1025, 3137, 50000};
  for (size_t i = 0; i < sizeof mean_sizes / sizeof mean_sizes[0]; i++)
    check_plane_means(t, mean_sizes[i], mean_sizes[i] > 5000 ? 2 : (size_t)rnd_int(1, 9));
}

int main(int argc, char **argv) {
  unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 20260401ull;
  int rounds = argc > 2 ? atoi(argv[2]) : 300;
  static const nnrt_isa isas[] = {NNRT_ISA_SSE4, NNRT_ISA_AVX2, NNRT_ISA_AVX512, NNRT_ISA_NEON};
  static const char *isa_names[] = {"sse4", "avx2", "avx512", "neon"};
  int tested = 0, bad_tables = 0;
  printf("seed %llu, %d rounds per kernel\n", seed, rounds);
  /* the oracle itself, against double precision through the GEMM checks */
  rng_state = seed | 1;
  test_gemm(&nnrt_kernels_scalar, rounds / 4 + 1);
  if (failures) {
    printf("scalar: %d mismatches against double precision\n", failures);
    return 1;
  }
  for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
    const nnrt_kernels *t = nnrt_kernels_for(isas[i]);
    if (!t) {
      printf("%-7s skipped: not compiled for this architecture\n", isa_names[i]);
      continue;
    }
    if (!cpu_runs(isas[i])) {
      printf("%-7s skipped: this CPU does not support it\n", isa_names[i]);
      continue;
    }
    rng_state = seed | 1;
    failures = 0;
    test_table(t, rounds);
    tested++;
    printf("%-7s %s (gemm_mr %d)\n", isa_names[i], failures ? "FAILED" : "ok", t->gemm_mr);
    if (failures) {
      printf("        %d mismatches (first %d printed on stderr)\n", failures, MAX_REPORTS);
      bad_tables++;
    }
  }
  printf("%d SIMD tables tested, %d failed\n", tested, bad_tables);
  return bad_tables ? 1 : 0;
}
