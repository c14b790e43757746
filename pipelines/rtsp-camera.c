/* One watched RTSP camera: see rtsp-camera.h. */
#include "rtsp-camera.h"

#include <stdatomic.h>

#include <gst/app/gstappsink.h>
#include "faceattr-meta.h"

struct RtspCamera {
  gchar *id, *url;
  RtspCameraConfig config; /* strings borrowed from the caller */
  FILE *out;
  GMutex *out_lock;

  GstElement *pipeline; /* NULL while waiting to reconnect */
  guint bus_watch, retry_source, watchdog_source;
  guint backoff_ms;     /* delay before the next reconnect */
  gint64 started_us;    /* monotonic time the current pipeline started */
  _Atomic gint64 last_buffer_us; /* written by the streaming thread */
  gint got_buffers;      /* atomic: the current pipeline delivered frames */
  guint reconnects;

  /* Streaming-thread scratch, reused for every frame. */
  guint64 frames;
  GString *json;
  FaceAttrFace *faces;
  guint faces_capacity;
};

static void schedule_reconnect (RtspCamera * cam, const gchar * reason);

/* The frame's age when its result is written: now minus its PTS in running
 * time. rtspsrc stamps buffers with their arrival time, so this is the time
 * from the packets' arrival through the jitter buffer, decoding, queueing
 * and analysis. */
static gdouble
result_latency_ms (GstElement * pipeline, GstBuffer * buf, GstSegment * segment)
{
  GstClock *clock = gst_element_get_clock (pipeline);
  GstClockTime now, running;
  gdouble ms = -1;

  if (clock == NULL)
    return -1;
  now = gst_clock_get_time (clock) - gst_element_get_base_time (pipeline);
  running = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  if (GST_CLOCK_TIME_IS_VALID (running))
    ms = ((gdouble) now - (gdouble) running) / GST_MSECOND;
  gst_object_unref (clock);
  return ms;
}

static GstFlowReturn
on_new_sample (GstAppSink * sink, gpointer user_data)
{
  RtspCamera *cam = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf;
  const GstStructure *caps_s;
  gint width = 0, height = 0;
  guint n;

  if (sample == NULL)
    return GST_FLOW_EOS;
  buf = gst_sample_get_buffer (sample);
  caps_s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  gst_structure_get_int (caps_s, "width", &width);
  gst_structure_get_int (caps_s, "height", &height);

  n = faceattr_buffer_get_faces (buf, width, height, cam->faces, cam->faces_capacity);
  if (n > cam->faces_capacity) {
    cam->faces_capacity = n;
    cam->faces = g_renew (FaceAttrFace, cam->faces, n);
    faceattr_buffer_get_faces (buf, width, height, cam->faces, n);
  }

  g_string_truncate (cam->json, 0);
  faceattr_frame_append_json (cam->json, cam->id, GST_BUFFER_PTS (buf), cam->frames++,
      width, height, cam->faces, n);
  /* Add the result's age inside the frame's object. */
  g_string_truncate (cam->json, cam->json->len - 1);
  g_string_append_printf (cam->json, ",\"latency_ms\":%.1f}\n",
      result_latency_ms (cam->pipeline, buf, gst_sample_get_segment (sample)));

  g_mutex_lock (cam->out_lock);
  fputs (cam->json->str, cam->out);
  fflush (cam->out);
  g_mutex_unlock (cam->out_lock);

  atomic_store (&cam->last_buffer_us, g_get_monotonic_time ());
  if (!g_atomic_int_get (&cam->got_buffers)) {
    g_atomic_int_set (&cam->got_buffers, 1);
    g_printerr ("faceattr-rtsp: camera %s: receiving (%ux%u)\n", cam->id, width, height);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  RtspCamera *cam = user_data;
  (void) bus;
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *reason;
      gst_message_parse_error (msg, &err, NULL);
      reason = g_strdup_printf ("error from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
          err->message);
      g_error_free (err);
      schedule_reconnect (cam, reason);
      g_free (reason);
      cam->bus_watch = 0; /* schedule_reconnect removed the pipeline's bus */
      return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_EOS:
      schedule_reconnect (cam, "end of stream");
      cam->bus_watch = 0;
      return G_SOURCE_REMOVE;
    default:
      return G_SOURCE_CONTINUE;
  }
}

/* Drops the pipeline; its threads end when it reaches NULL. */
static void
stop_pipeline (RtspCamera * cam)
{
  if (cam->bus_watch != 0) {
    g_source_remove (cam->bus_watch);
    cam->bus_watch = 0;
  }
  if (cam->pipeline != NULL) {
    gst_element_set_state (cam->pipeline, GST_STATE_NULL);
    gst_object_unref (cam->pipeline);
    cam->pipeline = NULL;
  }
}

