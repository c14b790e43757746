/* read-results: the three ways an application gets faceattr's results, using
 * only GStreamer's public API and the documented metadata contract (README
 * "Metadata"; no faceattr header needed):
 *
 *   1. a pad probe on faceattr's src pad   (sees every buffer, in the
 *                                           streaming thread, before sinks)
 *   2. an appsink at the end of the pipeline (your thread pulls samples)
 *   3. the "faceattr" element message on the bus (timing + faces, no buffer)
 *
 * Usage:
 *   read-results [--element NAME] [SOURCE-PIPELINE]
 * e.g.
 *   read-results "filesrc location=photo.jpg ! jpegdec ! imagefreeze num-buffers=3"
 *   read-results "rtspsrc location=rtsp://cam/1 ! rtph264depay ! h264parse ! avdec_h264"
 *
 * It runs SOURCE ! videoconvert ! NAME (default faceattr) ! appsink and prints
 * one line per frame from each of the three paths, then one per face:
 *   probe frame=0 pts=0:00:00.000000000 faces=1
 *     face x=.. y=.. w=.. h=.. confidence=0.93 age=31 group=25-32 gender=Male(0.81) id=1
 */
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

static GMutex print_lock; /* the probe prints from the streaming thread */

/* One face from its four contract structures; any may be missing. */
static void
append_face (GString * out, guint x, guint y, guint w, guint h,
    const GstStructure * detection, const GstStructure * age,
    const GstStructure * gender, const GstStructure * object_id)
{
  gdouble confidence = -1, gender_conf = -1;
  const gchar *age_label = NULL, *age_group = NULL, *gender_label = NULL;
  gint id = 0;

  if (detection)
    gst_structure_get_double (detection, "confidence", &confidence);
  if (age) {
    age_label = gst_structure_get_string (age, "label");
    age_group = gst_structure_get_string (age, "group");
  }
  if (gender) {
    gender_label = gst_structure_get_string (gender, "label");
    gst_structure_get_double (gender, "confidence", &gender_conf);
  }
  if (object_id)
    gst_structure_get_int (object_id, "id", &id);

  g_string_append_printf (out, "  face x=%u y=%u w=%u h=%u confidence=%.2f age=%s group=%s "
      "gender=%s(%.2f) id=%d\n", x, y, w, h, confidence, age_label ? age_label : "?",
      age_group ? age_group : "?", gender_label ? gender_label : "?", gender_conf, id);
}

/* Paths 1 and 2 read the buffer's region-of-interest metas. */
static void
print_buffer (const gchar * path, guint64 frame, GstBuffer * buf)
{
  GString *out = g_string_new (NULL);
  GString *faces = g_string_new (NULL);
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    if (roi->roi_type != g_quark_from_static_string ("face"))
      continue; /* another element's regions */
    append_face (faces, roi->x, roi->y, roi->w, roi->h,
        gst_video_region_of_interest_meta_get_param (roi, "detection"),
        gst_video_region_of_interest_meta_get_param (roi, "age"),
        gst_video_region_of_interest_meta_get_param (roi, "gender"),
        gst_video_region_of_interest_meta_get_param (roi, "object_id"));
    n++;
  }
  g_string_append_printf (out, "%s frame=%" G_GUINT64_FORMAT " pts=%" GST_TIME_FORMAT
      " faces=%u\n%s", path, frame, GST_TIME_ARGS (GST_BUFFER_PTS (buf)), n, faces->str);
  g_mutex_lock (&print_lock);
  fputs (out->str, stdout);
  fflush (stdout);
  g_mutex_unlock (&print_lock);
  g_string_free (faces, TRUE);
  g_string_free (out, TRUE);
}

static GstPadProbeReturn
on_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  guint64 *frame = user_data;
  (void) pad;
  print_buffer ("probe", (*frame)++, GST_PAD_PROBE_INFO_BUFFER (info));
  return GST_PAD_PROBE_OK;
}

/* Path 3: the element message lists the faces as structures carrying the
 * same four structures as the metadata. */
