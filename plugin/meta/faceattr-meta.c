/* faceattr-meta: plain structs from faceattr's metadata.
 * See faceattr-meta.h for the contract this reads. */
#include "faceattr-meta.h"

#include <math.h>
#include <string.h>

/* Producers may store numbers as int, uint or double; readers should not
 * have to care which. */
static gboolean
get_number (const GstStructure * s, const gchar * field, gdouble * out)
{
  const GValue *v = gst_structure_get_value (s, field);
  if (v == NULL)
    return FALSE;
  if (G_VALUE_HOLDS_DOUBLE (v))
    *out = g_value_get_double (v);
  else if (G_VALUE_HOLDS_FLOAT (v))
    *out = g_value_get_float (v);
  else if (G_VALUE_HOLDS_INT (v))
    *out = g_value_get_int (v);
  else if (G_VALUE_HOLDS_UINT (v))
    *out = g_value_get_uint (v);
  else if (G_VALUE_HOLDS_INT64 (v))
    *out = (gdouble) g_value_get_int64 (v);
  else if (G_VALUE_HOLDS_UINT64 (v))
    *out = (gdouble) g_value_get_uint64 (v);
  else
    return FALSE;
  return TRUE;
}

static void
copy_string (const GstStructure * s, const gchar * field, gchar * dst, gsize size)
{
  const gchar *str = gst_structure_get_string (s, field);
  g_strlcpy (dst, str ? str : "", size);
}

/* Reads the four attribute structures, whichever of them are present.
 * `lookup` finds a structure by name in the ROI params or in a message's
 * per-face structure. */
typedef const GstStructure *(*StructureLookup) (gpointer source, const gchar * name);

static void
read_attributes (StructureLookup lookup, gpointer source, guint frame_width,
    guint frame_height, FaceAttrFace * f)
{
  const GstStructure *det = lookup (source, "detection");
  const GstStructure *age = lookup (source, "age");
  const GstStructure *gender = lookup (source, "gender");
  const GstStructure *track = lookup (source, "object_id");
  gdouble v;

  if (det != NULL && get_number (det, "x_min", &f->x_min)
      && get_number (det, "y_min", &f->y_min)
      && get_number (det, "x_max", &f->x_max)
      && get_number (det, "y_max", &f->y_max)) {
    /* all four read */
  } else if (frame_width > 0 && frame_height > 0) {
    f->x_min = (gdouble) f->x / frame_width;
    f->y_min = (gdouble) f->y / frame_height;
    f->x_max = (gdouble) (f->x + f->w) / frame_width;
    f->y_max = (gdouble) (f->y + f->h) / frame_height;
  }
  if (det != NULL && get_number (det, "confidence", &v))
    f->confidence = v;

  if (age != NULL && get_number (age, "value", &f->age)) {
    f->has_age = TRUE;
    copy_string (age, "label", f->age_label, sizeof f->age_label);
    if (f->age_label[0] == '\0')
      g_snprintf (f->age_label, sizeof f->age_label, "%d", (int) lround (f->age));
    copy_string (age, "group", f->age_group, sizeof f->age_group);
  }

  if (gender != NULL) {
    const gchar *label = gst_structure_get_string (gender, "label");
    if (get_number (gender, "label_id", &v))
      f->gender = v >= 0.5 ? 1 : 0;
    else if (label != NULL)
      f->gender = g_ascii_strcasecmp (label, "male") == 0 ? 1 : 0;
    else
      f->gender = -1;
    if (f->gender >= 0) {
      f->has_gender = TRUE;
      g_strlcpy (f->gender_label, f->gender ? "Male" : "Female", sizeof f->gender_label);
      if (!get_number (gender, "confidence", &f->gender_confidence))
        f->gender_confidence = -1;
    }
  }

  if (track != NULL && get_number (track, "id", &v))
    f->track_id = (gint) v;
}

