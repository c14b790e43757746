/* faceattr-meta: read faceattr's results from your own application.
 *
 * The faceattr element attaches, per face, one GstVideoRegionOfInterestMeta
 * (roi_type "face") whose params carry the structures `detection`, `age`,
 * `gender` and `object_id`, and posts an element message named "faceattr"
 * per frame. These helpers turn either into plain C structs so that an
 * application needs no knowledge of GstStructure field names. (For JSON,
 * put faceattrjson in the pipeline: it writes the one documented schema.)
 * They only read the documented contract through GStreamer's public API; an
 * application may equally read the metadata directly (see
 * pipelines/examples/read-results.c).
 *
 * Link with `pkg-config --cflags --libs faceattr-1.0`.
 * Public symbols use the prefix faceattr_. */
#ifndef FACEATTR_META_H
#define FACEATTR_META_H

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* One face as the element reported it. Fields a producer left out keep the
 * values documented here, so a reader can test has_* before using them. */
typedef struct FaceAttrFace {
  /* Box in frame pixels (the ROI meta's x, y, w, h). */
  guint x, y, w, h;
  /* Box normalised to 0..1 (`detection` structure); the pixel box divided by
   * the frame size when `detection` is absent and the size is known. */
  gdouble x_min, y_min, x_max, y_max;
  gdouble confidence; /* detection score 0..1; -1 if unknown */

  gboolean has_age;
  gdouble age;            /* years */
  gchar age_label[16];    /* whole years, e.g. "31" */
  gchar age_group[16];    /* Adience group, e.g. "25-32" */

  gboolean has_gender;
  gint gender;                /* 0 Female, 1 Male */
  gchar gender_label[8];      /* "Female" or "Male" */
  gdouble gender_confidence;  /* probability of `gender` */

  gint track_id; /* `object_id` id; 0 if untracked */
} FaceAttrFace;

/* The roi_type faceattr writes. */
#define FACEATTR_ROI_TYPE "face"
/* The name of the per-frame element message. */
#define FACEATTR_MESSAGE_NAME "faceattr"

/* Fills `out` from one region-of-interest meta. Returns FALSE (and leaves
 * `out` untouched) when the meta is not a faceattr face. frame_width and
 * frame_height (0 if unknown) are used only when `detection` is absent. */
gboolean faceattr_face_from_roi (GstVideoRegionOfInterestMeta * roi,
    guint frame_width, guint frame_height, FaceAttrFace * out);

/* Copies the faces attached to `buffer` into `out` (at most max_out, in the
 * order attached) and returns how many faces the buffer carries, which may
 * exceed max_out. `out` may be NULL to count. */
guint faceattr_buffer_get_faces (GstBuffer * buffer, guint frame_width,
    guint frame_height, FaceAttrFace * out, guint max_out);

/* The timing and faces of a "faceattr" element message. */
typedef struct FaceAttrFrameInfo {
  GstClockTime timestamp;    /* buffer PTS */
  GstClockTime stream_time;
  GstClockTime running_time;
} FaceAttrFrameInfo;

/* TRUE when `message` is a faceattr element message. */
gboolean faceattr_message_is_results (GstMessage * message);

/* Reads a faceattr element message: timing into `info` (may be NULL), faces
 * into `out` (at most max_out) and returns the number of faces the message
 * lists, or -1 when it is not a faceattr message. */
gint faceattr_message_get_faces (GstMessage * message, FaceAttrFrameInfo * info,
    FaceAttrFace * out, guint max_out);

G_END_DECLS

#endif /* FACEATTR_META_H */
