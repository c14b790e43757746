/* Helpers shared by the hardening tests: checks that count failures instead
 * of aborting (so one run reports every broken case), a watchdog that turns
 * a hang into a failure with a message, and the skip conventions (exit 77). */
#ifndef HARD_UTIL_H
#define HARD_UTIL_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hard_failures;

#define CHECK(cond, ...)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                   \
      fprintf(stderr, __VA_ARGS__);                                                     \
      fputc('\n', stderr);                                                              \
      hard_failures++;                                                                  \
    }                                                                                   \
  } while (0)

static const char *hard_watchdog_what = "test";

static void hard_watchdog_fired(int sig) {
  (void)sig;
  /* async-signal-safe: write() and _exit() only */
  static const char pre[] = "FAIL: watchdog: no progress (deadlock?) in ";
  if (write(2, pre, sizeof pre - 1) < 0 ||
      write(2, hard_watchdog_what, strlen(hard_watchdog_what)) < 0 || write(2, "\n", 1) < 0) {
    /* nothing more we can do */
  }
  _exit(1);
}

/* Arms (or re-arms) a watchdog: if the process is still in `what` after
 * `seconds`, it fails with a message instead of hanging until meson's
 * timeout. */
static inline void hard_watchdog(const char *what, unsigned seconds) {
  /* under valgrind (valgrind-run.sh) everything is ~50x slower */
  const char *scale = getenv("HARD_WATCHDOG_SCALE");
  if (scale && atoi(scale) > 1)
    seconds *= (unsigned)atoi(scale);
  hard_watchdog_what = what;
  signal(SIGALRM, hard_watchdog_fired);
  alarm(seconds);
}

/* Tests whose numbers or tools are meaningless under a sanitizer build (RSS
 * bounds with ASan's quarantine, valgrind on ASan binaries) skip there:
 * meson.build sets FACEATTR_HARD_SANITIZED from the build's b_sanitize. */
static inline int hard_sanitized(void) {
  const char *s = getenv("FACEATTR_HARD_SANITIZED");
  return s && *s && strcmp(s, "none") != 0;
}

static inline int hard_result(const char *name) {
  if (hard_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, hard_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

#endif /* HARD_UTIL_H */
