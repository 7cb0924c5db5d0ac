/* worker/multi.c - MULTI EXEC DISCARD WATCH UNWATCH (see multi.h).
 *
 * Queueing happens in the dispatcher before the lock is taken: the arguments are
 * copied into private memory and checked as Redis checks them (unknown command, arity,
 * auth, no-multi: any refusal dooms the transaction).  EXEC is an ordinary locked
 * command: its procedure runs the queue inside the write the dispatcher opened for
 * it, with the clock frozen once and blocking commands answering as timed out; each
 * queued command goes through types/call.h as a client's would (WATCH touches,
 * statistics, slowlog, MONITOR lines in execution order, before EXEC's own).
 *
 * Client state (struct multi_state, private, created on first use):
 *  - the queue, and whether a refusal doomed it (dirty_exec);
 *  - the offsets of its watchers in the arena: [0, committed) exist in committed
 *    writes, [committed, nwatched) were added by the write in progress;
 *  - drop_queue / unwatch: what the write in progress let go; multi_after_write does it
 *    once that write has committed or rolled back (an EXEC's arguments are in use until
 *    its write ends; a watcher removed inside a rolled-back write would come back).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyspace/watch.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "types/call.h"
#include "util/log.h"
#include "worker/multi.h"
#include "worker/worker.h"

#define UNWATCH_BATCH 1024          /* watchers removed per write */

struct queued {
    const struct command *cmd;
    int argc;
    const char **argv;              /* after argvlen[], then the argument bytes */
    size_t argvlen[];
};

struct multi_state {
    struct queued **queue;
    size_t nqueued, qcap;
    int dirty_exec;                 /* a command was refused while queueing */
    uint32_t queued_flags;          /* the queued commands' flags, or-ed */
    int drop_queue;                 /* free the queue when the current write ends */
    int unwatch;                    /* remove every watcher when the current write ends */
    shm_off_t *watched;
    size_t nwatched, committed, wcap;
};

static void *must(void *p)
{
    if (!p) {
        log_msg(LOG_WARNING, "Out of private memory for a transaction");
        abort();
    }
    return p;
}

static struct multi_state *tx_of(struct client *c)
{
    if (!c->tx)
        c->tx = must(calloc(1, sizeof(*c->tx)));
    return c->tx;
}

static void free_queue(struct multi_state *tx)
{
    for (size_t i = 0; i < tx->nqueued; i++)
        free(tx->queue[i]);
    tx->nqueued = 0;
    tx->queued_flags = 0;
    tx->drop_queue = 0;
}

/* Redis's discardTransaction: out of MULTI, queue and watched keys dropped (when the
 * current write ends). */
static void end_transaction(struct client *c)
{
    c->flags &= ~CLIENT_MULTI;
    if (!c->tx)
        return;
    c->tx->dirty_exec = 0;
    c->tx->drop_queue = 1;
    c->tx->unwatch = 1;
}

/* ---- queueing ---- */

static struct queued *copy_request(const struct client *c, const struct command *cmd)
{
    const struct request *req = &c->req;
    size_t bytes = 0;
    for (int i = 0; i < req->argc; i++)
        bytes += req->argvlen[i] + 1;
    size_t n = (size_t)req->argc;
    struct queued *q = must(malloc(sizeof(*q) + n * (sizeof(size_t) + sizeof(char *)) + bytes));
    q->cmd = cmd;
    q->argc = req->argc;
    q->argv = (const char **)&q->argvlen[n];
    char *p = (char *)&q->argv[n];
    for (size_t i = 0; i < n; i++) {
        q->argvlen[i] = req->argvlen[i];
        memcpy(p, req->argv[i], req->argvlen[i]);
        p[req->argvlen[i]] = '\0';
        q->argv[i] = p;
        p += req->argvlen[i] + 1;
    }
    return q;
}

/* Commands that act at once inside MULTI instead of being queued (Redis's list). */
static int runs_at_once(const struct command *cmd)
{
    static const char *const names[] = { "exec", "discard", "multi", "watch", "quit", "reset" };
    if (cmd->parent)
        return 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(cmd->name, names[i]) == 0)
            return 1;
    return 0;
}

int multi_queue(struct client *c, const struct command *cmd)
{
    if (!(c->flags & CLIENT_MULTI) || runs_at_once(cmd))
        return 0;
    struct multi_state *tx = c->tx;
    if (cmd->flags & CMD_NO_MULTI) {
        reply_error(&c->out, "ERR Command not allowed inside a transaction");
        tx->dirty_exec = 1;
        return 1;
    }
    if (tx->nqueued == tx->qcap) {
        tx->qcap = tx->qcap ? tx->qcap * 2 : 8;
        tx->queue = must(realloc(tx->queue, tx->qcap * sizeof(*tx->queue)));
    }
    tx->queue[tx->nqueued++] = copy_request(c, cmd);
    tx->queued_flags |= cmd->flags;
    reply_status(&c->out, "QUEUED");
    return 1;
}

