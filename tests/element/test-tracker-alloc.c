/* The tracker allocates nothing per frame once it has seen as many tracks
 * and faces as the stream brings: malloc, calloc and realloc are counted
 * (this program's definitions take the place of the C library's, which
 * they call through glibc's __libc_ entry points) while a tracker follows
 * moving faces for 200 frames, with attribute estimates and predictions.
 *
 * Skipped (77) under sanitizers, which replace the allocator themselves,
 * and off glibc. */
#include "fa-core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SKIP_REASON "built with a sanitizer, which owns malloc"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SKIP_REASON "built with a sanitizer, which owns malloc"
#endif
#endif
#if !defined(SKIP_REASON) && !defined(__GLIBC__)
#define SKIP_REASON "not glibc: no __libc_malloc to forward to"
#endif

static int counting;
static unsigned long allocations;

#ifndef SKIP_REASON
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

void *malloc(size_t size)
{
  allocations += counting;
  return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
  allocations += counting;
  return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
  allocations += counting;
  return __libc_realloc(p, size);
}

void free(void *p)
{
  __libc_free(p);
}
#endif

/* Frame i: 6 faces drifting right; one of them missing on every 7th frame
 * (its track misses, then is matched again), and on detector frames only
 * (every 2nd) the tracker matches, otherwise it predicts. */
static void run_frames(fa_tracker *t, int first, int count)
{
  fa_face faces[8];
  for (int i = first; i < first + count; i++) {
    if (i % 2) {
      (void)fa_tracker_predict(t, faces, 8);
      continue;
    }
    int n = 0;
    for (int k = 0; k < 6; k++) {
      if (k == 3 && i % 7 == 0)
        continue;
      faces[n++] = (fa_face){.x = 20.f + 150.f * (float)k + 0.5f * (float)i,
                             .y = 40.f + 10.f * (float)k, .w = 80.f, .h = 80.f,
                             .confidence = 0.9f};
    }
    fa_tracker_update(t, faces, n);
    for (int k = 0; k < n; k++)
      if (fa_tracker_wants_attributes(t, faces[k].track_id, 25)) {
        faces[k].has_attributes = 1;
        faces[k].age = 30.f;
        faces[k].male_prob = 0.3f;
        fa_tracker_add_attributes(t, &faces[k]);
      }
  }
}

int main(void)
{
#ifdef SKIP_REASON
  printf("SKIP: %s\n", SKIP_REASON);
  return 77;
#else
  fa_tracker *t = fa_tracker_new();
  if (!t) {
    fprintf(stderr, "fa_tracker_new failed\n");
    return 1;
  }
  run_frames(t, 0, 20); /* warm-up: the tracker sizes its arrays */
  counting = 1;
  run_frames(t, 20, 200);
  counting = 0;
  int ok = allocations == 0;
  if (!ok)
    fprintf(stderr, "the tracker allocated %lu times in 200 frames after warm-up\n",
            allocations);
  /* sanity: the counting itself works */
  counting = 1;
  fa_tracker *other = fa_tracker_new();
  counting = 0;
  if (allocations == 0) {
    fprintf(stderr, "allocation counting does not see fa_tracker_new\n");
    ok = 0;
  }
  fa_tracker_free(other);
  fa_tracker_free(t);
  printf("tracker-no-per-frame-allocation: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
#endif
}
