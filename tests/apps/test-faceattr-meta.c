/* The consumer helpers (plugin/meta) read the documented contract: through
 * the faceattrmock element (buffer metas and bus message), and on hand-made
 * buffers for the edge cases (other ROI types, missing params). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include "faceattr-meta.h"

static int failures;

#define CHECK(cond) do { \
    if (!(cond)) { \
      fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++; \
    } \
  } while (0)

static int
near (double a, double b)
{
  return fabs (a - b) < 1e-6;
}

/* The mock's first face on a 320x240 frame (see tests/apps/mock-faceattr.c). */
static void
check_mock_face0 (const FaceAttrFace * f)
{
  CHECK (f->x == 80 && f->y == 60 && f->w == 64 && f->h == 48);
  CHECK (near (f->x_min, 0.25) && near (f->y_min, 0.25));
  CHECK (near (f->x_max, 0.45) && near (f->y_max, 0.45));
  CHECK (near (f->confidence, 0.9));
  CHECK (f->has_age && near (f->age, 31.4));
  CHECK (strcmp (f->age_label, "31") == 0 && strcmp (f->age_group, "25-32") == 0);
  CHECK (f->has_gender && f->gender == 1 && strcmp (f->gender_label, "Male") == 0);
  CHECK (near (f->gender_confidence, 0.8));
  CHECK (f->track_id == 7);
}

static void
check_mock_face1 (const FaceAttrFace * f)
{
  CHECK (f->x == 160 && f->y == 120 && f->w == 32 && f->h == 24);
  CHECK (f->gender == 0 && strcmp (f->gender_label, "Female") == 0);
  CHECK (strcmp (f->age_group, "8-12") == 0 && f->track_id == 8);
}

static void
test_mock_pipeline (void)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=3 ! "
      "video/x-raw,format=I420,width=320,height=240 ! faceattrmock ! appsink name=sink sync=false",
      &err);
  GstElement *sink;
  GstSample *sample;
  GstBus *bus;
  GstMessage *msg;
  int frames = 0, messages = 0;

  if (pipeline == NULL) {
    fprintf (stderr, "cannot build the mock pipeline: %s\n", err->message);
    failures++;
    return;
  }
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  CHECK (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL) {
    FaceAttrFace faces[4];
    guint n = faceattr_buffer_get_faces (gst_sample_get_buffer (sample), 320, 240, faces, 4);
    CHECK (n == 2);
    CHECK (faceattr_buffer_get_faces (gst_sample_get_buffer (sample), 0, 0, NULL, 0) == 2);
    if (n == 2) {
      check_mock_face0 (&faces[0]);
      check_mock_face1 (&faces[1]);
    }
    frames++;
    gst_sample_unref (sample);
  }
  CHECK (frames == 3);

  bus = gst_element_get_bus (pipeline);
  while ((msg = gst_bus_pop (bus)) != NULL) {
    if (faceattr_message_is_results (msg)) {
      FaceAttrFrameInfo info;
      FaceAttrFace faces[4];
      gint n = faceattr_message_get_faces (msg, &info, faces, 4);
      CHECK (n == 2);
      CHECK (info.timestamp == (GstClockTime) messages * GST_SECOND / 30);
      CHECK (info.running_time == info.timestamp);
      if (n == 2) {
        /* No frame size in the message: the normalised box comes from `detection`. */
        check_mock_face0 (&faces[0]);
        check_mock_face1 (&faces[1]);
      }
      messages++;
    } else {
      CHECK (faceattr_message_get_faces (msg, NULL, NULL, 0) == -1);
    }
    gst_message_unref (msg);
  }
  CHECK (messages == 3);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

static void
test_edge_cases (void)
{
  GstBuffer *buf = gst_buffer_new ();
  GstVideoRegionOfInterestMeta *roi;
  FaceAttrFace faces[2], one;

  /* Another element's region is not a face. */
  roi = gst_buffer_add_video_region_of_interest_meta (buf, "person", 1, 2, 3, 4);
  CHECK (!faceattr_face_from_roi (roi, 100, 100, &one));
  /* A face with no params: box normalised from the frame size, no attributes. */
  gst_buffer_add_video_region_of_interest_meta (buf, "face", 10, 20, 30, 40);
  CHECK (faceattr_buffer_get_faces (buf, 100, 200, faces, 2) == 1);
  CHECK (near (faces[0].x_min, 0.1) && near (faces[0].y_max, 0.3));
  CHECK (!faces[0].has_age && !faces[0].has_gender && faces[0].track_id == 0);
  CHECK (faces[0].confidence == -1);
  /* Gender given only as a label; age value given as an int. */
  roi = gst_buffer_add_video_region_of_interest_meta (buf, "face", 0, 0, 5, 5);
  gst_video_region_of_interest_meta_add_param (roi, gst_structure_new ("gender",
          "label", G_TYPE_STRING, "Male", NULL));
  gst_video_region_of_interest_meta_add_param (roi, gst_structure_new ("age",
          "value", G_TYPE_INT, 40, NULL));
  CHECK (faceattr_buffer_get_faces (buf, 0, 0, faces, 2) == 2);
  CHECK (faces[1].has_gender && faces[1].gender == 1 && faces[1].gender_confidence == -1);
  CHECK (faces[1].has_age && strcmp (faces[1].age_label, "40") == 0);
  /* max_out bounds the copy, not the count. */
  CHECK (faceattr_buffer_get_faces (buf, 0, 0, faces, 1) == 2);
  gst_buffer_unref (buf);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  test_edge_cases ();
  test_mock_pipeline ();
  if (failures == 0)
    printf ("faceattr-meta: all checks passed\n");
  return failures ? 1 : 0;
}
