/* One watched RTSP camera: its pipeline, its JSON output, and the reconnect
 * policy (exponential back-off, capped; a watchdog for a camera that is
 * connected but has stopped sending). Everything here runs on the default
 * main context: results arrive as faceattrjson's bus messages. */
#ifndef RTSP_CAMERA_H
#define RTSP_CAMERA_H

#include <stdio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct RtspCameraConfig {
  const gchar *element;   /* analyzer and its properties, e.g. "faceattr" */
  const gchar *protocols; /* rtspsrc protocols: "tcp", "udp", "tcp+udp" */
  guint latency_ms;       /* rtspsrc jitter buffer */
  guint watchdog_s;       /* no buffer for this long: reconnect */
  guint backoff_initial_ms;
  guint backoff_max_ms;
} RtspCameraConfig;

typedef struct RtspCamera RtspCamera;

/* `out` receives one JSON line per frame, written under `out_lock` (cameras
 * may share a stream). Nothing starts until rtsp_camera_start(). */
RtspCamera *rtsp_camera_new (const gchar * id, const gchar * url,
    const RtspCameraConfig * config, FILE * out, GMutex * out_lock);

/* Builds the pipeline and sets it playing. Returns FALSE with `error` set
 * only when the pipeline cannot be built at all (e.g. a missing element),
 * which retrying cannot fix; connection failures are retried. */
gboolean rtsp_camera_start (RtspCamera * camera, GError ** error);

/* Stops the pipeline and any pending retry, and frees the camera. */
void rtsp_camera_free (RtspCamera * camera);

G_END_DECLS

#endif /* RTSP_CAMERA_H */
