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

/**
 * SECTION:element-faceattr
 * @title: faceattr
 * @see_also: faceattrjson, facedetect
 *
 * Finds faces in raw video and estimates each one's age and gender with
 * faceattr's own CNN runtime. Every face is attached to the buffer as a
 * #GstVideoRegionOfInterestMeta of type "face" whose params carry the
 * structures `detection`, `age`, `gender` and `object_id` (Intel DL
 * Streamer's convention; see README "Metadata"). A tracker gives each face a
 * stable id, carries boxes between detector runs (#GstFaceAttr:inference-interval)
 * and averages each face's age and gender over time.
 *
 * Without #GstFaceAttr:overlay the pixels are only read, never copied or
 * written; with it, boxes and labels are drawn in place in any of the
 * supported formats (YUV ones directly).
 *
 * With #GstFaceAttr:post-messages, an element message named "faceattr" is
 * posted per frame with `timestamp`, `stream-time`, `running-time` and a
 * list `faces` of "face" structures (x, y, w, h and the same four structures).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! faceattr overlay=true ! videoconvert ! autovideosink
 * ]|
 * Marks the faces seen by a webcam with their estimated age and gender.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! faceattr ! faceattrjson location=out.jsonl ! fakesink
 * ]|
 * Writes one JSON line per frame of a video file.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstfaceattr.h"

#include <string.h>

#include "fa-gst-frame.h"
#include "fa-gst-meta.h"
#include "fa-model-cache.h"

GST_DEBUG_CATEGORY_STATIC (gst_face_attr_debug);
#define GST_CAT_DEFAULT gst_face_attr_debug

#define DEFAULT_PROP_DETECTOR GST_FACE_ATTR_DETECTOR_AUTO
#define DEFAULT_PROP_DETECTOR_MODEL NULL
#define DEFAULT_PROP_ATTRIBUTES_MODEL NULL
#define DEFAULT_PROP_THRESHOLD 0.5f
#define DEFAULT_PROP_MIN_FACE_SIZE 20
#define DEFAULT_PROP_MAX_FACES 64
#define DEFAULT_PROP_INFERENCE_INTERVAL 1
#define DEFAULT_PROP_RECLASSIFY_INTERVAL 25
#define DEFAULT_PROP_OVERLAY FALSE
#define DEFAULT_PROP_OVERLAY_CONFIDENCE FALSE
#define DEFAULT_PROP_OVERLAY_ID FALSE
#define DEFAULT_PROP_THREADS 0
#define DEFAULT_PROP_INFERENCE_REGION GST_FACE_ATTR_REGION_FULL_FRAME
#define DEFAULT_PROP_POST_MESSAGES TRUE
#define DEFAULT_PROP_ATTRIBUTE_SMOOTHING TRUE

#define MAX_FACES_LIMIT 1024

enum
{
  PROP_0,
  PROP_DETECTOR,
  PROP_DETECTOR_MODEL,
  PROP_ATTRIBUTES_MODEL,
  PROP_THRESHOLD,
  PROP_MIN_FACE_SIZE,
  PROP_MAX_FACES,
  PROP_INFERENCE_INTERVAL,
  PROP_RECLASSIFY_INTERVAL,
  PROP_OVERLAY,
  PROP_OVERLAY_CONFIDENCE,
  PROP_OVERLAY_ID,
  PROP_THREADS,
  PROP_INFERENCE_REGION,
  PROP_POST_MESSAGES,
  PROP_ATTRIBUTE_SMOOTHING,
  PROP_STATS
};

#define FA_CAPS GST_VIDEO_CAPS_MAKE (FA_GST_FORMATS)

static GstStaticPadTemplate gst_face_attr_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (FA_CAPS));

static GstStaticPadTemplate gst_face_attr_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (FA_CAPS));

#define GST_TYPE_FACE_ATTR_DETECTOR (gst_face_attr_detector_get_type ())
static GType
gst_face_attr_detector_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_FACE_ATTR_DETECTOR_SHORT,
        "Short range (BlazeFace front 128x128): faces near the camera", "short"},
    {GST_FACE_ATTR_DETECTOR_LONG,
        "Long range (BlazeFace back 256x256): cameras on a wall", "long"},
    {GST_FACE_ATTR_DETECTOR_AUTO,
        "Long range, plus tiles for small faces on large frames", "auto"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstFaceAttrDetector", values));
  return type;
}

#define GST_TYPE_FACE_ATTR_REGION (gst_face_attr_region_get_type ())
static GType
gst_face_attr_region_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_FACE_ATTR_REGION_FULL_FRAME, "Detect faces in the whole frame", "full-frame"},
    {GST_FACE_ATTR_REGION_ROI_LIST,
        "Take faces from upstream region-of-interest metas of type \"face\" "
          "(e.g. from facedetect) instead of detecting", "roi-list"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstFaceAttrRegion", values));
  return type;
}

#define gst_face_attr_parent_class parent_class
G_DEFINE_TYPE (GstFaceAttr, gst_face_attr, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (faceattr, "faceattr", GST_RANK_NONE, GST_TYPE_FACE_ATTR);

static void gst_face_attr_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_face_attr_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_face_attr_finalize (GObject * object);
static gboolean gst_face_attr_start (GstBaseTransform * trans);
static gboolean gst_face_attr_stop (GstBaseTransform * trans);
static gboolean gst_face_attr_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps);
static gboolean gst_face_attr_sink_event (GstBaseTransform * trans, GstEvent * event);
static gboolean gst_face_attr_src_event (GstBaseTransform * trans, GstEvent * event);
static gboolean gst_face_attr_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query);
static GstFlowReturn gst_face_attr_transform_ip (GstBaseTransform * trans, GstBuffer * buf);
static GstFlowReturn gst_face_attr_submit_input_buffer (GstBaseTransform * trans,
    gboolean is_discont, GstBuffer * input);

static void
gst_face_attr_class_init (GstFaceAttrClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw_ready = rw | GST_PARAM_MUTABLE_READY;
  const GParamFlags rw_playing = rw | GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_face_attr_debug, "faceattr", 0,
      "faceattr face, age and gender analysis");

  gobject_class->set_property = gst_face_attr_set_property;
  gobject_class->get_property = gst_face_attr_get_property;
  gobject_class->finalize = gst_face_attr_finalize;

  g_object_class_install_property (gobject_class, PROP_DETECTOR,
      g_param_spec_enum ("detector", "Detector",
          "Which face detector to run", GST_TYPE_FACE_ATTR_DETECTOR,
          DEFAULT_PROP_DETECTOR, rw_ready));
  g_object_class_install_property (gobject_class, PROP_DETECTOR_MODEL,
      g_param_spec_string ("detector-model", "Detector model",
          "ONNX file of the detector chosen by 'detector' (NULL: the bundled model)",
          DEFAULT_PROP_DETECTOR_MODEL, rw_ready));
  g_object_class_install_property (gobject_class, PROP_ATTRIBUTES_MODEL,
      g_param_spec_string ("attributes-model", "Attributes model",
          "ONNX file of the age/gender network (NULL: the bundled model)",
          DEFAULT_PROP_ATTRIBUTES_MODEL, rw_ready));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_float ("threshold", "Threshold",
          "Minimum detection score of a face", 0.f, 1.f, DEFAULT_PROP_THRESHOLD,
          rw_playing));
  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SIZE,
      g_param_spec_int ("min-face-size", "Minimum face size",
          "Faces smaller than this many pixels are dropped", 0, G_MAXINT,
          DEFAULT_PROP_MIN_FACE_SIZE, rw_playing));
  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_int ("max-faces", "Maximum faces",
          "Report at most this many faces per frame, highest scores first", 1,
          MAX_FACES_LIMIT, DEFAULT_PROP_MAX_FACES, rw_playing));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Run the detector on every Nth frame; in between, boxes are predicted by the "
          "tracker", 1, 10000, DEFAULT_PROP_INFERENCE_INTERVAL, rw_playing));
  g_object_class_install_property (gobject_class, PROP_RECLASSIFY_INTERVAL,
      g_param_spec_uint ("reclassify-interval", "Reclassify interval",
          "Longest wait, in frames, before a tracked face's age and gender are "
          "re-estimated: a face is estimated on frames 0, 1, 2, 4, 8, 16, ... of its "
          "track, the gaps doubling up to this many frames, and at once when its box "
          "has grown by a quarter since (checked on detector frames); 1: every frame",
          1, 100000, DEFAULT_PROP_RECLASSIFY_INTERVAL, rw_playing));
  g_object_class_install_property (gobject_class, PROP_OVERLAY,
      g_param_spec_boolean ("overlay", "Overlay",
          "Draw boxes and age/gender labels into the video (otherwise the pixels are "
          "only read)", DEFAULT_PROP_OVERLAY, rw_playing));
  g_object_class_install_property (gobject_class, PROP_OVERLAY_CONFIDENCE,
      g_param_spec_boolean ("overlay-confidence", "Overlay confidence",
          "Add the gender probability to the overlay labels",
          DEFAULT_PROP_OVERLAY_CONFIDENCE, rw_playing));
  g_object_class_install_property (gobject_class, PROP_OVERLAY_ID,
      g_param_spec_boolean ("overlay-id", "Overlay id",
          "Add the track id to the overlay labels", DEFAULT_PROP_OVERLAY_ID, rw_playing));
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_int ("threads", "Threads",
          "Inference threads (0: one per CPU core)", 0, 256, DEFAULT_PROP_THREADS,
          rw_ready));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_REGION,
      g_param_spec_enum ("inference-region", "Inference region",
          "Where faces come from", GST_TYPE_FACE_ATTR_REGION,
          DEFAULT_PROP_INFERENCE_REGION, rw_ready));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a \"faceattr\" element message with the faces of every frame",
          DEFAULT_PROP_POST_MESSAGES, rw_playing));
  g_object_class_install_property (gobject_class, PROP_ATTRIBUTE_SMOOTHING,
      g_param_spec_boolean ("attribute-smoothing", "Attribute smoothing",
          "Report each track's mean age and P(male) over all its estimates "
          "(otherwise its latest estimate)", DEFAULT_PROP_ATTRIBUTE_SMOOTHING, rw_playing));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters since start: frames, inferences (detector runs), "
          "classifications, skipped (detector runs skipped to keep up), faces",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &gst_face_attr_sink_template);
  gst_element_class_add_static_pad_template (element_class, &gst_face_attr_src_template);
  gst_element_class_set_static_metadata (element_class, "Face attributes",
      "Filter/Analyzer/Video",
      "Finds faces and estimates their age and gender; attaches region metadata",
      "The faceattr authors");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_face_attr_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_face_attr_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_face_attr_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_face_attr_sink_event);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_face_attr_src_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_face_attr_query);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_face_attr_transform_ip);
  trans_class->submit_input_buffer = GST_DEBUG_FUNCPTR (gst_face_attr_submit_input_buffer);
  /* In place but not passthrough: the metadata needs a writable buffer.
   * A non-writable input gets a shallow copy (new GstBuffer, same memory),
   * so without overlay no pixel is ever copied. */
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_FACE_ATTR_DETECTOR, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_FACE_ATTR_REGION, 0);
}

