/* faceattr-rtsp: watch RTSP cameras, write one JSON line per analysed frame.
 *
 *   faceattr-rtsp [OPTIONS] URL|ID=URL...
 *
 * Each camera runs
 *   rtspsrc ! rtph264depay ! h264parse ! avdec_h264 ! videoconvert
 *     ! queue leaky=downstream max-size-buffers=1 ! faceattr ! appsink
 * in one process, so every camera's faceattr shares the loaded networks.
 * A camera that fails, ends or stops sending (watchdog) is reconnected with
 * exponential back-off. Lines are the faceattrjson shape plus "camera"
 * (see README "## RTSP"). SIGINT/SIGTERM stop cleanly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "rtsp-camera.h"

typedef struct {
  gchar *output;
  gchar *element;
  gchar *protocols;
  gint latency_ms, watchdog_s, backoff_max_s, duration_s;
  gchar **cameras;
} Options;

static void
options_clear (Options * o)
{
  g_strfreev (o->cameras);
  g_free (o->output);
  g_free (o->element);
  g_free (o->protocols);
}

static gboolean
on_stop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* "ID=URL" or a bare URL (then the id is cam<N>). */
static void
split_camera (const gchar * arg, guint index, gchar ** id, gchar ** url)
{
  const gchar *eq = strchr (arg, '=');
  const gchar *scheme = strstr (arg, "://");
  if (eq != NULL && (scheme == NULL || eq < scheme)) {
    *id = g_strndup (arg, eq - arg);
    *url = g_strdup (eq + 1);
  } else {
    *id = g_strdup_printf ("cam%u", index);
    *url = g_strdup (arg);
  }
}

/* Camera ids become file names: keep them to a safe alphabet. */
static gboolean
valid_id (const gchar * id)
{
  if (*id == '\0' || *id == '.')
    return FALSE;
  for (; *id; id++)
    if (!g_ascii_isalnum (*id) && *id != '-' && *id != '_' && *id != '.')
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  Options o = { NULL, NULL, NULL, 200, 5, 30, 0, NULL };
  GOptionEntry entries[] = {
    {"output", 'o', 0, G_OPTION_ARG_STRING, &o.output,
        "Directory for one ID.jsonl per camera, or - for stdout (default)", "DIR|-"},
    {"element", 'e', 0, G_OPTION_ARG_STRING, &o.element,
        "Analyzer element and properties (default: faceattr)", "DESC"},
    {"protocols", 'p', 0, G_OPTION_ARG_STRING, &o.protocols,
        "rtspsrc transports: tcp, udp or tcp+udp (default tcp+udp)", "P"},
    {"latency", 'l', 0, G_OPTION_ARG_INT, &o.latency_ms,
        "Jitter buffer in ms (default 200)", "MS"},
    {"watchdog", 'w', 0, G_OPTION_ARG_INT, &o.watchdog_s,
        "Reconnect after this many seconds without a frame (default 5)", "S"},
    {"max-backoff", 'b', 0, G_OPTION_ARG_INT, &o.backoff_max_s,
        "Longest wait between reconnects; waits double from 1 s (default 30)", "S"},
    {"duration", 'd', 0, G_OPTION_ARG_INT, &o.duration_s,
        "Stop after this many seconds (default: run until SIGINT/SIGTERM)", "S"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.cameras, NULL, "URL|ID=URL..."},
    {NULL, 0, 0, 0, NULL, NULL, NULL}
  };
  GOptionContext *ctx = g_option_context_new ("URL|ID=URL... - faces, age and gender from RTSP cameras");
  GError *err = NULL;
  RtspCameraConfig config;
  GPtrArray *cameras, *files;
  GMutex out_lock;
  GMainLoop *loop;
  int status = 0;
  guint i;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "faceattr-rtsp: %s\n", err->message);
    g_error_free (err);
    g_option_context_free (ctx);
    options_clear (&o);
    return 2;
  }
  g_option_context_free (ctx);
  if (o.cameras == NULL || o.cameras[0] == NULL) {
    fprintf (stderr, "faceattr-rtsp: give at least one camera URL (see --help)\n");
    options_clear (&o);
    return 2;
  }
  if (o.watchdog_s < 1 || o.backoff_max_s < 1 || o.latency_ms < 0) {
    fprintf (stderr, "faceattr-rtsp: --watchdog and --max-backoff must be >= 1, --latency >= 0\n");
    options_clear (&o);
    return 2;
  }
  config.element = o.element ? o.element : "faceattr";
  config.protocols = o.protocols ? o.protocols : "tcp+udp";
  config.latency_ms = (guint) o.latency_ms;
  config.watchdog_s = (guint) o.watchdog_s;
  config.backoff_initial_ms = 1000;
  config.backoff_max_ms = MAX ((guint) o.backoff_max_s * 1000, config.backoff_initial_ms);

  /* made after the argument checks: their early returns leaked them */
  cameras = g_ptr_array_new ();
  files = g_ptr_array_new ();
  g_mutex_init (&out_lock);
  loop = g_main_loop_new (NULL, FALSE);
  for (i = 0; o.cameras[i] != NULL && status == 0; i++) {
    gchar *id, *url;
    FILE *out = stdout;
    split_camera (o.cameras[i], i, &id, &url);
    if (!valid_id (id)) {
      fprintf (stderr, "faceattr-rtsp: camera id '%s': use letters, digits, '-', '_', '.'\n", id);
      status = 2;
    } else if (o.output != NULL && strcmp (o.output, "-") != 0) {
      gchar *path = g_strdup_printf ("%s/%s.jsonl", o.output, id);
      if (g_mkdir_with_parents (o.output, 0755) != 0 || (out = fopen (path, "a")) == NULL) {
        fprintf (stderr, "faceattr-rtsp: cannot write %s: %s\n", path, g_strerror (errno));
        status = 1;
      } else {
        g_ptr_array_add (files, out);
      }
      g_free (path);
    }
    if (status == 0)
      g_ptr_array_add (cameras, rtsp_camera_new (id, url, &config, out, &out_lock));
    g_free (id);
    g_free (url);
  }
  for (i = 0; i < cameras->len && status == 0; i++) {
    if (!rtsp_camera_start (g_ptr_array_index (cameras, i), &err)) {
      fprintf (stderr, "faceattr-rtsp: cannot build the camera pipeline: %s\n", err->message);
      g_clear_error (&err);
      status = 1;
    }
  }

  if (status == 0) {
    g_unix_signal_add (SIGINT, on_stop, loop);
    g_unix_signal_add (SIGTERM, on_stop, loop);
    if (o.duration_s > 0)
      g_timeout_add_seconds ((guint) o.duration_s, on_stop, loop);
    g_main_loop_run (loop);
  }

  for (i = 0; i < cameras->len; i++)
    rtsp_camera_free (g_ptr_array_index (cameras, i));
  for (i = 0; i < files->len; i++)
    fclose (g_ptr_array_index (files, i));
  g_ptr_array_free (cameras, TRUE);
  g_ptr_array_free (files, TRUE);
  g_main_loop_unref (loop);
  g_mutex_clear (&out_lock);
  options_clear (&o);
  if (status == 0)
    fprintf (stderr, "faceattr-rtsp: stopped\n");
  return status;
}
