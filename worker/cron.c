/* worker/cron.c - a worker's periodic work (see cron.h). */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "conf/conf.h"
#include "keyspace/db.h"
#include "keyspace/inbox.h"
#include "keyspace/lazyfree.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "util/log.h"
#include "worker/cron.h"
#include "worker/introspect.h"
#include "worker/worker.h"

#define QBUF_IDLE_SHRINK (64 * 1024)

/* jemalloc's control interface, looked up weakly: the sanitizer build links none. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

/* Bytes this process has allocated from its private heap. */
static uint64_t private_allocated(void)
{
    if (mallctl) {
        uint64_t epoch = 1;
        size_t allocated = 0, sz = sizeof(epoch);
        mallctl("epoch", &epoch, &sz, &epoch, sz);
        sz = sizeof(allocated);
        return mallctl("stats.allocated", &allocated, &sz, NULL, 0) == 0 ? allocated : 0;
    }
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

void cron_publish_stats(void)
{
    static struct db_stats published;
    worker.shm->used_memory_private = private_allocated();
    worker.shm->keyspace_hits += db_stats.hits - published.hits;
    worker.shm->keyspace_misses += db_stats.misses - published.misses;
    worker.shm->expired_keys += db_stats.expired - published.expired;
    published = db_stats;
}

#define LAZYFREE_BATCH 1000

/* Active expiry (inside the housekeeping write), unless DEBUG SET-ACTIVE-EXPIRE 0 or
 * a client pause holds it, as Redis; a slow cycle is the latency monitor's
 * "expire-cycle" event.  An expired pause is cleared here too. */
static void active_expire(int64_t budget_us)
{
    pause_expire();
    if (introspect->active_expire_off || pause_current() != PAUSE_NONE)
        return;
    int64_t start = db_wall_ms();
    db_active_expire_step(budget_us);
    latency_add_sample_if_needed("expire-cycle", db_wall_ms() - start);
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

#define OPS_SAMPLES 16

/* instantaneous_ops_per_sec: commands over the last OPS_SAMPLES ticks, as Redis's
 * trackInstantaneousMetric, published in this worker's slot (INFO sums the slots). */
static void track_ops(void)
{
    static uint64_t counts[OPS_SAMPLES];
    static int64_t times[OPS_SAMPLES];
    static unsigned idx, filled;
    int64_t now = db_wall_ms();
    counts[idx] = worker.shm->commands;
    times[idx] = now;
    unsigned oldest = filled < OPS_SAMPLES ? 0 : (idx + 1) % OPS_SAMPLES;
    idx = (idx + 1) % OPS_SAMPLES;
    if (filled < OPS_SAMPLES)
        filled++;
    int64_t span = now - times[oldest];
    worker.shm->instantaneous_ops = span > 0 ? (counts[(idx + OPS_SAMPLES - 1) % OPS_SAMPLES] - counts[oldest]) *
                                                   1000 / (uint64_t)span : 0;
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
    track_ops();
    apply_config_changes();
    pause_resume_clients();
    if (worker.slot == 0)
        housekeeping(hz);
    if (inbox_pending(worker.slot) && shm_lock_try() >= 0) {   /* a producer died before waking us */
        int locked = 1;
        worker_drain_inbox(&locked);
        shm_lock_release();
    }
    if (worker.cron_runs % hz == 0) {
        clients_cron();
        cron_publish_stats();
        log_set_level(worker_conf()->loglevel);
    }
}
