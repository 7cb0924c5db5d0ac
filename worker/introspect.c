/* worker/introspect.c - the introspection block in the arena, the gate before a
 * client's command and the hooks of every command call (see introspect.h). */
#include <setjmp.h>
#include <time.h>

#include "conf/shared.h"
#include "replication/propagate.h"
#include "replication/stream.h"
#include "shm/alloc.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "util/log.h"
#include "types/call.h"
#include "worker/cmdstats.h"
#include "worker/introspect.h"
#include "worker/worker.h"

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
    repl_stream_create(conf_shared()->repl_backlog_size);  /* the write stream, fed by the hooks */
    monitor_clear_slot(slot);
    cmdstats_attach(slot);
    undo_commit();
    shm_lock_release();
    introspect_install_call_hooks();
}

void introspect_client_gone(struct client *c)
{
    if (c->flags & CLIENT_MONITOR)
        monitor_stop(c);
    if (c->flags & CLIENT_PAUSED)
        pause_forget(c);
}

static void write_locked(void (*fn)(void *arg), void *arg)
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

static void note_recovery(int rc)
{
    if (rc == 1)
        log_msg(LOG_WARNING, "Rolled back the write of a worker that died holding the lock");
}

void introspect_locked_write(void (*fn)(void *arg), void *arg)
{
    if (shm_lock_held()) {
        write_locked(fn, arg);
        return;
    }
    note_recovery(shm_lock_acquire());
    write_locked(fn, arg);
    shm_lock_release();
}

int introspect_try_locked_write(void (*fn)(void *arg), void *arg)
{
    if (shm_lock_held()) {
        write_locked(fn, arg);
        return 1;
    }
    int rc = shm_lock_try();
    if (rc < 0)
        return 0;
    note_recovery(rc);
    write_locked(fn, arg);
    shm_lock_release();
    return 1;
}

/* ---- the gate before a client's command ---- */

int introspect_gate(struct client *c, const struct command *cmd)
{
    if (c->flags & CLIENT_MONITOR) {        /* a replica to Redis: never paused */
        if (!(cmd->flags & (CMD_WRITE | CMD_READONLY | CMD_MAY_REPLICATE)))
            return 0;
        reply_error(&c->out, "ERR Replica can't interact with the keyspace");
        return 1;
    }
    return pause_postpone(c, cmd);
}

/* ---- the hooks of every call (types/call.h) ---- */

static int monitored(const struct command *cmd)
{
    return __atomic_load_n(&introspect->monitor.total, __ATOMIC_RELAXED) &&
           !(cmd->flags & CMD_ADMIN);
}

/* The MONITOR line of a call: a client's address and database, or a script's. */
static void feed_locked(void *arg)
{
    const struct cmd_ctx *ctx = arg;
    if (ctx->client)
        monitor_feed(ctx->client, ctx->argc, ctx->argv, ctx->argvlen);
    else
        monitor_feed_script(ctx->dbid, ctx->argc, ctx->argv, ctx->argvlen);
}

static void hook_feed_first(const struct cmd_ctx *ctx)
{
    if (monitored(ctx->cmd))
        introspect_locked_write(feed_locked, (void *)ctx);
}

/* What a finished call still has to do under the lock. */
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
        feed_locked((void *)ctx);
}

static void count_errors(const char *code, uint64_t n)
{
    worker.shm->total_error_replies += n;
    cmdstats_error(code, n);
}

/* A blocked command is counted and fed to monitors when it blocks, as Redis 7.0 does;
 * it is not logged (Redis logs it when it unblocks). */
static void hook_done(const struct cmd_ctx *ctx, const struct call_result *res)
{
    const struct command *cmd = ctx->cmd;
    const struct conf_values *conf = conf_shared();
    worker.shm->commands++;
    cmdstats_call(cmd, res->usec, res->failed);
    if (res->errors)
        count_errors(res->error_code, res->errors);
    int blocked = ctx->blocked_waiter != 0;
    struct after_call a = { .ctx = ctx, .usec = res->usec };
    a.slow = !blocked && conf->slowlog_log_slower_than >= 0 && a.usec >= conf->slowlog_log_slower_than &&
             !(cmd->flags & CMD_SKIP_SLOWLOG);
    a.spike = !blocked && conf->latency_monitor_threshold > 0 &&
              a.usec / 1000 >= conf->latency_monitor_threshold;
    a.feed = !(cmd->flags & CMD_SKIP_MONITOR) && monitored(cmd);
    if (a.slow || a.spike || a.feed)
        introspect_locked_write(after_call_locked, &a);
}

static void hook_refused(const struct command *cmd, const char *code, uint64_t n)
{
    if (cmd)
        cmdstats_rejected(cmd);
    if (n)
        count_errors(code, n);
}

void introspect_install_call_hooks(void)
{
    static const struct call_hooks hooks = {
        .feed_first = hook_feed_first, .done = hook_done, .refused = hook_refused,
        .propagate = repl_propagate_call, .unwound = repl_propagate_unwound,
    };
    call_set_hooks(&hooks);
    db_set_expired_hook(repl_propagate_expired);
    block_set_served_hook(repl_propagate_served);
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
