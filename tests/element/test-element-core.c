/* The element's core pieces without GStreamer: tracker ids, motion and
 * smoothing; the JSON schema (exact text, locale-independent numbers);
 * overlay drawing in every format, clipped to the frame. */
#include "fa-core.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...)                                                                    \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      failures++;                                                                          \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);            \
      fprintf(stderr, __VA_ARGS__);                                                        \
      fputc('\n', stderr);                                                                 \
    }                                                                                      \
  } while (0)

static fa_face face_at(float x, float y, float s)
{
  fa_face f;
  memset(&f, 0, sizeof f);
  f.x = x;
  f.y = y;
  f.w = s;
  f.h = s;
  f.confidence = 0.9f;
  return f;
}

static void with_attributes(fa_face *f, float age, float male)
{
  f->has_attributes = 1;
  f->age = age;
  f->age_group = fa_age_group_of(age);
  f->male_prob = male;
  f->gender = male >= 0.5f ? FA_GENDER_MALE : FA_GENDER_FEMALE;
  f->gender_conf = male >= 0.5f ? male : 1 - male;
}

static void test_tracker(void)
{
  fa_tracker *t = fa_tracker_new();
  fa_face f[2], p[4];
  CHECK(t != NULL, "no tracker");

  /* two faces moving right 4 px per frame keep their ids */
  int id0 = 0, id1 = 0;
  for (int frame = 0; frame < 10; frame++) {
    f[0] = face_at(10.f + 4 * frame, 10, 50);
    f[1] = face_at(200.f + 4 * frame, 100, 60);
    fa_tracker_update(t, f, 2);
    if (frame == 0) {
      id0 = f[0].track_id;
      id1 = f[1].track_id;
      CHECK(id0 > 0 && id1 > 0 && id0 != id1, "ids %d %d", id0, id1);
    }
    CHECK(f[0].track_id == id0 && f[1].track_id == id1, "frame %d: ids %d %d", frame,
          f[0].track_id, f[1].track_id);
  }
  /* prediction continues the motion: 3 frames later, +12 px */
  int n = 0;
  for (int k = 0; k < 3; k++)
    n = fa_tracker_predict(t, p, 4);
  CHECK(n == 2, "predicted %d faces", n);
  for (int i = 0; i < n; i++) {
    float expect = p[i].track_id == id0 ? 10.f + 4 * 12 : 200.f + 4 * 12;
    CHECK(p[i].x > expect - 1.f && p[i].x < expect + 1.f, "predicted x %.1f want %.1f",
          p[i].x, expect);
  }
  /* a face far away starts a new track */
  f[0] = face_at(600, 400, 40);
  fa_tracker_update(t, f, 1);
  CHECK(f[0].track_id != id0 && f[0].track_id != id1 && f[0].track_id > 0, "new id %d",
        f[0].track_id);
  /* the missed tracks are not reported by predict */
  n = fa_tracker_predict(t, p, 4);
  CHECK(n == 1, "after a miss: %d faces", n);

  /* smoothing: mean of the estimates */
  fa_tracker_reset(t);
  float ages[] = {20, 30, 40}, males[] = {0.9f, 0.3f, 0.9f};
  for (int k = 0; k < 3; k++) {
    f[0] = face_at(50, 50, 80);
    fa_tracker_update(t, f, 1);
    CHECK(f[0].track_id == 1, "id after reset %d", f[0].track_id);
    CHECK(fa_tracker_wants_attributes(t, f[0].track_id, 1), "wants");
    with_attributes(&f[0], ages[k], males[k]);
    fa_tracker_add_attributes(t, &f[0]);
  }
  CHECK(f[0].age > 29.9f && f[0].age < 30.1f, "mean age %.2f", f[0].age);
  CHECK(f[0].male_prob > 0.69f && f[0].male_prob < 0.71f && f[0].gender == FA_GENDER_MALE,
        "mean P(male) %.2f", f[0].male_prob);
  /* reclassify interval: not due right after an estimate */
  f[0] = face_at(50, 50, 80);
  fa_tracker_update(t, f, 1);
  CHECK(!fa_tracker_wants_attributes(t, f[0].track_id, 3), "due too early");
  CHECK(f[0].has_attributes && f[0].age > 29.9f, "smoothed attributes carried");
  fa_tracker_set_smoothing(t, 0);
  f[0] = face_at(50, 50, 80);
  fa_tracker_update(t, f, 1);
  CHECK(f[0].age > 39.9f, "without smoothing: latest %.1f", f[0].age);
  fa_tracker_free(t);
}

