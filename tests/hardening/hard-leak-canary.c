/* LeakSanitizer canary: proves that tests/lsan.supp hides only GLib's and
 * GStreamer's own one-time allocations, not leaks of ours that pass through
 * them. An element defined here ("hardleaky", registered in-process) sits
 * behind faceattr in a real pipeline and, on request, drops a GstCaps and a
 * GstBuffer it created on every frame, as a buggy element of ours would.
 *
 *   hard-leak-canary check    runs itself twice under the asan test setup's
 *                             LSAN_OPTIONS: "clean" must exit 0 with no leak
 *                             report (faceattr + GStreamer, suppressions on),
 *                             "leak" must fail with a report naming the
 *                             caps and the buffer allocated in this file
 *   hard-leak-canary clean|leak
 *
 * Skips (77) outside an AddressSanitizer build: there is no LeakSanitizer. */
#include <gst/base/gstbasetransform.h>
#include <sys/wait.h>

#include "hard-gst.h"

typedef struct {
  GstBaseTransform parent;
} HardLeaky;
typedef struct {
  GstBaseTransformClass parent_class;
} HardLeakyClass;

GType hard_leaky_get_type(void);
G_DEFINE_TYPE(HardLeaky, hard_leaky, GST_TYPE_BASE_TRANSFORM)

static gboolean leak_per_frame;

/* The leak under test: a caps and a buffer made and never unreffed. */
static GstFlowReturn hard_leaky_transform_ip(GstBaseTransform *trans, GstBuffer *buf) {
  (void)trans;
  (void)buf;
  if (leak_per_frame) {
    GstCaps *caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, 64, NULL);
    GstBuffer *copy = gst_buffer_new_allocate(NULL, 256, NULL);
    (void)caps;
    (void)copy;
  }
  return GST_FLOW_OK;
}

static void hard_leaky_class_init(HardLeakyClass *klass) {
  static GstStaticPadTemplate sink_t =
      GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
  static GstStaticPadTemplate src_t =
      GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
  GstElementClass *ec = GST_ELEMENT_CLASS(klass);
  gst_element_class_add_static_pad_template(ec, &sink_t);
  gst_element_class_add_static_pad_template(ec, &src_t);
  gst_element_class_set_static_metadata(ec, "hardleaky", "Filter", "leaks on request (test)",
                                        "faceattr tests");
  GST_BASE_TRANSFORM_CLASS(klass)->transform_ip = hard_leaky_transform_ip;
}

static void hard_leaky_init(HardLeaky *self) {
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
}

static int run_pipeline(void) {
  HardRun r;
  gst_element_register(NULL, "hardleaky", GST_RANK_NONE, hard_leaky_get_type());
  hard_watchdog("leak canary pipeline", 120);
  r = hard_run_launch("videotestsrc num-buffers=3 pattern=ball ! "
                      "video/x-raw,format=I420,width=160,height=120 ! "
                      "faceattr threads=1 detector=short ! hardleaky ! fakesink", 60);
  alarm(0);
  CHECK(r.eos, "pipeline did not reach EOS: %s", r.error ? r.error : "timeout");
  g_free(r.error);
  return hard_result(leak_per_frame ? "leak" : "clean");
}

/* Runs this program with `mode`; returns its stderr, sets *ok to whether it
 * exited 0. */
static gchar *run_child(const gchar *self, const gchar *mode, gboolean *ok) {
  const gchar *argv[] = {self, mode, NULL};
  gchar *err = NULL;
  gint status = -1;
  GError *e = NULL;
  if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                    &status, &e)) {
    CHECK(0, "cannot run %s %s: %s", self, mode, e->message);
    g_error_free(e);
    *ok = FALSE;
    return g_strdup("");
  }
  *ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return err;
}

static int check(const gchar *self) {
  gboolean ok;
  gchar *err;

  err = run_child(self, "clean", &ok);
  CHECK(ok && !strstr(err, "LeakSanitizer"),
        "faceattr + GStreamer with no leak of ours: LeakSanitizer must stay quiet:\n%s", err);
  printf("clean: %s\n", ok ? "exit 0, no leak reported" : "FAILED");
  g_free(err);

  err = run_child(self, "leak", &ok);
  CHECK(!ok, "the leaking element's run exited 0");
  CHECK(strstr(err, "LeakSanitizer: detected memory leaks") != NULL, "no leak report:\n%s", err);
  CHECK(strstr(err, "gst_caps_new_simple") != NULL && strstr(err, "gst_buffer_new_allocate") &&
            strstr(err, "hard_leaky_transform_ip"),
        "the report does not name both leaked objects and the element's function:\n%s", err);
  {
    const gchar *summary = strstr(err, "SUMMARY: AddressSanitizer:");
    printf("leak: %s; %s", ok ? "exit 0 (WRONG)" : "failed as it must",
           summary ? summary : "no summary\n");
  }
  g_free(err);
  return hard_result("leak-canary");
}

int main(int argc, char **argv) {
  const gchar *san = g_getenv("FACEATTR_HARD_SANITIZED");
  if (argc < 2) {
    fprintf(stderr, "usage: %s check|clean|leak\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "check") == 0) {
    if (!san || !strstr(san, "address")) {
      printf("SKIP: needs the AddressSanitizer build (LeakSanitizer)\n");
      return 77;
    }
    if (!hard_models_present()) {
      printf("SKIP: bundled models not found in $FACEATTR_MODEL_DIR\n");
      return 77;
    }
    return check(argv[0]);
  }
  gst_init(&argc, &argv);
  leak_per_frame = strcmp(argv[1], "leak") == 0;
  return run_pipeline();
}
