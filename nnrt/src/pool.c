/* A small persistent thread pool for one caller at a time (a context runs on
 * one thread). Not reentrant: a task must not call nnrt_pool_for on the same
 * pool.
 *
 * A model runs 40-100 nodes of 2-100 us each, so what a parallel loop costs
 * to start and to finish matters more than anything else here. The first
 * version woke sleeping workers through a mutex and condition variable per
 * loop and waited on another: every loop paid a futex wake-up and a
 * scheduler hop (tens of microseconds on a loaded machine), and 2 threads
 * ran slower than 1 on every bundled model.
 *
 * Now:
 *   - One 64-bit word `work` holds (generation, next index, count). The
 *     caller publishes a loop by storing it; anyone (the caller included)
 *     claims index i by a compare-and-swap that advances `next`. Because the
 *     generation and the count are in the same word, a claim can only
 *     succeed for the loop that word describes, however late a worker
 *     arrives, and fn/arg (written before the word is published) stay valid
 *     until that item is counted in `done`, which the caller waits for.
 *   - The caller claims items like any worker, so it never waits for a
 *     worker that has not started: a worker that is asleep or preempted
 *     simply finds nothing left. It only waits for items a worker has
 *     actually claimed.
 *   - After its last item a worker spins on `work` for a bounded time
 *     (WORKER_SPIN_NS) before sleeping on the condition variable, so the
 *     next node's loop, usually a few microseconds later, starts without a
 *     wake-up. The caller likewise spins (CALLER_SPIN_NS) for claimed items
 *     to finish before sleeping.
 *   - Spinning is bounded and, after a short pure busy-wait with the CPU's
 *     pause hint, yields the CPU on every check (sched_yield): the machines
 *     this runs on are shared (2 cores, other jobs, several pipelines each
 *     with pools of their own), and a spinning thread must give way to any
 *     runnable thread on its core rather than burn its time slice. Past the
 *     bound it sleeps, so an idle pool costs nothing.
 *   - The sleep/wake hand-offs use sequentially consistent atomics on both
 *     sides (a sleeper count; a "caller is sleeping" flag) so that no
 *     wake-up is lost, and the mutex is only taken when someone sleeps.
 * Everything shared is a C11 atomic or protected by the mutex, which is
 * what lets ThreadSanitizer check it (tests/hardening tsan-threads). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield" ::: "memory")
#else
#define CPU_RELAX() ((void)0)
#endif

/* Busy-wait with the pause hint for this long, then keep checking but yield
 * the CPU between checks until the total bound, then sleep. The worker's
 * bound covers the gap between two parallel nodes (the calling thread runs
 * small nodes alone in between: typically under 100 us); the caller only
 * waits for items already running, which take a few to a few tens of us. */
#define WORKER_PAUSE_NS 30000
#define WORKER_SPIN_NS 200000
#define CALLER_PAUSE_NS 30000
#define CALLER_SPIN_NS 200000
/* How many pause iterations between two looks at the clock. */
#define SPIN_CHECK_EVERY 32

/* Fields of `work`: generation << 32 | next << 16 | count. Loops of more
 * than MAX_BATCH items are run as several batches. A stale worker holding
 * an old word could only claim from a newer loop if the generation came back
 * to the same value (2^32 loops) between its load and its compare-and-swap. */
#define NEXT_ONE ((uint64_t)1 << 16)
#define MAX_BATCH 0xffff
#define W_GEN(w) ((uint32_t)((w) >> 32))
#define W_NEXT(w) ((int)(((w) >> 16) & 0xffff))
#define W_COUNT(w) ((int)((w)&0xffff))

