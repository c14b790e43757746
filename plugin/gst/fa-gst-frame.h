/* GstVideoFrame -> fa_frame: the core sees the mapped planes in place. */
#ifndef FA_GST_FRAME_H
#define FA_GST_FRAME_H

#include <gst/video/video.h>
#include "fa-core.h"

G_BEGIN_DECLS

/* The caps formats faceattr accepts, in the order of fa_pixel_format. */
#define FA_GST_FORMATS "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, NV12, GRAY8 }"

/* Fills `out` from a mapped frame. FALSE for a format the core lacks
 * (impossible through the pad templates). */
gboolean fa_gst_frame_wrap (GstVideoFrame * frame, fa_frame * out);

G_END_DECLS

#endif /* FA_GST_FRAME_H */
