/* See tool_common.h. */
#include "tool_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tool_parse_dims(const char *s, int64_t *dims, int max) {
  int rank = 0;
  while (*s) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v <= 0 || rank >= max) return -1;
    dims[rank++] = v;
    s = end;
    if (*s == 'x' || *s == 'X' || *s == ',') s++;
    else if (*s) return -1;
  }
  return rank > 0 ? rank : -1;
}

int tool_parse_common(int argc, char **argv, int *i, tool_opts *o) {
  const char *a = argv[*i];
  if (strcmp(a, "--isa") != 0 && strcmp(a, "--threads") != 0 && strcmp(a, "--shape") != 0) return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "%s: %s needs a value\n", argv[0], a);
    return -1;
  }
  const char *v = argv[++*i];
  if (strcmp(a, "--isa") == 0) {
    if (nnrt_isa_from_name(v, &o->load.isa) != 0) {
      fprintf(stderr, "%s: unknown ISA '%s' (scalar, sse4, avx2, avx512, neon, auto)\n", argv[0], v);
      return -1;
    }
  } else if (strcmp(a, "--threads") == 0) {
    char *end;
    long t = strtol(v, &end, 10);
    if (*end || t < 1 || t > 256) {
      fprintf(stderr, "%s: bad thread count '%s'\n", argv[0], v);
      return -1;
    }
    o->threads = (int)t;
  } else {
    const char *eq = strchr(v, '=');
    size_t k = o->load.n_input_shapes;
    if (!eq || eq == v || (size_t)(eq - v) >= sizeof o->shape_names[0] || k >= TOOL_MAX_SHAPES) {
      fprintf(stderr, "%s: bad --shape '%s' (NAME=1x3x128x128)\n", argv[0], v);
      return -1;
    }
    memcpy(o->shape_names[k], v, (size_t)(eq - v));
    o->shape_names[k][eq - v] = '\0';
    o->shapes[k].name = o->shape_names[k];
    o->shapes[k].rank = tool_parse_dims(eq + 1, o->shapes[k].dims, NNRT_MAX_DIMS);
    if (o->shapes[k].rank < 0) {
      fprintf(stderr, "%s: bad dimensions in --shape '%s'\n", argv[0], v);
      return -1;
    }
    o->load.input_shapes = o->shapes;
    o->load.n_input_shapes = k + 1;
  }
  return 1;
}

void tool_fill_random(float *x, size_t n, uint64_t seed) {
  uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
  for (size_t i = 0; i < n; i++) {
    /* xorshift64*: reproducible everywhere, unlike rand(). */
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint64_t r = s * 0x2545f4914f6cdd1dull;
    x[i] = (float)((double)(r >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
  }
}

void tool_error(const char *prog, const nnrt_error *err) {
  fprintf(stderr, "%s: %s\n", prog, err->message[0] ? err->message : "failed");
}