struct nnrt_pool {
  _Alignas(64) _Atomic uint64_t work; /* the current loop (see above) */
  _Alignas(64) atomic_int done;       /* items of the current loop finished */
  /* Written by the caller before it publishes a loop; read by a worker only
   * after a successful claim in that loop, and not rewritten before the
   * caller has seen every claimed item done. */
  _Alignas(64) void (*fn)(void *arg, int i);
  void *arg;
  int base;        /* index offset of the current batch */
  uint32_t gen;    /* caller-side generation counter */
  int n_workers;
  pthread_t *threads;
  _Alignas(64) pthread_mutex_t mu;
  pthread_cond_t wake;     /* workers sleep here */
  pthread_cond_t finished; /* the caller sleeps here */
  atomic_int sleepers;       /* workers asleep or about to be (under mu) */
  atomic_int caller_waiting; /* the caller is asleep or about to be (under mu) */
  atomic_int stop;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One step of a bounded spin that started at *t0 (0: not yet). Returns 0
 * once the spin has lasted spin_ns; yields the CPU past pause_ns. */
static int spin_step(uint64_t *t0, unsigned *iter, uint64_t pause_ns, uint64_t spin_ns) {
  if (++*iter % SPIN_CHECK_EVERY) {
    CPU_RELAX();
    return 1;
  }
  uint64_t t = now_ns();
  if (!*t0) *t0 = t;
  uint64_t spent = t - *t0;
  if (spent >= spin_ns) return 0;
  if (spent >= pause_ns) sched_yield();
  else CPU_RELAX();
  return 1;
}

/* Claims and runs items while the loop in `work` has any left. Returns the
 * last word seen (its generation is the newest loop this thread knows of). */
static uint64_t run_items(nnrt_pool *p) {
  uint64_t w = atomic_load_explicit(&p->work, memory_order_acquire);
  for (;;) {
    int i = W_NEXT(w), n = W_COUNT(w);
    if (i >= n) return w;
    if (!atomic_compare_exchange_weak_explicit(&p->work, &w, w + NEXT_ONE, memory_order_acq_rel,
                                               memory_order_acquire))
      continue; /* w now holds the current word */
    p->fn(p->arg, p->base + i);
    /* The item's last write happens before this increment (release),
     * which the caller reads with acquire before it returns. */
    if (atomic_fetch_add_explicit(&p->done, 1, memory_order_seq_cst) + 1 == n &&
        atomic_load_explicit(&p->caller_waiting, memory_order_seq_cst)) {
      pthread_mutex_lock(&p->mu);
      pthread_cond_signal(&p->finished);
      pthread_mutex_unlock(&p->mu);
    }
    w = atomic_load_explicit(&p->work, memory_order_acquire);
  }
}

static void *worker(void *arg) {
  nnrt_pool *p = arg;
  uint32_t seen = W_GEN(atomic_load_explicit(&p->work, memory_order_acquire));
  for (;;) {
    /* Wait for a generation newer than the last one seen: spin, then sleep. */
    uint64_t t0 = 0;
    unsigned iter = 0;
    int spinning = 1;
    while (W_GEN(atomic_load_explicit(&p->work, memory_order_acquire)) == seen &&
           !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
      if (spinning) {
        spinning = spin_step(&t0, &iter, WORKER_PAUSE_NS, WORKER_SPIN_NS);
        continue;
      }
      pthread_mutex_lock(&p->mu);
      /* seq_cst increment, then seq_cst load of work: pairs with the
       * caller's seq_cst store of work then load of sleepers, so either we
       * see the new loop or the caller sees us and signals under mu. */
      atomic_fetch_add_explicit(&p->sleepers, 1, memory_order_seq_cst);
      while (W_GEN(atomic_load_explicit(&p->work, memory_order_seq_cst)) == seen &&
             !atomic_load_explicit(&p->stop, memory_order_seq_cst))
        pthread_cond_wait(&p->wake, &p->mu);
      atomic_fetch_sub_explicit(&p->sleepers, 1, memory_order_relaxed);
      pthread_mutex_unlock(&p->mu);
    }
    if (atomic_load_explicit(&p->stop, memory_order_acquire)) break;
    seen = W_GEN(run_items(p));
  }
  return NULL;
}

nnrt_pool *nnrt_pool_create(int threads) {
  if (threads <= 1) return NULL;
  nnrt_pool *p = aligned_alloc(64, (sizeof *p + 63) / 64 * 64);
  if (!p) return NULL;
  memset(p, 0, sizeof *p);
  atomic_init(&p->work, 0);
  atomic_init(&p->done, 0);
  atomic_init(&p->sleepers, 0);
  atomic_init(&p->caller_waiting, 0);
  atomic_init(&p->stop, 0);
  p->threads = calloc((size_t)threads - 1, sizeof(pthread_t));
  if (!p->threads || pthread_mutex_init(&p->mu, NULL) != 0) {
    free(p->threads);
    free(p);
    return NULL;
  }
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->finished, NULL);
  for (int i = 0; i < threads - 1; i++) {
    if (pthread_create(&p->threads[i], NULL, worker, p) != 0) break;
    p->n_workers++;
  }
  if (p->n_workers == 0) {
    nnrt_pool_destroy(p);
    return NULL;
  }
  return p;
}

void nnrt_pool_destroy(nnrt_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  atomic_store_explicit(&p->stop, 1, memory_order_seq_cst);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->n_workers; i++) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->finished);
  pthread_mutex_destroy(&p->mu);
  free(p->threads);
  free(p);
}

int nnrt_pool_threads(const nnrt_pool *p) { return p ? p->n_workers + 1 : 1; }

/* One batch of at most MAX_BATCH items. */
static void run_batch(nnrt_pool *p, int base, int n, void (*fn)(void *arg, int i), void *arg) {
  p->fn = fn;
  p->arg = arg;
  p->base = base;
  atomic_store_explicit(&p->done, 0, memory_order_relaxed);
  p->gen++;
  /* Publishes fn/arg/base/done (release) and pairs with the sleepers'
   * increment-then-load (seq_cst). */
  atomic_store_explicit(&p->work, (uint64_t)p->gen << 32 | (uint64_t)n, memory_order_seq_cst);
  int sleeping = atomic_load_explicit(&p->sleepers, memory_order_seq_cst);
  if (sleeping > 0) {
    /* Only as many as could get an item; the caller takes one itself. */
    pthread_mutex_lock(&p->mu);
    if (n - 1 >= sleeping) pthread_cond_broadcast(&p->wake);
    else
      for (int k = 0; k < n - 1; k++) pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
  }
  run_items(p);
  /* Every item is claimed; wait for those still running on workers. */
  uint64_t t0 = 0;
  unsigned iter = 0;
  while (atomic_load_explicit(&p->done, memory_order_acquire) < n) {
    if (spin_step(&t0, &iter, CALLER_PAUSE_NS, CALLER_SPIN_NS)) continue;
    pthread_mutex_lock(&p->mu);
    atomic_store_explicit(&p->caller_waiting, 1, memory_order_seq_cst);
    while (atomic_load_explicit(&p->done, memory_order_seq_cst) < n) pthread_cond_wait(&p->finished, &p->mu);
    atomic_store_explicit(&p->caller_waiting, 0, memory_order_relaxed);
    pthread_mutex_unlock(&p->mu);
  }
}

void nnrt_pool_for(nnrt_pool *p, int n, void (*fn)(void *arg, int i), void *arg) {
  if (n <= 0) return;
  if (!p || n == 1) {
    for (int i = 0; i < n; i++) fn(arg, i);
    return;
  }
  for (int base = 0; base < n; base += MAX_BATCH)
    run_batch(p, base, n - base < MAX_BATCH ? n - base : MAX_BATCH, fn, arg);
}
