/* Broadcast iteration (see op_broadcast.h). */
#include "op_broadcast.h"

bool op_bcast_init(op_bcast *b, int ra, const int64_t *da, int rb, const int64_t *db,
                   int *out_rank, int64_t *out_dims) {
  int r;
  int64_t dims[NNRT_MAX_DIMS], sa[NNRT_MAX_DIMS], sb[NNRT_MAX_DIMS];
  if (!op_broadcast_shape(ra, da, rb, db, &r, dims)) return false;
  *out_rank = r;
  memcpy(out_dims, dims, sizeof(int64_t) * (size_t)r);
  op_broadcast_strides(ra, da, r, dims, sa);
  op_broadcast_strides(rb, db, r, dims, sb);
  /* Drop size-1 axes, then merge neighbours that both operands walk alike. */
  int m = 0;
  for (int i = 0; i < r; i++) {
    if (dims[i] == 1) continue;
    if (m > 0) {
      int j = m - 1;
      bool a_ok = (b->sa[j] == 0 && sa[i] == 0) || (sa[i] != 0 && b->sa[j] == sa[i] * dims[i]);
      bool b_ok = (b->sb[j] == 0 && sb[i] == 0) || (sb[i] != 0 && b->sb[j] == sb[i] * dims[i]);
      if (a_ok && b_ok) {
        b->dims[j] *= dims[i];
        b->sa[j] = sa[i];
        b->sb[j] = sb[i];
        continue;
      }
    }
    b->dims[m] = dims[i];
    b->sa[m] = sa[i];
    b->sb[m] = sb[i];
    m++;
  }
  if (m == 0) {
    b->dims[0] = 1;
    b->sa[0] = b->sb[0] = 0;
    m = 1;
  }
  b->rank = m;
  return true;
}

void op_bcast_run(const op_bcast *b, op_bcast_row_fn row, void *ctx) {
  int r = b->rank;
  int64_t n = b->dims[r - 1];
  int64_t rows = 1;
  for (int i = 0; i < r - 1; i++) rows *= b->dims[i];
  int64_t idx[NNRT_MAX_DIMS] = {0};
  int64_t ao = 0, bo = 0;
  for (int64_t k = 0; k < rows; k++) {
    row(ctx, ao, bo, k * n, n, b->sa[r - 1], b->sb[r - 1]);
    /* odometer over the outer axes */
    for (int i = r - 2; i >= 0; i--) {
      idx[i]++;
      ao += b->sa[i];
      bo += b->sb[i];
      if (idx[i] < b->dims[i]) break;
      ao -= b->sa[i] * b->dims[i];
      bo -= b->sb[i] * b->dims[i];
      idx[i] = 0;
    }
  }
}