static void
gst_face_attr_init (GstFaceAttr * self)
{
  self->detector = DEFAULT_PROP_DETECTOR;
  self->detector_model = g_strdup (DEFAULT_PROP_DETECTOR_MODEL);
  self->attributes_model = g_strdup (DEFAULT_PROP_ATTRIBUTES_MODEL);
  self->threshold = DEFAULT_PROP_THRESHOLD;
  self->min_face_size = DEFAULT_PROP_MIN_FACE_SIZE;
  self->max_faces = DEFAULT_PROP_MAX_FACES;
  self->inference_interval = DEFAULT_PROP_INFERENCE_INTERVAL;
  self->reclassify_interval = DEFAULT_PROP_RECLASSIFY_INTERVAL;
  self->overlay = DEFAULT_PROP_OVERLAY;
  self->overlay_confidence = DEFAULT_PROP_OVERLAY_CONFIDENCE;
  self->overlay_id = DEFAULT_PROP_OVERLAY_ID;
  self->threads = DEFAULT_PROP_THREADS;
  self->region = DEFAULT_PROP_INFERENCE_REGION;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  self->smoothing = DEFAULT_PROP_ATTRIBUTE_SMOOTHING;
  self->upstream_latency = 0;
  self->qos_earliest = GST_CLOCK_TIME_NONE;
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_face_attr_finalize (GObject * object)
{
  GstFaceAttr *self = GST_FACE_ATTR (object);

  g_free (self->detector_model);
  g_free (self->attributes_model);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_face_attr_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstFaceAttr *self = GST_FACE_ATTR (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DETECTOR:
      self->detector = g_value_get_enum (value);
      break;
    case PROP_DETECTOR_MODEL:
      g_free (self->detector_model);
      self->detector_model = g_value_dup_string (value);
      break;
    case PROP_ATTRIBUTES_MODEL:
      g_free (self->attributes_model);
      self->attributes_model = g_value_dup_string (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_float (value);
      break;
    case PROP_MIN_FACE_SIZE:
      self->min_face_size = g_value_get_int (value);
      break;
    case PROP_MAX_FACES:
      self->max_faces = g_value_get_int (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_RECLASSIFY_INTERVAL:
      self->reclassify_interval = g_value_get_uint (value);
      break;
    case PROP_OVERLAY:
      self->overlay = g_value_get_boolean (value);
      break;
    case PROP_OVERLAY_CONFIDENCE:
      self->overlay_confidence = g_value_get_boolean (value);
      break;
    case PROP_OVERLAY_ID:
      self->overlay_id = g_value_get_boolean (value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_int (value);
      break;
    case PROP_INFERENCE_REGION:
      self->region = g_value_get_enum (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_ATTRIBUTE_SMOOTHING:
      self->smoothing = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_face_attr_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstFaceAttr *self = GST_FACE_ATTR (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DETECTOR:
      g_value_set_enum (value, self->detector);
      break;
    case PROP_DETECTOR_MODEL:
      g_value_set_string (value, self->detector_model);
      break;
    case PROP_ATTRIBUTES_MODEL:
      g_value_set_string (value, self->attributes_model);
      break;
    case PROP_THRESHOLD:
      g_value_set_float (value, self->threshold);
      break;
    case PROP_MIN_FACE_SIZE:
      g_value_set_int (value, self->min_face_size);
      break;
    case PROP_MAX_FACES:
      g_value_set_int (value, self->max_faces);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_RECLASSIFY_INTERVAL:
      g_value_set_uint (value, self->reclassify_interval);
      break;
    case PROP_OVERLAY:
      g_value_set_boolean (value, self->overlay);
      break;
    case PROP_OVERLAY_CONFIDENCE:
      g_value_set_boolean (value, self->overlay_confidence);
      break;
    case PROP_OVERLAY_ID:
      g_value_set_boolean (value, self->overlay_id);
      break;
    case PROP_THREADS:
      g_value_set_int (value, self->threads);
      break;
    case PROP_INFERENCE_REGION:
      g_value_set_enum (value, self->region);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_ATTRIBUTE_SMOOTHING:
      g_value_set_boolean (value, self->smoothing);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, gst_structure_new ("faceattr-stats",
              "frames", G_TYPE_UINT64, self->stat_frames,
              "inferences", G_TYPE_UINT64, self->stat_inferences,
              "classifications", G_TYPE_UINT64, self->stat_classifications,
              "skipped", G_TYPE_UINT64, self->stat_skipped,
              "faces", G_TYPE_UINT64, self->stat_faces, NULL));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* READY -> PAUSED: load (or share) the networks. A missing or corrupt model
 * fails the state change with the core's message naming the file. */
static gboolean
gst_face_attr_start (GstBaseTransform * trans)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);
  fa_error err = { {0} };
  gchar *det_model, *attr_model;
  GstFaceAttrDetector detector;
  gint threads;

  GST_OBJECT_LOCK (self);
  detector = self->detector;
  det_model = g_strdup (self->detector_model);
  attr_model = g_strdup (self->attributes_model);
  threads = self->threads;
  self->stat_frames = self->stat_inferences = self->stat_classifications = 0;
  self->stat_skipped = self->stat_faces = 0;
  self->qos_earliest = GST_CLOCK_TIME_NONE;
  self->proc_time = 0;
  self->reported_latency = 0;
  GST_OBJECT_UNLOCK (self);

  if (threads <= 0)
    threads = (gint) g_get_num_processors ();

  self->models = fa_model_cache_acquire (detector == GST_FACE_ATTR_DETECTOR_SHORT ?
      det_model : NULL, detector != GST_FACE_ATTR_DETECTOR_SHORT ? det_model : NULL,
      attr_model, &err);
  if (!self->models) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not load the face models: %s", err.message),
        ("detector-model=%s attributes-model=%s", GST_STR_NULL (det_model),
            GST_STR_NULL (attr_model)));
    goto fail;
  }
  self->analyzer = fa_analyzer_new (self->models, threads, &err);
  if (!self->analyzer) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Could not prepare the face analyzer: %s", err.message), (NULL));
    goto fail;
  }
  self->tracker = fa_tracker_new ();
  self->faces_cap = MAX_FACES_LIMIT;
  self->faces = g_try_new0 (fa_face, self->faces_cap);
  if (!self->tracker || !self->faces) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Out of memory"), (NULL));
    goto fail;
  }
  {
    gchar *base = attr_model ? g_path_get_basename (attr_model) : g_strdup ("age-gender");
    gchar *dot = strrchr (base, '.');
    if (dot && dot != base)
      *dot = '\0';
    self->model_name = base;
  }
  self->detect_countdown = 0;
  self->frame_index = 0;
  g_free (det_model);
  g_free (attr_model);
  return TRUE;

fail:
  g_free (det_model);
  g_free (attr_model);
  gst_face_attr_stop (trans);
  return FALSE;
}

static gboolean
gst_face_attr_stop (GstBaseTransform * trans)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);

  fa_tracker_free (self->tracker);
  self->tracker = NULL;
  fa_analyzer_free (self->analyzer);
  self->analyzer = NULL;
  fa_model_cache_release (self->models);
  self->models = NULL;
  g_free (self->faces);
  self->faces = NULL;
  self->faces_cap = 0;
  g_free (self->model_name);
  self->model_name = NULL;
  self->have_info = FALSE;
  return TRUE;
}

