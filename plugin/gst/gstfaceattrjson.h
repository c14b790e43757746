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
#ifndef __GST_FACE_ATTR_JSON_H__
#define __GST_FACE_ATTR_JSON_H__

#include <stdio.h>
#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

#include "fa-json-sink-socket.h"

G_BEGIN_DECLS

#define GST_TYPE_FACE_ATTR_JSON (gst_face_attr_json_get_type ())
G_DECLARE_FINAL_TYPE (GstFaceAttrJson, gst_face_attr_json, GST, FACE_ATTR_JSON,
    GstBaseTransform)

struct _GstFaceAttrJson {
  GstBaseTransform parent;

  /* properties, under the object lock */
  gchar *location;
  gboolean post_messages;

  /* streaming state */
  FILE *file;          /* stdout or an opened file; NULL with a socket */
  gboolean own_file;   /* fclose() on stop */
  FaJsonSocket *socket;
  gint width, height;
  guint64 frame_index; /* since stream-start */
  GString *line;
};

GST_ELEMENT_REGISTER_DECLARE (faceattrjson);

G_END_DECLS

#endif /* __GST_FACE_ATTR_JSON_H__ */
