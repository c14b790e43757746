/* GStreamer helpers of the hardening tests: run a pipeline to its end with a
 * deadline, collect the error text it posts, build frames of a given fill. */
#ifndef HARD_GST_H
#define HARD_GST_H

#include <gst/gst.h>
#include <gst/video/video.h>

#include "hard-util.h"

/* The bundled model `file` in $FACEATTR_MODEL_DIR, or NULL if absent. */
static inline gchar *hard_model_path(const gchar *file) {
  const gchar *dir = g_getenv("FACEATTR_MODEL_DIR");
  gchar *p;
  if (!dir)
    return NULL;
  p = g_build_filename(dir, file, NULL);
  if (!g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
    g_free(p);
    return NULL;
  }
  return p;
}

static inline gboolean hard_models_present(void) {
  const gchar *files[] = {"blazeface-front-128.onnx", "blazeface-back-256.onnx",
                          "age-gender.onnx"};
  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    gchar *p = hard_model_path(files[i]);
    if (!p)
      return FALSE;
    g_free(p);
  }
  return TRUE;
}

typedef struct {
  gboolean eos;         /* reached EOS */
  gchar *error;         /* first error's message + debug text, or NULL */
  gboolean timed_out;   /* neither within the deadline */
  GstStateChangeReturn start; /* what set_state(PLAYING) returned */
} HardRun;

/* Sets PLAYING, waits up to `seconds` for EOS or an error, then NULL. The
 * shutdown to NULL itself is under the caller's watchdog. */
static inline HardRun hard_run_pipeline(GstElement *pipe, guint seconds) {
  HardRun r = {FALSE, NULL, FALSE, GST_STATE_CHANGE_SUCCESS};
  GstBus *bus = gst_element_get_bus(pipe);
  GstMessage *msg;
  r.start = gst_element_set_state(pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered(bus, seconds * GST_SECOND,
                                   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!msg) {
    r.timed_out = TRUE;
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
    r.eos = TRUE;
  } else {
    GError *e = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error(msg, &e, &dbg);
    r.error = g_strdup_printf("%s [%s] (%s)", e->message, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
                              dbg ? dbg : "");
    g_error_free(e);
    g_free(dbg);
  }
  if (msg)
    gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipe, GST_STATE_NULL);
  return r;
}

/* Parses and runs `launch`; returns the run's outcome. */
static inline HardRun hard_run_launch(const gchar *launch, guint seconds) {
  GError *perr = NULL;
  GstElement *pipe = gst_parse_launch(launch, &perr);
  HardRun r = {FALSE, NULL, FALSE, GST_STATE_CHANGE_FAILURE};
  if (!pipe) {
    r.error = g_strdup_printf("parse: %s", perr ? perr->message : "?");
    g_clear_error(&perr);
    return r;
  }
  g_clear_error(&perr); /* a warning about an unknown property value, if any */
  r = hard_run_pipeline(pipe, seconds);
  gst_object_unref(pipe);
  return r;
}

/* A tightly packed frame (GStreamer's default strides) filled with `fill`
 * in every plane byte, with a video meta. */
static inline GstBuffer *hard_frame(GstVideoInfo *info, guint8 fill) {
  GstBuffer *b = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(info), NULL);
  gst_buffer_memset(b, 0, fill, GST_VIDEO_INFO_SIZE(info));
  gst_buffer_add_video_meta_full(b, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(info),
                                 GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info),
                                 GST_VIDEO_INFO_N_PLANES(info), info->offset, info->stride);
  return b;
}

/* Face region metas on a buffer (what faceattr attached). */
static inline guint hard_count_faces(GstBuffer *buf) {
  gpointer state = NULL;
  GstMeta *m;
  guint n = 0;
  GQuark face = g_quark_from_string("face");
  while ((m = gst_buffer_iterate_meta_filtered(buf, &state,
                                               GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    n += ((GstVideoRegionOfInterestMeta *)m)->roi_type == face;
  return n;
}

/* Resident set size of this process in KiB (Linux /proc), or -1. */
static inline long hard_rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  if (!f)
    return -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) {
      kib = strtol(line + 6, NULL, 10);
      break;
    }
  fclose(f);
  return kib;
}

#endif /* HARD_GST_H */
