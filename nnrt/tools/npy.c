/* .npy reader and writer. The header is a Python dict literal; only the three
 * keys numpy writes are looked for, inside the declared header length. */
#include "npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *msg, size_t size, const char *fmt, ...) {
  if (msg && size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* Position just after `key` and the ':' that follows, or NULL. */
static const char *find_key(const char *h, const char *end, const char *key) {
  size_t kl = strlen(key);
  for (const char *p = h; p + kl <= end; p++) {
    if (memcmp(p, key, kl) != 0) continue;
    p += kl;
    while (p < end && (*p == ' ')) p++;
    if (p >= end || *p != ':') return NULL;
    p++;
    while (p < end && *p == ' ') p++;
    return p;
  }
  return NULL;
}

int npy_parse(const void *bytes, size_t len, npy_array *out, char *msg, size_t msg_size) {
  const unsigned char *b = bytes;
  memset(out, 0, sizeof *out);
  if (!b || len < 10 || memcmp(b, "\x93NUMPY", 6) != 0) return fail(msg, msg_size, "not a .npy file (bad magic)");
  unsigned major = b[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = (size_t)b[8] | (size_t)b[9] << 8;
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12) return fail(msg, msg_size, "truncated .npy header");
    hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    hstart = 12;
  } else {
    return fail(msg, msg_size, ".npy format version %u is not supported", major);
  }
  if (hlen > len - hstart) return fail(msg, msg_size, "truncated .npy header");
  const char *h = (const char *)b + hstart, *end = h + hlen;

  const char *d = find_key(h, end, "'descr'");
  if (!d || d >= end || (*d != '\'' && *d != '"')) return fail(msg, msg_size, ".npy header has no descr");
  char q = *d++;
  const char *de = d;
  while (de < end && *de != q) de++;
  if (de >= end) return fail(msg, msg_size, ".npy header: unterminated descr");
  if (de - d != 3 || memcmp(d, "<f4", 3) != 0)
    return fail(msg, msg_size, ".npy dtype '%.*s' is not supported: only little-endian float32 ('<f4')",
                (int)(de - d > 16 ? 16 : de - d), d);

  const char *fo = find_key(h, end, "'fortran_order'");
  if (!fo) return fail(msg, msg_size, ".npy header has no fortran_order");
  if (end - fo >= 4 && memcmp(fo, "True", 4) == 0)
    return fail(msg, msg_size, ".npy array is in Fortran order; only C order is supported");
  if (end - fo < 5 || memcmp(fo, "False", 5) != 0) return fail(msg, msg_size, ".npy header: bad fortran_order");

  const char *s = find_key(h, end, "'shape'");
  if (!s || s >= end || *s != '(') return fail(msg, msg_size, ".npy header has no shape");
  s++;
  size_t numel = 1;
  for (;;) {
    while (s < end && (*s == ' ' || *s == ',')) s++;
    if (s >= end) return fail(msg, msg_size, ".npy header: unterminated shape");
    if (*s == ')') break;
    if (*s < '0' || *s > '9') return fail(msg, msg_size, ".npy header: bad shape");
    int64_t v = 0;
    while (s < end && *s >= '0' && *s <= '9') {
      if (v > ((int64_t)1 << 40)) return fail(msg, msg_size, ".npy shape dimension too large");
      v = v * 10 + (*s++ - '0');
    }
    while (s < end && (*s == 'L')) s++; /* Python 2 longs */
    if (out->rank >= NPY_MAX_DIMS) return fail(msg, msg_size, ".npy array has more than %d dimensions", NPY_MAX_DIMS);
    out->dims[out->rank++] = v;
    if (v && numel > ((size_t)1 << 40) / (size_t)v) return fail(msg, msg_size, ".npy array too large");
    numel *= (size_t)v;
  }
  size_t data_off = hstart + hlen;
  if (len - data_off != numel * 4)
    return fail(msg, msg_size, ".npy data has %zu bytes but the shape needs %zu", len - data_off, numel * 4);
  out->numel = numel;
  out->data = malloc(numel ? numel * 4 : 4);
  if (!out->data) return fail(msg, msg_size, "out of memory");
  if (numel) memcpy(out->data, b + data_off, numel * 4); /* little-endian host */
  return 0;
}

int npy_load(const char *path, npy_array *out, char *msg, size_t msg_size) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) return fail(msg, msg_size, "%s: %s", path, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap) break;
    unsigned char *nb = cap < ((size_t)1 << 32) ? realloc(buf, cap * 2) : NULL;
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  fclose(f);
  if (!buf) return fail(msg, msg_size, "%s: too large or out of memory", path);
  char inner[256];
  int rc = npy_parse(buf, len, out, inner, sizeof inner);
  free(buf);
  if (rc) return fail(msg, msg_size, "%s: %s", path, inner);
  return 0;
}

int npy_save(const char *path, const float *data, int rank, const int64_t *dims, char *msg, size_t msg_size) {
  char header[256];
  int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  size_t numel = 1;
  for (int i = 0; i < rank && n < 200; i++) {
    n += snprintf(header + n, sizeof header - (size_t)n, "%lld%s", (long long)dims[i], rank == 1 ? "," : (i + 1 < rank ? ", " : ""));
    numel *= (size_t)dims[i];
  }
  n += snprintf(header + n, sizeof header - (size_t)n, "), }");
  /* Pad with spaces so that the data starts on a 64-byte boundary. */
  size_t total = 10 + (size_t)n + 1;
  size_t padded = (total + 63) & ~(size_t)63;
  while ((size_t)n < padded - 11) header[n++] = ' ';
  header[n++] = '\n';
  FILE *f = fopen(path, "wb");
  if (!f) return fail(msg, msg_size, "%s: %s", path, strerror(errno));
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
  int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n &&
           (numel == 0 || fwrite(data, 4, numel, f) == numel);
  if (fclose(f) != 0) ok = 0;
  if (!ok) return fail(msg, msg_size, "%s: write failed", path);
  return 0;
}

void npy_free(npy_array *a) {
  if (!a) return;
  free(a->data);
  a->data = NULL;
}
