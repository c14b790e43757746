/* One set of loaded networks per process, shared by every faceattr element
 * that asks for the same model files. */
#ifndef FA_MODEL_CACHE_H
#define FA_MODEL_CACHE_H

#include <glib.h>
#include "fa-core.h"

G_BEGIN_DECLS

/* Returns the loaded models for these paths (NULL: the bundled model),
 * loading them on first use, with a reference the caller gives back with
 * fa_model_cache_release(). On failure returns NULL with `err` set. */
fa_models *fa_model_cache_acquire (const gchar * short_path, const gchar * long_path,
    const gchar * attributes_path, fa_error * err);
void fa_model_cache_release (fa_models * models);

G_END_DECLS

#endif /* FA_MODEL_CACHE_H */
