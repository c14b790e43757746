/* Still images in and out through GStreamer: decode any image file to an RGB
 * frame, encode an RGB frame to PNG. Used by the photo tool. */
#ifndef FA_IMAGE_IO_H
#define FA_IMAGE_IO_H

#include <gst/gst.h>

#include "fa-core.h"

typedef struct fa_image {
  GstSample *sample; /* owns the decoded RGB buffer */
  GstBuffer *buffer; /* writable (a copy if the decoder's was shared) */
  GstMapInfo map;
  fa_frame frame; /* FA_FMT_RGB view of `buffer` */
} fa_image;

/* Decodes `path` (JPEG, PNG, anything decodebin knows). Returns 0, or -1 with
 * a message naming the file and the cause. */
int fa_image_load(const char *path, fa_image *img, fa_error *err);
void fa_image_clear(fa_image *img);

/* Encodes the image as PNG into `path`. */
int fa_image_save_png(fa_image *img, const char *path, fa_error *err);

#endif