static gboolean
gst_face_attr_set_caps (GstBaseTransform * trans, GstCaps * incaps, GstCaps * outcaps)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);
  GstVideoInfo info;

  (void) outcaps;
  if (!gst_video_info_from_caps (&info, incaps)) {
    GST_ERROR_OBJECT (self, "invalid caps %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  /* New geometry or format: old boxes mean nothing in the new frame. */
  if (self->have_info && !gst_video_info_is_equal (&info, &self->info) && self->tracker) {
    GST_DEBUG_OBJECT (self, "caps changed, resetting the tracker");
    fa_tracker_reset (self->tracker);
    self->detect_countdown = 0;
  }
  self->info = info;
  self->have_info = TRUE;
  return TRUE;
}

static gboolean
gst_face_attr_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      /* a seek or flush: the next frame is not the continuation of the last */
      if (self->tracker)
        fa_tracker_reset (self->tracker);
      if (self->analyzer)
        fa_detect_video_reset (self->analyzer);
      self->detect_countdown = 0;
      GST_OBJECT_LOCK (self);
      self->qos_earliest = GST_CLOCK_TIME_NONE;
      GST_OBJECT_UNLOCK (self);
      break;
    case GST_EVENT_STREAM_START:
      if (self->tracker)
        fa_tracker_reset (self->tracker);
      if (self->analyzer)
        fa_detect_video_reset (self->analyzer);
      self->detect_countdown = 0;
      self->skipped_in_row = 0;
      self->frame_index = 0;
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_face_attr_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    GstQOSType type;
    gdouble proportion;
    GstClockTimeDiff diff;
    GstClockTime timestamp;

    gst_event_parse_qos (event, &type, &proportion, &diff, &timestamp);
    GST_OBJECT_LOCK (self);
    /* As GstBaseTransform does: a late frame means the next ones must be
     * earlier by twice the lateness to catch up. */
    if (diff > 0)
      self->qos_earliest = timestamp + 2 * diff;
    else
      self->qos_earliest = timestamp + diff;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* Latency: the element holds no frames back, but a frame leaves it only
 * after inference; that processing time is added to upstream's latency. */
static gboolean
gst_face_attr_query (GstBaseTransform * trans, GstPadDirection direction, GstQuery * query)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);
  gboolean res = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query);

  if (res && direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max, ours;

    gst_query_parse_latency (query, &live, &min, &max);
    GST_OBJECT_LOCK (self);
    self->upstream_latency = live ? min : 0;
    ours = self->proc_time;
    self->reported_latency = ours;
    GST_OBJECT_UNLOCK (self);
    if (live) {
      min += ours;
      if (GST_CLOCK_TIME_IS_VALID (max))
        max += ours;
      gst_query_set_latency (query, live, min, max);
    }
    GST_DEBUG_OBJECT (self, "latency: live %d, ours %" GST_TIME_FORMAT, live,
        GST_TIME_ARGS (ours));
  }
  return res;
}

