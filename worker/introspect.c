/* worker/introspect.c - the introspection block in the arena and the dispatcher's
 * hooks around a command (see introspect.h). */
#include <setjmp.h>
#include <time.h>

#include "conf/shared.h"
#include "shm/alloc.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "util/log.h"
#include "worker/cmdstats.h"
#include "worker/introspect.h"

struct introspect *introspect;

void introspect_create(void)
{
    if (!shm_header()->stats_off)
        UNDO_SET(shm_header()->stats_off, shm_calloc(sizeof(struct introspect)));
    introspect = shm_ptr(shm_header()->stats_off);
}

void introspect_worker_init(int slot)
{
    shm_lock_acquire();
    undo_begin();
    introspect_create();
    monitor_clear_slot(slot);
    cmdstats_attach(slot);
    undo_commit();
    shm_lock_release();
}

void introspect_client_gone(struct client *c)
{
    if (c->flags & CLIENT_MONITOR)
        monitor_stop(c);
    if (c->flags & CLIENT_PAUSED)
        pause_forget(c);
}

void introspect_lock(int *locked)
{
    if (*locked)
        return;
    if (shm_lock_acquire() == 1)
        log_msg(LOG_WARNING, "Rolled back the write of a worker that died holding the lock");
    *locked = 1;
}

int introspect_try_lock(int *locked)
{
    if (*locked)
        return 1;
    int rc = shm_lock_try();
    if (rc < 0)
        return 0;
    if (rc == 1)
        log_msg(LOG_WARNING, "Rolled back the write of a worker that died holding the lock");
    *locked = 1;
    return 1;
}

void introspect_write(void (*fn)(void *arg), void *arg)
{
    if (undo_in_write()) {
        fn(arg);
        return;
    }
    jmp_buf guard, *outer = undo_guard;
    undo_guard = &guard;
    if (setjmp(guard) == 0) {
        undo_begin();
        fn(arg);
        undo_commit();
    }
    undo_guard = outer;
}

/* ---- around a command ---- */

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int introspect_gate(struct client *c, const struct command *cmd)
{
    if (c->flags & CLIENT_MONITOR) {        /* a replica to Redis: never paused */
        if (!(cmd->flags & (CMD_WRITE | CMD_READONLY | CMD_MAY_REPLICATE)))
            return 0;
        reply_error(&c->out, "ERR Replica can't interact with the keyspace");
        cmdstats_rejected(cmd);
        return 1;
    }
    return pause_postpone(c, cmd);
}

void introspect_call_begin(struct call_mark *m, const struct client *c)
{
    m->errors = c->out.errors;
    m->start_ns = monotonic_ns();
}

/* What a finished command still has to do under the lock. */
struct after_call {
    const struct cmd_ctx *ctx;
    int64_t usec;
    int slow, spike, feed;
};

static void after_call_locked(void *arg)
{
    const struct after_call *a = arg;
    const struct cmd_ctx *ctx = a->ctx;
    if (a->slow)
        slowlog_push(ctx, a->usec);
    if (a->spike)
        latency_add_sample((ctx->cmd->flags & CMD_FAST) ? "fast-command" : "command", a->usec / 1000,
                           (int64_t)time(NULL));
    if (a->feed)
        monitor_feed(ctx->client, ctx->argc, ctx->argv, ctx->argvlen);
}

void introspect_call_end(const struct call_mark *m, struct cmd_ctx *ctx, int *locked)
{
    const struct command *cmd = ctx->cmd;
    const struct conf_values *conf = conf_shared();
    struct after_call a = { .ctx = ctx, .usec = (monotonic_ns() - m->start_ns) / 1000 };
    cmdstats_call(cmd, a.usec, ctx->client->out.errors != m->errors, locked);
    if (ctx->client->flags & CLIENT_BLOCKED)
        return;                             /* parked: counted, not logged (as Redis) */
    a.slow = conf->slowlog_log_slower_than >= 0 && a.usec >= conf->slowlog_log_slower_than &&
             !(cmd->flags & CMD_SKIP_SLOWLOG);
    a.spike = conf->latency_monitor_threshold > 0 && a.usec / 1000 >= conf->latency_monitor_threshold;
    a.feed = __atomic_load_n(&introspect->monitor.total, __ATOMIC_RELAXED) &&
             !(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN));
    if (!a.slow && !a.spike && !a.feed)
        return;
    introspect_lock(locked);
    introspect_write(after_call_locked, &a);
}

/* ---- MONITOR, SLOWLOG, LATENCY ---- */

const struct command introspect_commands[] = {
    { "monitor", monitor_command, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, "server",
      "1.0.0", "Listen for all requests received by the server in real time", NULL, "@admin @slow @dangerous",
      NULL, NULL },
    { "slowlog", NULL, -2, 0, 0, 0, 0, "server", "2.2.12", "A container for slow log commands",
      "Depends on subcommand.", "@slow", slowlog_subcommands, NULL },
    { "latency", NULL, -2, 0, 0, 0, 0, "server", "2.8.13", "A container for latency diagnostics commands",
      "Depends on subcommand.", "@slow", latency_subcommands, NULL },
    { 0 }
};
