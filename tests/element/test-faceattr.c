/* faceattr element tests (GstCheck/GstHarness). Each case is also a separate
 * meson test (GST_CHECKS selects it). Cases that run the networks need the
 * bundled models in $FACEATTR_MODEL_DIR and are skipped (77) without them. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const gchar *const all_formats[] = {
  "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA", "ARGB", "ABGR",
  "I420", "NV12", "GRAY8"
};

static gboolean
models_present (void)
{
  const gchar *dir = g_getenv ("FACEATTR_MODEL_DIR");
  const gchar *files[] = { "blazeface-front-128.onnx", "blazeface-back-256.onnx",
    "age-gender.onnx"
  };
  guint i;
  if (!dir)
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    gchar *p = g_build_filename (dir, files[i], NULL);
    gboolean ok = g_file_test (p, G_FILE_TEST_EXISTS);
    g_free (p);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* Cases that run the networks; the skip decision is taken in main(), as a
 * forked check child cannot report a skip. */
#define REQUIRE_MODELS() fail_unless (models_present (), "models missing")
static const gchar *const cases_without_models[] = {
  "test_bad_property_values", "test_bad_model_path_errors"
};

/* Rows of plane p: chroma planes of I420/NV12 have half the rows. */
static gint
plane_rows (const GstVideoInfo * info, guint p, gint h)
{
  GstVideoFormat f = GST_VIDEO_INFO_FORMAT (info);
  return p > 0 && (f == GST_VIDEO_FORMAT_I420 || f == GST_VIDEO_FORMAT_NV12) ? (h + 1) / 2 : h;
}

/* A mid-grey frame with `stride_pad` bytes of 0xAB padding after every row
 * of every plane, described by a video meta (so strides are honoured). */
static GstBuffer *
make_frame (GstVideoInfo * out_info, const gchar * format, gint w, gint h, gint stride_pad)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstMapInfo map;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
  gsize size = 0;
  guint p;
  gint r;

  gst_video_info_set_format (&info, gst_video_format_from_string (format), w, h);
  for (p = 0; p < GST_VIDEO_INFO_N_PLANES (&info); p++) {
    stride[p] = GST_VIDEO_INFO_PLANE_STRIDE (&info, p) + stride_pad;
    offset[p] = size;
    size += (gsize) stride[p] * plane_rows (&info, p, h);
  }
  buf = gst_buffer_new_allocate (NULL, size, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  memset (map.data, 0xAB, size);
  for (p = 0; p < GST_VIDEO_INFO_N_PLANES (&info); p++)
    for (r = 0; r < plane_rows (&info, p, h); r++)
      memset (map.data + offset[p] + (gsize) r * stride[p], 0x80,
          (gsize) (stride[p] - stride_pad));
  gst_buffer_unmap (buf, &map);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (&info), w, h, GST_VIDEO_INFO_N_PLANES (&info), offset, stride);
  for (p = 0; p < GST_VIDEO_INFO_N_PLANES (&info); p++) {
    info.stride[p] = stride[p];
    info.offset[p] = offset[p];
  }
  info.size = size;
  if (out_info)
    *out_info = info;
  return buf;
}

static gchar *
caps_string (const gchar * format, gint w, gint h)
{
  return g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,framerate=25/1",
      format, w, h);
}

