/* GStreamer faceattr plugin: registers the elements, nothing else.
 * Copyright (C) 2026 The faceattr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstfaceattr.h"
#include "gstfaceattrjson.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (faceattr, plugin);
  ret |= GST_ELEMENT_REGISTER (faceattrjson, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, faceattr,
    "Faces, age and gender in video with faceattr's own CNN runtime",
    plugin_init, FA_VERSION, "LGPL", "faceattr", "https://github.com/faceattr/faceattr")