/* Whether there is time for the detector on this frame. Skipping keeps
 * latency flat when inference cannot keep up: the tracker moves the boxes
 * and the next frame tries again. */
static gboolean
gst_face_attr_have_time (GstFaceAttr * self, GstBuffer * buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (buf), running, earliest, proc, upstream;
  GstClock *clock;
  gboolean ok = TRUE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return TRUE;
  running = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID (running))
    return TRUE;

  GST_OBJECT_LOCK (self);
  earliest = self->qos_earliest;
  proc = self->proc_time;
  upstream = self->upstream_latency;
  GST_OBJECT_UNLOCK (self);

  /* QoS: downstream says frames before `earliest` arrive too late. */
  if (gst_base_transform_is_qos_enabled (trans) && GST_CLOCK_TIME_IS_VALID (earliest)
      && running + proc < earliest)
    ok = FALSE;

  /* Live: compare with the clock; a frame older than upstream latency plus
   * one frame period means we are falling behind. */
  clock = upstream > 0 ? gst_element_get_clock (GST_ELEMENT (self)) : NULL;
  if (ok && clock) {
    GstClockTime now = gst_clock_get_time (clock);
    GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
    GstClockTime period = self->info.fps_n > 0 ?
        gst_util_uint64_scale_int (GST_SECOND, self->info.fps_d, self->info.fps_n) :
        40 * GST_MSECOND;
    if (now > base + running + upstream + period)
      ok = FALSE;
  }
  if (clock)
    gst_object_unref (clock);
  return ok;
}

