/* worker/dispatch.c - running a client's command (see dispatch.h).
 *
 * Order of checks follows Redis's processCommand: unknown command, unknown
 * subcommand, arity, authentication; then the command runs inside a write
 * (undo_begin .. undo_commit) with the keyspace lock held, unless it is flagged
 * CMD_NOLOCK.  A write that cannot finish (arena full, undo log full) is rolled back
 * whole and the client gets an error: no partial effect is ever visible.
 * The command runs through types/call.h's call_run, as EXEC's queued commands and
 * scripts' redis.call do, and is reported (statistics, slowlog, latency, MONITOR: the
 * worker's hooks, worker/introspect.h) once its write committed.  Before it runs,
 * worker/introspect.h's gate (a monitor client touching the keyspace, CLIENT PAUSE)
 * with the lock held.  Every refusal written here is counted (rejected calls, error
 * statistics) through call_refused. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "keyspace/blocking.h"
#include "lua/script.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "types/call.h"
#include "types/maxmemory.h"
#include "types/t_bitmap.h"
#include "types/t_geo.h"
#include "types/t_hash.h"
#include "types/t_hll.h"
#include "types/t_keys.h"
#include "types/t_list.h"
#include "types/t_list_block.h"
#include "types/t_set.h"
#include "types/t_sort.h"
#include "types/t_string.h"
#include "types/t_zset.h"
#include "types/t_zset_block.h"
#include "util/log.h"
#include "worker/cmd_pubsub.h"
#include "worker/cmd_reset.h"
#include "worker/dispatch.h"
#include "worker/introspect.h"
#include "worker/multi.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

void dispatch_register_all(void)
{
    command_register(connection_commands);
    command_register(server_commands);
    command_register(string_commands);
    command_register(key_commands);
    command_register(bitmap_commands);
    command_register(hll_commands);
    list_type_init();
    command_register(list_commands);
    list_block_init();
    command_register(list_block_commands);
    hash_type_init();
    command_register(hash_commands);
    set_type_init();
    command_register(set_commands);
    zset_type_init();
    command_register(zset_commands);
    command_register(geo_commands);
    command_register(sort_commands);
    zset_block_init();
    command_register(zset_block_commands);
    command_register(info_commands);
    command_register(config_commands);
    command_register(command_commands);
    command_register(client_commands);
    multi_register();
    command_register(reset_commands);
    command_register(introspect_commands);
    script_register_commands();
    pubsub_register_commands();
}

static void reply_unknown_command(struct client *c)
{
    char msg[512];
    int n = snprintf(msg, sizeof(msg), "ERR unknown command '%.*s', with args beginning with: ",
                     (int)(c->req.argvlen[0] > 128 ? 128 : c->req.argvlen[0]), c->req.argv[0]);
    for (int i = 1; i < c->req.argc && n < (int)sizeof(msg) - 1; i++)
        n += snprintf(msg + n, sizeof(msg) - (size_t)n, "'%.*s' ",
                      (int)(c->req.argvlen[i] > 128 ? 128 : c->req.argvlen[i]), c->req.argv[i]);
    reply_error(&c->out, msg);
}

/* A refusal written at c->out since the client had 'errors' error replies: counted
 * as Redis counts rejected calls (cmd NULL: unknown command). */
static void refused(struct client *c, const struct command *cmd, uint64_t errors)
{
    call_refused(cmd, c->out.last_error, c->out.errors - errors);
}

/* Resolves argv to a command or subcommand; replies and returns NULL on failure, with
 * the command refused in *cmd_out (NULL when unknown). */
