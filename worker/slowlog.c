/* worker/slowlog.c - the slow log shared by all workers (see slowlog.h).
 *
 * An entry is one arena allocation: the header, then the client's address and name,
 * then each argument as a 32-bit length and its bytes, already trimmed and redacted as
 * SLOWLOG GET shows them.  Entries are created inside the write of the worker that
 * logs, so only the list links and counters need undo records. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf/shared.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "util/numconv.h"
#include "worker/introspect.h"
#include "worker/redact.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"

#define TRIM_PER_PUSH 1024              /* bound on entries freed by one push */

struct slowlog_entry {
    shm_off_t newer, older;
    uint64_t id;
    int64_t time, usec;
    uint32_t argc, addr_len, name_len, reserved;
    char data[];
};

static struct slowlog_shared *slog(void) { return &introspect->slowlog; }
static struct slowlog_entry *entry(shm_off_t off) { return shm_ptr(off); }

/* ---- one argument as the log keeps it ---- */

struct shown_arg {
    const char *text;                   /* the bytes kept from the argument */
    size_t len;
    char suffix[48];                    /* "... (N more bytes)" or the whole text */
};

static void show_arg(const struct cmd_ctx *c, int i, struct shown_arg *a)
{
    a->suffix[0] = '\0';
    a->text = c->argv[i];
    a->len = c->argvlen[i];
    if (c->argc > SLOWLOG_MAX_ARGC && i == SLOWLOG_MAX_ARGC - 1) {
        snprintf(a->suffix, sizeof(a->suffix), "... (%d more arguments)", c->argc - SLOWLOG_MAX_ARGC + 1);
        a->len = 0;
    } else if (redact_arg(c->argc, c->argv, c->argvlen, i)) {
        a->text = REDACTED;
        a->len = sizeof(REDACTED) - 1;
    } else if (a->len > SLOWLOG_MAX_ARGLEN) {
        snprintf(a->suffix, sizeof(a->suffix), "... (%zu more bytes)", a->len - SLOWLOG_MAX_ARGLEN);
        a->len = SLOWLOG_MAX_ARGLEN;
    }
}

static size_t shown_len(const struct shown_arg *a) { return a->len + strlen(a->suffix); }

static char *put(char *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return p + n;
}

/* ---- the list ---- */

static void unlink_oldest(void)
{
    struct slowlog_shared *log = slog();
    shm_off_t old = log->oldest;
    shm_off_t newer = entry(old)->newer;
    UNDO_SET(log->oldest, newer);
    if (newer)
        UNDO_SET(entry(newer)->older, 0);
    else
        UNDO_SET(log->newest, 0);
    UNDO_SET(log->len, log->len - 1);
    shm_free(old);
}

static void link_newest(shm_off_t off)
{
    struct slowlog_shared *log = slog();
    struct slowlog_entry *e = entry(off);
    e->newer = 0;
    e->older = log->newest;
    e->id = log->next_id;
    if (log->newest)
        UNDO_SET(entry(log->newest)->newer, off);
    else
        UNDO_SET(log->oldest, off);
    UNDO_SET(log->newest, off);
    UNDO_SET(log->len, log->len + 1);
    UNDO_SET(log->next_id, log->next_id + 1);
}

void slowlog_push(const struct cmd_ctx *ctx, int64_t usec)
{
    struct shown_arg args[SLOWLOG_MAX_ARGC];
    int argc = ctx->argc < SLOWLOG_MAX_ARGC ? ctx->argc : SLOWLOG_MAX_ARGC;
    size_t name_len = 0, size = sizeof(struct slowlog_entry);
    const char *name = ctx->client ? registry_name(ctx->client->record, &name_len) : "";
    const char *addr = ctx->client ? ctx->client->addr : "?:0";    /* a script's call, as Redis */
    for (int i = 0; i < argc; i++) {
        show_arg(ctx, i, &args[i]);
        size += sizeof(uint32_t) + shown_len(&args[i]);
    }
    size += strlen(addr) + name_len;
    shm_off_t off = shm_alloc(size);
    struct slowlog_entry *e = entry(off);
    e->time = (int64_t)time(NULL);
    e->usec = usec;
    e->argc = (uint32_t)argc;
    e->addr_len = (uint32_t)strlen(addr);
    e->name_len = (uint32_t)name_len;
    char *p = put(put(e->data, addr, e->addr_len), name, name_len);
    for (int i = 0; i < argc; i++) {
        uint32_t n = (uint32_t)shown_len(&args[i]);
        p = put(put(put(p, &n, sizeof(n)), args[i].text, args[i].len), args[i].suffix, strlen(args[i].suffix));
    }
    link_newest(off);
    for (int n = 0; slog()->len > conf_shared()->slowlog_max_len && n < TRIM_PER_PUSH; n++)
        unlink_oldest();
}