/* QoS is honoured by skipping the detector on late frames (see
 * gst_face_attr_have_time), not by dropping them as GstBaseTransform's
 * default would: a late frame costs almost nothing without inference, keeps
 * its metadata and JSON line, and a synchronised sink still drops it if it
 * is too late to show. */
static GstFlowReturn
gst_face_attr_submit_input_buffer (GstBaseTransform * trans, gboolean is_discont,
    GstBuffer * input)
{
  (void) is_discont;
  trans->queued_buf = input;
  return GST_FLOW_OK;
}

/* Faces from upstream region metas (inference-region=roi-list). */
static gint
gst_face_attr_faces_from_rois (GstFaceAttr * self, GstBuffer * buf,
    GstVideoRegionOfInterestMeta ** rois)
{
  gpointer state = NULL;
  GstMeta *meta;
  gint n = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) && n < self->faces_cap) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    fa_face *f = &self->faces[n];
    if (!fa_gst_meta_is_face (roi))
      continue;
    fa_gst_meta_to_face (roi, f);
    f->has_attributes = 0; /* we estimate them ourselves */
    f->track_id = 0;
    /* No landmarks from upstream: put them where they sit in an upright
     * frontal face so that alignment is a no-op. */
    f->keypoints[FA_KP_RIGHT_EYE][0] = f->x + 0.30f * f->w;
    f->keypoints[FA_KP_RIGHT_EYE][1] = f->y + 0.38f * f->h;
    f->keypoints[FA_KP_LEFT_EYE][0] = f->x + 0.70f * f->w;
    f->keypoints[FA_KP_LEFT_EYE][1] = f->y + 0.38f * f->h;
    f->keypoints[FA_KP_NOSE][0] = f->x + 0.50f * f->w;
    f->keypoints[FA_KP_NOSE][1] = f->y + 0.58f * f->h;
    f->keypoints[FA_KP_MOUTH][0] = f->x + 0.50f * f->w;
    f->keypoints[FA_KP_MOUTH][1] = f->y + 0.78f * f->h;
    f->keypoints[FA_KP_RIGHT_EAR][0] = f->x;
    f->keypoints[FA_KP_RIGHT_EAR][1] = f->y + 0.45f * f->h;
    f->keypoints[FA_KP_LEFT_EAR][0] = f->x + f->w;
    f->keypoints[FA_KP_LEFT_EAR][1] = f->y + 0.45f * f->h;
    rois[n++] = roi;
  }
  return n;
}

