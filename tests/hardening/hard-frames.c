/* Odd streams through faceattr (GstHarness): extreme frame sizes, black and
 * white frames, buffers without timestamps, caps that change every few
 * frames, flush storms (in-band and from another thread), 500 faces in one
 * frame from region metas and from the detector.
 *
 *   hard-frames CASE
 *
 * Every case runs under a watchdog: a hang is a failure with a message. */
#include <gst/check/gstharness.h>
#include <math.h>

#include "hard-gst.h"

static GstHarness *harness(const gchar *desc, const gchar *caps) {
  GstHarness *h = gst_harness_new_parse(desc);
  gst_harness_set_src_caps_str(h, caps);
  return h;
}

/* Pushes one frame of `info` filled with `fill`; returns the output buffer
 * (or NULL after a failed push). */
static GstBuffer *push_frame(GstHarness *h, GstVideoInfo *info, guint8 fill) {
  GstFlowReturn ret = gst_harness_push(h, hard_frame(info, fill));
  CHECK(ret == GST_FLOW_OK, "push: %s", gst_flow_get_name(ret));
  return ret == GST_FLOW_OK ? gst_harness_pull(h) : NULL;
}

/* Every face's age and gender probability on a buffer are finite and in range. */
static void check_face_values(GstBuffer *buf, const gchar *what) {
  gpointer state = NULL;
  GstMeta *m;
  while ((m = gst_buffer_iterate_meta_filtered(buf, &state,
                                               GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)m;
    GstStructure *age = gst_video_region_of_interest_meta_get_param(roi, "age");
    GstStructure *gender = gst_video_region_of_interest_meta_get_param(roi, "gender");
    gdouble a = -1, c = -1;
    CHECK(age && gst_structure_get_double(age, "value", &a) && isfinite(a) && a >= 0 && a < 150,
          "%s: age %g", what, a);
    CHECK(gender && gst_structure_get_double(gender, "confidence", &c) && c >= 0.5 && c <= 1,
          "%s: gender confidence %g", what, c);
  }
}

/* 1x1 up to 8192x8192, thin strips, odd sizes: no faces on a flat frame,
 * no error. */
static void case_sizes(void) {
  static const struct { const gchar *fmt; gint w, h; } sizes[] = {
    {"GRAY8", 1, 1}, {"I420", 1, 1}, {"NV12", 1, 1}, {"RGB", 1, 1}, {"BGRx", 1, 1},
    {"I420", 2, 2}, {"RGB", 3, 1}, {"GRAY8", 1, 8192}, {"GRAY8", 8192, 1},
    {"I420", 8191, 3}, {"GRAY8", 8192, 8192}, {"I420", 8192, 8192},
  };
  for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
    static const gchar *const dets[] = {"short", "long", "auto"};
    for (guint d = 0; d < G_N_ELEMENTS(dets); d++) {
      gchar *caps = g_strdup_printf("video/x-raw,format=%s,width=%d,height=%d,framerate=25/1",
                                    sizes[i].fmt, sizes[i].w, sizes[i].h);
      gchar *desc = g_strdup_printf("faceattr threads=2 detector=%s", dets[d]);
      GstVideoInfo info;
      GstHarness *h;
      GstBuffer *out;
      hard_watchdog(caps, 120);
      h = harness(desc, caps);
      gst_video_info_set_format(&info, gst_video_format_from_string(sizes[i].fmt), sizes[i].w,
                                sizes[i].h);
      out = push_frame(h, &info, 0x80);
      CHECK(out != NULL, "%s %s: no output", caps, dets[d]);
      if (out) {
        CHECK(hard_count_faces(out) == 0, "%s %s: %u faces on a flat frame", caps, dets[d],
              hard_count_faces(out));
        gst_buffer_unref(out);
      }
      gst_harness_teardown(h);
      g_free(desc);
      g_free(caps);
      alarm(0);
    }
  }
}

