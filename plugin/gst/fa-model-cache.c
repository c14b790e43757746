/* The process-wide model cache: a refcounted table keyed by the three model
 * paths, under one mutex. Loading happens under the mutex too, so two
 * elements starting at once load a model once rather than twice. Networks
 * are immutable after loading (fa-core.h), so sharing them across elements
 * and streaming threads needs no further locking. */
#include "fa-model-cache.h"

typedef struct {
  gchar *key;
  fa_models *models;
  guint refs;
} CacheEntry;

static GMutex cache_lock;
static GList *cache_entries; /* a handful at most: a list is enough */

static gchar *
make_key (const gchar * s, const gchar * l, const gchar * a)
{
  /* '\n' cannot sensibly occur in a path, so it separates the fields. */
  return g_strdup_printf ("%s\n%s\n%s", s ? s : "", l ? l : "", a ? a : "");
}

fa_models *
fa_model_cache_acquire (const gchar * short_path, const gchar * long_path,
    const gchar * attributes_path, fa_error * err)
{
  gchar *key = make_key (short_path, long_path, attributes_path);
  fa_models *models = NULL;
  GList *l;

  g_mutex_lock (&cache_lock);
  for (l = cache_entries; l; l = l->next) {
    CacheEntry *e = l->data;
    if (g_str_equal (e->key, key)) {
      e->refs++;
      models = e->models;
      break;
    }
  }
  if (!models) {
    fa_models_config cfg = { 0 };
    cfg.short_model_path = short_path;
    cfg.long_model_path = long_path;
    cfg.attributes_model_path = attributes_path;
    models = fa_models_load (&cfg, err);
    if (models) {
      CacheEntry *e = g_new0 (CacheEntry, 1);
      e->key = key;
      key = NULL;
      e->models = models;
      e->refs = 1;
      cache_entries = g_list_prepend (cache_entries, e);
    }
  }
  g_mutex_unlock (&cache_lock);
  g_free (key);
  return models;
}

void
fa_model_cache_release (fa_models * models)
{
  GList *l;

  if (!models)
    return;
  g_mutex_lock (&cache_lock);
  for (l = cache_entries; l; l = l->next) {
    CacheEntry *e = l->data;
    if (e->models == models) {
      if (--e->refs == 0) {
        fa_models_free (e->models);
        g_free (e->key);
        g_free (e);
        cache_entries = g_list_delete_link (cache_entries, l);
      }
      break;
    }
  }
  g_mutex_unlock (&cache_lock);
}
