/* Bad model files given to faceattr: each must end in an error on the bus
 * whose text names the file and the cause, never a crash or a hang. The
 * outcomes are the table in README "## Robustness".
 *
 *   hard-bad-models WORKDIR
 *
 * The broken models are written into WORKDIR: empty, truncated and
 * bit-flipped copies of the bundled detector, a PNG renamed .onnx, the
 * networks swapped between roles, small valid ONNX graphs whose input or
 * outputs do not fit a role, and one with an op nnrt does not have. */
#include <glib/gstdio.h>

#include "hard-gst.h"
#include "pb_build.h"

static gchar *workdir;

static gchar *write_file(const gchar *name, const void *data, gsize size) {
  gchar *p = g_build_filename(workdir, name, NULL);
  GError *e = NULL;
  if (!g_file_set_contents(p, data, (gssize)size, &e)) {
    fprintf(stderr, "cannot write %s: %s\n", p, e->message);
    g_error_free(e);
    hard_failures++;
  }
  return p;
}

/* A one-node graph (op) from `in_dims` to an output of `out_dims`, saved
 * as `name`. Valid ONNX that nnrt may or may not accept. */
static gchar *write_graph(const gchar *name, const char *op, const int64_t *in_dims,
                          const int64_t *out_dims) {
  const char *ins[] = {"image", NULL}, *outs[] = {"out", NULL};
  pbb g = {0}, n = onnx_node("node0", op, ins, outs, NULL, 0);
  pbb vin = onnx_value_info("image", 1, 4, in_dims);
  pbb vout = onnx_value_info("out", 1, 4, out_dims);
  pbb_msg(&g, G_NODE, &n);
  pbb_str(&g, G_NAME, "bad");
  pbb_msg(&g, G_INPUT, &vin);
  pbb_msg(&g, G_OUTPUT, &vout);
  pbb m = onnx_model(7, 13, &g);
  gchar *p = write_file(name, m.p, m.n);
  free(m.p);
  return p;
}

/* Runs a short stream through faceattr with `prop`=`path` and returns the
 * error text, or NULL if the stream ended normally. */
static gchar *error_for(const gchar *prop, const gchar *detector, const gchar *path) {
  gchar *launch = g_strdup_printf(
      "videotestsrc num-buffers=2 ! video/x-raw,format=GRAY8,width=64,height=48 ! "
      "faceattr detector=%s threads=1 %s=\"%s\" ! fakesink",
      detector, prop, path);
  HardRun r;
  hard_watchdog(launch, 60);
  r = hard_run_launch(launch, 30);
  alarm(0);
  CHECK(!r.timed_out, "%s: neither EOS nor error within 30 s", launch);
  g_free(launch);
  return r.error;
}

/* The model must be refused: an error naming the file and containing `why`. */
static void expect_refused(const gchar *label, const gchar *prop, const gchar *detector,
                           const gchar *path, const gchar *why) {
  gchar *text = error_for(prop, detector, path);
  gchar *base = g_path_get_basename(path);
  CHECK(text != NULL, "%s: accepted (%s=%s)", label, prop, path);
  if (text) {
    CHECK(strstr(text, base) != NULL, "%s: message does not name %s: %s", label, base, text);
    CHECK(!why || strstr(text, why) != NULL, "%s: message lacks \"%s\": %s", label, why, text);
    printf("%-28s -> %s\n", label, text);
  }
  g_free(base);
  g_free(text);
}