static int is_top(const struct command *cmd, const char *name) { return !cmd->parent && strcmp(cmd->name, name) == 0; }

int multi_denied_when_oom(const struct client *c, const struct command *cmd)
{
    if (cmd->flags & CMD_DENYOOM)
        return 1;
    if (!(c->flags & CLIENT_MULTI))
        return 0;
    if (is_top(cmd, "exec"))
        return (c->tx->queued_flags & CMD_DENYOOM) != 0;
    return !is_top(cmd, "discard") && !is_top(cmd, "quit") && !is_top(cmd, "reset");
}

/* ---- watched keys ---- */

static void add_watched(struct multi_state *tx, shm_off_t w)
{
    if (tx->nwatched == tx->wcap) {
        tx->wcap = tx->wcap ? tx->wcap * 2 : 8;
        tx->watched = must(realloc(tx->watched, tx->wcap * sizeof(*tx->watched)));
    }
    tx->watched[tx->nwatched++] = w;
}

/* Lock held, no write open: removes the watchers in writes of bounded size. */
static void unwatch_all(struct multi_state *tx)
{
    while (tx->nwatched) {
        size_t n = tx->nwatched < UNWATCH_BATCH ? tx->nwatched : UNWATCH_BATCH;
        undo_begin();
        for (size_t i = tx->nwatched - n; i < tx->nwatched; i++)
            watch_remove(tx->watched[i]);
        undo_commit();
        tx->nwatched -= n;
    }
    tx->committed = 0;
    tx->unwatch = 0;
}

static int watched_key_changed(const struct multi_state *tx)
{
    for (size_t i = 0; i < tx->nwatched; i++)
        if (watch_changed(tx->watched[i]))
            return 1;
    return 0;
}

void multi_after_write(struct client *c, int committed)
{
    struct multi_state *tx = c->tx;
    if (!tx)
        return;
    if (tx->drop_queue)
        free_queue(tx);
    if (!committed)
        tx->nwatched = tx->committed;       /* the rollback took them out of the arena */
    if (tx->unwatch)
        unwatch_all(tx);
    tx->committed = tx->nwatched;
}

int multi_watching(const struct client *c) { return c->tx && c->tx->nwatched; }

void multi_unwatch_locked(struct client *c)
{
    if (c->tx)
        unwatch_all(c->tx);
}

void multi_free(struct client *c)
{
    struct multi_state *tx = c->tx;
    if (!tx)
        return;
    free_queue(tx);
    free(tx->queue);
    free(tx->watched);
    free(tx);
    c->tx = NULL;
}

/* ---- refusals ---- */

static int is_exec(const struct client *c)
{
    return c->req.argvlen[0] == 4 && strncasecmp(c->req.argv[0], "exec", 4) == 0;
}

/* Rewrites the error at mark as Redis's execCommandAbort words it: the refusal's text
 * without its "ERR " code (other codes, as NOAUTH, stay). */
static void reword_exec_refusal(struct reply *r, size_t mark)
{
    char text[256];
    const char *msg = r->buf + mark + 1;
    size_t len = r->len - mark - 1;
    while (len && (msg[len - 1] == '\r' || msg[len - 1] == '\n'))
        len--;
    if (len >= 4 && memcmp(msg, "ERR ", 4) == 0) {
        msg += 4;
        len -= 4;
    }
    if (len >= sizeof(text))
        len = sizeof(text) - 1;
    memcpy(text, msg, len);
    text[len] = '\0';
    r->len = mark;
    r->errors--;                    /* the same refusal, said again */
    reply_errorf(r, "EXECABORT Transaction discarded because of: %s", text);
}

void multi_rejected(struct client *c, size_t reply_mark, int *locked)
{
    if (c->flags & CLIENT_MULTI)
        c->tx->dirty_exec = 1;
    if (!is_exec(c))
        return;
    reword_exec_refusal(&c->out, reply_mark);
    end_transaction(c);
    if (multi_watching(c) && !*locked) {
        shm_lock_acquire();
        *locked = 1;
    }
    multi_after_write(c, 1);
}

/* ---- the commands ---- */

/* MULTI */
static void multi_command(struct cmd_ctx *ctx)
{
    struct client *c = ctx->client;
    if (c->flags & CLIENT_MULTI) {
        reply_error(ctx->reply, "ERR MULTI calls can not be nested");
        return;
    }
    tx_of(c);
    c->flags |= CLIENT_MULTI;
    reply_ok(ctx->reply);
}