static guint
count_faces (GstBuffer * buf)
{
  gpointer state = NULL;
  GstMeta *m;
  guint n = 0;
  while ((m = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    n += ((GstVideoRegionOfInterestMeta *) m)->roi_type == g_quark_from_string ("face");
  return n;
}

/* The idx-th face region meta of a buffer (metas are kept in order). */
static GstVideoRegionOfInterestMeta *
face_roi (GstBuffer * buf, guint idx)
{
  gpointer state = NULL;
  GstMeta *m;
  while ((m = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    if (((GstVideoRegionOfInterestMeta *) m)->roi_type == g_quark_from_string ("face")
        && idx-- == 0)
      return (GstVideoRegionOfInterestMeta *) m;
  return NULL;
}

static guint64
stat_of (GstHarness * h, const gchar * field)
{
  GstStructure *s = NULL;
  guint64 v = 0;
  GstElement *e = gst_harness_find_element (h, "faceattr");
  fail_unless (e != NULL);
  g_object_get (e, "stats", &s, NULL);
  gst_object_unref (e);
  fail_unless (s != NULL);
  fail_unless (gst_structure_get_uint64 (s, field, &v), "stats lacks %s", field);
  gst_structure_free (s);
  return v;
}

/* --- negotiation and odd frames (real detector) ------------------------- */

GST_START_TEST (test_negotiate_all_formats)
{
  guint i;
  REQUIRE_MODELS ();
  for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
    GstHarness *h = gst_harness_new_parse ("faceattr detector=short threads=1");
    gchar *caps = caps_string (all_formats[i], 64, 48);
    GstBuffer *in, *out;
    GstCaps *neg;
    gst_harness_set_src_caps_str (h, caps);
    in = make_frame (NULL, all_formats[i], 64, 48, 0);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (out != NULL, "no output for %s", all_formats[i]);
    neg = gst_pad_get_current_caps (h->sinkpad);
    fail_unless (neg != NULL);
    fail_unless_equals_string (gst_structure_get_string (gst_caps_get_structure (neg, 0),
            "format"), all_formats[i]);
    gst_caps_unref (neg);
    gst_buffer_unref (out);
    g_free (caps);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

GST_START_TEST (test_odd_sizes_and_strides)
{
  static const struct { gint w, h, pad; } sizes[] = {
    {1, 1, 0}, {1, 1, 13}, {3, 5, 0}, {33, 17, 7}, {641, 359, 0}, {101, 51, 64}
  };
  const gchar *formats[] = { "I420", "NV12", "RGB", "BGRA", "GRAY8" };
  guint i, f;
  REQUIRE_MODELS ();
  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
      GstHarness *h = gst_harness_new_parse ("faceattr detector=short threads=1 overlay=true");
      gchar *caps = caps_string (formats[f], sizes[i].w, sizes[i].h);
      GstBuffer *out;
      gst_harness_set_src_caps_str (h, caps);
      fail_unless_equals_int (gst_harness_push (h, make_frame (NULL, formats[f],
                  sizes[i].w, sizes[i].h, sizes[i].pad)), GST_FLOW_OK);
      out = gst_harness_pull (h);
      fail_unless (out != NULL);
      gst_buffer_unref (out);
      g_free (caps);
      gst_harness_teardown (h);
    }
}
GST_END_TEST;

GST_START_TEST (test_renegotiate_mid_stream)
{
  GstHarness *h;
  GstBuffer *out;
  GstVideoRegionOfInterestMeta *roi;
  GstBuffer *in;
  REQUIRE_MODELS ();
  h = gst_harness_new_parse ("faceattr detector=short threads=1 inference-region=roi-list");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=320,height=240,framerate=25/1");
  in = make_frame (NULL, "RGB", 320, 240, 0);
  gst_buffer_add_video_region_of_interest_meta (in, "face", 100, 80, 64, 64);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  roi = face_roi (out, 0);
  fail_unless (roi && gst_video_region_of_interest_meta_get_param (roi, "age"));
  gst_buffer_unref (out);

  gst_harness_set_src_caps_str (h, "video/x-raw,format=NV12,width=161,height=121,framerate=25/1");
  in = make_frame (NULL, "NV12", 161, 121, 0);
  gst_buffer_add_video_region_of_interest_meta (in, "face", 10, 10, 50, 50);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  roi = face_roi (out, 0);
  fail_unless (roi && gst_video_region_of_interest_meta_get_param (roi, "gender"));
  fail_unless_equals_int (roi->x, 10);
  {
    /* a caps change resets the tracker: ids start over */
    gint id = -1;
    gst_structure_get_int (gst_video_region_of_interest_meta_get_param (roi, "object_id"),
        "id", &id);
    fail_unless_equals_int (id, 1);
  }
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* --- metadata and counters ---------------------------------------------- */

static void
check_face_params (GstVideoRegionOfInterestMeta * roi)
{
  GstStructure *det = gst_video_region_of_interest_meta_get_param (roi, "detection");
  GstStructure *age = gst_video_region_of_interest_meta_get_param (roi, "age");
  GstStructure *gender = gst_video_region_of_interest_meta_get_param (roi, "gender");
  GstStructure *obj = gst_video_region_of_interest_meta_get_param (roi, "object_id");
  gdouble d;
  gint i;
  const gchar *s;

  fail_unless (det && age && gender && obj);
  fail_unless (gst_structure_get_double (det, "x_min", &d) && d >= 0 && d <= 1);
  fail_unless (gst_structure_get_double (det, "y_max", &d) && d >= 0 && d <= 1);
  fail_unless (gst_structure_get_double (det, "confidence", &d));
  fail_unless (gst_structure_get_int (det, "label_id", &i) && i == 0);
  fail_unless_equals_string (gst_structure_get_string (det, "label"), "face");
  fail_unless (gst_structure_get_double (age, "value", &d) && d >= 0 && d < 150);
  s = gst_structure_get_string (age, "label");
  fail_unless (s && g_ascii_isdigit (s[0]));
  fail_unless (gst_structure_get_string (age, "group") != NULL);
  fail_unless_equals_string (gst_structure_get_string (age, "attribute_name"), "age");
  fail_unless (gst_structure_get_string (age, "model_name") != NULL);
  s = gst_structure_get_string (gender, "label");
  fail_unless (s && (g_str_equal (s, "Male") || g_str_equal (s, "Female")));
  fail_unless (gst_structure_get_double (gender, "confidence", &d) && d >= 0.5 && d <= 1);
  fail_unless (gst_structure_get_int (gender, "label_id", &i) && (i == 0 || i == 1));
  fail_unless_equals_int (i, g_str_equal (s, "Male"));
  fail_unless_equals_string (gst_structure_get_string (gender, "attribute_name"), "gender");
  fail_unless (gst_structure_get_int (obj, "id", &i) && i > 0);
}

GST_START_TEST (test_64_faces_roi_list)
{
  GstHarness *h;
  GstBuffer *in, *out;
  GHashTable *ids = g_hash_table_new (NULL, NULL);
  gint r, c;
  guint n;
  REQUIRE_MODELS ();
  h = gst_harness_new_parse ("faceattr detector=short threads=1 inference-region=roi-list "
      "max-faces=64");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=1024,height=1024");
  in = make_frame (NULL, "I420", 1024, 1024, 0);
  for (r = 0; r < 8; r++)
    for (c = 0; c < 8; c++)
      gst_buffer_add_video_region_of_interest_meta (in, "face", c * 128 + 16, r * 128 + 16,
          96, 96);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (count_faces (out), 64);
  for (n = 0; n < 64; n++) {
    GstVideoRegionOfInterestMeta *roi = face_roi (out, n);
    gint id;
    fail_unless (roi != NULL);
    check_face_params (roi);
    gst_structure_get_int (gst_video_region_of_interest_meta_get_param (roi, "object_id"),
        "id", &id);
    g_hash_table_add (ids, GINT_TO_POINTER (id));
  }
  fail_unless_equals_int (g_hash_table_size (ids), 64);
  fail_unless_equals_int ((gint) stat_of (h, "classifications"), 64);
  g_hash_table_unref (ids);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_inference_interval)
{
  guint interval;
  REQUIRE_MODELS ();
  for (interval = 1; interval <= 4; interval += 3) {
    gchar *launch = g_strdup_printf ("faceattr detector=short threads=1 inference-interval=%u",
        interval);
    GstHarness *h = gst_harness_new_parse (launch);
    gint i;
    gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=96,height=64");
    for (i = 0; i < 12; i++) {
      fail_unless_equals_int (gst_harness_push (h, make_frame (NULL, "RGB", 96, 64, 0)),
          GST_FLOW_OK);
      gst_buffer_unref (gst_harness_pull (h));
    }
    fail_unless_equals_int ((gint) stat_of (h, "frames"), 12);
    /* frames 0, 4, 8 with interval 4; every frame with interval 1 */
    fail_unless_equals_int ((gint) stat_of (h, "inferences"), (12 + interval - 1) / interval);
    g_free (launch);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

GST_START_TEST (test_reclassify_interval)
{
  /* one face, tracked for 40 frames: estimated on every frame with 1; on
   * frames 0, 1, 2, 4, 8, 12, ..., 36 with 4 (gaps doubling up to 4); on
   * 0, 1, 2, 4, 8, 16, 32 with 25 (the default) */
  static const guint intervals[] = { 1, 4, 25 };
  static const gint want[] = { 40, 12, 7 };
  guint k;
  REQUIRE_MODELS ();
  for (k = 0; k < G_N_ELEMENTS (intervals); k++) {
    gchar *launch = g_strdup_printf ("faceattr threads=1 inference-region=roi-list "
        "reclassify-interval=%u", intervals[k]);
    GstHarness *h = gst_harness_new_parse (k == 2 ? "faceattr threads=1 "
        "inference-region=roi-list" : launch);
    gint i;
    gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=160,height=120");
    for (i = 0; i < 40; i++) {
      GstBuffer *in = make_frame (NULL, "RGB", 160, 120, 0);
      GstBuffer *out;
      gst_buffer_add_video_region_of_interest_meta (in, "face", 40 + i, 30, 60, 60);
      fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
      out = gst_harness_pull (h);
      fail_unless_equals_int (count_faces (out), 1);
      gst_buffer_unref (out);
    }
    fail_unless_equals_int ((gint) stat_of (h, "classifications"), want[k]);
    g_free (launch);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* --- overlay ------------------------------------------------------------ */

/* Pushes a grey frame with one face ROI at (bx,by,bw,bh) and returns the
 * bounding box of changed pixels (x0,y0,x1,y1 inclusive), or FALSE when no
 * pixel changed. Padding bytes must never change. */
static gboolean
overlay_changes (const gchar * format, gboolean overlay, gint bx, gint by, gint bw, gint bh,
    gint box[4])
{
  const gint w = 320, h = 240, pad = 16;
  gchar *launch = g_strdup_printf ("faceattr threads=1 inference-region=roi-list "
      "overlay=%s overlay-id=true overlay-confidence=true", overlay ? "true" : "false");
  GstHarness *hs = gst_harness_new_parse (launch);
  gchar *caps = caps_string (format, w, h);
  GstVideoInfo info;
  GstBuffer *in = make_frame (&info, format, w, h, pad), *ref, *out;
  GstMapInfo a, b;
  gboolean changed = FALSE;
  guint p;
  gsize i;

  gst_buffer_add_video_region_of_interest_meta (in, "face", bx, by, bw, bh);
  ref = gst_buffer_copy_deep (in);
  gst_harness_set_src_caps_str (hs, caps);
  fail_unless_equals_int (gst_harness_push (hs, in), GST_FLOW_OK);
  out = gst_harness_pull (hs);
  gst_buffer_map (ref, &a, GST_MAP_READ);
  gst_buffer_map (out, &b, GST_MAP_READ);
  fail_unless_equals_int (a.size, b.size);
  box[0] = box[1] = G_MAXINT;
  box[2] = box[3] = -1;
  for (p = 0; p < GST_VIDEO_INFO_N_PLANES (&info); p++) {
    gint stride = info.stride[p];
    gint rows = plane_rows (&info, p, h);
    gboolean chroma = p > 0 && GST_VIDEO_INFO_N_PLANES (&info) > 1;
    gint pstride = GST_VIDEO_INFO_COMP_PSTRIDE (&info, p == 0 ? 0 : 1);
    gint row_bytes = stride - pad;
    if (GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_I420 && p > 0)
      pstride = 1;
    for (i = 0; i < (gsize) rows * stride; i++) {
      gsize at = info.offset[p] + i;
      gint row = (gint) (i / stride), col = (gint) (i % stride);
      if (a.data[at] == b.data[at])
        continue;
      fail_unless (col < row_bytes, "padding byte changed (plane %u row %d col %d)", p, row,
          col);
      {
        gint x = col / pstride, y = row;
        if (chroma) {
          x *= 2;
          y *= 2;
        }
        changed = TRUE;
        box[0] = MIN (box[0], x);
        box[1] = MIN (box[1], y);
        box[2] = MAX (box[2], x);
        box[3] = MAX (box[3], y);
      }
    }
  }
  gst_buffer_unmap (ref, &a);
  gst_buffer_unmap (out, &b);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
  gst_harness_teardown (hs);
  g_free (caps);
  g_free (launch);
  return changed;
}

GST_START_TEST (test_overlay_only_when_on_and_near_faces)
{
  const gchar *formats[] = { "RGB", "BGRx", "ARGB", "I420", "NV12", "GRAY8" };
  guint f;
  REQUIRE_MODELS ();
  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    gint box[4];
    /* off: not one byte changes */
    fail_if (overlay_changes (formats[f], FALSE, 100, 100, 80, 80, box),
        "overlay=false changed pixels in %s", formats[f]);
    /* on: changes, all within the box plus its label tab above (a 9 px
     * high tab at this size) and one chroma block of slack */
    fail_unless (overlay_changes (formats[f], TRUE, 100, 100, 80, 80, box),
        "overlay=true drew nothing in %s", formats[f]);
    fail_unless (box[0] >= 98 && box[1] >= 100 - 12 && box[3] <= 181 && box[2] <= 260,
        "%s: drawing at (%d,%d)-(%d,%d) strays from the face", formats[f], box[0], box[1],
        box[2], box[3]);
    /* a face across the bottom-right corner: clipped, padding untouched */
    fail_unless (overlay_changes (formats[f], TRUE, 280, 200, 80, 80, box));
    fail_unless (box[2] < 320 && box[3] < 240);
  }
}
GST_END_TEST;

GST_START_TEST (test_no_copy_without_overlay)
{
  GstHarness *h;
  GstBuffer *in, *out;
  GstMemory *mem;
  REQUIRE_MODELS ();
  h = gst_harness_new_parse ("faceattr detector=short threads=1");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=64,height=48");
  in = make_frame (NULL, "RGB", 64, 48, 0);
  mem = gst_buffer_peek_memory (in, 0);
  gst_buffer_ref (in);          /* shared: a write map would have to copy */
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (gst_buffer_peek_memory (out, 0) == mem, "pixels were copied");
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* --- properties, errors, state changes ---------------------------------- */

static gboolean
value_refused (GstElement * e, const gchar * prop, const gchar * text)
{
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop);
  GValue v = G_VALUE_INIT;
  gboolean refused;
  fail_unless (ps != NULL, "no property %s", prop);
  g_value_init (&v, ps->value_type);
  if (!gst_value_deserialize (&v, text)) {
    g_value_unset (&v);
    return TRUE;
  }
  refused = g_param_value_validate (ps, &v); /* TRUE: had to be changed */
  g_value_unset (&v);
  return refused;
}

GST_START_TEST (test_bad_property_values)
{
  GstElement *e = gst_element_factory_make ("faceattr", NULL);
  fail_unless (e != NULL);
  fail_unless (value_refused (e, "threshold", "1.5"));
  fail_unless (value_refused (e, "threshold", "-0.1"));
  fail_unless (value_refused (e, "max-faces", "0"));
  fail_unless (value_refused (e, "max-faces", "100000"));
  fail_unless (value_refused (e, "inference-interval", "0"));
  fail_unless (value_refused (e, "reclassify-interval", "0"));
  fail_unless (value_refused (e, "min-face-size", "-3"));
  fail_unless (value_refused (e, "threads", "-1"));
  fail_unless (value_refused (e, "detector", "bogus"));
  fail_unless (value_refused (e, "inference-region", "everywhere"));
  fail_if (value_refused (e, "detector", "long"));
  fail_if (value_refused (e, "threshold", "0.7"));
  fail_if (value_refused (e, "inference-region", "roi-list"));
  /* and the element keeps its defaults when handed junk as a string */
  gst_util_set_object_arg (G_OBJECT (e), "detector", "bogus");
  {
    gint det;
    g_object_get (e, "detector", &det, NULL);
    fail_unless_equals_int (det, 2);
  }
  gst_object_unref (e);
}
GST_END_TEST;

static gchar *
error_of_pipeline (const gchar * launch)
{
  GstElement *pipe = gst_parse_launch (launch, NULL);
  GstBus *bus;
  GstMessage *msg;
  gchar *text = NULL;
  GstStateChangeReturn ret;

  fail_unless (pipe != NULL);
  ret = gst_element_set_state (pipe, GST_STATE_PAUSED);
  fail_unless (ret == GST_STATE_CHANGE_FAILURE || ret == GST_STATE_CHANGE_ASYNC);
  bus = gst_element_get_bus (pipe);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  if (msg) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  return text;
}

GST_START_TEST (test_bad_model_path_errors)
{
  gchar *text, *corrupt, *launch;
  text = error_of_pipeline ("videotestsrc num-buffers=1 ! faceattr "
      "detector-model=/nonexistent/dir/face.onnx ! fakesink");
  fail_unless (text != NULL, "no error on the bus");
  fail_unless (strstr (text, "/nonexistent/dir/face.onnx") != NULL, "message names no file: %s",
      text);
  g_free (text);

  corrupt = g_build_filename (g_get_tmp_dir (), "faceattr-corrupt-XXXXXX.onnx", NULL);
  {
    gint fd = g_mkstemp (corrupt);
    fail_unless (fd >= 0);
    fail_unless (write (fd, "this is not a protobuf\x01\x02\x03", 25) == 25);
    close (fd);
  }
  launch = g_strdup_printf ("videotestsrc num-buffers=1 ! faceattr attributes-model=%s ! "
      "fakesink", corrupt);
  text = error_of_pipeline (launch);
  fail_unless (text != NULL, "no error for a corrupt model");
  g_unlink (corrupt);
  g_free (corrupt);
  g_free (launch);
  g_free (text);
}
GST_END_TEST;

GST_START_TEST (test_state_cycles)
{
  GstElement *pipe;
  gint i;
  REQUIRE_MODELS ();
  pipe = gst_parse_launch ("videotestsrc is-live=false ! video/x-raw,width=64,height=48 ! "
      "faceattr detector=short threads=1 ! fakesink", NULL);
  fail_unless (pipe != NULL);
  for (i = 0; i < 100; i++) {
    fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND),
        GST_STATE_CHANGE_SUCCESS);
    fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  gst_object_unref (pipe);
}
GST_END_TEST;

GST_START_TEST (test_flush_resets_tracker)
{
  GstHarness *h;
  GstBuffer *in, *out;
  gint id = 0;
  REQUIRE_MODELS ();
  h = gst_harness_new_parse ("faceattr threads=1 inference-region=roi-list");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=160,height=120");
  in = make_frame (NULL, "RGB", 160, 120, 0);
  gst_buffer_add_video_region_of_interest_meta (in, "face", 10, 10, 50, 50);
  gst_harness_push (h, in);
  gst_buffer_unref (gst_harness_pull (h));
  /* a different place: a new track (id 2) without a flush */
  in = make_frame (NULL, "RGB", 160, 120, 0);
  gst_buffer_add_video_region_of_interest_meta (in, "face", 100, 60, 50, 50);
  gst_harness_push (h, in);
  out = gst_harness_pull (h);
  gst_structure_get_int (gst_video_region_of_interest_meta_get_param
      (face_roi (out, 0), "object_id"), "id", &id);
  fail_unless_equals_int (id, 2);
  gst_buffer_unref (out);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  {
    GstSegment seg;
    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  }
  in = make_frame (NULL, "RGB", 160, 120, 0);
  gst_buffer_add_video_region_of_interest_meta (in, "face", 100, 60, 50, 50);
  gst_harness_push (h, in);
  out = gst_harness_pull (h);
  gst_structure_get_int (gst_video_region_of_interest_meta_get_param
      (face_roi (out, 0), "object_id"), "id", &id);
  fail_unless_equals_int (id, 1);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* Downstream says frames before 10 s are late: the detector is skipped,
 * yet every frame still comes out (the tracker fills in). */
GST_START_TEST (test_qos_skips_inference)
{
  GstHarness *h;
  gint i;
  REQUIRE_MODELS ();
  h = gst_harness_new_parse ("faceattr detector=short threads=1");
  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=RGB,width=96,height=64,framerate=25/1");
  /* the first frame runs (nothing to go by yet) */
  fail_unless_equals_int (gst_harness_push (h, make_frame (NULL, "RGB", 96, 64, 0)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless (gst_harness_push_upstream_event (h,
          gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 0.5, 0, 10 * GST_SECOND)));
  for (i = 1; i <= 5; i++) {
    GstBuffer *b = make_frame (NULL, "RGB", 96, 64, 0);
    GstBuffer *out;
    GST_BUFFER_PTS (b) = i * 40 * GST_MSECOND;
    GST_BUFFER_DURATION (b) = 40 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (out != NULL, "frame %d dropped", i);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int ((gint) stat_of (h, "frames"), 6);
  fail_unless_equals_int ((gint) stat_of (h, "inferences"), 1);
  fail_unless_equals_int ((gint) stat_of (h, "skipped"), 5);
  gst_harness_teardown (h);
}
GST_END_TEST;

static gchar *
demo_photo (void)
{
  const gchar *root = g_getenv ("FACEATTR_SOURCE_ROOT");
  gchar *p = g_build_filename (root ? root : ".", ".cache", "npm", "face-api", "package",
      "demo", "sample6.jpg", NULL);
  if (!g_file_test (p, G_FILE_TEST_EXISTS)) {
    g_free (p);
    return NULL;
  }
  return p;
}

/* A real photo (four women, face-api demo sample6): faces carry every
 * param, and the "faceattr" message lists the same faces and fields. */
GST_START_TEST (test_photo_metadata_and_message)
{
  gchar *photo = demo_photo (), *launch;
  GstElement *pipe, *sink;
  GstSample *sample;
  GstBuffer *buf;
  GstBus *bus;
  GstMessage *msg;
  const GstStructure *s;
  const GValue *faces;
  guint i, n;

  fail_unless (photo != NULL);
  launch = g_strdup_printf ("filesrc location=%s ! jpegdec ! videoconvert ! "
      "video/x-raw,format=NV12 ! imagefreeze num-buffers=1 ! faceattr threads=2 ! "
      "appsink name=sink sync=false", photo);
  pipe = gst_parse_launch (launch, NULL);
  fail_unless (pipe != NULL);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  g_signal_emit_by_name (sink, "pull-sample", &sample);
  fail_unless (sample != NULL);
  buf = gst_sample_get_buffer (sample);
  n = count_faces (buf);
  fail_unless (n >= 4, "only %u faces in a photo of four", n);
  for (i = 0; i < n; i++)
    check_face_params (face_roi (buf, i));

  bus = gst_element_get_bus (pipe);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL, "no element message");
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_has_name (s, "faceattr"));
  fail_unless (gst_structure_has_field_typed (s, "timestamp", G_TYPE_UINT64));
  fail_unless (gst_structure_has_field_typed (s, "stream-time", G_TYPE_UINT64));
  fail_unless (gst_structure_has_field_typed (s, "running-time", G_TYPE_UINT64));
  faces = gst_structure_get_value (s, "faces");
  fail_unless (faces && GST_VALUE_HOLDS_LIST (faces));
  fail_unless_equals_int (gst_value_list_get_size (faces), n);
  for (i = 0; i < n; i++) {
    const GstStructure *f = gst_value_get_structure (gst_value_list_get_value (faces, i));
    GstVideoRegionOfInterestMeta *roi = face_roi (buf, i);
    guint x;
    fail_unless (gst_structure_has_name (f, "face"));
    fail_unless (gst_structure_get_uint (f, "x", &x) && x == roi->x);
    fail_unless (gst_structure_has_field_typed (f, "detection", GST_TYPE_STRUCTURE));
    fail_unless (gst_structure_has_field_typed (f, "age", GST_TYPE_STRUCTURE));
    fail_unless (gst_structure_has_field_typed (f, "gender", GST_TYPE_STRUCTURE));
    fail_unless (gst_structure_has_field_typed (f, "object_id", GST_TYPE_STRUCTURE));
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_sample_unref (sample);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_free (launch);
  g_free (photo);
}
GST_END_TEST;

static Suite *
faceattr_suite (void)
{
  Suite *s = suite_create ("faceattr");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_negotiate_all_formats);
  tcase_add_test (tc, test_odd_sizes_and_strides);
  tcase_add_test (tc, test_renegotiate_mid_stream);
  tcase_add_test (tc, test_64_faces_roi_list);
  tcase_add_test (tc, test_inference_interval);
  tcase_add_test (tc, test_reclassify_interval);
  tcase_add_test (tc, test_overlay_only_when_on_and_near_faces);
  tcase_add_test (tc, test_no_copy_without_overlay);
  tcase_add_test (tc, test_bad_property_values);
  tcase_add_test (tc, test_bad_model_path_errors);
  tcase_add_test (tc, test_state_cycles);
  tcase_add_test (tc, test_flush_resets_tracker);
  tcase_add_test (tc, test_photo_metadata_and_message);
  tcase_add_test (tc, test_qos_skips_inference);
  return s;
}

int
main (int argc, char **argv)
{
  const gchar *only = g_getenv ("GST_CHECKS");
  gboolean needs_models = TRUE;
  guint i;
  Suite *s;

  gst_check_init (&argc, &argv);
  for (i = 0; only && i < G_N_ELEMENTS (cases_without_models); i++)
    if (g_str_equal (only, cases_without_models[i]))
      needs_models = FALSE;
  if (needs_models && !models_present ()) {
    g_print ("SKIP: the bundled models are not in $FACEATTR_MODEL_DIR (%s)\n",
        GST_STR_NULL (g_getenv ("FACEATTR_MODEL_DIR")));
    return 77;
  }
  if (only && g_str_equal (only, "test_photo_metadata_and_message")) {
    gchar *photo = demo_photo ();
    if (!photo) {
      g_print ("SKIP: face-api demo photos not in .cache/npm "
          "(run tools/fetch-model-packages)\n");
      return 77;
    }
    g_free (photo);
  }
  s = faceattr_suite ();
  return gst_check_run_suite (s, "faceattr", __FILE__);
}
