/* replication/rewrite.c - Redis 7.0's propagation rules (see rewrite.h): one table
 * naming the commands that are not propagated as their arguments when they changed
 * something, and one function per kind of rule.  The table is looked up through an
 * array indexed by command index (types/command.h), built on first use. */
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "replication/rewrite.h"
#include "util/log.h"
#include "util/numconv.h"

enum kind {
    K_ASIS,             /* its arguments, when it changed something */
    K_NEVER,            /* only the calls nested in it */
    K_FORCE,            /* its arguments, changed or not, when it replied no error */
    K_SET,              /* SET with an expire option: SET key value PXAT t */
    K_SETEX,            /* SET key argv[3] PXAT t */
    K_EXPIRE,           /* PEXPIREAT key t, or DEL/UNLINK key */
    K_GETEX,            /* PERSIST key, or as K_EXPIRE */
    K_INCRBYFLOAT,      /* SET key <reply> KEEPTTL */
    K_HINCRBYFLOAT,     /* HSET key field <reply> */
    K_SPOP,             /* SREM key <each member replied>, or DEL key */
    K_RENAME,           /* argv[0] = word, the last 'arg' arguments dropped */
    K_BPOP,             /* word <the key replied> */
    K_MPOP,             /* LPOP|RPOP|ZPOPMIN|ZPOPMAX <key replied> <count replied>;
                           numkeys at argv[arg] */
};

struct rule {
    const char *name;   /* command_fullname() */
    uint8_t kind;
    int8_t arg;
    const char *word;
};

static const struct rule rules[] = {
    { "exec", K_NEVER, 0, NULL }, { "eval", K_NEVER, 0, NULL }, { "evalsha", K_NEVER, 0, NULL },
    { "eval_ro", K_NEVER, 0, NULL }, { "evalsha_ro", K_NEVER, 0, NULL }, { "fcall", K_NEVER, 0, NULL },
    { "fcall_ro", K_NEVER, 0, NULL },
    { "publish", K_FORCE, 0, NULL }, { "spublish", K_FORCE, 0, NULL }, { "flushall", K_FORCE, 0, NULL },
    { "flushdb", K_FORCE, 0, NULL }, { "swapdb", K_FORCE, 0, NULL }, { "function|load", K_FORCE, 0, NULL },
    { "function|delete", K_FORCE, 0, NULL }, { "function|flush", K_FORCE, 0, NULL },
    { "function|restore", K_FORCE, 0, NULL },
    { "set", K_SET, 0, NULL }, { "setex", K_SETEX, 0, NULL }, { "psetex", K_SETEX, 0, NULL },
    { "expire", K_EXPIRE, 0, NULL }, { "pexpire", K_EXPIRE, 0, NULL }, { "expireat", K_EXPIRE, 0, NULL },
    { "pexpireat", K_EXPIRE, 0, NULL }, { "getex", K_GETEX, 0, NULL },
    { "incrbyfloat", K_INCRBYFLOAT, 0, NULL }, { "hincrbyfloat", K_HINCRBYFLOAT, 0, NULL },
    { "spop", K_SPOP, 0, NULL },
    { "getdel", K_RENAME, 0, "DEL" }, { "blmove", K_RENAME, 1, "LMOVE" }, { "brpoplpush", K_RENAME, 1, "RPOPLPUSH" },
    { "blpop", K_BPOP, 0, "LPOP" }, { "brpop", K_BPOP, 0, "RPOP" }, { "bzpopmin", K_BPOP, 0, "ZPOPMIN" },
    { "bzpopmax", K_BPOP, 0, "ZPOPMAX" },
    { "lmpop", K_MPOP, 1, NULL }, { "zmpop", K_MPOP, 1, NULL }, { "blmpop", K_MPOP, 2, NULL },
    { "bzmpop", K_MPOP, 2, NULL },
};
#define NRULES ((int)(sizeof(rules) / sizeof(rules[0])))

static const struct rule asis = { "", K_ASIS, 0, NULL };
static int8_t *rule_of_index;           /* per command index: rules[] index, -1 none */
static size_t indexed;                  /* commands in rule_of_index */

