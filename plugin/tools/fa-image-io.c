/* See fa-image-io.h. Decoding is a small pipeline
 *   filesrc ! decodebin ! videoconvert ! video/x-raw,format=RGB ! appsink
 * whose preroll sample is the image; encoding uses gst_video_convert_sample
 * to image/png. */
#include "fa-image-io.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>

static int fail(fa_error *err, const char *fmt, const char *a, const char *b) {
  if (err)
    snprintf(err->message, sizeof err->message, fmt, a, b);
  return -1;
}

/* The first error on the bus, if any, as text (g_free()). */
static char *bus_error(GstElement *pipeline) {
  GstBus *bus = gst_element_get_bus(pipeline);
  GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  char *text = NULL;
  if (msg) {
    GError *e = NULL;
    gst_message_parse_error(msg, &e, NULL);
    text = g_strdup(e ? e->message : "unknown error");
    g_clear_error(&e);
    gst_message_unref(msg);
  }
  gst_object_unref(bus);
  return text;
}

int fa_image_load(const char *path, fa_image *img, fa_error *err) {
  memset(img, 0, sizeof *img);
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return fail(err, "%s: %s", path, "no such file");
  GstElement *pipeline = gst_parse_launch(
      "filesrc name=src ! decodebin ! videoconvert ! video/x-raw,format=RGB ! "
      "appsink name=sink sync=false",
      NULL);
  if (!pipeline)
    return fail(err, "%s: %s", path, "cannot build the decoding pipeline");
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  g_object_set(src, "location", path, NULL);
  gst_element_set_state(pipeline, GST_STATE_PAUSED);
  GstSample *sample = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), 20 * GST_SECOND);
  int rc = 0;
  if (!sample) {
    char *why = bus_error(pipeline);
    fail(err, "%s: cannot decode: %s", path, why ? why : "no image came out of the decoder");
    g_free(why);
    rc = -1;
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  if (rc)
    return rc;

  GstVideoInfo info;
  if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) {
    gst_sample_unref(sample);
    return fail(err, "%s: %s", path, "decoder gave unexpected caps");
  }
  img->sample = sample;
  img->buffer = gst_buffer_copy_deep(gst_sample_get_buffer(sample));
  if (!gst_buffer_map(img->buffer, &img->map, GST_MAP_READWRITE)) {
    fa_image_clear(img);
    return fail(err, "%s: %s", path, "cannot map the decoded image");
  }
  img->frame.format = FA_FMT_RGB;
  img->frame.width = GST_VIDEO_INFO_WIDTH(&info);
  img->frame.height = GST_VIDEO_INFO_HEIGHT(&info);
  img->frame.planes[0] = img->map.data + GST_VIDEO_INFO_PLANE_OFFSET(&info, 0);
  img->frame.strides[0] = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
  return 0;
}

void fa_image_clear(fa_image *img) {
  if (img->buffer) {
    if (img->map.data)
      gst_buffer_unmap(img->buffer, &img->map);
    gst_buffer_unref(img->buffer);
  }
  if (img->sample)
    gst_sample_unref(img->sample);
  memset(img, 0, sizeof *img);
}

int fa_image_save_png(fa_image *img, const char *path, fa_error *err) {
  GstSample *in = gst_sample_new(img->buffer, gst_sample_get_caps(img->sample), NULL, NULL);
  GstCaps *png = gst_caps_new_empty_simple("image/png");
  GError *e = NULL;
  GstSample *out = gst_video_convert_sample(in, png, 20 * GST_SECOND, &e);
  gst_caps_unref(png);
  gst_sample_unref(in);
  if (!out) {
    fail(err, "%s: cannot encode PNG: %s", path, e ? e->message : "unknown error");
    g_clear_error(&e);
    return -1;
  }
  GstMapInfo m;
  GstBuffer *b = gst_sample_get_buffer(out);
  int rc = 0;
  if (gst_buffer_map(b, &m, GST_MAP_READ)) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(m.data, 1, m.size, f) != m.size)
      rc = fail(err, "%s: %s", path, "cannot write the file");
    if (f && fclose(f) != 0)
      rc = fail(err, "%s: %s", path, "cannot write the file");
    gst_buffer_unmap(b, &m);
  } else {
    rc = fail(err, "%s: %s", path, "cannot map the encoded PNG");
  }
  gst_sample_unref(out);
  return rc;
}
