/* A small persistent thread pool: workers sleep on a condition variable and
 * take loop indices from an atomic counter, so a parallel loop costs two
 * wake-ups and allocates nothing. Not reentrant: a task must not call
 * nnrt_pool_for on the same pool. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "graph.h"

struct nnrt_pool {
  int n_workers;
  pthread_t *threads;
  pthread_mutex_t mu;
  pthread_cond_t wake;
  pthread_cond_t done;
  unsigned long generation; /* bumped once per parallel loop */
  int stop;
  int busy;                 /* workers still inside the current loop */
  void (*fn)(void *arg, int i);
  void *arg;
  int n;
  atomic_int next;
};

static void run_items(nnrt_pool *p) {
  int i;
  while ((i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed)) < p->n) p->fn(p->arg, i);
}

static void *worker(void *arg) {
  nnrt_pool *p = arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (p->generation == seen && !p->stop) pthread_cond_wait(&p->wake, &p->mu);
    if (p->stop) break;
    seen = p->generation;
    pthread_mutex_unlock(&p->mu);
    run_items(p);
    pthread_mutex_lock(&p->mu);
    if (--p->busy == 0) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

nnrt_pool *nnrt_pool_create(int threads) {
  if (threads <= 1) return NULL;
  nnrt_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->threads = calloc((size_t)threads - 1, sizeof(pthread_t));
  if (!p->threads || pthread_mutex_init(&p->mu, NULL) != 0) {
    free(p->threads);
    free(p);
    return NULL;
  }
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->done, NULL);
  atomic_init(&p->next, 0);
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
  p->stop = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->n_workers; i++) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->mu);
  free(p->threads);
  free(p);
}

int nnrt_pool_threads(const nnrt_pool *p) { return p ? p->n_workers + 1 : 1; }

void nnrt_pool_for(nnrt_pool *p, int n, void (*fn)(void *arg, int i), void *arg) {
  if (n <= 0) return;
  if (!p || n == 1) {
    for (int i = 0; i < n; i++) fn(arg, i);
    return;
  }
  pthread_mutex_lock(&p->mu);
  p->fn = fn;
  p->arg = arg;
  p->n = n;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  p->busy = p->n_workers;
  p->generation++;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  run_items(p);
  pthread_mutex_lock(&p->mu);
  while (p->busy > 0) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
}