static void
gst_face_attr_post_message (GstFaceAttr * self, GstBuffer * buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GValue faces = G_VALUE_INIT;
  GstStructure *s;
  gpointer state = NULL;
  GstMeta *meta;

  g_value_init (&faces, GST_TYPE_LIST);
  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    GValue item = G_VALUE_INIT;
    if (!fa_gst_meta_is_face (roi))
      continue;
    g_value_init (&item, GST_TYPE_STRUCTURE);
    /* take, not set: set would copy the new structure and leak it */
    g_value_take_boxed (&item, fa_gst_meta_face_structure (roi));
    gst_value_list_append_and_take_value (&faces, &item);
  }
  s = gst_structure_new ("faceattr",
      "timestamp", G_TYPE_UINT64, pts,
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, pts),
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts),
      "frame", G_TYPE_UINT64, self->frame_index, NULL);
  gst_structure_take_value (s, "faces", &faces);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

static GstFlowReturn
gst_face_attr_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstFaceAttr *self = GST_FACE_ATTR (trans);
  GstVideoRegionOfInterestMeta **rois = NULL;
  fa_detect_params dp;
  fa_classify_params cp;
  fa_error err = { {0} };
  GstVideoFrame vframe;
  fa_frame frame;
  gboolean overlay, post, detect = FALSE, skipped = FALSE, smoothing;
  fa_draw_options draw_opts = { 0, 0 };
  GstFaceAttrRegion region;
  guint interval, reclassify;
  gint n = 0, i, classified = 0;
  gint64 t0 = g_get_monotonic_time ();
  GstFlowReturn ret = GST_FLOW_OK;

  if (G_UNLIKELY (!self->have_info || !self->analyzer))
    return GST_FLOW_NOT_NEGOTIATED;

  fa_detect_params_init (&dp);
  fa_classify_params_init (&cp);
  GST_OBJECT_LOCK (self);
  dp.detector = (fa_detector_kind) self->detector;
  dp.threshold = self->threshold;
  dp.min_face_size = self->min_face_size;
  dp.max_faces = self->max_faces;
  overlay = self->overlay;
  draw_opts.show_confidence = self->overlay_confidence;
  draw_opts.show_id = self->overlay_id;
  post = self->post_messages;
  region = self->region;
  interval = self->inference_interval;
  reclassify = self->reclassify_interval;
  smoothing = self->smoothing;
  GST_OBJECT_UNLOCK (self);
  fa_tracker_set_smoothing (self->tracker, smoothing);

  /* READ only unless drawing: mapping for writing would copy shared memory.
   * NO_REF: a mapped frame's extra ref would make the buffer non-writable,
   * and the metadata is added while it is mapped. */
  if (!gst_video_frame_map (&vframe, &self->info, buf,
          (overlay ? GST_MAP_READWRITE : GST_MAP_READ) | GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map the video frame"), (NULL));
    return GST_FLOW_ERROR;
  }
  fa_gst_frame_wrap (&vframe, &frame);

  if (region == GST_FACE_ATTR_REGION_ROI_LIST) {
    rois = g_new0 (GstVideoRegionOfInterestMeta *, self->faces_cap);
    n = gst_face_attr_faces_from_rois (self, buf, rois);
    cp.align = 0;
    fa_tracker_update (self->tracker, self->faces, n);
    detect = TRUE;
  } else {
    if (self->detect_countdown <= 0) {
      /* Behind schedule: skip, but run at least about once a second so that
       * the tracker's boxes never go stale on a machine that is always
       * behind (then the sink's QoS drops frames instead). */
      gint max_skips = self->info.fps_d > 0 && self->info.fps_n > 0 ?
          MAX (self->info.fps_n / self->info.fps_d, 1) : 25;
      if (self->skipped_in_row >= max_skips || gst_face_attr_have_time (self, buf)) {
        detect = TRUE;
        self->detect_countdown = (gint) interval;
        self->skipped_in_row = 0;
      } else {
        skipped = TRUE;
        self->skipped_in_row++;
      }
    }
    self->detect_countdown--;
    if (detect) {
      /* video: views spread over frames, found faces followed cheaply */
      n = fa_detect_video (self->analyzer, &frame, &dp, self->faces, dp.max_faces, &err);
      if (n < 0) {
        GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Face detection failed: %s",
                err.message), (NULL));
        ret = GST_FLOW_ERROR;
        goto done;
      }
      /* fresh detections carry no estimate: only fa_classify's count */
      for (i = 0; i < n; i++)
        self->faces[i].has_attributes = 0;
      fa_tracker_update (self->tracker, self->faces, n);
    } else {
      n = fa_tracker_predict (self->tracker, self->faces, dp.max_faces);
    }
  }

  /* Age and gender, on faces whose estimate is due (new tracks always). */
  if (detect) {
    for (i = 0; i < n; i++) {
      fa_face *f = &self->faces[i];
      if (f->track_id && !fa_tracker_wants_attributes (self->tracker, f->track_id,
              (int) reclassify))
        continue;
      /* Smoothed, a track's mean averages the plain and the mirrored crop
       * when its estimates look at them in turn: the same mean at half the
       * cost of averaging both every time. */
      if (smoothing && f->track_id) {
        cp.mirror = 0;
        cp.flip = fa_tracker_estimates (self->tracker, f->track_id) % 2;
      }
      /* No keypoint refinement in video: it costs one more long-range
       * detector run per estimate, and on the 6-track dev video it made
       * the smoothed age MAE worse (2.75 -> 3.52, tools/eval-video), while
       * on mosaic stills it gained only 0.15 +- 0.08 years. */
      cp.refine = 0;
      if (fa_classify (self->analyzer, &frame, &cp, f, &err) < 0) {
        GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Age/gender estimation failed: %s",
                err.message), (NULL));
        ret = GST_FLOW_ERROR;
        goto done;
      }
      classified++;
      fa_tracker_add_attributes (self->tracker, f);
    }
  }

  for (i = 0; i < n; i++)
    fa_gst_meta_attach_face (buf, rois ? rois[i] : NULL, &self->faces[i],
        GST_VIDEO_INFO_WIDTH (&self->info), GST_VIDEO_INFO_HEIGHT (&self->info),
        self->model_name);
  if (overlay)
    fa_draw_faces (&frame, self->faces, n, &draw_opts);

