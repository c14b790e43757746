/* faceattr's metadata contract (README "## Metadata") in one place: faces
 * to GstVideoRegionOfInterestMeta params and message structures, and back. */
#ifndef FA_GST_META_H
#define FA_GST_META_H

#include <gst/gst.h>
#include <gst/video/video.h>
#include "fa-core.h"

G_BEGIN_DECLS

#define FA_ROI_TYPE "face"

/* Adds (or completes, when roi is not NULL) one face's region meta with the
 * `detection`, `age`, `gender` and `object_id` params. Box in pixels is
 * rounded and clipped to the frame. Returns the meta. */
GstVideoRegionOfInterestMeta *fa_gst_meta_attach_face (GstBuffer * buf,
    GstVideoRegionOfInterestMeta * roi, const fa_face * face, gint width, gint height,
    const gchar * model_name);

/* The per-face structure of the "faceattr" message ("face": x, y, w, h and
 * the same four structures), built from a region meta. */
GstStructure *fa_gst_meta_face_structure (GstVideoRegionOfInterestMeta * roi);

/* Reads a region meta back into an fa_face (for JSON). Returns FALSE when it
 * is not a face. */
gboolean fa_gst_meta_to_face (GstVideoRegionOfInterestMeta * roi, fa_face * out);

/* TRUE for region metas of roi_type "face". */
gboolean fa_gst_meta_is_face (GstVideoRegionOfInterestMeta * roi);

G_END_DECLS

#endif /* FA_GST_META_H */
