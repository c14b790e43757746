/* Faults around a running faceattr: model files removed or replaced after
 * loading, a downstream element that errors or refuses the format, and an
 * appsink nobody pulls from. The element must neither crash nor deadlock,
 * and errors must reach the bus with a clear text.
 *
 *   hard-faults CASE WORKDIR */
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>

#include "hard-gst.h"

static gchar *workdir;

static gchar *copy_model(const gchar *file) {
  gchar *src = hard_model_path(file), *dst = g_build_filename(workdir, file, NULL);
  gchar *data = NULL;
  gsize len = 0;
  CHECK(src && g_file_get_contents(src, &data, &len, NULL) &&
            g_file_set_contents(dst, data, (gssize)len, NULL),
        "copy %s", file);
  g_free(data);
  g_free(src);
  return dst;
}

static guint push_frames(GstHarness *h, guint n) {
  GstVideoInfo info;
  guint ok = 0;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 160, 120);
  for (guint i = 0; i < n; i++) {
    GstBuffer *in = hard_frame(&info, (guint8)(i * 7)), *out;
    gst_buffer_add_video_region_of_interest_meta(in, "face", 40, 30, 60, 60);
    if (gst_harness_push(h, in) != GST_FLOW_OK)
      continue;
    out = gst_harness_pull(h);
    if (out) {
      ok += hard_count_faces(out) == 1;
      gst_buffer_unref(out);
    }
  }
  return ok;
}

/* Loaded models live in memory: removing or overwriting the files under a
 * running element changes nothing for it (nor for a second element that
 * shares the cached models meanwhile). Once no element holds them, a new
 * element reads the files again and reports the missing one by name. */
static void case_model_removed(void) {
  gchar *det = copy_model("blazeface-front-128.onnx"), *ag = copy_model("age-gender.onnx");
  gchar *desc = g_strdup_printf("faceattr threads=1 detector=short inference-region=roi-list "
                                "detector-model=\"%s\" attributes-model=\"%s\"",
                                det, ag);
  const gchar *caps = "video/x-raw,format=I420,width=160,height=120,framerate=25/1";
  GstHarness *h1, *h2;
  gchar *launch;
  HardRun r;

  hard_watchdog("model removed while running", 120);
  h1 = gst_harness_new_parse(desc);
  gst_harness_set_src_caps_str(h1, caps);
  CHECK(push_frames(h1, 5) == 5, "before removal");
  CHECK(g_unlink(det) == 0, "unlink %s", det);
  CHECK(g_file_set_contents(ag, "garbage, not a model", -1, NULL), "overwrite %s", ag);
  CHECK(push_frames(h1, 5) == 5, "after removal/overwrite");
  h2 = gst_harness_new_parse(desc);
  gst_harness_set_src_caps_str(h2, caps);
  CHECK(push_frames(h2, 3) == 3, "second element while the first holds the models");
  CHECK(push_frames(h1, 3) == 3, "first element after the second started");
  gst_harness_teardown(h2);
  gst_harness_teardown(h1);

  launch = g_strdup_printf("videotestsrc num-buffers=3 ! video/x-raw,width=160,height=120 ! "
                           "faceattr threads=1 detector=short detector-model=\"%s\" "
                           "attributes-model=\"%s\" ! fakesink",
                           det, ag);
  r = hard_run_launch(launch, 30);
  CHECK(r.error && strstr(r.error, det) && strstr(r.error, "missing or unreadable"),
        "new element after removal: %s", r.error ? r.error : "(no error)");
  printf("new element after the file is gone -> %s\n", r.error ? r.error : "(none)");
  g_free(r.error);
  g_free(launch);
  g_free(desc);
  g_unlink(ag);
  g_free(det);
  g_free(ag);
  alarm(0);
}

/* A downstream element errors after 5 buffers, or refuses the format: the
 * error reaches the bus with its text and the pipeline shuts down. */
static void case_downstream_error(void) {
  HardRun r;
  hard_watchdog("downstream error", 60);
  r = hard_run_launch("videotestsrc num-buffers=200 ! video/x-raw,width=96,height=64 ! "
                      "faceattr threads=1 detector=short ! identity error-after=5 ! fakesink",
                      30);
  CHECK(!r.timed_out && r.error && strstr(r.error, "Failed after iterations as requested"),
        "error-after: %s", r.error ? r.error : "(none)");
  printf("downstream error -> %s\n", r.error ? r.error : "(none)");
  g_free(r.error);

  hard_watchdog("downstream refuses the format", 60);
  r = hard_run_launch("videotestsrc num-buffers=20 ! video/x-raw,format=I420,width=96,height=64 ! "
                      "faceattr threads=1 detector=short ! video/x-raw,width=32 ! fakesink",
                      30);
  /* gst_parse already sees that faceattr cannot scale and leaves the pads
   * unlinked; either way the bus names the reason. */
  CHECK(!r.timed_out && r.error &&
            (strstr(r.error, "not-negotiated") || strstr(r.error, "not-linked")),
        "format refused: %s", r.error ? r.error : "(none)");
  printf("downstream refuses format -> %s\n", r.error ? r.error : "(none)");
  g_free(r.error);
  alarm(0);
}

/* An appsink that stops pulling (max-buffers=1, drop=false) blocks the
 * streaming thread inside faceattr's downstream push. Going to NULL (and to
 * READY) from the application must still return promptly. */
static void case_stalled_sink(void) {
  static const gchar *const targets[] = {"NULL", "READY"};
  for (guint t = 0; t < G_N_ELEMENTS(targets); t++)
    for (guint threads = 1; threads <= 2; threads++) {
      gchar *launch = g_strdup_printf(
          "videotestsrc ! video/x-raw,width=128,height=96,framerate=30/1 ! "
          "faceattr threads=%u detector=short ! appsink name=s max-buffers=1 drop=false sync=false",
          threads);
      GstElement *pipe = gst_parse_launch(launch, NULL);
      GstState target = t == 0 ? GST_STATE_NULL : GST_STATE_READY;
      hard_watchdog("state change with a stalled appsink", 20);
      CHECK(gst_element_set_state(pipe, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE, "PLAYING");
      gst_element_get_state(pipe, NULL, NULL, 10 * GST_SECOND);
      g_usleep(300 * 1000); /* the sink is full, upstream is blocked */
      CHECK(gst_element_set_state(pipe, target) == GST_STATE_CHANGE_SUCCESS, "to %s",
            targets[t]);
      gst_element_set_state(pipe, GST_STATE_NULL);
      gst_object_unref(pipe);
      g_free(launch);
      alarm(0);
    }
  printf("stalled appsink: NULL and READY reached with threads=1 and 2\n");
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  if (argc < 3) {
    fprintf(stderr, "usage: %s CASE WORKDIR\n", argv[0]);
    return 2;
  }
  if (!hard_models_present()) {
    printf("SKIP: bundled models not found in $FACEATTR_MODEL_DIR\n");
    return 77;
  }
  workdir = argv[2];
  g_mkdir_with_parents(workdir, 0755);
  if (strcmp(argv[1], "model-removed") == 0)
    case_model_removed();
  else if (strcmp(argv[1], "downstream-error") == 0)
    case_downstream_error();
  else if (strcmp(argv[1], "stalled-sink") == 0)
    case_stalled_sink();
  else {
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
  }
  return hard_result(argv[1]);
}