/* All-black and all-white frames (and bytes 0x00/0xFF in every plane, i.e.
 * extreme chroma too): no faces from the detector; a region given upstream
 * still gets a finite age and a gender probability in range. */
static void case_black_white(void) {
  static const gchar *const fmts[] = {"RGB", "BGRA", "I420", "NV12", "GRAY8"};
  static const guint8 fills[] = {0x00, 0xFF};
  for (guint i = 0; i < G_N_ELEMENTS(fmts); i++)
    for (guint k = 0; k < G_N_ELEMENTS(fills); k++) {
      gchar *caps = g_strdup_printf("video/x-raw,format=%s,width=320,height=240,framerate=25/1",
                                    fmts[i]);
      GstVideoInfo info;
      GstHarness *h;
      GstBuffer *in, *out;
      gchar *what = g_strdup_printf("%s fill 0x%02x", fmts[i], fills[k]);
      hard_watchdog(what, 60);
      gst_video_info_set_format(&info, gst_video_format_from_string(fmts[i]), 320, 240);
      h = harness("faceattr threads=1 detector=auto", caps);
      out = push_frame(h, &info, fills[k]);
      CHECK(out && hard_count_faces(out) == 0, "%s: faces found", what);
      if (out)
        gst_buffer_unref(out);
      gst_harness_teardown(h);

      h = harness("faceattr threads=1 inference-region=roi-list", caps);
      in = hard_frame(&info, fills[k]);
      gst_buffer_add_video_region_of_interest_meta(in, "face", 100, 60, 80, 80);
      CHECK(gst_harness_push(h, in) == GST_FLOW_OK, "%s: roi push", what);
      out = gst_harness_pull(h);
      CHECK(out && hard_count_faces(out) == 1, "%s: roi face lost", what);
      if (out) {
        check_face_values(out, what);
        gst_buffer_unref(out);
      }
      gst_harness_teardown(h);
      g_free(what);
      g_free(caps);
      alarm(0);
    }
}

/* Buffers with no PTS, DTS or duration: analysed like any other (the
 * deadline logic needs a timestamp, so it never skips them), and the
 * message still carries its fields. */
static void case_no_timestamps(void) {
  GstHarness *h;
  GstVideoInfo info;
  guint i;
  hard_watchdog("no timestamps", 60);
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 160, 120);
  h = harness("faceattr threads=1 detector=short inference-interval=2 post-messages=true",
              "video/x-raw,format=I420,width=160,height=120,framerate=25/1");
  for (i = 0; i < 20; i++) {
    GstBuffer *in = hard_frame(&info, (guint8)(i * 13));
    GstBuffer *out;
    GST_BUFFER_PTS(in) = GST_BUFFER_DTS(in) = GST_BUFFER_DURATION(in) = GST_CLOCK_TIME_NONE;
    CHECK(gst_harness_push(h, in) == GST_FLOW_OK, "push %u", i);
    out = gst_harness_pull(h);
    CHECK(out != NULL && !GST_BUFFER_PTS_IS_VALID(out), "frame %u", i);
    if (out)
      gst_buffer_unref(out);
  }
  {
    GstElement *e = gst_harness_find_element(h, "faceattr");
    GstStructure *s = NULL;
    guint64 frames = 0, inferences = 0, skipped = 1;
    g_object_get(e, "stats", &s, NULL);
    CHECK(s && gst_structure_get_uint64(s, "frames", &frames) && frames == 20, "frames %" G_GUINT64_FORMAT, frames);
    CHECK(s && gst_structure_get_uint64(s, "inferences", &inferences) && inferences == 10,
          "inferences %" G_GUINT64_FORMAT, inferences);
    CHECK(s && gst_structure_get_uint64(s, "skipped", &skipped) && skipped == 0,
          "skipped %" G_GUINT64_FORMAT, skipped);
    if (s)
      gst_structure_free(s);
    gst_object_unref(e);
  }
  gst_harness_teardown(h);
  alarm(0);
}