static void
face_init (FaceAttrFace * f)
{
  memset (f, 0, sizeof *f);
  f->confidence = -1;
  f->gender = -1;
  f->gender_confidence = -1;
}

static const GstStructure *
lookup_roi_param (gpointer source, const gchar * name)
{
  return gst_video_region_of_interest_meta_get_param (source, name);
}

gboolean
faceattr_face_from_roi (GstVideoRegionOfInterestMeta * roi, guint frame_width,
    guint frame_height, FaceAttrFace * out)
{
  g_return_val_if_fail (roi != NULL && out != NULL, FALSE);
  if (roi->roi_type != g_quark_from_static_string (FACEATTR_ROI_TYPE))
    return FALSE;
  face_init (out);
  out->x = roi->x;
  out->y = roi->y;
  out->w = roi->w;
  out->h = roi->h;
  read_attributes (lookup_roi_param, roi, frame_width, frame_height, out);
  return TRUE;
}

guint
faceattr_buffer_get_faces (GstBuffer * buffer, guint frame_width,
    guint frame_height, FaceAttrFace * out, guint max_out)
{
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), 0);
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    FaceAttrFace face;
    if (!faceattr_face_from_roi (roi, frame_width, frame_height, &face))
      continue;
    if (out != NULL && n < max_out)
      out[n] = face;
    n++;
  }
  return n;
}

gboolean
faceattr_message_is_results (GstMessage * message)
{
  const GstStructure *s;
  if (message == NULL || GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT)
    return FALSE;
  s = gst_message_get_structure (message);
  return s != NULL && gst_structure_has_name (s, FACEATTR_MESSAGE_NAME);
}

static const GstStructure *
lookup_nested (gpointer source, const gchar * name)
{
  const GValue *v = gst_structure_get_value (source, name);
  if (v == NULL || !GST_VALUE_HOLDS_STRUCTURE (v))
    return NULL;
  return gst_value_get_structure (v);
}

static GstClockTime
get_clock_time (const GstStructure * s, const gchar * field)
{
  guint64 t;
  if (gst_structure_get_uint64 (s, field, &t))
    return t;
  return GST_CLOCK_TIME_NONE;
}

gint
faceattr_message_get_faces (GstMessage * message, FaceAttrFrameInfo * info,
    FaceAttrFace * out, guint max_out)
{
  const GstStructure *s;
  const GValue *faces;
  guint i, n = 0, size = 0;

  if (!faceattr_message_is_results (message))
    return -1;
  s = gst_message_get_structure (message);
  if (info != NULL) {
    info->timestamp = get_clock_time (s, "timestamp");
    info->stream_time = get_clock_time (s, "stream-time");
    info->running_time = get_clock_time (s, "running-time");
  }
  faces = gst_structure_get_value (s, "faces");
  if (faces == NULL)
    return 0;
  /* A list or an array of per-face structures: accept either. */
  if (GST_VALUE_HOLDS_LIST (faces))
    size = gst_value_list_get_size (faces);
  else if (GST_VALUE_HOLDS_ARRAY (faces))
    size = gst_value_array_get_size (faces);
  for (i = 0; i < size; i++) {
    const GValue *item = GST_VALUE_HOLDS_LIST (faces)
        ? gst_value_list_get_value (faces, i) : gst_value_array_get_value (faces, i);
    const GstStructure *fs;
    FaceAttrFace face;
    gdouble v;

    if (!GST_VALUE_HOLDS_STRUCTURE (item))
      continue;
    fs = gst_value_get_structure (item);
    face_init (&face);
    if (get_number (fs, "x", &v))
      face.x = (guint) v;
    if (get_number (fs, "y", &v))
      face.y = (guint) v;
    if (get_number (fs, "w", &v))
      face.w = (guint) v;
    if (get_number (fs, "h", &v))
      face.h = (guint) v;
    read_attributes (lookup_nested, (gpointer) fs, 0, 0, &face);
    if (out != NULL && n < max_out)
      out[n] = face;
    n++;
  }
  return (gint) n;
}
