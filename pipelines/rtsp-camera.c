/* One watched RTSP camera: see rtsp-camera.h. */
#include "rtsp-camera.h"

#include <stdatomic.h>

struct RtspCamera {
  gchar *id, *url;
  RtspCameraConfig config; /* strings borrowed from the caller */
  FILE *out;
  GMutex *out_lock;

  GstElement *pipeline; /* NULL while waiting to reconnect */
  guint bus_watch, retry_source, watchdog_source;
  guint backoff_ms;      /* delay before the next reconnect */
  gint64 started_us;     /* monotonic time the current pipeline started */
  /* Monotonic time of the last packet payload from the camera, written by
   * the streaming thread. The watchdog looks at this rather than at the
   * results so that a slow analyzer never counts as a silent camera. */
  _Atomic gint64 last_buffer_us;
  gboolean got_frames;   /* the current pipeline delivered results */
  guint reconnects;
};

static void schedule_reconnect (RtspCamera * cam, const gchar * reason);

/* faceattrjson's line for one frame: add the camera id as its first field
 * and write it. Ids are limited to [A-Za-z0-9._-] (faceattr-rtsp.c checks),
 * so the id needs no JSON escaping. */
static void
write_line (RtspCamera * cam, const gchar * json)
{
  if (json == NULL || json[0] != '{')
    return;
  g_mutex_lock (cam->out_lock);
  fprintf (cam->out, "{\"camera\":\"%s\",%s\n", cam->id, json + 1);
  fflush (cam->out);
  g_mutex_unlock (cam->out_lock);
  if (!cam->got_frames) {
    cam->got_frames = TRUE;
    g_printerr ("faceattr-rtsp: camera %s: receiving\n", cam->id);
  }
}

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  RtspCamera *cam = user_data;
  (void) bus;
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (msg, "faceattrjson"))
        write_line (cam, gst_structure_get_string (gst_message_get_structure (msg), "json"));
      return G_SOURCE_CONTINUE;
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

static GstPadProbeReturn
on_camera_data (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtspCamera *cam = user_data;
  (void) pad;
  (void) info;
  atomic_store (&cam->last_buffer_us, g_get_monotonic_time ());
  return GST_PAD_PROBE_OK;
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
  if (cam->got_frames)
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
  gint64 last, idle_us, limit_us;
  if (cam->pipeline == NULL)
    return G_SOURCE_CONTINUE;
  last = atomic_load (&cam->last_buffer_us);
  limit_us = (gint64) cam->config.watchdog_s * G_USEC_PER_SEC;
  if (last < cam->started_us) {
    /* Connecting (RTSP handshake, first key frame) gets twice as long. */
    last = cam->started_us;
    limit_us *= 2;
  }
  idle_us = g_get_monotonic_time () - last;
  if (idle_us > limit_us) {
    gchar *reason = g_strdup_printf ("no data for %u s", cam->config.watchdog_s);
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
  return cam;
}

gboolean
rtsp_camera_start (RtspCamera * cam, GError ** error)
{
  GstElement *depay;
  GstPad *pad;
  GstBus *bus;
  gchar *desc, *location;

  /* The leaky queue keeps only the newest decoded frame in front of the
   * analyzer: when inference is slower than the camera, old frames are
   * dropped there instead of piling up (latency stays bounded).
   * faceattrjson makes the line (the schema lives in one place) and posts
   * it on the bus; its own output goes nowhere. */
  location = g_strescape (cam->url, NULL);
  desc = g_strdup_printf ("rtspsrc location=\"%s\" protocols=%s latency=%u ! "
      "rtph264depay name=depay ! h264parse ! avdec_h264 ! videoconvert ! "
      "queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
      "%s ! faceattrjson location=/dev/null post-messages=true ! fakesink sync=false",
      location, cam->config.protocols,
      cam->config.latency_ms, cam->config.element);
  g_free (location);
  cam->pipeline = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
  g_free (desc);
  if (cam->pipeline == NULL)
    return FALSE;

  depay = gst_bin_get_by_name (GST_BIN (cam->pipeline), "depay");
  pad = gst_element_get_static_pad (depay, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
      on_camera_data, cam, NULL);
  gst_object_unref (pad);
  gst_object_unref (depay);

  bus = gst_element_get_bus (cam->pipeline);
  cam->bus_watch = gst_bus_add_watch (bus, on_bus_message, cam);
  gst_object_unref (bus);

  cam->got_frames = FALSE;
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
  g_free (cam->id);
  g_free (cam->url);
  g_free (cam);
}