/* New caps every 3 frames for 90 frames: formats and sizes (1x1 included)
 * cycle; every frame comes out with the geometry of its caps. */
static void case_caps_storm(void) {
  static const gchar *const fmts[] = {"RGB", "I420", "NV12", "GRAY8", "xBGR", "BGR"};
  static const gint sizes[][2] = {{64, 48}, {1, 1}, {333, 211}, {17, 2}, {640, 360}, {2, 17}};
  GstHarness *h;
  guint i;
  hard_watchdog("caps storm", 120);
  h = gst_harness_new_parse("faceattr threads=1 detector=auto inference-interval=2");
  for (i = 0; i < 90; i++) {
    guint k = i / 3;
    const gchar *fmt = fmts[k % G_N_ELEMENTS(fmts)];
    gint w = sizes[(k / 2) % G_N_ELEMENTS(sizes)][0], hh = sizes[(k / 2) % G_N_ELEMENTS(sizes)][1];
    GstVideoInfo info;
    GstBuffer *out;
    if (i % 3 == 0) {
      gchar *caps = g_strdup_printf("video/x-raw,format=%s,width=%d,height=%d,framerate=30/1",
                                    fmt, w, hh);
      gst_harness_set_src_caps_str(h, caps);
      g_free(caps);
    }
    gst_video_info_set_format(&info, gst_video_format_from_string(fmt), w, hh);
    out = push_frame(h, &info, (guint8)(40 + i));
    if (out) {
      GstVideoMeta *vm = gst_buffer_get_video_meta(out);
      CHECK(vm && (gint)vm->width == w && (gint)vm->height == hh, "frame %u: geometry", i);
      gst_buffer_unref(out);
    }
  }
  gst_harness_teardown(h);
  alarm(0);
}

/* In-band: 300 x (frame, flush-start, flush-stop, new segment); then a
 * pipeline whose main thread fires 200 flushing seeks at a running stream.
 * No error, no hang, and the element still works afterwards. */