/* ---- SLOWLOG ---- */

static void reply_entry(struct reply *r, const struct slowlog_entry *e)
{
    const char *p = e->data + e->addr_len + e->name_len;
    reply_array(r, 6);
    reply_int(r, (long long)e->id);
    reply_int(r, (long long)e->time);
    reply_int(r, (long long)e->usec);
    reply_array(r, e->argc);
    for (uint32_t i = 0; i < e->argc; i++) {
        uint32_t n;
        memcpy(&n, p, sizeof(n));
        reply_bulk(r, p + sizeof(n), n);
        p += sizeof(n) + n;
    }
    reply_bulk(r, e->data, e->addr_len);
    reply_bulk(r, e->data + e->addr_len, e->name_len);
}

/* SLOWLOG GET [count] */
static void slowlog_get_command(struct cmd_ctx *c)
{
    long long count = 10;
    if (c->argc > 3) {
        reply_errorf(c->reply, "ERR unknown subcommand or wrong number of arguments for '%.*s'. "
                     "Try SLOWLOG HELP.", (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]), c->argv[1]);
        return;
    }
    if (c->argc == 3 && (!string2ll(c->argv[2], c->argvlen[2], &count) || count < -1)) {
        reply_error(c->reply, "ERR count should be greater than or equal to -1");
        return;
    }
    uint64_t n = slog()->len;
    if (count >= 0 && (uint64_t)count < n)
        n = (uint64_t)count;
    reply_array(c->reply, (long)n);
    shm_off_t off = slog()->newest;
    for (uint64_t i = 0; i < n; i++, off = entry(off)->older)
        reply_entry(c->reply, entry(off));
}

/* SLOWLOG LEN */
static void slowlog_len_command(struct cmd_ctx *c) { reply_int(c->reply, (long long)slog()->len); }

/* SLOWLOG RESET: the list is detached whole, its entries freed at commit. */
static void slowlog_reset_command(struct cmd_ctx *c)
{
    struct slowlog_shared *log = slog();
    shm_off_t off = log->newest;
    UNDO_SET(log->newest, 0);
    UNDO_SET(log->oldest, 0);
    UNDO_SET(log->len, 0);
    while (off) {
        shm_off_t older = entry(off)->older;
        shm_free(off);
        off = older;
    }
    reply_ok(c->reply);
}

static const char *const slowlog_help_lines[] = {
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    NULL
};

/* SLOWLOG HELP */
static void slowlog_help_command(struct cmd_ctx *c) { server_reply_help(c, slowlog_help_lines); }

#define SLOWLOG_ADMIN (CMD_ADMIN | CMD_LOADING | CMD_STALE)
#define SLOWSUB(name, proc, arity, flags, since, summary, complexity, acl) \
    { name, proc, arity, flags, 0, 0, 0, "server", since, summary, complexity, acl, NULL, NULL }

struct command slowlog_subcommands[] = {
    SLOWSUB("get", slowlog_get_command, -2, SLOWLOG_ADMIN, "2.2.12", "Get the slow log's entries",
            "O(N) where N is the number of entries returned", "@admin @slow @dangerous"),
    SLOWSUB("len", slowlog_len_command, 2, SLOWLOG_ADMIN, "2.2.12", "Get the slow log's length", "O(1)",
            "@admin @slow @dangerous"),
    SLOWSUB("reset", slowlog_reset_command, 2, SLOWLOG_ADMIN, "2.2.12", "Clear all entries from the slow log",
            "O(N) where N is the number of entries in the slowlog", "@admin @slow @dangerous"),
    SLOWSUB("help", slowlog_help_command, 2, CMD_LOADING | CMD_STALE | CMD_NOLOCK, "6.2.0",
            "Show helpful text about the different subcommands", "O(1)", "@slow"),
    { 0 }
};