static void build_rule_index(void)
{
    size_t n = command_index_count();
    int8_t *idx = realloc(rule_of_index, n ? n : 1);
    if (!idx)
        abort();
    for (size_t i = 0; i < n; i++) {
        char name[64];
        command_fullname(command_by_index(i), name, sizeof(name));
        idx[i] = -1;
        for (int r = 0; r < NRULES; r++)
            if (strcmp(rules[r].name, name) == 0)
                idx[i] = (int8_t)r;
    }
    rule_of_index = idx;
    indexed = n;
}

static const struct rule *rule_for(const struct command *cmd)
{
    size_t i = command_index(cmd);
    if (i == SIZE_MAX)
        return &asis;
    if (i >= indexed)
        build_rule_index();
    return rule_of_index[i] >= 0 ? &rules[rule_of_index[i]] : &asis;
}

/* ---- reading a reply ---- */

struct scan {
    const char *p, *end;
};

/* The length after one of the type bytes in 'types' ("*~", "$"); -1 if not there. */
static long long scan_header(struct scan *s, const char *types)
{
    if (s->p >= s->end || !*s->p || !strchr(types, *s->p))
        return -1;
    const char *cr = memchr(s->p, '\r', (size_t)(s->end - s->p));
    long long n;
    if (!cr || cr + 1 >= s->end || !string2ll(s->p + 1, (size_t)(cr - s->p - 1), &n))
        return -1;
    s->p = cr + 2;
    return n;
}

static int scan_bulk(struct scan *s, const char **p, size_t *len)
{
    long long n = scan_header(s, "$");
    if (n < 0 || n + 2 > s->end - s->p)
        return 0;
    *p = s->p;
    *len = (size_t)n;
    s->p += n + 2;
    return 1;
}

static struct scan reply_of(const struct cmd_ctx *c, const struct call_result *res)
{
    struct scan s = { c->reply->buf + res->reply_at, c->reply->buf + c->reply->len };
    return s;
}

/* [key, <aggregate of n>] as LMPOP, ZMPOP and their blocking forms reply. */
static int scan_mpop(struct scan *s, const char **key, size_t *klen, long long *n)
{
    return scan_header(s, "*") == 2 && scan_bulk(s, key, klen) && (*n = scan_header(s, "*")) > 0;
}

/* ---- effects ---- */

static void emit_asis(const struct cmd_ctx *c, repl_effect_fn *fn) { fn(c->dbid, c->argc, c->argv, c->argvlen); }

static void emit_unreadable(const struct cmd_ctx *c, repl_effect_fn *fn)
{
    log_msg(LOG_WARNING, "Write stream: the reply of %s is not as expected; propagated as given", c->cmd->name);
    emit_asis(c, fn);
}

static void emit2(int dbid, const char *word, const char *key, size_t klen, repl_effect_fn *fn)
{
    const char *argv[2] = { word, key };
    size_t lens[2] = { strlen(word), klen };
    fn(dbid, 2, argv, lens);
}

static void emit3(int dbid, const char *word, const char *key, size_t klen, const char *a, size_t alen,
                  repl_effect_fn *fn)
{
    const char *argv[3] = { word, key, a };
    size_t lens[3] = { strlen(word), klen, alen };
    fn(dbid, 3, argv, lens);
}

static void emit_count(int dbid, const char *word, const char *key, size_t klen, long long n, repl_effect_fn *fn)
{
    char num[24];
    emit3(dbid, word, key, klen, num, (size_t)ll2string(num, sizeof(num), n), fn);
}

static void emit_deleted(int dbid, const void *key, size_t klen, repl_effect_fn *fn)
{
    const struct conf_values *conf = conf_shared();
    emit2(dbid, conf && conf->lazyfree_lazy_expire ? "UNLINK" : "DEL", key, klen, fn);
}

/* The key's expire time, -1 if it has none or is gone. */
static int64_t expire_of(const struct cmd_ctx *c)
{
    struct kv *kv = db_peek(c->db, c->argv[1], c->argvlen[1]);
    return kv ? db_get_expire(c->db, kv) : -1;
}

/* SET key argv[vi] PXAT <the key's expire time> */
static void emit_set_pxat(const struct cmd_ctx *c, int vi, repl_effect_fn *fn)
{
    int64_t when = expire_of(c);
    char t[24];
    if (when < 0) {
        emit_asis(c, fn);
        return;
    }
    const char *argv[5] = { "SET", c->argv[1], c->argv[vi], "PXAT", t };
    size_t lens[5] = { 3, c->argvlen[1], c->argvlen[vi], 4, (size_t)ll2string(t, sizeof(t), when) };
    fn(c->dbid, 5, argv, lens);
}

