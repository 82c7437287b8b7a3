// A persistent pool of worker threads for short parallel regions (ComputeThreads.forParts / forSpans).
//
// Why: a one-stream SmolLM2-135M decode step runs about 120 parallel regions of 20-100 us each, and
// DispatchQueue.concurrentPerform woke libdispatch's sleeping worker through a futex for each (perf
// on the 2-core EPYC: ~200 context switches a token; ~11 us a region in a micro-benchmark). These
// workers instead spin (pause instruction, a yield every 10 us) for a bounded time after each job, so
// the next region starts within a cache-line transfer, and then park on a condition variable: no core
// spins for long when the pool is idle. Measured A/B, `bench generate --threads 2`: one stream 73 ->
// 81 tokens/s, batch 8 137 -> 154 (with forSpans' balanced shares).
//
// One job at a time: `cwp_run` claims the pool with a compare-and-swap and returns "busy" when another
// caller (another thread, or a body of the running job calling in again) holds it; the caller then
// runs its region another way, so nothing ever waits for the pool.
#include "cplatform.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// The job word packs the generation (high bits) with the job's worker count (low 8 bits), so a worker
/// reads which job it sees and whether it takes part in it with one load: a worker that is not part of
/// a job may notice it arbitrarily late, when the next job's count is already published.
#define CWP_COUNT_BITS 8
#define CWP_COUNT_MASK ((1u << CWP_COUNT_BITS) - 1)

/// How long a worker (or the waiting caller) spins before it parks: long enough to cover the serial
/// work between a decode step's products (norms, RoPE, attention, activation quantisation: a few to
/// tens of microseconds), short enough that an idle pool gives its cores back almost at once.
#define CWP_SPIN_NS 200000

/// While spinning, `sched_yield` every this many nanoseconds. Why: with more runnable threads than
/// cores (a job with more workers than cores, or a loaded machine) a spinning thread can hold the core
/// a participant of the job is queued on until the scheduler's next tick (milliseconds). Micro-benchmark,
/// 3 workers on the 2-core EPYC, 5 us serial + 25 us per worker: 637 us a region without yields, 129 us
/// with them (concurrentPerform: 90 us); with 2 workers on 2 cores the yields changed nothing measurable.
#define CWP_YIELD_NS 10000

static struct {
    _Alignas(64) _Atomic int busy;         // 1 while a caller owns the pool
    int threads;                           // workers created (indices 1...threads); owner-only
    cwp_body fn;                           // the job, written by the owner before it publishes `job`
    void *ctx;
    _Alignas(64) _Atomic uint64_t job;     // (generation << 8) | workers
    _Alignas(64) _Atomic long remaining;   // workers 1..<n still running the current job
    _Alignas(64) _Atomic int parked;       // workers between "going to sleep" and waking up
    _Atomic int owner_parked;              // 1 while the owner sleeps waiting for `remaining`
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    uint64_t created_at[CWP_MAX_WORKERS];  // the job word each worker was created under
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static inline uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/// Waits until the job word differs from `seen` and returns it: spins first, then parks on `wake`.
static uint64_t wait_for_job(uint64_t seen) {
    uint64_t start = 0, yielded = 0, j;
    for (unsigned i = 1;; i++) {
        j = atomic_load_explicit(&pool.job, memory_order_acquire);
        if (j != seen) return j;
        cpu_relax();
        if ((i & 63) == 0) {
            uint64_t t = now_ns();
            if (start == 0) start = yielded = t;
            else if (t - start > CWP_SPIN_NS) break;
            else if (t - yielded > CWP_YIELD_NS) { sched_yield(); yielded = t; }
        }
    }
    // Parking: `parked` is raised (seq_cst) before the job word is read again under the lock, and the
    // owner stores the job word (seq_cst) before reading `parked`, so either this worker sees the new
    // job or the owner sees it parked and broadcasts under the same lock.
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.parked, 1);
    while ((j = atomic_load(&pool.job)) == seen) pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.parked, 1);
    pthread_mutex_unlock(&pool.lock);
    return j;
}

static void *worker_main(void *arg) {
    long index = (long)(intptr_t)arg;
    uint64_t seen = pool.created_at[index];
    for (;;) {
        uint64_t j = wait_for_job(seen);
        seen = j;
        if (index >= (long)(j & CWP_COUNT_MASK)) continue;  // not part of this job
        pool.fn(pool.ctx, index);
        // The last worker to finish wakes the owner if it went to sleep (same handshake as `parked`).
        if (atomic_fetch_sub(&pool.remaining, 1) == 1 && atomic_load(&pool.owner_parked)) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    return NULL;
}

/// 0 when the environment variable CURATE_WORKER_POOL is "off" (every region then goes through the
/// caller's fallback: an A/B switch for benchmarks within one binary), else 1. Read once; two first
/// callers racing compute the same value, which is harmless.
static int pool_enabled(void) {
    static volatile int enabled = -1;
    int e = enabled;
    if (e >= 0) return e;
    const char *v = getenv("CURATE_WORKER_POOL");
    e = !(v && strcmp(v, "off") == 0);
    enabled = e;
    return e;
}

int cwp_run(long workers, cwp_body fn, void *ctx) {
    if (workers < 2 || workers > CWP_MAX_WORKERS || !pool_enabled()) return -1;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&pool.busy, &expected, 1)) return 1;
    uint64_t current = atomic_load_explicit(&pool.job, memory_order_relaxed);
    while (pool.threads < workers - 1) {
        long index = pool.threads + 1;
        pool.created_at[index] = current;
        pthread_t t;
        pthread_attr_t attr;
        int failed = pthread_attr_init(&attr);
        if (!failed) {
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            failed = pthread_create(&t, &attr, worker_main, (void *)(intptr_t)index);
            pthread_attr_destroy(&attr);
        }
        if (failed) {
            atomic_store_explicit(&pool.busy, 0, memory_order_release);
            return -1;
        }
        pool.threads += 1;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    atomic_store_explicit(&pool.remaining, workers - 1, memory_order_relaxed);
    uint64_t job = (((current >> CWP_COUNT_BITS) + 1) << CWP_COUNT_BITS) | (uint64_t)workers;
    atomic_store(&pool.job, job);
    if (atomic_load(&pool.parked) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    fn(ctx, 0);
    uint64_t start = 0, yielded = 0;
    for (unsigned i = 1; atomic_load_explicit(&pool.remaining, memory_order_acquire) != 0; i++) {
        cpu_relax();
        if ((i & 63) == 0) {
            uint64_t t = now_ns();
            if (start == 0) start = yielded = t;
            else if (t - start <= CWP_SPIN_NS) {
                if (t - yielded > CWP_YIELD_NS) { sched_yield(); yielded = t; }
            } else {
                pthread_mutex_lock(&pool.lock);
                atomic_store(&pool.owner_parked, 1);
                while (atomic_load(&pool.remaining) != 0) pthread_cond_wait(&pool.done, &pool.lock);
                atomic_store(&pool.owner_parked, 0);
                pthread_mutex_unlock(&pool.lock);
                break;
            }
        }
    }
    atomic_store_explicit(&pool.busy, 0, memory_order_release);
    return 0;
}