static gboolean
on_retry (gpointer user_data)
{
  RtspCamera *cam = user_data;
  GError *err = NULL;
  cam->retry_source = 0;
  cam->reconnects++;
  if (!rtsp_camera_start (cam, &err)) {
    /* Could build it before, so this is not a configuration error: retry. */
    schedule_reconnect (cam, err->message);
    g_error_free (err);
  }
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (RtspCamera * cam, const gchar * reason)
{
  /* A pipeline that delivered frames was a working connection: start the
   * back-off again from the beginning. */
  if (g_atomic_int_get (&cam->got_buffers))
    cam->backoff_ms = cam->config.backoff_initial_ms;
  stop_pipeline (cam);
  g_printerr ("faceattr-rtsp: camera %s: %s; reconnecting in %.1f s\n", cam->id, reason,
      cam->backoff_ms / 1000.0);
  if (cam->retry_source == 0)
    cam->retry_source = g_timeout_add (cam->backoff_ms, on_retry, cam);
  cam->backoff_ms = MIN (cam->backoff_ms * 2, cam->config.backoff_max_ms);
}

static gboolean
on_watchdog (gpointer user_data)
{
  RtspCamera *cam = user_data;
  gint64 last, idle_us;
  if (cam->pipeline == NULL)
    return G_SOURCE_CONTINUE;
  last = MAX (atomic_load (&cam->last_buffer_us), cam->started_us);
  idle_us = g_get_monotonic_time () - last;
  if (idle_us > (gint64) cam->config.watchdog_s * G_USEC_PER_SEC) {
    gchar *reason = g_strdup_printf ("no frame for %u s", cam->config.watchdog_s);
    schedule_reconnect (cam, reason);
    g_free (reason);
  }
  return G_SOURCE_CONTINUE;
}

RtspCamera *
rtsp_camera_new (const gchar * id, const gchar * url, const RtspCameraConfig * config,
    FILE * out, GMutex * out_lock)
{
  RtspCamera *cam = g_new0 (RtspCamera, 1);
  cam->id = g_strdup (id);
  cam->url = g_strdup (url);
  cam->config = *config;
  cam->out = out;
  cam->out_lock = out_lock;
  cam->backoff_ms = config->backoff_initial_ms;
  cam->json = g_string_sized_new (1024);
  return cam;
}

gboolean
rtsp_camera_start (RtspCamera * cam, GError ** error)
{
  GstAppSinkCallbacks callbacks = { 0 };
  GstElement *sink;
  GstBus *bus;
  gchar *desc, *location;

  /* The leaky queue keeps only the newest decoded frame in front of the
   * analyzer: when inference is slower than the camera, old frames are
   * dropped there instead of piling up (latency stays bounded). */
  location = g_strescape (cam->url, NULL);
  desc = g_strdup_printf ("rtspsrc location=\"%s\" protocols=%s latency=%u ! "
      "rtph264depay ! h264parse ! avdec_h264 ! videoconvert ! "
      "queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
      "%s ! appsink name=sink sync=false", location, cam->config.protocols,
      cam->config.latency_ms, cam->config.element);
  g_free (location);
  cam->pipeline = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
  g_free (desc);
  if (cam->pipeline == NULL)
    return FALSE;

  sink = gst_bin_get_by_name (GST_BIN (cam->pipeline), "sink");
  callbacks.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, cam, NULL);
  gst_object_unref (sink);

  bus = gst_element_get_bus (cam->pipeline);
  cam->bus_watch = gst_bus_add_watch (bus, on_bus_message, cam);
  gst_object_unref (bus);

  g_atomic_int_set (&cam->got_buffers, 0);
  cam->started_us = g_get_monotonic_time ();
  if (cam->watchdog_source == 0)
    cam->watchdog_source = g_timeout_add_seconds (1, on_watchdog, cam);
  if (gst_element_set_state (cam->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    schedule_reconnect (cam, "cannot start the pipeline");
  else
    g_printerr ("faceattr-rtsp: camera %s: connecting to %s%s\n", cam->id, cam->url,
        cam->reconnects ? " (again)" : "");
  return TRUE;
}

void
rtsp_camera_free (RtspCamera * cam)
{
  if (cam == NULL)
    return;
  stop_pipeline (cam);
  if (cam->retry_source != 0)
    g_source_remove (cam->retry_source);
  if (cam->watchdog_source != 0)
    g_source_remove (cam->watchdog_source);
  g_string_free (cam->json, TRUE);
  g_free (cam->faces);
  g_free (cam->id);
  g_free (cam->url);
  g_free (cam);
}