done:
  gst_video_frame_unmap (&vframe);
  g_free (rois);
  if (ret != GST_FLOW_OK)
    return ret;

  if (post)
    gst_face_attr_post_message (self, buf);

  {
    GstClockTime took = (GstClockTime) (g_get_monotonic_time () - t0) * GST_USECOND;
    gboolean latency_grew;
    GST_OBJECT_LOCK (self);
    self->stat_frames++;
    self->stat_inferences += (detect && region == GST_FACE_ATTR_REGION_FULL_FRAME);
    self->stat_classifications += (guint64) classified;
    self->stat_skipped += skipped;
    self->stat_faces += (guint64) n;
    /* Track detector frames (the slow ones) with a fast-rising, slowly
     * falling average: latency must cover the bad case. */
    /* the first run includes one-time warm-up: not representative */
    if (detect && self->stat_inferences > 1)
      self->proc_time = took > self->proc_time ? (self->proc_time + took) / 2 :
          (self->proc_time * 15 + took) / 16;
    latency_grew = self->upstream_latency > 0 &&
        self->proc_time > self->reported_latency + self->reported_latency / 4 + GST_MSECOND;
    if (latency_grew)
      self->reported_latency = self->proc_time; /* one message per rise */
    GST_OBJECT_UNLOCK (self);
    if (latency_grew)
      gst_element_post_message (GST_ELEMENT (self),
          gst_message_new_latency (GST_OBJECT (self)));
  }
  self->frame_index++;
  return GST_FLOW_OK;
}