static void
print_message (GstMessage * msg, guint64 frame)
{
  const GstStructure *s = gst_message_get_structure (msg);
  const GValue *list = gst_structure_get_value (s, "faces");
  GString *out = g_string_new (NULL);
  GString *faces = g_string_new (NULL);
  guint64 ts = GST_CLOCK_TIME_NONE;
  guint i, n = 0;

  gst_structure_get_uint64 (s, "timestamp", &ts);
  if (list != NULL && (GST_VALUE_HOLDS_LIST (list) || GST_VALUE_HOLDS_ARRAY (list))) {
    n = GST_VALUE_HOLDS_LIST (list) ? gst_value_list_get_size (list)
        : gst_value_array_get_size (list);
    for (i = 0; i < n; i++) {
      const GValue *v = GST_VALUE_HOLDS_LIST (list) ? gst_value_list_get_value (list, i)
          : gst_value_array_get_value (list, i);
      const GstStructure *f = gst_value_get_structure (v);
      const GValue *d = gst_structure_get_value (f, "detection");
      const GValue *a = gst_structure_get_value (f, "age");
      const GValue *g = gst_structure_get_value (f, "gender");
      const GValue *o = gst_structure_get_value (f, "object_id");
      guint x = 0, y = 0, w = 0, h = 0;
      gst_structure_get (f, "x", G_TYPE_UINT, &x, "y", G_TYPE_UINT, &y,
          "w", G_TYPE_UINT, &w, "h", G_TYPE_UINT, &h, NULL);
      append_face (faces, x, y, w, h, d ? gst_value_get_structure (d) : NULL,
          a ? gst_value_get_structure (a) : NULL, g ? gst_value_get_structure (g) : NULL,
          o ? gst_value_get_structure (o) : NULL);
    }
  }
  g_string_append_printf (out, "message frame=%" G_GUINT64_FORMAT " pts=%" GST_TIME_FORMAT
      " faces=%u\n%s", frame, GST_TIME_ARGS (ts), n, faces->str);
  g_mutex_lock (&print_lock);
  fputs (out->str, stdout);
  fflush (stdout);
  g_mutex_unlock (&print_lock);
  g_string_free (faces, TRUE);
  g_string_free (out, TRUE);
}

/* Handles pending bus messages; returns FALSE on EOS or error. */
static gboolean
drain_bus (GstBus * bus, guint64 * message_frames, int *status)
{
  GstMessage *msg;
  gboolean running = TRUE;
  while (running && (msg = gst_bus_pop (bus)) != NULL) {
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ELEMENT:
        if (gst_message_has_name (msg, "faceattr"))
          print_message (msg, (*message_frames)++);
        break;
      case GST_MESSAGE_ERROR:{
        GError *err = NULL;
        gchar *dbg = NULL;
        gst_message_parse_error (msg, &err, &dbg);
        fprintf (stderr, "read-results: error from %s: %s (%s)\n",
            GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message, dbg ? dbg : "");
        g_error_free (err);
        g_free (dbg);
        *status = 1;
        running = FALSE;
        break;
      }
      case GST_MESSAGE_EOS:
        running = FALSE;
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }
  return running;
}

int
main (int argc, char **argv)
{
  const gchar *element = "faceattr";
  const gchar *source = "videotestsrc num-buffers=5";
  GstElement *pipeline, *analyzer, *sink;
  GstBus *bus;
  GstPad *pad;
  GError *err = NULL;
  gchar *desc;
  guint64 probe_frames = 0, sink_frames = 0, message_frames = 0;
  int status = 0, i;

  gst_init (&argc, &argv);
  for (i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--element") == 0 && i + 1 < argc)
      element = argv[++i];
    else if (argv[i][0] == '-') {
      fprintf (stderr, "usage: %s [--element NAME] [SOURCE-PIPELINE]\n", argv[0]);
      return 2;
    } else
      source = argv[i];
  }

  /* sync=false: a file or photo is read as fast as it is analysed. */
  desc = g_strdup_printf ("%s ! videoconvert ! %s name=analyzer ! appsink name=sink sync=false",
      source, element);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (pipeline == NULL) {
    fprintf (stderr, "read-results: cannot build the pipeline: %s\n", err->message);
    g_error_free (err);
    return 1;
  }

  analyzer = gst_bin_get_by_name (GST_BIN (pipeline), "analyzer");
  pad = gst_element_get_static_pad (analyzer, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, &probe_frames, NULL);
  gst_object_unref (pad);
  gst_object_unref (analyzer);

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    fprintf (stderr, "read-results: the pipeline would not start\n");
    drain_bus (bus, &message_frames, &status);
    status = 1;
  } else {
    /* One thread serves both the appsink and the bus, so the order of the
     * printed lines is that of a simple application's main loop. */
    gboolean running = TRUE;
    while (running) {
      GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 50 * GST_MSECOND);
      if (sample != NULL) {
        print_buffer ("appsink", sink_frames++, gst_sample_get_buffer (sample));
        gst_sample_unref (sample);
      }
      running = drain_bus (bus, &message_frames, &status);
    }
    /* Samples queued in the appsink when EOS reached the bus. */
    if (status == 0) {
      GstSample *sample;
      while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0)) != NULL) {
        print_buffer ("appsink", sink_frames++, gst_sample_get_buffer (sample));
        gst_sample_unref (sample);
      }
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  fprintf (stderr, "read-results: %" G_GUINT64_FORMAT " frames via probe, %" G_GUINT64_FORMAT
      " via appsink, %" G_GUINT64_FORMAT " messages\n", probe_frames, sink_frames,
      message_frames);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return status;
}
