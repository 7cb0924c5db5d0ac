/* types/call.c - calling a command procedure (see call.h).
 *
 * The stack of running calls (frames[0 .. depth)) is process-private: frame i is the
 * call at nesting level i, with its reply buffer and the error replies written into
 * that buffer by calls nested in it (already counted by them) or repeated from a
 * script's redis.call (not to be counted).  Nesting is at most EXEC > EVAL > command.
 *
 * Which keys a call changed in place (for WATCH) is decided by the rule of its command
 * (struct touch_rule): most write commands change their first key; the exceptions are
 * listed by name and looked up through a per-command-index table built on first use. */
#include <stdlib.h>
#include <string.h>

#include "keyspace/db.h"
#include "keyspace/watch.h"
#include "types/call.h"
#include "util/log.h"
#include "util/numconv.h"

#define MAX_DEPTH 8                     /* EXEC > EVAL > command, and a busy client's */

struct frame {
    struct reply *reply;
    uint64_t nested;                    /* errors in reply written by nested calls */
    uint64_t repeated;                  /* errors in reply repeating counted ones */
};

static struct frame frames[MAX_DEPTH];
static int depth;
static int propagate_pending;           /* see call_propagate_pending */
static struct call_hooks hooks;

void call_set_hooks(const struct call_hooks *h) { hooks = *h; }
int call_depth(void) { return depth; }
void call_propagate_pending(void) { propagate_pending = 1; }

void call_abort_to(int level)
{
    depth = level;
    propagate_pending = 0;
    if (hooks.unwound)
        hooks.unwound(level);
}

/* ---- which keys a call changed in place ---- */

enum touch_kind {
    TOUCH_FIRST,        /* the first key (a write command's default) */
    TOUCH_NONE,         /* only db.c's adds, replaces and deletes (or nothing) */
    TOUCH_SRC_DST,      /* argv[1] and argv[2]: LMOVE and friends */
    TOUCH_SMOVE,        /* argv[1]; argv[2] when the member was added to it */
    TOUCH_POPPED,       /* the first of its keys that existed: it popped from that one */
    TOUCH_FOUND,        /* the first key if it existed and the command did not fail,
                           changed or not (LTRIM: Redis signals it even when it trims
                           nothing) */
};

struct touch_rule {
    const char *name;
    uint8_t kind;
    int8_t numkeys_at;  /* TOUCH_POPPED: where numkeys is; 0: keys are argv[1 .. argc-2] */
};

/* Commands whose changed keys are not just their first key (write commands) or none
 * (the others): sources only read, destinations written through db.c, pops. */
static const struct touch_rule rules[] = {
    { "del", TOUCH_NONE, 0 }, { "unlink", TOUCH_NONE, 0 }, { "copy", TOUCH_NONE, 0 },
    { "sort", TOUCH_NONE, 0 }, { "bitop", TOUCH_NONE, 0 }, { "georadius", TOUCH_NONE, 0 },
    { "georadiusbymember", TOUCH_NONE, 0 },
    { "lmove", TOUCH_SRC_DST, 0 }, { "blmove", TOUCH_SRC_DST, 0 }, { "rpoplpush", TOUCH_SRC_DST, 0 },
    { "brpoplpush", TOUCH_SRC_DST, 0 }, { "smove", TOUCH_SMOVE, 0 },
    { "blpop", TOUCH_POPPED, 0 }, { "brpop", TOUCH_POPPED, 0 }, { "bzpopmin", TOUCH_POPPED, 0 },
    { "bzpopmax", TOUCH_POPPED, 0 }, { "lmpop", TOUCH_POPPED, 1 }, { "zmpop", TOUCH_POPPED, 1 },
    { "blmpop", TOUCH_POPPED, 2 }, { "bzmpop", TOUCH_POPPED, 2 },
    { "ltrim", TOUCH_FOUND, 0 },
    { "pfcount", TOUCH_FIRST, 0 },      /* read-only, but caches its count in the value */
};
#define NRULES ((int)(sizeof(rules) / sizeof(rules[0])))

static int8_t *rule_of_index;           /* per command index: rules[] index, -1 none */

static void build_rule_index(void)
{
    size_t n = command_index_count();
    rule_of_index = malloc(n ? n : 1);
    if (!rule_of_index)
        abort();
    for (size_t i = 0; i < n; i++) {
        const struct command *cmd = command_by_index(i);
        rule_of_index[i] = -1;
        for (int r = 0; r < NRULES && !cmd->parent; r++)
            if (strcmp(rules[r].name, cmd->name) == 0)
                rule_of_index[i] = (int8_t)r;
    }
}

static struct touch_rule rule_for(const struct command *cmd)
{
    if (!rule_of_index)
        build_rule_index();
    size_t i = command_index(cmd);
    if (i != SIZE_MAX && rule_of_index[i] >= 0)
        return rules[rule_of_index[i]];
    struct touch_rule def = { cmd->name, (cmd->flags & CMD_WRITE) && cmd->first_key > 0 ? TOUCH_FIRST : TOUCH_NONE, 0 };
    return def;
}

