/* worker/cron.c - a worker's periodic work (see cron.h). */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "keyspace/db.h"
#include "keyspace/inbox.h"
#include "keyspace/lazyfree.h"
#include "lua/script.h"
#include "shm/alloc.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "types/maxmemory.h"
#include "util/log.h"
#include "worker/cron.h"
#include "worker/introspect.h"
#include "worker/worker.h"

#define QBUF_IDLE_SHRINK (64 * 1024)

/* jemalloc's control interface, looked up weakly: the sanitizer build links none. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

static uint64_t jemalloc_stat(const char *name)
{
    size_t value = 0, sz = sizeof(value);
    return mallctl(name, &value, &sz, NULL, 0) == 0 ? value : 0;
}

/* This process's private heap into its slot: bytes allocated, in active pages,
 * resident (jemalloc's stats; libc's mallinfo2 without jemalloc). */
static void publish_heap(void)
{
    if (mallctl) {
        uint64_t epoch = 1;
        size_t sz = sizeof(epoch);
        mallctl("epoch", &epoch, &sz, &epoch, sz);
        worker.shm->used_memory_private = jemalloc_stat("stats.allocated");
        worker.shm->allocator_active = jemalloc_stat("stats.active");
        worker.shm->allocator_resident = jemalloc_stat("stats.resident");
        return;
    }
    struct mallinfo2 mi = mallinfo2();
    worker.shm->used_memory_private = mi.uordblks + mi.hblkhd;
    worker.shm->allocator_active = worker.shm->allocator_resident = mi.arena + mi.hblkhd;
}

/* Memory figures: the heap, the Lua state, the peak of used_memory, and at this
 * process's first publish its starting point (INFO used_memory_startup). */
static void publish_memory(void)
{
    static int started;
    publish_heap();
    worker.shm->lua_memory = script_lua_memory();
    if (!started) {
        struct slab_stats st;
        slab_get_stats(&st);
        worker.shm->startup_private = worker.shm->used_memory_private;
        worker.shm->startup_arena = st.bytes_allocated;
        started = 1;
    }
    uint64_t used = maxmemory_used();
    if (used > worker.shm->used_memory_peak)
        worker.shm->used_memory_peak = used;
}

void cron_publish_stats(void)
{
    static struct db_stats published;
    publish_memory();
    worker.shm->keyspace_hits += db_stats.hits - published.hits;
    worker.shm->keyspace_misses += db_stats.misses - published.misses;
    worker.shm->expired_keys += db_stats.expired - published.expired;
    published = db_stats;
}

#define LAZYFREE_BATCH 1000

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Active expiry (inside the housekeeping write), unless DEBUG SET-ACTIVE-EXPIRE 0 or
 * a client pause holds it, as Redis; a slow cycle is the latency monitor's
 * "expire-cycle" event.  Its time, and whether it ran out of budget, are counted in
 * the slot (INFO expire_cycle_cpu_milliseconds, expired_time_cap_reached_count).  An
 * expired pause is cleared here too. */
static void active_expire(int64_t budget_us)
{
    pause_expire();
    if (introspect->active_expire_off || pause_current() != PAUSE_NONE)
        return;
    int64_t start = monotonic_us();
    db_active_expire_step(budget_us);
    int64_t elapsed = monotonic_us() - start;
    worker.shm->expire_cycle_us += (uint64_t)elapsed;
    if (elapsed >= budget_us)
        worker.shm->expire_time_cap_reached++;
    latency_add_sample_if_needed("expire-cycle", elapsed / 1000);
}

/* Active expiry and table maintenance, bounded to a quarter of a tick; then freeing
 * flushed tables in batches, each its own write, the lock released in between so
 * other workers' commands interleave. */
static void housekeeping(long hz)
{
    int64_t budget_us = 250000 / hz;
    int64_t deadline = db_wall_ms() + budget_us / 1000;
    if (shm_lock_try() < 0)         /* busy (a long script): skip this tick, stay responsive */
        return;
    undo_begin();
    db_set_now(db_wall_ms());
    active_expire(budget_us / 2);
    db_housekeeping_step();
    db_set_now(0);
    undo_commit();
    shm_lock_release();
    for (int more = 1; more && db_wall_ms() < deadline;) {
        if (shm_lock_try() < 0)
            return;
        undo_begin();
        more = lazyfree_step(LAZYFREE_BATCH);
        undo_commit();
        shm_lock_release();
    }
}

