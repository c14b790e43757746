/* ThreadSanitizer and GLib's locks. GLib is not instrumented and its GMutex,
 * GRecMutex and GRWLock are futexes, not pthread mutexes, so TSan does not
 * see them: every access that GStreamer (pad stream locks, object locks,
 * appsink's queue) or faceattr (its model cache) guards with them looks like
 * a race. Linked into the TSan test programs, these definitions take the
 * place of GLib's for every caller outside libglib itself (GStreamer, the
 * plugin, the test), call GLib's, and tell TSan about the happens-before
 * edge: release before an unlock, acquire after a lock. With that, tsan.supp
 * needs no blanket suppression of GLib or GStreamer.
 *
 * Compiles to nothing outside a -fsanitize=thread build. */
#if defined(__SANITIZE_THREAD__)
#define TSAN_GLIB_LOCKS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_GLIB_LOCKS 1
#endif
#endif

#ifdef TSAN_GLIB_LOCKS
#include <dlfcn.h>
#include <glib.h>
#include <pthread.h>
#include <sanitizer/tsan_interface.h>
#include <stdio.h>
#include <stdlib.h>

static void *real(const char *name) {
  void *f = dlsym(RTLD_NEXT, name);
  if (!f) {
    fprintf(stderr, "tsan-glib-locks: %s not found\n", name);
    abort();
  }
  return f;
}

