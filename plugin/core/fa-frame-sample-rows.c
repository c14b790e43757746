/* The sampler's fast path for axis-aligned warps (letterbox, tiles, follow
 * views, unrotated face crops): see fa-frame-sample.h.
 *
 * Why: the general path recomputes double coordinates and switches on the
 * pixel format for each of the 4 neighbours of each sample, ~25 ns a sample;
 * a 256x256 detector view then cost ~1.5 ms. Without rotation, a column's
 * source x and weight are the same on every row and a row's y the same in
 * every column, so they are computed once, and each output row is made from
 * two source rows read by a per-format loop. The result is bit-identical to
 * the general path (same expressions, same summation order): the test
 * compares the two. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "fa-frame-sample.h"

/* Source columns/rows and weights of one axis. `lo`/`hi` say whether the
 * neighbour at i0 / i0 + 1 is readable (else the fill is used). */
typedef struct axis_tap {
  int i0;
  float a; /* weight of the second neighbour */
  unsigned char lo, hi;
} axis_tap;

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }

/* The general path's per-sample coordinate rule for one axis, in double. */
static void axis_taps(double scale, double offset, int n, int mirror, int clamp, int c0, int c1,
                      int v0, int v1, axis_tap *out) {
  for (int u = 0; u < n; u++) {
    int uu = mirror ? n - 1 - u : u;
    /* m[1] * v (resp. m[3] * u) is +0 here: the general path's sum */
    double x = scale * uu + offset;
    if (clamp)
      x = fmin(fmax(x, (double)c0), (double)(c1 - 1));
    double f0 = floor(x);
    out[u].a = (float)(x - f0);
    out[u].i0 = (int)f0;
    out[u].lo = out[u].i0 >= v0 && out[u].i0 < v1;
    out[u].hi = out[u].i0 + 1 >= v0 && out[u].i0 + 1 < v1;
  }
}

/* Reads the two horizontal neighbours of every column on source row y into
 * p0 / p1 (RGB float triplets), fill where unreadable. x0s / x1s are the
 * neighbours' columns, moved inside the frame where unreadable so that the
 * row reader never reads past it; those samples are then overwritten. */
static void gather_row(const fa_frame *f, int y, int row_ok, const axis_tap *cols,
                       const int *x0s, const int *x1s, int n, const float fill[3], float *p0,
                       float *p1) {
  if (!row_ok) {
    for (int u = 0; u < n; u++)
      for (int c = 0; c < 3; c++)
        p0[3 * u + c] = p1[3 * u + c] = fill[c];
    return;
  }
  fa_frame_read_row_rgb(f, y, x0s, n, p0);
  fa_frame_read_row_rgb(f, y, x1s, n, p1);
  for (int u = 0; u < n; u++) {
    if (!cols[u].lo)
      memcpy(p0 + 3 * u, fill, 3 * sizeof *fill);
    if (!cols[u].hi)
      memcpy(p1 + 3 * u, fill, 3 * sizeof *fill);
  }
}

int fa_sample_axis_aligned(const fa_frame *f, const double m[6], const fa_sample_target *t) {
  if (m[1] != 0. || m[3] != 0. || t->width > FA_SAMPLE_ROWS_MAX ||
      t->height > FA_SAMPLE_ROWS_MAX)
    return 0;
  const int vx0 = imax(t->valid_x0, 0), vy0 = imax(t->valid_y0, 0);
  const int vx1 = imin(t->valid_x1, f->width), vy1 = imin(t->valid_y1, f->height);
  const int clamp = t->clamp_x1 > t->clamp_x0 && t->clamp_y1 > t->clamp_y0;
  axis_tap cols[FA_SAMPLE_ROWS_MAX], rows[FA_SAMPLE_ROWS_MAX];
  axis_taps(m[0], m[2], t->width, t->mirror, clamp, t->clamp_x0, t->clamp_x1, vx0, vx1, cols);
  axis_taps(m[4], m[5], t->height, 0, clamp, t->clamp_y0, t->clamp_y1, vy0, vy1, rows);
  const int any = vx1 > vx0 && vy1 > vy0; /* some pixel is readable at all */
  int x0s[FA_SAMPLE_ROWS_MAX], x1s[FA_SAMPLE_ROWS_MAX];
  for (int u = 0; u < t->width; u++) {
    x0s[u] = cols[u].lo ? cols[u].i0 : vx0;
    x1s[u] = cols[u].hi ? cols[u].i0 + 1 : vx0;
  }

  /* Four neighbour rows of RGB triplets: (x0, y0), (x0+1, y0), (x0, y0+1),
   * (x0+1, y0+1). */
  float buf[4][3 * FA_SAMPLE_ROWS_MAX];
  int have_y = INT_MIN, have_ok = -1; /* row cached in buf[2..3] from the last output row */
  for (int v = 0; v < t->height; v++) {
    const axis_tap *r = &rows[v];
    float ay = r->a;
    /* Rows are shared between neighbouring output rows when upsampling:
     * reuse the lower pair as the upper one. */
    if (r->i0 == have_y && r->lo == have_ok) {
      memcpy(buf[0], buf[2], sizeof buf[0]);
      memcpy(buf[1], buf[3], sizeof buf[1]);
    } else {
      gather_row(f, r->i0, any && r->lo, cols, x0s, x1s, t->width, t->fill, buf[0], buf[1]);
    }
    gather_row(f, r->i0 + 1, any && r->hi, cols, x0s, x1s, t->width, t->fill, buf[2], buf[3]);
    have_y = r->i0 + 1;
    have_ok = r->hi;
    for (int u = 0; u < t->width; u++) {
      float ax = cols[u].a;
      /* Same weights and summation order as the general path. */
      float w00 = (1.f - ax) * (1.f - ay), w10 = ax * (1.f - ay);
      float w01 = (1.f - ax) * ay, w11 = ax * ay;
      float acc[3];
      /* The general path skips zero weights; adding w * p = 0 instead
       * changes nothing (values are finite, sums start at +0), and without
       * the branches this loop vectorises. */
      for (int c = 0; c < 3; c++)
        acc[c] = 0.f + w00 * buf[0][3 * u + c] + w10 * buf[1][3 * u + c] +
                 w01 * buf[2][3 * u + c] + w11 * buf[3][3 * u + c];
      fa_sample_store(t, u, v, acc);
    }
  }
  return 1;
}
