/* Shared by nnrt-run and nnrt-bench: option parsing for --isa, --threads and
 * --shape, and the fixed-seed input generator. */
#ifndef NNRT_TOOL_COMMON_H
#define NNRT_TOOL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "nnrt.h"

#define TOOL_MAX_SHAPES 16

typedef struct tool_opts {
  nnrt_load_options load;
  nnrt_input_shape shapes[TOOL_MAX_SHAPES];
  char shape_names[TOOL_MAX_SHAPES][256];
  int threads;
} tool_opts;

/* Handles argv[*i] if it is --isa, --threads or --shape (advancing *i past
 * its value). Returns 1 if handled, 0 if not one of these, -1 on a bad value
 * (message printed). */
int tool_parse_common(int argc, char **argv, int *i, tool_opts *o);

/* Parses "1x3x128x128" into dims; returns the rank or -1. */
int tool_parse_dims(const char *s, int64_t *dims, int max);

/* Fills n floats with uniform [-1, 1] from a fixed seed (same on every run). */
void tool_fill_random(float *x, size_t n, uint64_t seed);

/* Prints "prog: message" to stderr. */
void tool_error(const char *prog, const nnrt_error *err);

#endif /* NNRT_TOOL_COMMON_H */
