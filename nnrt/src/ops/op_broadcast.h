/* Broadcast iteration for element-wise binary ops: the output shape is
 * coalesced (adjacent axes merged when both operands walk them the same way)
 * so that common cases become one long row (same shape), one row per channel
 * (per-channel operand) or a scalar operand. */
#ifndef NNRT_OP_BROADCAST_H
#define NNRT_OP_BROADCAST_H

#include "op_common.h"

typedef struct op_bcast {
  int rank;
  int64_t dims[NNRT_MAX_DIMS];
  int64_t sa[NNRT_MAX_DIMS], sb[NNRT_MAX_DIMS]; /* element strides, 0 = broadcast */
} op_bcast;

/* Fills b from the two input shapes; false if they do not broadcast. The
 * output shape (uncoalesced) goes to out_rank/out_dims. */
bool op_bcast_init(op_bcast *b, int ra, const int64_t *da, int rb, const int64_t *db,
                   int *out_rank, int64_t *out_dims);

/* Calls row(ctx, a_off, b_off, out_off, n, sa, sb) for every innermost row. */
typedef void (*op_bcast_row_fn)(void *ctx, int64_t a_off, int64_t b_off, int64_t out_off, int64_t n,
                                int64_t sa, int64_t sb);
void op_bcast_run(const op_bcast *b, op_bcast_row_fn row, void *ctx);

#endif /* NNRT_OP_BROADCAST_H */
