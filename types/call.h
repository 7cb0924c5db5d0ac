/* types/call.h - calling a command: the one path by which a client's command, each
 * command EXEC runs from its queue and each redis.call / redis.pcall of a script run
 * a command procedure (Redis's call()), and the hooks through which the worker sees
 * every call.
 *
 * call_run runs ctx->cmd->proc(ctx) (the caller holds the lock and has a write open,
 * or the command is CMD_NOLOCK) and, around it:
 *  - MONITOR: a command flagged CMD_SKIP_MONITOR (EVAL*, FCALL*: they run other
 *    commands) is fed to the monitors before it runs, so its script's commands follow
 *    it; every other command once it ran (call_report), as Redis 7.0 orders them.
 *  - WATCH: the keys the command changed in place are touched (keyspace/watch.h); keys
 *    added, replaced or deleted are touched by keyspace/db.c itself.  A key is touched
 *    only when the command changed something (ctx->dirty), and only if the command
 *    writes it: the sources of SINTERSTORE, COPY, SORT ... STORE, BITOP... are read,
 *    and BLPOP/LMPOP/ZMPOP and friends change only the key they popped from.
 *  - errors: the error replies the call wrote itself (not those of the calls nested in
 *    it that share its reply buffer: EXEC's queued commands) are counted once; a
 *    script repeating the error of its redis.call writes it with
 *    call_reply_repeated_error, which marks the call failed without counting it again.
 *  - its duration.
 * call_report then hands the call to the worker's 'done' hook (statistics, slowlog,
 * latency, MONITOR).  call_command does both at once: for calls nested in another
 * (EXEC's queue, scripts), whose hooks run inside the outer command's write; the
 * dispatcher reports a client's command itself, after its write committed.
 *
 * Hooks are installed once by the worker at startup (call_set_hooks); a NULL hook is
 * skipped, so data-type unit tests run commands with none.  Hooks see the context of
 * the call: ctx->client is NULL for a script's calls.
 * The write stream (replication, AOF: replication/propagate.h) is fed through the
 * 'propagate' hook, called by call_run once the procedure returned, only for a call
 * that may have effects: it changed something (ctx->dirty), or its command is flagged
 * CMD_WRITE or CMD_MAY_REPLICATE, or it is the outermost call (level 0) and effects
 * of the calls nested in it wait for its end (call_propagate_pending).  A call that
 * reads only costs one test.
 *
 * State: the stack of running calls is process-private (one per worker); a write
 * rolled back by undo_abort longjmps out of the calls it interrupted, and the guard
 * that catches it calls call_abort_to(level) (call_depth() taken before).
 */
#ifndef TYPES_CALL_H
#define TYPES_CALL_H

#include <stdint.h>
#include "types/command.h"

/* What one call did, for the hooks. */
struct call_result {
    int64_t usec;                       /* time in the procedure */
    uint64_t errors;                    /* error replies it wrote itself, to count */
    uint64_t failed;                    /* failed_calls to add: own errors (1) + repeated ones */
    const char *error_code;             /* code of the last of them ("ERR", "WRONGTYPE"...) */
    size_t reply_at;                    /* where its reply starts in ctx->reply->buf */
};

struct call_hooks {
    /* A command flagged CMD_SKIP_MONITOR is about to run: feed it to the monitors. */
    void (*feed_first)(const struct cmd_ctx *ctx);
    /* A call finished (call_report): statistics, slowlog, latency, MONITOR. */
    void (*done)(const struct cmd_ctx *ctx, const struct call_result *res);
    /* A command was refused before it ran (cmd NULL: unknown command), with n error
     * replies of code 'code' (n may be 0: refused without a reply counted here). */
    void (*refused)(const struct command *cmd, const char *code, uint64_t n);
    /* A call that may have effects for the write stream returned (see above), at
     * nesting level 'level' (0: the outermost call, whose end ends the unit of effects
     * Redis wraps in MULTI/EXEC).  Inside the call's write. */
    void (*propagate)(const struct cmd_ctx *ctx, const struct call_result *res, int level);
    /* A rolled-back write unwound the calls above level (call_abort_to): their
     * effects are gone with it. */
    void (*unwound)(int level);
};

/* Installs the hooks (worker startup, before any call). */
void call_set_hooks(const struct call_hooks *hooks);

/* Runs the command of ctx as described above; fills *res.  Inside a write (or the
 * command is CMD_NOLOCK). */
void call_run(struct cmd_ctx *ctx, struct call_result *res);
/* Hands a finished call to the 'done' hook. */
void call_report(const struct cmd_ctx *ctx, const struct call_result *res);
/* call_run then call_report: a call nested in another command. */
void call_command(struct cmd_ctx *ctx);

/* A command refused before it ran: tells the 'refused' hook; n error replies of
 * code were written (or raised to a script) for it. */
void call_refused(const struct command *cmd, const char *code, uint64_t n);

/* Writes an error reply that repeats one already counted (a script raising or
 * returning the error of its redis.call): not counted again, and the running call
 * (the script's command) gets one more failed call, as Redis 7.0 counts them. */
void call_reply_repeated_error(struct reply *r, const char *msg);

/* Effects of the calls running now wait for the end of the outermost one: call_run
 * calls the propagate hook for it even if it changed nothing itself (a GET that
 * expired its key).  Cleared once that hook ran, or by call_abort_to. */
void call_propagate_pending(void);

/* Calls running now (0 outside any). */
int call_depth(void);
/* A rolled-back write longjmped out of the calls above level: forget them. */
void call_abort_to(int level);
#endif
