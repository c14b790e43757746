/* Faces <-> GstVideoRegionOfInterestMeta, following Intel DL Streamer's
 * convention for params structures so that existing consumers of DL
 * Streamer metadata read faceattr's output unchanged. */
#include "fa-gst-meta.h"

#include <math.h>
#include <string.h>

static guint
clip_round (float v, gint limit)
{
  long r = isfinite (v) ? lroundf (v) : 0;
  if (r < 0)
    r = 0;
  if (r > limit)
    r = limit;
  return (guint) r;
}

gboolean
fa_gst_meta_is_face (GstVideoRegionOfInterestMeta * roi)
{
  return roi && roi->roi_type == g_quark_from_static_string (FA_ROI_TYPE);
}

static void
set_or_add_param (GstVideoRegionOfInterestMeta * roi, GstStructure * s)
{
  /* A meta from upstream (inference-region=roi-list) may already carry a
   * structure of that name: replace its fields rather than adding a twin. */
  GstStructure *old = gst_video_region_of_interest_meta_get_param (roi,
      gst_structure_get_name (s));
  if (old) {
    gint i, n = gst_structure_n_fields (s);
    for (i = 0; i < n; i++) {
      const gchar *f = gst_structure_nth_field_name (s, i);
      gst_structure_set_value (old, f, gst_structure_get_value (s, f));
    }
    gst_structure_free (s);
  } else {
    gst_video_region_of_interest_meta_add_param (roi, s);
  }
}

GstVideoRegionOfInterestMeta *
fa_gst_meta_attach_face (GstBuffer * buf, GstVideoRegionOfInterestMeta * roi,
    const fa_face * f, gint width, gint height, const gchar * model_name)
{
  guint x0 = clip_round (f->x, width), y0 = clip_round (f->y, height);
  guint x1 = clip_round (f->x + f->w, width), y1 = clip_round (f->y + f->h, height);
  gdouble fw = width > 0 ? width : 1, fh = height > 0 ? height : 1;

  if (!roi)
    roi = gst_buffer_add_video_region_of_interest_meta (buf, FA_ROI_TYPE, x0, y0,
        x1 - x0, y1 - y0);
  else {
    /* keep upstream's box: the faces came from it */
    x0 = MIN (roi->x, (guint) MAX (width, 0));
    y0 = MIN (roi->y, (guint) MAX (height, 0));
    x1 = MIN (roi->x + roi->w, (guint) MAX (width, 0));
    y1 = MIN (roi->y + roi->h, (guint) MAX (height, 0));
  }

  set_or_add_param (roi, gst_structure_new ("detection",
          "x_min", G_TYPE_DOUBLE, x0 / fw, "y_min", G_TYPE_DOUBLE, y0 / fh,
          "x_max", G_TYPE_DOUBLE, x1 / fw, "y_max", G_TYPE_DOUBLE, y1 / fh,
          "confidence", G_TYPE_DOUBLE, (gdouble) f->confidence,
          "label_id", G_TYPE_INT, 0, "label", G_TYPE_STRING, "face", NULL));
  if (f->has_attributes) {
    gchar label[32];
    const gchar *group = fa_age_group_label (f->age_group);
    g_snprintf (label, sizeof label, "%ld", isfinite (f->age) ? lroundf (f->age) : 0L);
    set_or_add_param (roi, gst_structure_new ("age",
            "label", G_TYPE_STRING, label, "value", G_TYPE_DOUBLE, (gdouble) f->age,
            "group", G_TYPE_STRING, group ? group : "",
            "attribute_name", G_TYPE_STRING, "age",
            "model_name", G_TYPE_STRING, model_name, NULL));
    set_or_add_param (roi, gst_structure_new ("gender",
            "label", G_TYPE_STRING, f->gender == FA_GENDER_MALE ? "Male" : "Female",
            "confidence", G_TYPE_DOUBLE, (gdouble) f->gender_conf,
            "label_id", G_TYPE_INT, f->gender == FA_GENDER_MALE ? 1 : 0,
            "attribute_name", G_TYPE_STRING, "gender",
            "model_name", G_TYPE_STRING, model_name, NULL));
  }
  set_or_add_param (roi, gst_structure_new ("object_id", "id", G_TYPE_INT,
          f->track_id, NULL));
  return roi;
}

GstStructure *
fa_gst_meta_face_structure (GstVideoRegionOfInterestMeta * roi)
{
  static const gchar *const names[] = { "detection", "age", "gender", "object_id" };
  GstStructure *face = gst_structure_new ("face", "x", G_TYPE_UINT, roi->x,
      "y", G_TYPE_UINT, roi->y, "w", G_TYPE_UINT, roi->w, "h", G_TYPE_UINT, roi->h, NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GstStructure *p = gst_video_region_of_interest_meta_get_param (roi, names[i]);
    if (p)
      gst_structure_set (face, names[i], GST_TYPE_STRUCTURE, p, NULL);
  }
  return face;
}

gboolean
fa_gst_meta_to_face (GstVideoRegionOfInterestMeta * roi, fa_face * out)
{
  GstStructure *det, *age, *gender, *obj;
  gdouble d;
  gint i;

  if (!fa_gst_meta_is_face (roi))
    return FALSE;
  memset (out, 0, sizeof *out);
  out->x = roi->x;
  out->y = roi->y;
  out->w = roi->w;
  out->h = roi->h;
  out->confidence = 1.f;
  det = gst_video_region_of_interest_meta_get_param (roi, "detection");
  if (det && gst_structure_get_double (det, "confidence", &d))
    out->confidence = (float) d;
  obj = gst_video_region_of_interest_meta_get_param (roi, "object_id");
  if (obj && gst_structure_get_int (obj, "id", &i))
    out->track_id = i;
  age = gst_video_region_of_interest_meta_get_param (roi, "age");
  gender = gst_video_region_of_interest_meta_get_param (roi, "gender");
  /* fa_face has one flag for both attributes: report them when both are
   * there, which is how faceattr always writes them. */
  if (age && gender && gst_structure_get_double (age, "value", &d)) {
    gdouble conf = 0.5;
    gint label_id = 0;
    out->age = (float) d;
    out->age_group = fa_age_group_of (out->age);
    gst_structure_get_double (gender, "confidence", &conf);
    if (!gst_structure_get_int (gender, "label_id", &label_id)) {
      const gchar *l = gst_structure_get_string (gender, "label");
      label_id = l && g_ascii_strcasecmp (l, "male") == 0;
    }
    out->gender = label_id == 1 ? FA_GENDER_MALE : FA_GENDER_FEMALE;
    out->gender_conf = (float) conf;
    out->male_prob = out->gender == FA_GENDER_MALE ? out->gender_conf : 1.f - out->gender_conf;
    out->has_attributes = 1;
  }
  return TRUE;
}
