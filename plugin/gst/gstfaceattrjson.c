/* GStreamer faceattrjson element: faceattr metadata as JSON lines
 * Copyright (C) 2026 The faceattr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Library General Public License for more details.
 */

/**
 * SECTION:element-faceattrjson
 * @title: faceattrjson
 * @see_also: faceattr
 *
 * A passthrough element that writes one JSON line per buffer describing the
 * faces attached to it (#GstVideoRegionOfInterestMeta of type "face", as
 * written by faceattr or any element following the same convention):
 * `{"timestamp": ns, "frame": n, "resolution": {"width": W, "height": H},
 * "objects": [...]}`. Frames without faces get a line with an empty list.
 * The line is built from the metadata alone, so any upstream producing it
 * works. `location` is a file (`-` or unset: stdout), `udp://HOST:PORT` or
 * `tcp://HOST:PORT`. With post-messages=true the same text is posted in an
 * element message "faceattrjson" (field `json`).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! faceattr ! faceattrjson location=faces.jsonl ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstfaceattrjson.h"

#include <errno.h>
#include <string.h>
#include <gst/video/video.h>

#include "fa-core.h"
#include "fa-gst-meta.h"

GST_DEBUG_CATEGORY_STATIC (gst_face_attr_json_debug);
#define GST_CAT_DEFAULT gst_face_attr_json_debug

#define DEFAULT_PROP_LOCATION NULL
#define DEFAULT_PROP_POST_MESSAGES FALSE

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_POST_MESSAGES
};

/* Any raw video in any memory: the pixels are never touched. */
static GstStaticPadTemplate gst_face_attr_json_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY)"));

static GstStaticPadTemplate gst_face_attr_json_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY)"));

#define gst_face_attr_json_parent_class parent_class
G_DEFINE_TYPE (GstFaceAttrJson, gst_face_attr_json, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (faceattrjson, "faceattrjson", GST_RANK_NONE,
    GST_TYPE_FACE_ATTR_JSON);

static void gst_face_attr_json_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_face_attr_json_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_face_attr_json_finalize (GObject * object);
static gboolean gst_face_attr_json_start (GstBaseTransform * trans);
static gboolean gst_face_attr_json_stop (GstBaseTransform * trans);
static gboolean gst_face_attr_json_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps);
static gboolean gst_face_attr_json_sink_event (GstBaseTransform * trans, GstEvent * event);
static GstFlowReturn gst_face_attr_json_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);

static void
gst_face_attr_json_class_init (GstFaceAttrJsonClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_face_attr_json_debug, "faceattrjson", 0,
      "faceattr metadata as JSON lines");

  gobject_class->set_property = gst_face_attr_json_set_property;
  gobject_class->get_property = gst_face_attr_json_get_property;
  gobject_class->finalize = gst_face_attr_json_finalize;

  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "Where to write the JSON lines: a file, '-' or unset for stdout, "
          "udp://HOST:PORT or tcp://HOST:PORT", DEFAULT_PROP_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Also post each line in an element message \"faceattrjson\" (field \"json\")",
          DEFAULT_PROP_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_add_static_pad_template (element_class,
      &gst_face_attr_json_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_face_attr_json_src_template);
  gst_element_class_set_static_metadata (element_class, "Face attributes to JSON",
      "Filter/Analyzer/Video",
      "Writes the faces attached to each buffer as one JSON line", "The faceattr authors");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_face_attr_json_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_face_attr_json_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_face_attr_json_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_face_attr_json_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_face_attr_json_transform_ip);
  trans_class->transform_ip_on_passthrough = TRUE;
}

static void
gst_face_attr_json_init (GstFaceAttrJson * self)
{
  self->location = g_strdup (DEFAULT_PROP_LOCATION);
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_face_attr_json_finalize (GObject * object)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (object);

  g_free (self->location);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_face_attr_json_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_face_attr_json_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_face_attr_json_start (GstBaseTransform * trans)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (trans);
  gchar *location;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->location);
  GST_OBJECT_UNLOCK (self);

  if (location && fa_json_socket_is_location (location)) {
    self->socket = fa_json_socket_open (location, &error);
    if (!self->socket) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
          ("Could not open \"%s\": %s", location, error->message), (NULL));
      g_clear_error (&error);
      g_free (location);
      return FALSE;
    }
  } else if (!location || !*location || g_str_equal (location, "-")) {
    self->file = stdout;
    self->own_file = FALSE;
  } else {
    self->file = fopen (location, "w");
    if (!self->file) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
          ("Could not open \"%s\" for writing: %s", location, g_strerror (errno)),
          (NULL));
      g_free (location);
      return FALSE;
    }
    self->own_file = TRUE;
  }
  g_free (location);
  self->line = g_string_sized_new (1024);
  self->frame_index = 0;
  self->width = self->height = 0;
  return TRUE;
}

