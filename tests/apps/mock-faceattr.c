/* Test-only element "faceattrmock": attaches to every frame exactly the
 * metadata the faceattr element documents (README "Metadata"), for two fixed
 * faces, and posts the per-frame "faceattr" element message. The consumer
 * helpers, the examples and faceattr-rtsp are tested against it so that they
 * check the contract itself, independent of the networks' output.
 *
 *   face 1: box (w/4, h/4, w/5, h/5), confidence 0.9, age 31.4 "31" "25-32",
 *           Male 0.8, track id 7
 *   face 2: box (w/2, h/2, w/10, h/10), confidence 0.6, age 9.0 "9" "8-12",
 *           Female 0.7, track id 8 */
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

typedef struct {
  GstVideoFilter parent;
} GstFaceAttrMock;
typedef struct {
  GstVideoFilterClass parent_class;
} GstFaceAttrMockClass;

GType gst_face_attr_mock_get_type (void);
G_DEFINE_TYPE (GstFaceAttrMock, gst_face_attr_mock, GST_TYPE_VIDEO_FILTER)

typedef struct {
  double fx, fy, fw, fh; /* box as fractions of the frame */
  double confidence;
  double age;
  const char *age_label, *age_group;
  int male;
  double gender_confidence;
  int track_id;
} MockFace;

static const MockFace mock_faces[] = {
  {0.25, 0.25, 0.20, 0.20, 0.9, 31.4, "31", "25-32", 1, 0.8, 7},
  {0.50, 0.50, 0.10, 0.10, 0.6, 9.0, "9", "8-12", 0, 0.7, 8},
};

/* The four params structures, shared by the ROI meta and the message. */
static void
add_params (const MockFace * m, guint x, guint y, guint w, guint h, int width,
    int height, GstStructure * params[4])
{
  params[0] = gst_structure_new ("detection",
      "x_min", G_TYPE_DOUBLE, (double) x / width,
      "y_min", G_TYPE_DOUBLE, (double) y / height,
      "x_max", G_TYPE_DOUBLE, (double) (x + w) / width,
      "y_max", G_TYPE_DOUBLE, (double) (y + h) / height,
      "confidence", G_TYPE_DOUBLE, m->confidence,
      "label_id", G_TYPE_INT, 0, "label", G_TYPE_STRING, "face", NULL);
  params[1] = gst_structure_new ("age",
      "label", G_TYPE_STRING, m->age_label, "value", G_TYPE_DOUBLE, m->age,
      "group", G_TYPE_STRING, m->age_group,
      "attribute_name", G_TYPE_STRING, "age",
      "model_name", G_TYPE_STRING, "mock", NULL);
  params[2] = gst_structure_new ("gender",
      "label", G_TYPE_STRING, m->male ? "Male" : "Female",
      "confidence", G_TYPE_DOUBLE, m->gender_confidence,
      "label_id", G_TYPE_INT, m->male,
      "attribute_name", G_TYPE_STRING, "gender",
      "model_name", G_TYPE_STRING, "mock", NULL);
  params[3] = gst_structure_new ("object_id", "id", G_TYPE_INT, m->track_id, NULL);
}

static GstFlowReturn
gst_face_attr_mock_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  int width = GST_VIDEO_FRAME_WIDTH (frame), height = GST_VIDEO_FRAME_HEIGHT (frame);
  GstBuffer *buf = frame->buffer;
  GValue faces = G_VALUE_INIT;
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstSegment *seg = &GST_BASE_TRANSFORM (filter)->segment;
  GstStructure *msg;
  guint i;

  g_value_init (&faces, GST_TYPE_LIST);
  for (i = 0; i < G_N_ELEMENTS (mock_faces); i++) {
    const MockFace *m = &mock_faces[i];
    guint x = (guint) (m->fx * width), y = (guint) (m->fy * height);
    guint w = (guint) (m->fw * width), h = (guint) (m->fh * height);
    GstStructure *params[4], *face;
    GstVideoRegionOfInterestMeta *roi;
    GValue item = G_VALUE_INIT;
    int k;

    roi = gst_buffer_add_video_region_of_interest_meta (buf, "face", x, y, w, h);
    add_params (m, x, y, w, h, width, height, params);
    face = gst_structure_new ("face", "x", G_TYPE_UINT, x, "y", G_TYPE_UINT, y,
        "w", G_TYPE_UINT, w, "h", G_TYPE_UINT, h, NULL);
    for (k = 0; k < 4; k++) {
      gst_structure_set (face, gst_structure_get_name (params[k]),
          GST_TYPE_STRUCTURE, params[k], NULL);
      gst_video_region_of_interest_meta_add_param (roi, params[k]); /* takes it */
    }
    g_value_init (&item, GST_TYPE_STRUCTURE);
    gst_value_set_structure (&item, face);
    gst_structure_free (face);
    gst_value_list_append_and_take_value (&faces, &item);
  }

  msg = gst_structure_new ("faceattr",
      "timestamp", G_TYPE_UINT64, pts,
      "stream-time", G_TYPE_UINT64, gst_segment_to_stream_time (seg, GST_FORMAT_TIME, pts),
      "running-time", G_TYPE_UINT64, gst_segment_to_running_time (seg, GST_FORMAT_TIME, pts),
      NULL);
  gst_structure_take_value (msg, "faces", &faces);
  gst_element_post_message (GST_ELEMENT (filter),
      gst_message_new_element (GST_OBJECT (filter), msg));
  return GST_FLOW_OK;
}

static void
gst_face_attr_mock_class_init (GstFaceAttrMockClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  GstCaps *caps = gst_caps_from_string ("video/x-raw");

  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);
  gst_element_class_set_static_metadata (element_class, "faceattr mock (tests)",
      "Filter/Analyzer/Video", "Attaches faceattr-shaped metadata for two fixed faces",
      "faceattr project");
  filter_class->transform_frame_ip = gst_face_attr_mock_transform_frame_ip;
}

static void
gst_face_attr_mock_init (GstFaceAttrMock * self)
{
  (void) self;
}

static gboolean
plugin_init (GstPlugin * plugin)
{
  return gst_element_register (plugin, "faceattrmock", GST_RANK_NONE,
      gst_face_attr_mock_get_type ());
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, faceattrmock,
    "Test-only stand-in for faceattr's metadata", plugin_init, "0.1.0",
    "LGPL", "faceattr", "https://example.invalid/faceattr")