/* GLib's function, looked up once (atomically: any thread may be first). */
#define REAL(ret, name, params)                                 \
  typedef ret(*name##_fn) params;                               \
  static name##_fn real_##name;                                 \
  static name##_fn get_##name(void) {                           \
    name##_fn f = __atomic_load_n(&real_##name, __ATOMIC_ACQUIRE); \
    if (!f) {                                                   \
      f = (name##_fn)real(#name);                               \
      __atomic_store_n(&real_##name, f, __ATOMIC_RELEASE);      \
    }                                                           \
    return f;                                                   \
  }

REAL(void, g_mutex_lock, (GMutex *))
REAL(void, g_mutex_unlock, (GMutex *))
REAL(gboolean, g_mutex_trylock, (GMutex *))
REAL(void, g_rec_mutex_lock, (GRecMutex *))
REAL(void, g_rec_mutex_unlock, (GRecMutex *))
REAL(gboolean, g_rec_mutex_trylock, (GRecMutex *))
REAL(void, g_rw_lock_writer_lock, (GRWLock *))
REAL(void, g_rw_lock_writer_unlock, (GRWLock *))
REAL(gboolean, g_rw_lock_writer_trylock, (GRWLock *))
REAL(void, g_rw_lock_reader_lock, (GRWLock *))
REAL(void, g_rw_lock_reader_unlock, (GRWLock *))
REAL(gboolean, g_rw_lock_reader_trylock, (GRWLock *))
REAL(void, g_cond_wait, (GCond *, GMutex *))
REAL(gboolean, g_cond_wait_until, (GCond *, GMutex *, gint64))

void g_mutex_lock(GMutex *m) {
  get_g_mutex_lock()(m);
  __tsan_acquire(m);
}
void g_mutex_unlock(GMutex *m) {
  __tsan_release(m);
  get_g_mutex_unlock()(m);
}
gboolean g_mutex_trylock(GMutex *m) {
  gboolean ok = get_g_mutex_trylock()(m);
  if (ok)
    __tsan_acquire(m);
  return ok;
}
void g_rec_mutex_lock(GRecMutex *m) {
  get_g_rec_mutex_lock()(m);
  __tsan_acquire(m);
}
void g_rec_mutex_unlock(GRecMutex *m) {
  __tsan_release(m);
  get_g_rec_mutex_unlock()(m);
}
gboolean g_rec_mutex_trylock(GRecMutex *m) {
  gboolean ok = get_g_rec_mutex_trylock()(m);
  if (ok)
    __tsan_acquire(m);
  return ok;
}
void g_rw_lock_writer_lock(GRWLock *l) {
  get_g_rw_lock_writer_lock()(l);
  __tsan_acquire(l);
}
void g_rw_lock_writer_unlock(GRWLock *l) {
  __tsan_release(l);
  get_g_rw_lock_writer_unlock()(l);
}
gboolean g_rw_lock_writer_trylock(GRWLock *l) {
  gboolean ok = get_g_rw_lock_writer_trylock()(l);
  if (ok)
    __tsan_acquire(l);
  return ok;
}
/* A reader's unlock releases too, so that the next writer is ordered after
 * it (it also orders later readers after it, which hides nothing: reads do
 * not race with reads). */
void g_rw_lock_reader_lock(GRWLock *l) {
  get_g_rw_lock_reader_lock()(l);
  __tsan_acquire(l);
}
void g_rw_lock_reader_unlock(GRWLock *l) {
  __tsan_release(l);
  get_g_rw_lock_reader_unlock()(l);
}
gboolean g_rw_lock_reader_trylock(GRWLock *l) {
  gboolean ok = get_g_rw_lock_reader_trylock()(l);
  if (ok)
    __tsan_acquire(l);
  return ok;
}
void g_cond_wait(GCond *c, GMutex *m) {
  __tsan_release(m);
  get_g_cond_wait()(c, m);
  __tsan_acquire(m);
}
gboolean g_cond_wait_until(GCond *c, GMutex *m, gint64 end_time) {
  gboolean r;
  __tsan_release(m);
  r = get_g_cond_wait_until()(c, m, end_time);
  __tsan_acquire(m);
  return r;
}

/* GLib's quark table is written and read under a lock of libglib's own,
 * taken by internal calls that these wrappers cannot see: two threads making
 * their first GstStructure of a name at once (faceattr's region metas) look
 * like a race on the quark strings. Calls from outside libglib are serialised
 * here under a pthread mutex, which TSan does see. */
static pthread_mutex_t quark_lock = PTHREAD_MUTEX_INITIALIZER;

REAL(GQuark, g_quark_from_string, (const gchar *))
REAL(GQuark, g_quark_from_static_string, (const gchar *))
REAL(GQuark, g_quark_try_string, (const gchar *))
REAL(const gchar *, g_intern_string, (const gchar *))
REAL(const gchar *, g_intern_static_string, (const gchar *))

#define QUARKED(ret, name)                     \
  ret name(const gchar *s) {                   \
    ret r;                                     \
    pthread_mutex_lock(&quark_lock);           \
    r = get_##name()(s);                       \
    pthread_mutex_unlock(&quark_lock);         \
    return r;                                  \
  }
QUARKED(GQuark, g_quark_from_string)
QUARKED(GQuark, g_quark_from_static_string)
QUARKED(GQuark, g_quark_try_string)
QUARKED(const gchar *, g_intern_string)
QUARKED(const gchar *, g_intern_static_string)

/* GThreadPool hands each pushed item to a pool thread through a queue whose
 * lock libglib takes internally (GStreamer's default task pool starts every
 * streaming thread this way, and frees its per-task record in the pool
 * thread). Pushing releases on the item; the pool's function, run through a
 * trampoline, acquires on it first. */
typedef struct {
  GFunc func;
  gpointer user_data;
} PoolTrampoline;

static void pool_trampoline(gpointer data, gpointer user_data) {
  PoolTrampoline *t = user_data;
  __tsan_acquire(data);
  t->func(data, t->user_data);
}

REAL(GThreadPool *, g_thread_pool_new, (GFunc, gpointer, gint, gboolean, GError **))
REAL(gboolean, g_thread_pool_push, (GThreadPool *, gpointer, GError **))

GThreadPool *g_thread_pool_new(GFunc func, gpointer user_data, gint max_threads, gboolean exclusive,
                               GError **error) {
  /* one per pool, kept for the life of the process (a test program) */
  PoolTrampoline *t = malloc(sizeof *t);
  if (!t)
    abort();
  t->func = func;
  t->user_data = user_data;
  return get_g_thread_pool_new()(pool_trampoline, t, max_threads, exclusive, error);
}

gboolean g_thread_pool_push(GThreadPool *pool, gpointer data, GError **error) {
  __tsan_release(data);
  return get_g_thread_pool_push()(pool, data, error);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int tsan_glib_locks_unused;
#endif
