#include "fa-gst-frame.h"
#include <string.h>

static gboolean
format_to_fa (GstVideoFormat f, fa_pixel_format * out)
{
  static const struct { GstVideoFormat gst; fa_pixel_format fa; } map[] = {
    {GST_VIDEO_FORMAT_RGB, FA_FMT_RGB}, {GST_VIDEO_FORMAT_BGR, FA_FMT_BGR},
    {GST_VIDEO_FORMAT_RGBx, FA_FMT_RGBX}, {GST_VIDEO_FORMAT_BGRx, FA_FMT_BGRX},
    {GST_VIDEO_FORMAT_xRGB, FA_FMT_XRGB}, {GST_VIDEO_FORMAT_xBGR, FA_FMT_XBGR},
    {GST_VIDEO_FORMAT_RGBA, FA_FMT_RGBA}, {GST_VIDEO_FORMAT_BGRA, FA_FMT_BGRA},
    {GST_VIDEO_FORMAT_ARGB, FA_FMT_ARGB}, {GST_VIDEO_FORMAT_ABGR, FA_FMT_ABGR},
    {GST_VIDEO_FORMAT_I420, FA_FMT_I420}, {GST_VIDEO_FORMAT_NV12, FA_FMT_NV12},
    {GST_VIDEO_FORMAT_GRAY8, FA_FMT_GRAY8},
  };
  guint i;
  for (i = 0; i < G_N_ELEMENTS (map); i++)
    if (map[i].gst == f) {
      *out = map[i].fa;
      return TRUE;
    }
  return FALSE;
}

gboolean
fa_gst_frame_wrap (GstVideoFrame * frame, fa_frame * out)
{
  guint p;

  memset (out, 0, sizeof *out);
  if (!format_to_fa (GST_VIDEO_FRAME_FORMAT (frame), &out->format))
    return FALSE;
  out->width = GST_VIDEO_FRAME_WIDTH (frame);
  out->height = GST_VIDEO_FRAME_HEIGHT (frame);
  for (p = 0; p < GST_VIDEO_FRAME_N_PLANES (frame) && p < 3; p++) {
    out->planes[p] = GST_VIDEO_FRAME_PLANE_DATA (frame, p);
    out->strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
  }
  return TRUE;
}