/* The argument range [*first, *last] holding a popping command's keys; 0 if none. */
static int popped_range(const struct cmd_ctx *ctx, const struct touch_rule *r, int *first, int *last)
{
    if (!r->numkeys_at) {
        *first = 1;
        *last = ctx->argc - 2;
        return *last >= 1;
    }
    long long n;
    if (r->numkeys_at >= ctx->argc || !string2ll(ctx->argv[r->numkeys_at], ctx->argvlen[r->numkeys_at], &n) ||
        n < 1 || n > ctx->argc - r->numkeys_at - 1)
        return 0;
    *first = r->numkeys_at + 1;
    *last = r->numkeys_at + (int)n;
    return 1;
}

/* The index of the first of argv[first..last] naming a key that exists, unexpired; 0
 * if none. */
static int first_live_key(const struct cmd_ctx *ctx, int first, int last)
{
    for (int i = first; i <= last; i++) {
        struct kv *kv = db_peek(ctx->db, ctx->argv[i], ctx->argvlen[i]);
        if (kv && !db_key_expired(ctx->db, kv))
            return i;
    }
    return 0;
}

/* Before the command runs: the key argument the rule needs to know about (the key a
 * popping command will pop from, LTRIM's key if it exists), 0 if none. */
static int key_before(const struct cmd_ctx *ctx, const struct touch_rule *r)
{
    int first, last;
    if (r->kind == TOUCH_FOUND)
        return first_live_key(ctx, ctx->cmd->first_key, ctx->cmd->first_key);
    if (r->kind == TOUCH_POPPED && popped_range(ctx, r, &first, &last))
        return first_live_key(ctx, first, last);
    return 0;
}

static void touch_arg(const struct cmd_ctx *ctx, int i)
{
    if (i > 0 && i < ctx->argc)
        watch_touch(ctx->db, ctx->argv[i], ctx->argvlen[i]);
}

static void touch_changed(const struct cmd_ctx *ctx, const struct touch_rule *r, int key)
{
    switch (r->kind) {
    case TOUCH_FIRST:
        touch_arg(ctx, ctx->cmd->first_key);
        break;
    case TOUCH_SRC_DST:
        touch_arg(ctx, 1);
        touch_arg(ctx, 2);
        break;
    case TOUCH_SMOVE:
        touch_arg(ctx, 1);
        if (ctx->dirty > 1)                 /* SMOVE counts the add to the destination */
            touch_arg(ctx, 2);
        break;
    case TOUCH_POPPED:
    case TOUCH_FOUND:
        touch_arg(ctx, key);
        break;
    }
}

/* ---- the call ---- */

/* The procedure, and the WATCH touches of what it changed.  A CMD_NOLOCK command
 * touches no key (and runs without the lock: the registry is not looked at). */
static void run_proc(struct cmd_ctx *ctx)
{
    const struct command *cmd = ctx->cmd;
    if ((cmd->flags & CMD_NOLOCK) || !watch_count()) {
        cmd->proc(ctx);
        return;
    }
    struct touch_rule r = rule_for(cmd);
    int key = key_before(ctx, &r);
    uint64_t errors = ctx->reply->errors;
    cmd->proc(ctx);
    if (ctx->dirty || (r.kind == TOUCH_FOUND && key && ctx->reply->errors == errors))
        touch_changed(ctx, &r, key);
}

static void propagate(const struct cmd_ctx *ctx, const struct call_result *res, int level)
{
    hooks.propagate(ctx, res, level);
    if (level == 0)
        propagate_pending = 0;
}

void call_run(struct cmd_ctx *ctx, struct call_result *res)
{
    int level = depth;
    struct reply *r = ctx->reply;
    uint64_t before = r->errors;
    if (level == MAX_DEPTH) {
        log_msg(LOG_WARNING, "Calls nested deeper than %d", MAX_DEPTH);
        abort();
    }
    struct frame *f = &frames[level];
    *f = (struct frame){ r, 0, 0 };
    depth = level + 1;
    if ((ctx->cmd->flags & CMD_SKIP_MONITOR) && hooks.feed_first)
        hooks.feed_first(ctx);
    int64_t start = ctx->start_us ? ctx->start_us : db_wall_us();   /* Redis times calls with ustime() */
    res->reply_at = r->len;
    run_proc(ctx);
    int64_t usec = db_wall_us() - start;
    res->usec = usec > 0 ? usec : 0;    /* the clock may step back */
    depth = level;
    uint64_t written = r->errors - before;
    res->errors = written - f->nested - f->repeated;
    res->failed = f->repeated + (res->errors > 0);
    res->error_code = r->last_error;
    if (level > 0 && frames[level - 1].reply == r)
        frames[level - 1].nested += written;
    if (hooks.propagate && (ctx->dirty || (ctx->cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE)) ||
                            (level == 0 && propagate_pending)))
        propagate(ctx, res, level);
}

void call_report(const struct cmd_ctx *ctx, const struct call_result *res)
{
    if (hooks.done)
        hooks.done(ctx, res);
}

void call_command(struct cmd_ctx *ctx)
{
    struct call_result res;
    call_run(ctx, &res);
    call_report(ctx, &res);
}

void call_refused(const struct command *cmd, const char *code, uint64_t n)
{
    if (hooks.refused)
        hooks.refused(cmd, code, n);
}

void call_reply_repeated_error(struct reply *r, const char *msg)
{
    reply_error(r, msg);
    if (depth > 0 && frames[depth - 1].reply == r)
        frames[depth - 1].repeated++;
}
