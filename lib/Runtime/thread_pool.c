/*===- thread_pool.c - Thread pool behind mlc_rt_parallel_for ------------===*
 *
 * A fixed set of worker threads that generated code drives through
 * mlc_rt_parallel_for(). A model run issues hundreds of parallel loops, so a
 * loop must cost microseconds, not a thread creation:
 *
 *  - The caller publishes a job (body, closure, n) and bumps a generation
 *    counter. Workers notice the new generation by spinning briefly on it
 *    (back-to-back loops are the common case) and otherwise sleep on a
 *    condition variable; the caller only broadcasts when someone sleeps.
 *  - [0, n) is cut into a few chunks per thread; every thread, the caller
 *    included, claims chunks from a shared atomic counter until none are left,
 *    which balances uneven chunks and late-waking workers.
 *  - The counter holds the job's generation next to the chunk index, so a
 *    claim is of the job it names or fails; a thread reads the job only
 *    after a claim of it. The caller returns when every chunk has been run:
 *    it never waits for a worker that claimed nothing (one still asleep, or
 *    whose CPU the machine gave to something else), which then finds the
 *    job over and goes back to waiting.
 *
 * Loops run inline on the caller when the pool has one thread, when n is 1,
 * when the caller is itself inside a parallel body (nested loops would
 * otherwise deadlock waiting for workers that are busy running the outer
 * loop), and when another thread is using a shared pool at that moment (the
 * caller then makes progress alone instead of waiting).
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE /* pthread_sigmask, sysconf(_SC_NPROCESSORS_ONLN) */

#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// Upper bound on the pool size; larger requests are almost certainly bugs
/// (a negative count converted to unsigned, for instance).
#define MLC_MAX_THREADS 1024
_Static_assert(MLC_MAX_THREADS * MLC_CHUNKS_PER_THREAD < 0x10000,
               "a job's chunk count and index take 16 bits each in `claim`");
/// Iterations a thread spins on a counter before it sleeps: a few hundred
/// microseconds with the pauses and yields of spin_step(). Long enough to
/// catch the next loop of a model run, short enough not to burn a CPU for
/// long once the model is idle.
#define MLC_SPIN_ITERATIONS 4000

struct mlc_thread_pool {
  int32_t num_threads; /* including the caller */
  int32_t num_workers; /* num_threads - 1 */
  pthread_t *workers;

  /* Serialises callers that share this pool; held for one parallel loop. */
  pthread_mutex_t submit_mutex;

  /* Guards sleeping and waking; `generation` and `shutdown` change under it. */
  pthread_mutex_t mutex;
  pthread_cond_t work_cond; /* a new generation was published */
  pthread_cond_t done_cond; /* `done` reached the job's chunk count */
  int32_t sleepers;         /* workers waiting on work_cond (under mutex) */
  bool caller_sleeping;     /* caller waiting on done_cond (under mutex) */
  _Atomic uint64_t generation;
  atomic_bool shutdown;

  /* The current job: written by the caller before it resets `claim`, read
   * only by threads that hold a claim of it. */
  mlc_parallel_body_fn body;
  void *closure;
  mlc_exec_ctx *ctx; /* the run's context, current on workers during the job */
  int64_t n;
  /* The job's generation (low 32 bits) << 32 | its chunk count << 16 | the
   * next chunk to claim: a claim reads all three at once (a separate count
   * could already be the next job's while the index is still this one's). */
  _Atomic uint64_t claim;
  atomic_int_fast64_t done; /* chunks of the job run to completion */
};

/// Depth of parallel bodies running on this thread; nested loops run inline.
static _Thread_local int tls_parallel_depth;