static int has_expire_option(const struct cmd_ctx *c, int from)
{
    for (int i = from; i < c->argc; i++)
        if (arg_is(c, i, "ex") || arg_is(c, i, "px") || arg_is(c, i, "exat") || arg_is(c, i, "pxat"))
            return 1;
    return 0;
}

/* PEXPIREAT key <its expire time>, or its deletion when a past time deleted it. */
static void emit_expire_at(const struct cmd_ctx *c, repl_effect_fn *fn)
{
    int64_t when = expire_of(c);
    if (!db_peek(c->db, c->argv[1], c->argvlen[1]))
        emit_deleted(c->dbid, c->argv[1], c->argvlen[1], fn);
    else if (when < 0)
        emit_asis(c, fn);
    else
        emit_count(c->dbid, "PEXPIREAT", c->argv[1], c->argvlen[1], when, fn);
}

/* A value replied as a bulk string: SET key value KEEPTTL / HSET key field value. */
static void emit_new_value(const struct cmd_ctx *c, const struct call_result *res, int hash, repl_effect_fn *fn)
{
    struct scan s = reply_of(c, res);
    const char *v;
    size_t vlen;
    if (!scan_bulk(&s, &v, &vlen)) {
        emit_unreadable(c, fn);
        return;
    }
    const char *argv[4] = { hash ? "HSET" : "SET", c->argv[1], hash ? c->argv[2] : v, hash ? v : "KEEPTTL" };
    size_t lens[4] = { hash ? 4 : 3, c->argvlen[1], hash ? c->argvlen[2] : vlen, hash ? vlen : 7 };
    fn(c->dbid, 4, argv, lens);
}

static void emit_spop(const struct cmd_ctx *c, const struct call_result *res, repl_effect_fn *fn)
{
    struct scan s = reply_of(c, res);
    const char *m;
    size_t mlen;
    long long n = 1;
    if (c->argc > 2 && !db_peek(c->db, c->argv[1], c->argvlen[1])) {
        emit2(c->dbid, "DEL", c->argv[1], c->argvlen[1], fn);
        return;
    }
    if (c->argc > 2 && (n = scan_header(&s, "*~")) < 0) {
        emit_unreadable(c, fn);
        return;
    }
    for (long long i = 0; i < n && scan_bulk(&s, &m, &mlen); i++)
        emit3(c->dbid, "SREM", c->argv[1], c->argvlen[1], m, mlen, fn);
}

static void emit_renamed(const struct cmd_ctx *c, const struct rule *r, repl_effect_fn *fn)
{
    const char *argv[8];
    size_t lens[8];
    int argc = c->argc - r->arg;
    if (argc > 8) {
        emit_asis(c, fn);
        return;
    }
    argv[0] = r->word;
    lens[0] = strlen(r->word);
    for (int i = 1; i < argc; i++) {
        argv[i] = c->argv[i];
        lens[i] = c->argvlen[i];
    }
    fn(c->dbid, argc, argv, lens);
}

static void emit_bpop(const struct cmd_ctx *c, const struct call_result *res, const struct rule *r,
                      repl_effect_fn *fn)
{
    struct scan s = reply_of(c, res);
    const char *key;
    size_t klen;
    if (scan_header(&s, "*") < 2 || !scan_bulk(&s, &key, &klen)) {
        emit_unreadable(c, fn);
        return;
    }
    emit2(c->dbid, r->word, key, klen, fn);
}

/* LMPOP numkeys key... LEFT|RIGHT, ZMPOP numkeys key... MIN|MAX (numkeys at argv[at]). */
static const char *mpop_word(const struct cmd_ctx *c, int at)
{
    long long numkeys;
    if (!string2ll(c->argv[at], c->argvlen[at], &numkeys) || numkeys < 1 || numkeys > c->argc - at - 2)
        return NULL;
    int w = at + (int)numkeys + 1;
    return arg_is(c, w, "left") ? "LPOP" : arg_is(c, w, "right") ? "RPOP" : arg_is(c, w, "min") ? "ZPOPMIN"
         : arg_is(c, w, "max") ? "ZPOPMAX" : NULL;
}