static void case_flush_storm(void) {
  GstHarness *h;
  GstVideoInfo info;
  guint i;
  hard_watchdog("in-band flush storm", 120);
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, 96, 64);
  h = harness("faceattr threads=1 detector=short inference-interval=3",
              "video/x-raw,format=GRAY8,width=96,height=64,framerate=25/1");
  for (i = 0; i < 300; i++) {
    GstSegment seg;
    GstBuffer *out = push_frame(h, &info, (guint8)i);
    if (out)
      gst_buffer_unref(out);
    CHECK(gst_harness_push_event(h, gst_event_new_flush_start()), "flush-start %u", i);
    CHECK(gst_harness_push_event(h, gst_event_new_flush_stop(i % 2 == 0)), "flush-stop %u", i);
    gst_segment_init(&seg, GST_FORMAT_TIME);
    CHECK(gst_harness_push_event(h, gst_event_new_segment(&seg)), "segment %u", i);
  }
  gst_harness_teardown(h);

  hard_watchdog("flushing seeks from the application thread", 120);
  {
    GstElement *pipe = gst_parse_launch(
        "videotestsrc pattern=ball ! video/x-raw,format=I420,width=128,height=96,framerate=30/1 ! "
        "faceattr threads=1 detector=short ! fakesink sync=false",
        NULL);
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *err;
    guint ok = 0;
    CHECK(gst_element_set_state(pipe, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE, "PLAYING");
    CHECK(gst_element_get_state(pipe, NULL, NULL, 20 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS,
          "preroll");
    for (i = 0; i < 200; i++) {
      gint64 pos = (gint64)(i % 17) * GST_SECOND / 3;
      ok += gst_element_seek_simple(pipe, GST_FORMAT_TIME,
                                    GST_SEEK_FLAG_FLUSH | (i % 3 ? 0 : GST_SEEK_FLAG_ACCURATE), pos);
      if (i % 20 == 0)
        g_usleep(2000);
    }
    CHECK(ok >= 190, "only %u of 200 seeks accepted", ok);
    err = gst_bus_timed_pop_filtered(bus, 500 * GST_MSECOND, GST_MESSAGE_ERROR);
    CHECK(err == NULL, "error after the seek storm");
    if (err)
      gst_message_unref(err);
    printf("flush storm: 300 in-band flushes, %u/200 flushing seeks accepted\n", ok);
    CHECK(gst_element_set_state(pipe, GST_STATE_NULL) == GST_STATE_CHANGE_SUCCESS, "to NULL");
    gst_object_unref(bus);
    gst_object_unref(pipe);
  }
  alarm(0);
}

/* 500 upstream face regions in one frame: all 500 come out with attributes
 * and distinct track ids. */
static void case_500_rois(void) {
  GstHarness *h;
  GstVideoInfo info;
  GstBuffer *in, *out;
  GHashTable *ids = g_hash_table_new(g_direct_hash, g_direct_equal);
  gint r, c;
  hard_watchdog("500 regions", 120);
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, 1280, 1024);
  h = harness("faceattr threads=2 inference-region=roi-list max-faces=1024",
              "video/x-raw,format=NV12,width=1280,height=1024,framerate=25/1");
  in = hard_frame(&info, 0x70);
  for (r = 0; r < 20; r++)
    for (c = 0; c < 25; c++)
      gst_buffer_add_video_region_of_interest_meta(in, "face", c * 50 + 5, r * 50 + 5, 40, 40);
  CHECK(gst_harness_push(h, in) == GST_FLOW_OK, "push");
  out = gst_harness_pull(h);
  CHECK(out && hard_count_faces(out) == 500, "faces out: %u", out ? hard_count_faces(out) : 0);
  if (out) {
    gpointer state = NULL;
    GstMeta *m;
    check_face_values(out, "500 regions");
    while ((m = gst_buffer_iterate_meta_filtered(out, &state,
                                                 GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
      GstStructure *s = gst_video_region_of_interest_meta_get_param(
          (GstVideoRegionOfInterestMeta *)m, "object_id");
      gint id = 0;
      if (s && gst_structure_get_int(s, "id", &id))
        g_hash_table_add(ids, GINT_TO_POINTER(id));
    }
    CHECK(g_hash_table_size(ids) == 500, "distinct ids: %u", g_hash_table_size(ids));
    gst_buffer_unref(out);
  }
  g_hash_table_destroy(ids);
  gst_harness_teardown(h);
  alarm(0);
}

/* One real face crop (UTKFace, from ../shared, never copied) decoded and
 * scaled to `size` px RGB by GStreamer. NULL when the data is absent. */
static GstBuffer *face_crop(gint size, GstVideoInfo *info) {
  const gchar *root = g_getenv("FACEATTR_SOURCE_ROOT");
  gchar *path = g_build_filename(root ? root : ".", "..", "shared", "data", "utkface-dev",
                                 "20_1_0_20170103175416510.jpg", NULL);
  gchar *launch;
  GstElement *pipe;
  GstSample *sample = NULL;
  GstBuffer *buf = NULL;
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_free(path);
    return NULL;
  }
  launch = g_strdup_printf("filesrc location=\"%s\" ! jpegdec ! videoconvert ! videoscale ! "
                           "video/x-raw,format=RGB,width=%d,height=%d ! appsink name=s",
                           path, size, size);
  pipe = gst_parse_launch(launch, NULL);
  if (pipe) {
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "s");
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    g_signal_emit_by_name(sink, "pull-sample", &sample);
    if (sample) {
      buf = gst_buffer_ref(gst_sample_get_buffer(sample));
      gst_video_info_from_caps(info, gst_sample_get_caps(sample));
      gst_sample_unref(sample);
    }
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipe);
  }
  g_free(launch);
  g_free(path);
  return buf;
}