/// One step of a spin-wait. Every few steps the thread yields its CPU: when
/// the pool has more threads than free cores (an oversubscribed machine, or a
/// pool larger than the CPU count), pure spinning would keep the very thread
/// being waited for off the CPU.
static inline void spin_step(int iteration) {
  if ((iteration & 15) == 15) {
    sched_yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

/// Claims chunks of job `generation` until none are left (or the job is
/// over: a later one is published). On a worker, the job's context is
/// current while its chunks run. Returns whether this thread ran the last
/// chunk.
static bool run_chunks(mlc_thread_pool *pool, uint64_t generation, bool worker) {
  const uint64_t tag = generation << 32;
  mlc_exec_ctx *previous = NULL;
  bool claimed = false, last = false;
  for (;;) {
    /* A compare-and-swap, not an add: a late thread must not take an index
     * from the next job while it fails to claim one of its own. acquire: a
     * claim of this job sees what the caller wrote before it reset the
     * counter. */
    uint64_t v = atomic_load_explicit(&pool->claim, memory_order_acquire);
    int64_t c = 0, num_chunks = 0;
    do {
      if ((v >> 32) != (tag >> 32))
        break;
      c = (int64_t)(v & 0xffffu);
      num_chunks = (int64_t)(v >> 16 & 0xffffu);
      if (c >= num_chunks)
        break;
    } while (!atomic_compare_exchange_weak_explicit(&pool->claim, &v, v + 1,
                                                    memory_order_acquire,
                                                    memory_order_acquire));
    if ((v >> 32) != (tag >> 32) || c >= num_chunks)
      break;
    if (worker && !claimed)
      /* Bodies that call back into the runtime (string functions) find the
       * run's context as they would on the caller's thread. */
      previous = mlc_rt_set_current_ctx(pool->ctx);
    claimed = true;
    /* The first `extra` chunks get one more element. c*base <= n: no
     * overflow. */
    const int64_t n = pool->n, base = n / num_chunks, extra = n % num_chunks;
    const int64_t begin = c * base + (c < extra ? c : extra);
    const int64_t end = begin + base + (c < extra ? 1 : 0);
    pool->body(pool->closure, begin, end);
    /* release: the chunk's writes are the caller's once it counts them. */
    last = atomic_fetch_add_explicit(&pool->done, 1, memory_order_acq_rel) + 1 == num_chunks;
  }
  if (worker && claimed)
    mlc_rt_set_current_ctx(previous);
  return last;
}

static void *worker_main(void *arg) {
  mlc_thread_pool *pool = (mlc_thread_pool *)arg;
  uint64_t seen = 0;
  tls_parallel_depth = 1; /* everything a worker runs is a parallel body */
  for (;;) {
    uint64_t gen =
        atomic_load_explicit(&pool->generation, memory_order_acquire);
    for (int i = 0; gen == seen && i < MLC_SPIN_ITERATIONS; ++i) {
      spin_step(i);
      gen = atomic_load_explicit(&pool->generation, memory_order_acquire);
    }
    if (gen == seen) {
      pthread_mutex_lock(&pool->mutex);
      while ((gen = atomic_load_explicit(&pool->generation,
                                         memory_order_acquire)) == seen) {
        ++pool->sleepers;
        pthread_cond_wait(&pool->work_cond, &pool->mutex);
        --pool->sleepers;
      }
      pthread_mutex_unlock(&pool->mutex);
    }
    if (atomic_load_explicit(&pool->shutdown, memory_order_acquire))
      return NULL;
    seen = gen;

    if (run_chunks(pool, gen, true)) {
      /* Ran the last chunk: wake the caller if it gave up spinning. Taking
       * the mutex orders this with the caller's check of `done`. */
      pthread_mutex_lock(&pool->mutex);
      if (pool->caller_sleeping)
        pthread_cond_signal(&pool->done_cond);
      pthread_mutex_unlock(&pool->mutex);
    }
  }
}

/// Bumps the generation (workers then see either the new job or shutdown).
static void publish(mlc_thread_pool *pool) {
  pthread_mutex_lock(&pool->mutex);
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  if (pool->sleepers > 0)
    pthread_cond_broadcast(&pool->work_cond);
  pthread_mutex_unlock(&pool->mutex);
}

/// Stops and joins the first `started` workers, then frees the pool.
static void pool_teardown(mlc_thread_pool *pool, int32_t started) {
  if (started > 0) {
    atomic_store_explicit(&pool->shutdown, true, memory_order_release);
    publish(pool);
    for (int32_t i = 0; i < started; ++i)
      pthread_join(pool->workers[i], NULL);
  }
  pthread_cond_destroy(&pool->done_cond);
  pthread_cond_destroy(&pool->work_cond);
  pthread_mutex_destroy(&pool->mutex);
  pthread_mutex_destroy(&pool->submit_mutex);
  free(pool->workers);
  free(pool);
}

mlc_status mlc_thread_pool_create(int32_t num_threads,
                                  mlc_thread_pool **out_pool) {
  if (!out_pool)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_thread_pool_create: out_pool is NULL");
  *out_pool = NULL;
  if (num_threads < 0 || num_threads > MLC_MAX_THREADS)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_thread_pool_create: num_threads must be in "
                           "[0, %d] but is %d",
                           MLC_MAX_THREADS, (int)num_threads);
  if (num_threads == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    num_threads = cpus < 1                 ? 1
                  : cpus > MLC_MAX_THREADS ? MLC_MAX_THREADS
                                           : (int32_t)cpus;
  }

  mlc_thread_pool *pool = (mlc_thread_pool *)calloc(1, sizeof(*pool));
  if (!pool)
    return mlc_status_out_of_memory();
  pool->num_threads = num_threads;
  pool->num_workers = num_threads - 1;
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->shutdown, false);
  atomic_init(&pool->claim, 0);
  atomic_init(&pool->done, 0);
  pthread_mutex_init(&pool->submit_mutex, NULL);
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->work_cond, NULL);
  pthread_cond_init(&pool->done_cond, NULL);
  if (pool->num_workers > 0) {
    pool->workers =
        (pthread_t *)calloc((size_t)pool->num_workers, sizeof(pthread_t));
    if (!pool->workers) {
      pool_teardown(pool, 0);
      return mlc_status_out_of_memory();
    }
  }

  /* Workers block every signal so that asynchronous signals keep going to the
   * application's own threads. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int32_t started = 0;
  int err = 0;
  for (; started < pool->num_workers; ++started) {
    err = pthread_create(&pool->workers[started], NULL, worker_main, pool);
    if (err != 0)
      break;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err != 0) {
    pool_teardown(pool, started);
    return mlc_status_make(MLC_STATUS_INTERNAL,
                           "mlc_thread_pool_create: could not start worker "
                           "thread %d of %d: %s",
                           (int)started + 1, (int)num_threads - 1,
                           strerror(err));
  }
  *out_pool = pool;
  return NULL;
}

void mlc_thread_pool_destroy(mlc_thread_pool *pool) {
  if (pool)
    pool_teardown(pool, pool->num_workers);
}

int32_t mlc_thread_pool_size(const mlc_thread_pool *pool) {
  return pool ? pool->num_threads : 0;
}

int32_t mlc_rt_parallel_width(const mlc_exec_ctx *ctx) {
  if (!ctx || !ctx->pool || tls_parallel_depth > 0)
    return 1;
  return ctx->pool->num_threads;
}

static void run_inline(int64_t n, mlc_parallel_body_fn body, void *closure) {
  ++tls_parallel_depth;
  body(closure, 0, n);
  --tls_parallel_depth;
}

void mlc_rt_parallel_for(mlc_exec_ctx *ctx, int64_t n,
                         mlc_parallel_body_fn body, void *closure) {
  if (n <= 0 || !body)
    return;
  mlc_thread_pool *pool = ctx ? ctx->pool : NULL;
  if (!pool || pool->num_workers == 0 || n == 1 || tls_parallel_depth > 0 ||
      pthread_mutex_trylock(&pool->submit_mutex) != 0) {
    run_inline(n, body, closure);
    return;
  }

  int64_t max_chunks = (int64_t)pool->num_threads * MLC_CHUNKS_PER_THREAD;
  pool->body = body;
  pool->closure = closure;
  pool->ctx = ctx;
  pool->n = n;
  const int64_t num_chunks = n < max_chunks ? n : max_chunks;
  atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
  /* The next generation: what publish() will make it. Only callers holding
   * submit_mutex change it, so it is stable here. */
  const uint64_t generation =
      atomic_load_explicit(&pool->generation, memory_order_relaxed) + 1;
  /* release: a claim of the new job sees the fields above. At most
   * MLC_MAX_THREADS * MLC_CHUNKS_PER_THREAD chunks: 16 bits. */
  atomic_store_explicit(&pool->claim,
                        generation << 32 | (uint64_t)num_chunks << 16,
                        memory_order_release);
  publish(pool);

  ++tls_parallel_depth;
  run_chunks(pool, generation, false);
  --tls_parallel_depth;

  /* Wait until every chunk has run (workers that claimed none are not
   * waited for); acquire makes their writes visible to the caller. */
  bool done = false;
  for (int i = 0; i < MLC_SPIN_ITERATIONS; ++i) {
    if (atomic_load_explicit(&pool->done, memory_order_acquire) == num_chunks) {
      done = true;
      break;
    }
    spin_step(i);
  }
  if (!done) {
    pthread_mutex_lock(&pool->mutex);
    pool->caller_sleeping = true;
    while (atomic_load_explicit(&pool->done, memory_order_acquire) != num_chunks)
      pthread_cond_wait(&pool->done_cond, &pool->mutex);
    pool->caller_sleeping = false;
    pthread_mutex_unlock(&pool->mutex);
  }
  pthread_mutex_unlock(&pool->submit_mutex);
}
