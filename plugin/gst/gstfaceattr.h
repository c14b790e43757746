/* GStreamer faceattr element: faces, age and gender as metadata
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
#ifndef __GST_FACE_ATTR_H__
#define __GST_FACE_ATTR_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

#include "fa-core.h"

G_BEGIN_DECLS

#define GST_TYPE_FACE_ATTR (gst_face_attr_get_type ())
G_DECLARE_FINAL_TYPE (GstFaceAttr, gst_face_attr, GST, FACE_ATTR, GstBaseTransform)

typedef enum {
  GST_FACE_ATTR_DETECTOR_SHORT = FA_DETECTOR_SHORT,
  GST_FACE_ATTR_DETECTOR_LONG = FA_DETECTOR_LONG,
  GST_FACE_ATTR_DETECTOR_AUTO = FA_DETECTOR_AUTO
} GstFaceAttrDetector;

typedef enum {
  GST_FACE_ATTR_REGION_FULL_FRAME = 0,
  GST_FACE_ATTR_REGION_ROI_LIST
} GstFaceAttrRegion;

struct _GstFaceAttr {
  GstBaseTransform parent;

  /* properties, under the object lock */
  GstFaceAttrDetector detector;
  gchar *detector_model;
  gchar *attributes_model;
  gfloat threshold;
  gint min_face_size;
  gint max_faces;
  guint inference_interval;
  guint reclassify_interval;
  gboolean overlay;
  gboolean overlay_confidence;
  gboolean overlay_id;
  gint threads;
  GstFaceAttrRegion region;
  gboolean post_messages;
  gboolean smoothing;

  /* streaming state, in the streaming thread (start/stop outside it) */
  GstVideoInfo info;
  gboolean have_info;
  fa_models *models;
  fa_analyzer *analyzer;
  fa_tracker *tracker;
  fa_face *faces;
  gint faces_cap;
  gint detect_countdown; /* frames until the next detector run */
  gint skipped_in_row;   /* detector runs skipped in a row to keep up */
  guint64 frame_index;   /* since stream-start */
  gchar *model_name;

  /* live and QoS, under the object lock */
  GstClockTime upstream_latency;
  GstClockTime qos_earliest; /* running time before which frames are late */
  GstClockTime proc_time;    /* smoothed processing time per frame */
  GstClockTime reported_latency;

  /* statistics, under the object lock */
  guint64 stat_frames, stat_inferences, stat_classifications, stat_skipped, stat_faces;
};

GST_ELEMENT_REGISTER_DECLARE (faceattr);

G_END_DECLS

#endif /* __GST_FACE_ATTR_H__ */