static const struct command *resolve(struct client *c, const struct command **cmd_out)
{
    const struct command *cmd = command_lookup(c->req.argv[0], c->req.argvlen[0]);
    *cmd_out = cmd;
    if (!cmd) {
        reply_unknown_command(c);
        return NULL;
    }
    if (cmd->subcommands && c->req.argc >= 2) {
        const struct command *sub = command_lookup_sub(cmd, c->req.argv[1], c->req.argvlen[1]);
        if (!sub) {
            char up[32];
            size_t n = strlen(cmd->name);
            for (size_t i = 0; i <= n && i < sizeof(up); i++)
                up[i] = (char)(cmd->name[i] >= 'a' && cmd->name[i] <= 'z' ? cmd->name[i] - 32 : cmd->name[i]);
            up[sizeof(up) - 1] = '\0';
            reply_errorf(&c->out, "ERR unknown subcommand '%.*s'. Try %s HELP.",
                         (int)(c->req.argvlen[1] > 128 ? 128 : c->req.argvlen[1]), c->req.argv[1], up);
            *cmd_out = NULL;
            return NULL;
        }
        cmd = sub;
    }
    *cmd_out = cmd;
    if (!command_arity_ok(cmd, c->req.argc)) {
        char full[64];
        command_fullname(cmd, full, sizeof(full));
        reply_wrong_arity(&c->out, full);
        return NULL;
    }
    return cmd;
}

/* Runs the command as one write (EXEC: the whole transaction) through types/call.h;
 * returns 0 when it committed, the abort reason when it was rolled back (then the
 * call counts as failed with the error it replies). */
static int run_in_write(struct cmd_ctx *ctx, struct call_result *res)
{
    jmp_buf guard;
    size_t reply_mark = ctx->reply->len;
    uint64_t errors = ctx->reply->errors;
    int why, level = call_depth();

    undo_guard = &guard;
    if ((why = setjmp(guard)) == 0) {
        undo_begin();
        call_run(ctx, res);
        if (block_have_ready())
            block_serve_ready();
        undo_commit();
    } else {
        call_abort_to(level);
        block_reset_ready();
        ctx->reply->len = reply_mark;
        ctx->reply->errors = errors;
        ctx->dirty = 0;
        ctx->blocked_waiter = 0;
        reply_error(ctx->reply, why == UNDO_ABORT_OOM
                    ? MAXMEMORY_OOM_ERROR
                    : "ERR write too large for the undo log; it was rolled back");
        *res = (struct call_result){ .errors = 1, .failed = 1, .error_code = ctx->reply->last_error };
    }
    undo_guard = NULL;
    return why;
}

/* An HTTP request sent to us by a browser tricked into it (cross protocol
 * scripting): drop the connection, as Redis does. */
static int looks_like_http(const struct client *c)
{
    size_t n = c->req.argvlen[0];
    return (n == 5 && strncasecmp(c->req.argv[0], "host:", 5) == 0) ||
           (n == 4 && strncasecmp(c->req.argv[0], "post", 4) == 0);
}

#define BUSY_POLL_MS 10
#define ERR_BUSY_SCRIPT "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."

/* Takes the keyspace lock; while a script has run past busy-reply-threshold, replies
 * -BUSY instead of waiting (commands flagged allow-busy wait).  0 when it replied. */
static int acquire_lock_or_busy(struct client *c, const struct command *cmd)
{
    int rc = shm_lock_try();
    while (rc < 0) {
        int busy = script_busy_ms();
        if (busy >= 0 && busy >= worker_conf()->busy_reply_threshold && !(cmd->flags & CMD_ALLOW_BUSY)) {
            reply_error(&c->out, ERR_BUSY_SCRIPT);
            return 0;
        }
        rc = shm_lock_acquire_timed(BUSY_POLL_MS);
    }
    if (rc == 1)
        log_msg(LOG_WARNING, "Rolled back the write of a worker that died holding the lock");
    return 1;
}

static struct cmd_ctx client_ctx(struct client *c, const struct command *cmd)
{
    return (struct cmd_ctx){
        .cmd = cmd, .argc = c->req.argc, .argv = c->req.argv, .argvlen = c->req.argvlen,
        .reply = &c->out, .db = db_get(c->dbid), .dbid = c->dbid, .resp = c->resp, .client = c,
        .client_id = c->id, .slot = worker.slot,
    };
}

/* While a script of this worker runs past busy-reply-threshold (it holds the lock),
 * the worker keeps serving its other clients: commands that need no lock run,
 * every other command gets -BUSY (worker/busy.c). */