static void emit_mpop(const struct cmd_ctx *c, const struct call_result *res, const struct rule *r,
                      repl_effect_fn *fn)
{
    struct scan s = reply_of(c, res);
    const char *word = mpop_word(c, r->arg), *key;
    size_t klen;
    long long n;
    if (!word || !scan_mpop(&s, &key, &klen, &n)) {
        emit_unreadable(c, fn);
        return;
    }
    emit_count(c->dbid, word, key, klen, n, fn);
}

static void emit_changed(const struct cmd_ctx *c, const struct call_result *res, const struct rule *r,
                         repl_effect_fn *fn)
{
    switch (r->kind) {
    case K_SET:
        if (has_expire_option(c, 3))
            emit_set_pxat(c, 2, fn);
        else
            emit_asis(c, fn);
        break;
    case K_SETEX:
        emit_set_pxat(c, 3, fn);
        break;
    case K_GETEX:
        if (has_expire_option(c, 2))
            emit_expire_at(c, fn);
        else
            emit2(c->dbid, "PERSIST", c->argv[1], c->argvlen[1], fn);
        break;
    case K_EXPIRE:
        emit_expire_at(c, fn);
        break;
    case K_INCRBYFLOAT:
    case K_HINCRBYFLOAT:
        emit_new_value(c, res, r->kind == K_HINCRBYFLOAT, fn);
        break;
    case K_SPOP:
        emit_spop(c, res, fn);
        break;
    case K_RENAME:
        emit_renamed(c, r, fn);
        break;
    case K_BPOP:
        emit_bpop(c, res, r, fn);
        break;
    case K_MPOP:
        emit_mpop(c, res, r, fn);
        break;
    default:
        emit_asis(c, fn);
    }
}

void repl_rewrite_call(const struct cmd_ctx *ctx, const struct call_result *res, repl_effect_fn *fn)
{
    const struct rule *r = rule_for(ctx->cmd);
    if (r->kind == K_NEVER)
        return;
    if (r->kind == K_FORCE && (ctx->dirty || !res->errors))
        emit_asis(ctx, fn);
    else if (ctx->dirty)
        emit_changed(ctx, res, r, fn);
}

int repl_rewrite_many(const struct cmd_ctx *ctx)
{
    return ctx->argc > 2 && rule_for(ctx->cmd)->kind == K_SPOP;
}

void repl_rewrite_expired(int dbid, const void *key, size_t klen, repl_effect_fn *fn)
{
    emit_deleted(dbid, key, klen, fn);
}

void repl_rewrite_served(int dbid, const void *key, size_t klen, const struct block_spec *spec, const void *dest,
                         const char *reply, size_t reply_len, repl_effect_fn *fn)
{
    static const char *const side[2] = { "left", "right" };
    struct scan s = { reply, reply + reply_len };
    const char *k;
    size_t kl;
    long long n;
    switch (spec->op) {
    case BLOCK_OP_LIST_POP:
        emit2(dbid, spec->where ? "RPOP" : "LPOP", key, klen, fn);
        break;
    case BLOCK_OP_ZSET_POP:
        emit2(dbid, spec->where ? "ZPOPMAX" : "ZPOPMIN", key, klen, fn);
        break;
    case BLOCK_OP_LIST_MPOP:
    case BLOCK_OP_ZSET_MPOP:
        if (!scan_mpop(&s, &k, &kl, &n)) {
            log_msg(LOG_WARNING, "Write stream: a served pop's reply is not as expected; not propagated");
            return;
        }
        emit_count(dbid, spec->op == BLOCK_OP_ZSET_MPOP ? (spec->where ? "ZPOPMAX" : "ZPOPMIN")
                                                         : (spec->where ? "RPOP" : "LPOP"), key, klen, n, fn);
        break;
    case BLOCK_OP_LIST_MOVE: {
        const char *argv[5] = { "LMOVE", key, dest, side[spec->where != 0], side[spec->whereto != 0] };
        size_t lens[5] = { 5, klen, spec->destlen, strlen(argv[3]), strlen(argv[4]) };
        fn(dbid, 5, argv, lens);
        break;
    }
    }
}