static void clients_cron(void)
{
    struct conf_values *conf = worker_conf();
    int64_t now = db_wall_ms();
    for (struct client *c = worker.clients, *next; c; c = next) {
        next = c->next;
        if (conf->timeout > 0 && now - c->last_interaction_ms > (int64_t)conf->timeout * 1000 &&
            c->out.len == c->out_sent && !(c->flags & (CLIENT_BLOCKED | CLIENT_PAUSED))) {
            log_msg(LOG_VERBOSE, "Closing idle client");
            worker_close_client(c);
            continue;
        }
        if (c->qlen == 0 && c->qcap > QBUF_IDLE_SHRINK) {
            free(c->qbuf);
            c->qbuf = NULL;
            c->qcap = 0;
        }
    }
}

#define RATE_SAMPLES 16

/* The last RATE_SAMPLES readings of a growing counter, one per tick. */
struct rate_samples {
    uint64_t counts[RATE_SAMPLES];
    int64_t times[RATE_SAMPLES];
    unsigned next, filled;
};

/* Adds a reading; returns the counter's growth per second over the readings kept, as
 * Redis's trackInstantaneousMetric (0 after a CONFIG RESETSTAT made it go back). */
static uint64_t rate_sample(struct rate_samples *r, uint64_t count, int64_t now)
{
    r->counts[r->next] = count;
    r->times[r->next] = now;
    r->next = (r->next + 1) % RATE_SAMPLES;
    if (r->filled < RATE_SAMPLES)
        r->filled++;
    unsigned oldest = r->filled < RATE_SAMPLES ? 0 : r->next;
    int64_t span = now - r->times[oldest];
    if (span <= 0 || count < r->counts[oldest])
        return 0;
    return (count - r->counts[oldest]) * 1000 / (uint64_t)span;
}

/* instantaneous_ops_per_sec and the input/output bytes per second, published in
 * this worker's slot (INFO sums the slots). */
static void track_rates(void)
{
    static struct rate_samples ops, in, out;
    int64_t now = db_wall_ms();
    worker.shm->instantaneous_ops = rate_sample(&ops, worker.shm->commands, now);
    worker.shm->instantaneous_input = rate_sample(&in, worker.shm->net_input_bytes, now);
    worker.shm->instantaneous_output = rate_sample(&out, worker.shm->net_output_bytes, now);
}

/* CONFIG SET hz and dir take effect in every worker at its next tick. */
static void apply_config_changes(void)
{
    static long applied_hz;
    static char applied_dir[sizeof(((struct conf_values *)0)->dir)];
    struct conf_values *conf = worker_conf();
    if (applied_hz && conf->hz != applied_hz) {
        long hz = conf->hz > 0 ? conf->hz : 10;
        struct itimerspec its = { { 0, 1000000000L / hz }, { 0, 1000000000L / hz } };
        timerfd_settime(worker.timer_fd, 0, &its, NULL);
    }
    applied_hz = conf->hz;
    if (applied_dir[0] && strcmp(applied_dir, conf->dir) != 0 && chdir(conf->dir) != 0)
        log_msg(LOG_WARNING, "Can't chdir to '%s' after CONFIG SET dir", conf->dir);
    memcpy(applied_dir, conf->dir, sizeof(applied_dir));
}

void cron_tick(void)
{
    long hz = worker_conf()->hz > 0 ? worker_conf()->hz : 10;
    worker.cron_runs++;
    track_rates();
    apply_config_changes();
    pause_resume_clients();
    if (worker.slot == 0)
        housekeeping(hz);
    script_gc_tick();
    if (inbox_pending(worker.slot) && shm_lock_try() >= 0) {   /* a producer died before waking us */
        int locked = 1;
        worker_drain_inbox(&locked);
        shm_lock_release();
    }
    if (worker.cron_runs == 1)
        publish_memory();           /* this process's starting point, before much else runs */
    if (worker.cron_runs % hz == 0) {
        clients_cron();
        cron_publish_stats();
        log_set_level(worker_conf()->loglevel);
    }
}
