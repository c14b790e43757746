/* The "objects" array of faceattr's JSON output (schema in README.md,
 * "## Metadata"). The element's faceattrjson and the photo tool both call
 * fa_json_objects, so the schema lives in exactly one place.
 *
 * Numbers are formatted by hand rather than with printf("%f"): printf follows
 * LC_NUMERIC, and a decimal comma (de_DE, fr_FR, ...) would break the JSON. */
#include "fa-core.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* snprintf-style appender: keeps counting the needed length after the buffer
 * is full, so the caller learns how big it must be. */
typedef struct out {
  char *buf;
  size_t size, len;
} out;

static void put(out *o, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->len < o->size ? o->size - o->len : 0;
  int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n > 0)
    o->len += (size_t)n;
}

/* A fixed-point decimal with `decimals` digits, independent of the locale.
 * Non-finite values become 0 (JSON has no NaN). */
static void put_fixed(out *o, double v, int decimals)
{
  static const long long pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (!isfinite(v))
    v = 0;
  long long scale = pow10[decimals];
  long long q = llround(fabs(v) * (double)scale);
  const char *sign = v < 0 && q != 0 ? "-" : "";
  if (decimals == 0)
    put(o, "%s%lld", sign, q);
  else
    put(o, "%s%lld.%0*lld", sign, q / scale, decimals, q % scale);
}

static long long round_ll(float v)
{
  return isfinite(v) ? llroundf(v) : 0;
}

static void put_face(out *o, const fa_face *f, int frame_w, int frame_h)
{
  /* Integer pixels, as in GstVideoRegionOfInterestMeta; the normalised box is
   * derived from the same integers so both views of a face agree. */
  long long x = round_ll(f->x), y = round_ll(f->y), w = round_ll(f->w), h = round_ll(f->h);
  double fw = frame_w > 0 ? frame_w : 1, fh = frame_h > 0 ? frame_h : 1;

  put(o, "{\"x\":%lld,\"y\":%lld,\"w\":%lld,\"h\":%lld,\"id\":%d,\"roi_type\":\"face\"", x, y, w,
      h, f->track_id);
  put(o, ",\"detection\":{\"bounding_box\":{\"x_min\":");
  put_fixed(o, x / fw, 4);
  put(o, ",\"y_min\":");
  put_fixed(o, y / fh, 4);
  put(o, ",\"x_max\":");
  put_fixed(o, (x + w) / fw, 4);
  put(o, ",\"y_max\":");
  put_fixed(o, (y + h) / fh, 4);
  put(o, "},\"confidence\":");
  put_fixed(o, f->confidence, 4);
  put(o, ",\"label\":\"face\",\"label_id\":0}");

  if (f->has_attributes) {
    int group = f->age_group >= 0 && f->age_group < FA_AGE_GROUP_COUNT ? f->age_group
                                                                       : fa_age_group_of(f->age);
    const char *group_label = fa_age_group_label(group);
    put(o, ",\"age\":{\"label\":\"%lld\",\"value\":", round_ll(f->age));
    put_fixed(o, f->age, 2);
    put(o, ",\"group\":\"%s\"}", group_label ? group_label : "");
    put(o, ",\"gender\":{\"label\":\"%s\",\"confidence\":",
        f->gender == FA_GENDER_MALE ? "Male" : "Female");
    put_fixed(o, f->gender_conf, 4);
    put(o, ",\"label_id\":%d}", f->gender == FA_GENDER_MALE ? 1 : 0);
  }
  put(o, "}");
}

size_t fa_json_objects(char *buf, size_t size, const fa_face *faces, int n_faces, int frame_w,
                       int frame_h)
{
  out o = {buf, size, 0};
  if (buf && size)
    buf[0] = '\0';
  put(&o, "[");
  for (int i = 0; i < n_faces && faces; i++) {
    if (i)
      put(&o, ",");
    put_face(&o, &faces[i], frame_w, frame_h);
  }
  put(&o, "]");
  return o.len;
}