void dispatch_command_busy(struct client *c)
{
    uint64_t errors = c->out.errors;
    const struct command *refused_cmd, *cmd = resolve(c, &refused_cmd);
    if (!cmd) {
        refused(c, refused_cmd, errors);
        return;
    }
    if ((cmd->flags & CMD_NOLOCK) && (c->authenticated || !worker_conf()->requirepass[0] ||
                                      (cmd->flags & CMD_NO_AUTH))) {
        struct cmd_ctx ctx = client_ctx(c, cmd);
        call_command(&ctx);
        return;
    }
    reply_error(&c->out, ERR_BUSY_SCRIPT);
    refused(c, cmd, errors);
}

/* The checks before a command runs (Redis's processCommand): returns it, or NULL when
 * it was refused (replied, counted, an open transaction flagged) or queued. */
static const struct command *admit(struct client *c, int *locked)
{
    size_t reply_mark = c->out.len;
    uint64_t errors = c->out.errors;
    const struct command *refused_cmd, *cmd = resolve(c, &refused_cmd);
    if (cmd && !c->authenticated && worker_conf()->requirepass[0] && !(cmd->flags & CMD_NO_AUTH)) {
        reply_error(&c->out, "NOAUTH Authentication required.");
        refused_cmd = cmd;
        cmd = NULL;
    }
    if (cmd && worker_conf()->maxmemory && multi_denied_when_oom(c, cmd) && maxmemory_exceeded()) {
        reply_error(&c->out, MAXMEMORY_OOM_ERROR);
        refused_cmd = cmd;
        cmd = NULL;
    }
    if (cmd && pubsub_context_reject(c, cmd)) {
        refused_cmd = cmd;
        cmd = NULL;
    }
    if (!cmd) {
        multi_rejected(c, reply_mark, locked);
        refused(c, refused_cmd, errors);
        return NULL;
    }
    if (c->last_cmd != cmd) {
        c->last_cmd = cmd;
        registry_note_command(c->record, cmd);
    }
    if (multi_queue(c, cmd)) {
        if (c->out.errors != errors)        /* refused inside MULTI */
            refused(c, cmd, errors);
        return NULL;
    }
    return cmd;
}

/* The gate (a monitor touching the keyspace, CLIENT PAUSE): 1 when the command must
 * not run now, its refusal counted. */
static int held_at_gate(struct client *c, const struct command *cmd)
{
    uint64_t errors = c->out.errors;
    if (!introspect_gate_needed(c) || !introspect_gate(c, cmd))
        return 0;
    if (c->out.errors != errors)
        refused(c, cmd, errors);
    return 1;
}

void dispatch_command(struct client *c, int *locked)
{
    if (looks_like_http(c)) {
        log_msg(LOG_WARNING, "Possible SECURITY ATTACK detected. It looks like somebody is sending "
                "POST or Host: commands to Redis. This is likely due to an attacker attempting to use "
                "Cross Protocol Scripting to compromise your Redis instance. Connection aborted.");
        c->flags |= CLIENT_CLOSE_ASAP;
        return;
    }
    const struct command *cmd = admit(c, locked);
    if (!cmd)
        return;
    struct cmd_ctx ctx = client_ctx(c, cmd);
    struct call_result res;
    if (cmd->flags & CMD_NOLOCK) {
        if (held_at_gate(c, cmd))
            return;
        call_run(&ctx, &res);
        call_report(&ctx, &res);
        return;
    }
    if (!*locked) {
        uint64_t errors = c->out.errors;
        if (!acquire_lock_or_busy(c, cmd)) {
            refused(c, cmd, errors);
            return;
        }
        *locked = 1;
    }
    worker_drain_inbox(locked);     /* what committed before this command reaches clients first */
    if (held_at_gate(c, cmd))
        return;
    ctx.start_us = db_wall_us();        /* one clock reading: the command's time and its start */
    db_set_now(ctx.start_us / 1000);
    int aborted = run_in_write(&ctx, &res);
    db_set_now(0);
    multi_after_write(c, !aborted);
    if (ctx.blocked_waiter) {
        c->flags |= CLIENT_BLOCKED;
        c->block_waiter = ctx.blocked_waiter;
        c->block_deadline_ms = ctx.block_deadline_ms;
        worker.nblocked++;
    }
    if (ctx.dirty)
        worker.shm->dirty += ctx.dirty;     /* per slot: no cache line shared by workers */
    call_report(&ctx, &res);
}