/* DISCARD */
static void discard_command(struct cmd_ctx *ctx)
{
    if (!(ctx->client->flags & CLIENT_MULTI)) {
        reply_error(ctx->reply, "ERR DISCARD without MULTI");
        return;
    }
    end_transaction(ctx->client);
    reply_ok(ctx->reply);
}

static void run_queued(struct cmd_ctx *exec, const struct queued *q)
{
    struct client *c = exec->client;
    struct cmd_ctx ctx = {
        .cmd = q->cmd, .argc = q->argc, .argv = q->argv, .argvlen = q->argvlen, .reply = exec->reply,
        .db = db_get(c->dbid), .dbid = c->dbid, .resp = c->resp, .client = c, .client_id = c->id,
        .slot = exec->slot, .no_block = 1,
    };
    call_command(&ctx);
    exec->dirty += ctx.dirty;
}

/* A script inside the transaction hit a full undo log or arena: it rolled back the
 * whole write (every command before it too) and went on in a new one.  Then EXEC's
 * reply is that error alone: nothing of the transaction happened. */
static void keep_only_error(struct reply *r, size_t exec_mark, size_t error_mark)
{
    memmove(r->buf + exec_mark, r->buf + error_mark, r->len - error_mark);
    r->len = exec_mark + (r->len - error_mark);
}

static void run_queue(struct cmd_ctx *exec, const struct multi_state *tx)
{
    size_t exec_mark = exec->reply->len;
    reply_array(exec->reply, (long)tx->nqueued);
    for (size_t i = 0; i < tx->nqueued; i++) {
        uint64_t logged = undo_used();
        size_t mark = exec->reply->len;
        run_queued(exec, tx->queue[i]);
        if (logged && undo_used() < logged) {
            keep_only_error(exec->reply, exec_mark, mark);
            return;
        }
    }
}

/* EXEC */
static void exec_command(struct cmd_ctx *ctx)
{
    struct client *c = ctx->client;
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(ctx->reply, "ERR EXEC without MULTI");
        return;
    }
    struct multi_state *tx = c->tx;
    int refused = tx->dirty_exec, changed = !refused && watched_key_changed(tx);
    end_transaction(c);
    if (refused)
        reply_error(ctx->reply, "EXECABORT Transaction discarded because of previous errors.");
    else if (changed)
        reply_null_array(ctx->reply);
    else
        run_queue(ctx, tx);
}

/* WATCH key [key ...] */
static void watch_command(struct cmd_ctx *ctx)
{
    struct client *c = ctx->client;
    if (c->flags & CLIENT_MULTI) {
        reply_error(ctx->reply, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    struct multi_state *tx = tx_of(c);
    for (int i = 1; i < ctx->argc; i++) {
        shm_off_t w = watch_add(ctx->dbid, ctx->argv[i], ctx->argvlen[i], c->id, ctx->slot);
        if (w)
            add_watched(tx, w);
    }
    reply_ok(ctx->reply);
}

/* UNWATCH */
static void unwatch_command(struct cmd_ctx *ctx)
{
    if (ctx->client->tx)
        ctx->client->tx->unwatch = 1;
    reply_ok(ctx->reply);
}

void multi_reset(struct client *c) { end_transaction(c); }

#define TXCMD(name, proc, arity, flags, key, since, summary, complexity, acl) \
    { name, proc, arity, flags, key, key ? -1 : 0, key, "transactions", since, summary, complexity, \
      acl, NULL, NULL }
#define TX_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

const struct command multi_commands[] = {
    TXCMD("multi", multi_command, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY | CMD_NOLOCK, 0, "1.2.0",
          "Mark the start of a transaction block", "O(1)", "@fast @transaction"),
    TXCMD("exec", exec_command, 1, TX_FLAGS | CMD_SKIP_SLOWLOG, 0, "1.2.0",
          "Execute all commands issued after MULTI", "Depends on commands in the transaction",
          "@slow @transaction"),
    TXCMD("discard", discard_command, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 0, "2.0.0",
          "Discard all commands issued after MULTI", "O(N), when N is the number of queued commands",
          "@fast @transaction"),
    TXCMD("watch", watch_command, -2, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 1, "2.2.0",
          "Watch the given keys to determine execution of the MULTI/EXEC block", "O(1) for every key.",
          "@fast @transaction"),
    TXCMD("unwatch", unwatch_command, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 0, "2.2.0",
          "Forget about all watched keys", "O(1)", "@fast @transaction"),
    { 0 }
};

void multi_register(void)
{
    watch_register_types();
    command_register(multi_commands);
}