/* Age/gender back-off: which frames a tracked face is estimated on. */
static int estimate_frames(int interval, int frames, int grow_at, int *when, int max_when)
{
  fa_tracker *t = fa_tracker_new();
  int n = 0;
  for (int i = 0; i < frames; i++) {
    fa_face f = face_at(100 + i, 50, grow_at >= 0 && i >= grow_at ? 130.f : 100.f);
    fa_tracker_update(t, &f, 1);
    if (fa_tracker_wants_attributes(t, f.track_id, interval)) {
      with_attributes(&f, 30, 0.2f);
      fa_tracker_add_attributes(t, &f);
      if (n < max_when)
        when[n] = i;
      n++;
    }
  }
  fa_tracker_free(t);
  return n;
}

static void test_reclassify_backoff(void)
{
  static const int gaps25[] = {1, 1, 1, 2, 4, 8, 16, 25, 25, 25};
  for (int k = 1; k < 10; k++)
    CHECK(fa_tracker_estimate_gap(k, 25) == gaps25[k], "gap after %d estimates: %d", k,
          fa_tracker_estimate_gap(k, 25));
  CHECK(fa_tracker_estimate_gap(7, 1) == 1 && fa_tracker_estimate_gap(0, 25) == 1 &&
            fa_tracker_estimate_gap(1000, 25) == 25 && fa_tracker_estimate_gap(6, 5) == 5,
        "gap limits");

  int when[64], n;
  /* interval 1: every frame */
  n = estimate_frames(1, 40, -1, when, 64);
  CHECK(n == 40, "interval 1: %d estimates in 40 frames", n);
  /* 25: frames 0, 1, 2, 4, 8, 16, 32, 57, 82 */
  static const int want25[] = {0, 1, 2, 4, 8, 16, 32, 57, 82};
  n = estimate_frames(25, 100, -1, when, 64);
  CHECK(n == 9, "interval 25: %d estimates in 100 frames", n);
  for (int i = 0; i < n && i < 9; i++)
    CHECK(when[i] == want25[i], "interval 25: estimate %d on frame %d, want %d", i, when[i],
          want25[i]);
  /* 4: 0, 1, 2, 4, then every 4th */
  n = estimate_frames(4, 40, -1, when, 64);
  CHECK(n == 12 && when[3] == 4 && when[4] == 8 && when[11] == 36,
        "interval 4: %d estimates (4th on %d)", n, when[3]);
  /* a face grown by 30% on frame 10 is estimated at once: 0, 1, 2, 4, 8,
   * 10, then 16 frames later */
  static const int want_grown[] = {0, 1, 2, 4, 8, 10, 26};
  n = estimate_frames(25, 40, 10, when, 64);
  CHECK(n == 7, "grown face: %d estimates in 40 frames", n);
  for (int i = 0; i < n && i < 7; i++)
    CHECK(when[i] == want_grown[i], "grown face: estimate %d on frame %d, want %d", i,
          when[i], want_grown[i]);
}