/* A frame tiled with 500 copies of a real face (25 x 20 cells of 72 px,
 * faces 56 px): the detector finds most of them, reports at most
 * max-faces, and every reported face is classified. */
static void case_500_detected(void) {
  enum { CELL = 72, FACE = 56, COLS = 25, ROWS = 20 };
  GstVideoInfo crop_info, info;
  GstBuffer *crop, *in, *out;
  GstMapInfo cm, fm;
  GstHarness *h;
  gint r, c, y;
  hard_watchdog("500 detected faces", 300);
  crop = face_crop(FACE, &crop_info);
  if (!crop) {
    printf("SKIP: ../shared/data/utkface-dev is absent (face crops for the tiled frame)\n");
    exit(77);
  }
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, COLS * CELL, ROWS * CELL);
  in = hard_frame(&info, 0xC8);
  gst_buffer_map(crop, &cm, GST_MAP_READ);
  gst_buffer_map(in, &fm, GST_MAP_WRITE);
  for (r = 0; r < ROWS; r++)
    for (c = 0; c < COLS; c++)
      for (y = 0; y < FACE; y++)
        memcpy(fm.data + (gsize)(r * CELL + 8 + y) * GST_VIDEO_INFO_PLANE_STRIDE(&info, 0) +
                   (gsize)(c * CELL + 8) * 3,
               cm.data + (gsize)y * GST_VIDEO_INFO_PLANE_STRIDE(&crop_info, 0), FACE * 3);
  gst_buffer_unmap(in, &fm);
  gst_buffer_unmap(crop, &cm);
  gst_buffer_unref(crop);

  h = harness("faceattr threads=2 detector=auto max-faces=1024 min-face-size=10",
              "video/x-raw,format=RGB,width=1800,height=1440,framerate=25/1");
  CHECK(gst_harness_push(h, gst_buffer_ref(in)) == GST_FLOW_OK, "push");
  out = gst_harness_pull(h);
  if (out) {
    guint n = hard_count_faces(out);
    printf("500 tiled faces: detector reported %u\n", n);
    CHECK(n >= 250 && n <= 1024, "detector reported %u of 500 tiled faces", n);
    check_face_values(out, "500 detected");
    gst_buffer_unref(out);
  } else {
    CHECK(0, "no output");
  }
  gst_harness_teardown(h);
  /* the same frame with max-faces=100: exactly the cap */
  h = harness("faceattr threads=2 detector=auto max-faces=100 min-face-size=10",
              "video/x-raw,format=RGB,width=1800,height=1440,framerate=25/1");
  CHECK(gst_harness_push(h, in) == GST_FLOW_OK, "push");
  out = gst_harness_pull(h);
  CHECK(out && hard_count_faces(out) == 100, "max-faces=100: %u", out ? hard_count_faces(out) : 0);
  if (out)
    gst_buffer_unref(out);
  gst_harness_teardown(h);
  alarm(0);
}

int main(int argc, char **argv) {
  static const struct { const char *name; void (*fn)(void); } cases[] = {
    {"sizes", case_sizes}, {"black-white", case_black_white},
    {"no-timestamps", case_no_timestamps}, {"caps-storm", case_caps_storm},
    {"flush-storm", case_flush_storm}, {"500-rois", case_500_rois},
    {"500-detected", case_500_detected},
  };
  gst_init(&argc, &argv);
  if (argc < 2) {
    fprintf(stderr, "usage: %s CASE\n", argv[0]);
    return 2;
  }
  if (!hard_models_present()) {
    printf("SKIP: bundled models not found in $FACEATTR_MODEL_DIR\n");
    return 77;
  }
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    if (strcmp(argv[1], cases[i].name) == 0) {
      cases[i].fn();
      return hard_result(argv[1]);
    }
  fprintf(stderr, "unknown case %s\n", argv[1]);
  return 2;
}