int main(int argc, char **argv) {
  gchar *front, *back, *ag;
  gchar *contents = NULL;
  gsize len = 0;

  gst_init(&argc, &argv);
  if (argc < 2) {
    fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
    return 2;
  }
  if (!hard_models_present()) {
    printf("SKIP: bundled models not found in $FACEATTR_MODEL_DIR\n");
    return 77;
  }
  workdir = argv[1];
  g_mkdir_with_parents(workdir, 0755);
  front = hard_model_path("blazeface-front-128.onnx");
  back = hard_model_path("blazeface-back-256.onnx");
  ag = hard_model_path("age-gender.onnx");

  /* Missing file and a directory where a file should be. */
  expect_refused("missing file", "detector-model", "short", "/nonexistent/dir/face.onnx",
                 "missing or unreadable");
  expect_refused("directory as model", "attributes-model", "short", workdir, NULL);

  /* Empty, truncated, PNG. */
  {
    gchar *p = write_file("empty.onnx", "", 0);
    expect_refused("empty file", "detector-model", "short", p, NULL);
    g_free(p);
  }
  if (g_file_get_contents(front, &contents, &len, NULL)) {
    gsize cuts[] = {16, len / 2, len - 1};
    for (guint i = 0; i < G_N_ELEMENTS(cuts); i++) {
      gchar *name = g_strdup_printf("truncated-%zu.onnx", (size_t)cuts[i]);
      gchar *p = write_file(name, contents, cuts[i]);
      gchar *label = g_strdup_printf("truncated at %zu/%zu", (size_t)cuts[i], (size_t)len);
      expect_refused(label, "detector-model", "short", p, NULL);
      g_free(label);
      g_free(name);
      g_free(p);
    }
    /* Bit flips in the first 4 KiB (graph structure, not weights): refused
     * with a message naming the file, or, if the flip hit a value that
     * still makes sense, the stream runs to its end. Fixed seed. */
    {
      GRand *rnd = g_rand_new_with_seed(8);
      guint refused = 0, ran = 0;
      for (guint i = 0; i < 12; i++) {
        gchar *copy = g_memdup2(contents, len);
        gsize at = (gsize)g_rand_int_range(rnd, 0, (gint32)MIN(len, 4096));
        copy[at] ^= (gchar)(1u << g_rand_int_range(rnd, 0, 8));
        gchar *p = write_file("bitflip.onnx", copy, len);
        gchar *text = error_for("detector-model", "short", p);
        if (text) {
          CHECK(strstr(text, "bitflip.onnx") != NULL, "bit flip at %zu: message: %s",
                (size_t)at, text);
          refused++;
        } else {
          ran++;
        }
        g_free(text);
        g_free(p);
        g_free(copy);
      }
      printf("%-28s -> %u refused with a message, %u ran\n", "12 bit-flipped copies", refused,
             ran);
      g_rand_free(rnd);
    }
    g_free(contents);
  } else {
    CHECK(0, "cannot read %s", front);
  }
  {
    static const guchar png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
                                 0x90, 0x77, 0x53, 0xde, 0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                 0xae, 0x42, 0x60, 0x82};
    gchar *p = write_file("picture-png.onnx", png, sizeof png);
    expect_refused("PNG renamed .onnx", "detector-model", "short", p, NULL);
    expect_refused("PNG as attributes model", "attributes-model", "short", p, NULL);
    g_free(p);
  }

  /* Real networks in the wrong role. */
  expect_refused("age-gender as detector", "detector-model", "short", ag, "BlazeFace");
  /* Both BlazeFace variants have 896 anchors: the front (128 px) network
   * is a working, if short-sighted, long-range detector, so it is accepted. */
  {
    gchar *text = error_for("detector-model", "long", front);
    CHECK(text == NULL, "front detector as long refused: %s", text);
    printf("%-28s -> accepted, runs\n", "front detector as long");
    g_free(text);
  }
  expect_refused("detector as age-gender", "attributes-model", "short", back,
                 "not an age/gender network");

  /* Valid ONNX that does not fit the role, and an op nnrt lacks. */
  {
    const int64_t nonsquare[] = {1, 100, 50, 3}, img128[] = {1, 128, 128, 3},
                  img64[] = {1, 64, 64, 3}, tiny[] = {1, 8, 8, 3};
    gchar *p = write_graph("non-square-input.onnx", "Relu", nonsquare, nonsquare);
    expect_refused("non-square input", "detector-model", "short", p, "square RGB image");
    g_free(p);
    p = write_graph("no-blazeface-outputs.onnx", "Relu", img128, img128);
    expect_refused("image-to-image as detector", "detector-model", "short", p, "BlazeFace");
    g_free(p);
    p = write_graph("tiny-input.onnx", "Relu", tiny, tiny);
    expect_refused("8x8 input as detector", "detector-model", "short", p, "implausible");
    g_free(p);
    p = write_graph("image-out.onnx", "Relu", img64, img64);
    expect_refused("image-to-image as age-gender", "attributes-model", "short", p,
                   "not an age/gender network");
    g_free(p);
    p = write_graph("unsupported-op.onnx", "Unique", img128, img128);
    expect_refused("unsupported op (Unique)", "detector-model", "short", p, "Unique");
    g_free(p);
  }

  g_free(front);
  g_free(back);
  g_free(ag);
  return hard_result("hard-bad-models");
}