static void test_json(void)
{
  fa_face f = face_at(10.4f, 20.6f, 100);
  with_attributes(&f, 27.456f, 0.2f);
  f.track_id = 3;
  char buf[1024];
  setlocale(LC_NUMERIC, "de_DE.UTF-8"); /* decimal comma, if installed */
  size_t n = fa_json_objects(buf, sizeof buf, &f, 1, 200, 100);
  setlocale(LC_NUMERIC, "C");
  const char *want =
    "[{\"x\":10,\"y\":21,\"w\":100,\"h\":100,\"id\":3,\"roi_type\":\"face\","
    "\"detection\":{\"bounding_box\":{\"x_min\":0.0500,\"y_min\":0.2100,\"x_max\":0.5500,"
    "\"y_max\":1.2100},\"confidence\":0.9000,\"label\":\"face\",\"label_id\":0},"
    "\"age\":{\"label\":\"27\",\"value\":27.46,\"group\":\"25-32\"},"
    "\"gender\":{\"label\":\"Female\",\"confidence\":0.8000,\"label_id\":0}}]";
  CHECK(strcmp(buf, want) == 0, "\n got  %s\n want %s", buf, want);
  CHECK(n == strlen(want), "length %zu", n);
  /* snprintf style: a short buffer reports the needed size, terminated */
  char small[8];
  CHECK(fa_json_objects(small, sizeof small, &f, 1, 200, 100) == n, "needed size");
  CHECK(small[sizeof small - 1] == '\0', "short buffer terminated");
  CHECK(fa_json_objects(buf, sizeof buf, NULL, 0, 200, 100) == 2 && !strcmp(buf, "[]"),
        "empty list: %s", buf);
}

static void test_draw(void)
{
  static const int w = 37, h = 23, pad = 5;
  for (int fmt = 0; fmt < FA_FMT_COUNT; fmt++) {
    int bpp[] = {3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 1, 1, 1};
    fa_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.format = (fa_pixel_format)fmt;
    fr.width = w;
    fr.height = h;
    int planes = fmt == FA_FMT_I420 ? 3 : fmt == FA_FMT_NV12 ? 2 : 1;
    size_t total = 0, off[3];
    for (int p = 0; p < planes; p++) {
      int row = p == 0 ? w * bpp[fmt] : fmt == FA_FMT_NV12 ? 2 * ((w + 1) / 2) : (w + 1) / 2;
      int rows = p == 0 ? h : (h + 1) / 2;
      fr.strides[p] = row + pad;
      off[p] = total;
      total += (size_t)fr.strides[p] * rows;
    }
    /* a guard zone after the frame catches writes past the last plane */
    uint8_t *mem = malloc(total + 64);
    memset(mem, 0x11, total + 64);
    for (int p = 0; p < planes; p++)
      fr.planes[p] = mem + off[p];
    fa_face faces[3] = {face_at(-10, -10, 20), face_at(30, 15, 40), face_at(5, 5, 10)};
    with_attributes(&faces[1], 80, 0.9f);
    fa_draw_options opts = {1, 1};
    faces[1].track_id = 12345;
    fa_draw_faces(&fr, faces, 3, &opts);
    int changed = 0;
    for (int p = 0; p < planes; p++) {
      int row = fr.strides[p] - pad, rows = p == 0 ? h : (h + 1) / 2;
      for (int y = 0; y < rows; y++)
        for (int x = 0; x < fr.strides[p]; x++) {
          uint8_t v = fr.planes[p][(size_t)y * fr.strides[p] + x];
          if (x >= row)
            CHECK(v == 0x11, "format %d plane %d: padding written at %d,%d", fmt, p, x, y);
          else
            changed += v != 0x11;
        }
    }
    for (int i = 0; i < 64; i++)
      CHECK(mem[total + i] == 0x11, "format %d: wrote past the frame", fmt);
    CHECK(changed > 0, "format %d: nothing drawn", fmt);
    free(mem);
  }
  /* a 1x1 frame survives any box */
  uint8_t px[3] = {0, 0, 0};
  fa_frame one = {FA_FMT_RGB, 1, 1, {px, NULL, NULL}, {3, 0, 0}};
  fa_face big = face_at(-100, -100, 1000);
  fa_draw_faces(&one, &big, 1, NULL);
}

int main(void)
{
  test_tracker();
  test_reclassify_backoff();
  test_json();
  test_draw();
  if (failures)
    fprintf(stderr, "%d checks failed\n", failures);
  else
    printf("all element core checks passed\n");
  return failures ? 1 : 0;
}
