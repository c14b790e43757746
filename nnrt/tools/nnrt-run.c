/* nnrt-run MODEL [--input NAME=FILE.npy]... [--output-dir DIR] [--isa I]
 *          [--threads N] [--shape NAME=1x3x128x128]
 * Runs a model once. Inputs not given are filled with uniform [-1, 1] values
 * from a fixed seed; each output is written to DIR/<name>.npy, with characters
 * outside [A-Za-z0-9_.-] in the name replaced by '_'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "npy.h"
#include "tool_common.h"

#define MAX_INPUT_FILES 16

/* Output file names keep [A-Za-z0-9_.-] and map anything else to '_', as
 * tools/ort-run.mjs does, so that both write the same file names. */
static char safe_char(char c) {
  int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  return ok ? c : '_';
}

/* mkdir -p: existing directories are fine; errors show up when writing. */
static void make_dirs(const char *dir) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(buf, 0777);
      *p = '/';
    }
  mkdir(buf, 0777);
}

static void usage(const char *prog) {
  fprintf(stderr,
          "usage: %s MODEL [--input NAME=FILE.npy]... [--output-dir DIR] [--isa I] [--threads N] "
          "[--shape NAME=1x3x128x128]\n",
          prog);
}

int main(int argc, char **argv) {
  tool_opts o;
  memset(&o, 0, sizeof o);
  o.threads = 1;
  const char *path = NULL, *out_dir = NULL;
  char *in_names[MAX_INPUT_FILES];
  const char *in_files[MAX_INPUT_FILES];
  int n_in = 0, status = 1;
  for (int i = 1; i < argc; i++) {
    int r = tool_parse_common(argc, argv, &i, &o);
    if (r < 0) return 2;
    if (r) continue;
    if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) {
      char *v = argv[++i], *eq = strchr(v, '=');
      if (!eq || n_in >= MAX_INPUT_FILES) {
        fprintf(stderr, "%s: bad --input '%s' (NAME=FILE.npy)\n", argv[0], v);
        return 2;
      }
      *eq = '\0';
      in_names[n_in] = v;
      in_files[n_in++] = eq + 1;
    } else if (strcmp(argv[i], "--output-dir") == 0 && i + 1 < argc) {
      out_dir = argv[++i];
    } else if (argv[i][0] != '-' && !path) {
      path = argv[i];
    } else {
      usage(argv[0]);
      return 2;
    }
  }
  if (!path) {
    usage(argv[0]);
    return 2;
  }

  nnrt_model *m = NULL;
  nnrt_context *ctx = NULL;
  nnrt_error err;
  if (nnrt_model_load_file(path, &o.load, &m, &err) != NNRT_OK ||
      nnrt_context_create(m, o.threads, &ctx, &err) != NNRT_OK) {
    tool_error(argv[0], &err);
    goto out;
  }
  for (size_t k = 0; k < nnrt_model_num_inputs(m); k++) {
    nnrt_tensor_info t;
    nnrt_model_input_info(m, k, &t);
    tool_fill_random(nnrt_context_input(ctx, k), (size_t)nnrt_tensor_info_numel(&t), 42 + k);
  }
  for (int j = 0; j < n_in; j++) {
    int k = nnrt_model_find_input(m, in_names[j]);
    if (k < 0) {
      fprintf(stderr, "%s: the model has no input '%s'\n", argv[0], in_names[j]);
      goto out;
    }
    nnrt_tensor_info t;
    nnrt_model_input_info(m, (size_t)k, &t);
    npy_array a;
    char msg[512];
    if (npy_load(in_files[j], &a, msg, sizeof msg) != 0) {
      fprintf(stderr, "%s: %s\n", argv[0], msg);
      goto out;
    }
    if ((int64_t)a.numel != nnrt_tensor_info_numel(&t) || a.rank != t.rank ||
        memcmp(a.dims, t.dims, (size_t)t.rank * sizeof(int64_t)) != 0) {
      fprintf(stderr, "%s: %s: shape does not match input '%s' (rank %d, %lld elements expected)\n", argv[0],
              in_files[j], t.name, t.rank, (long long)nnrt_tensor_info_numel(&t));
      npy_free(&a);
      goto out;
    }
    memcpy(nnrt_context_input(ctx, (size_t)k), a.data, a.numel * sizeof(float));
    npy_free(&a);
  }
  if (nnrt_context_run(ctx, &err) != NNRT_OK) {
    tool_error(argv[0], &err);
    goto out;
  }
  if (out_dir) make_dirs(out_dir);
  for (size_t k = 0; k < nnrt_model_num_outputs(m); k++) {
    nnrt_tensor_info t;
    nnrt_model_output_info(m, k, &t);
    const float *y = nnrt_context_output(ctx, k);
    int64_t n = nnrt_tensor_info_numel(&t);
    double sum = 0, asum = 0;
    for (int64_t i = 0; i < n; i++) {
      sum += y[i];
      asum += y[i] < 0 ? -y[i] : y[i];
    }
    printf("output %s: %lld values, sum=%.6g mean|x|=%.6g\n", t.name, (long long)n, sum, n ? asum / (double)n : 0.0);
    if (out_dir) {
      char file[1024], msg[512];
      int len = snprintf(file, sizeof file, "%s/", out_dir);
      for (const char *c = t.name; *c && len < (int)sizeof file - 5; c++)
        file[len++] = safe_char(*c);
      snprintf(file + len, sizeof file - (size_t)len, ".npy");
      if (npy_save(file, y, t.rank, t.dims, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], msg);
        goto out;
      }
    }
  }
  status = 0;
out:
  nnrt_context_free(ctx);
  nnrt_model_free(m);
  return status;
}