static gboolean
gst_face_attr_json_stop (GstBaseTransform * trans)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (trans);

  if (self->file) {
    if (self->own_file)
      fclose (self->file);
    else
      fflush (self->file);
  }
  self->file = NULL;
  if (self->socket)
    fa_json_socket_close (self->socket);
  self->socket = NULL;
  if (self->line)
    g_string_free (self->line, TRUE);
  self->line = NULL;
  return TRUE;
}

static gboolean
gst_face_attr_json_set_caps (GstBaseTransform * trans, GstCaps * incaps, GstCaps * outcaps)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (trans);
  GstStructure *s = gst_caps_get_structure (incaps, 0);

  (void) outcaps;
  /* Only the size is needed (to normalise boxes): read it straight from the
   * caps so that any format and memory type works. */
  if (!gst_structure_get_int (s, "width", &self->width) ||
      !gst_structure_get_int (s, "height", &self->height)) {
    GST_ERROR_OBJECT (self, "caps without a size: %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_face_attr_json_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START)
    self->frame_index = 0;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static void
append_objects (GString * line, const fa_face * faces, gint n, gint w, gint h)
{
  gsize start = line->len;
  gsize need = fa_json_objects (NULL, 0, faces, n, w, h);

  g_string_set_size (line, start + need);
  fa_json_objects (line->str + start, need + 1, faces, n, w, h);
}

static GstFlowReturn
gst_face_attr_json_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstFaceAttrJson *self = GST_FACE_ATTR_JSON (trans);
  GArray *faces = g_array_new (FALSE, TRUE, sizeof (fa_face));
  gpointer state = NULL;
  GstMeta *meta;
  gboolean post;
  GstClockTime pts = GST_BUFFER_PTS (buf);

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    fa_face f;
    if (fa_gst_meta_to_face ((GstVideoRegionOfInterestMeta *) meta, &f))
      g_array_append_val (faces, f);
  }

  g_string_truncate (self->line, 0);
  if (GST_CLOCK_TIME_IS_VALID (pts))
    g_string_append_printf (self->line, "{\"timestamp\":%" G_GUINT64_FORMAT, pts);
  else
    g_string_append (self->line, "{\"timestamp\":null");
  g_string_append_printf (self->line, ",\"frame\":%" G_GUINT64_FORMAT
      ",\"resolution\":{\"width\":%d,\"height\":%d},\"objects\":", self->frame_index,
      self->width, self->height);
  append_objects (self->line, (const fa_face *) faces->data, (gint) faces->len,
      self->width, self->height);
  g_string_append_c (self->line, '}');
  g_array_free (faces, TRUE);

  if (self->socket) {
    GError *error = NULL;
    if (!fa_json_socket_write_line (self->socket, self->line->str, self->line->len, &error)) {
      GST_DEBUG_OBJECT (self, "line dropped: %s", error->message);
      g_clear_error (&error);
    }
  } else {
    /* One line, flushed at once: a reader following the file sees whole
     * frames as they happen. */
    if (fwrite (self->line->str, 1, self->line->len, self->file) != self->line->len ||
        fputc ('\n', self->file) == EOF || fflush (self->file) != 0) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not write the JSON line: %s",
              g_strerror (errno)), (NULL));
      return GST_FLOW_ERROR;
    }
  }

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);
  if (post)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), gst_structure_new ("faceattrjson",
                "timestamp", G_TYPE_UINT64, pts, "frame", G_TYPE_UINT64, self->frame_index,
                "json", G_TYPE_STRING, self->line->str, NULL)));
  self->frame_index++;
  return GST_FLOW_OK;
}
