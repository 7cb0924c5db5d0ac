/* types/set_algebra.c - the multi-key set commands: SINTER (and SMEMBERS, which is
 * SINTER of one key, as in Redis 7.0), SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
 * SDIFF, SDIFFSTORE.
 *
 * Every source key is looked up (and type-checked) before any work, so WRONGTYPE on
 * any of them wins; a missing key is an empty set.  The result streams into a sink:
 * the reply (a set, length deferred), a count (SINTERCARD), or a fresh intset that
 * grows and converts as SADD's would (the *STORE forms; Redis 7.0 builds the same).
 * Results are computed without temporary structures: an intersection walks the
 * smallest set and probes the others; a union emits a member from the first set
 * holding it; a difference walks the first set and probes the rest.  A *STORE
 * replaces the destination only after reading every source (it may be one of them).
 */
#include <limits.h>
#include <stdlib.h>

#include "keyspace/notify.h"
#include "types/set_cmds.h"

struct sources {
    struct setv *sets;
    int *present;                   /* 0: the key is missing (an empty set) */
    int n, missing;
};

enum sink_kind { SINK_REPLY, SINK_COUNT, SINK_STORE };

struct sink {
    enum sink_kind kind;
    struct reply *reply;
    struct setv dst;                /* SINK_STORE */
    uint64_t n;                     /* members emitted */
    uint64_t limit;                 /* SINK_COUNT: stop once reached; 0 = none */
};

/* Looks up n keys from argv[first]; returns 0 after replying WRONGTYPE. */
static int load_sources(struct cmd_ctx *c, int first, int n, int for_write, struct sources *src)
{
    src->sets = calloc((size_t)n, sizeof(*src->sets));
    src->present = calloc((size_t)n, sizeof(*src->present));
    if (!src->sets || !src->present)
        abort();
    src->n = n;
    src->missing = 0;
    for (int i = 0; i < n; i++) {
        const char *key = c->argv[first + i];
        size_t klen = c->argvlen[first + i];
        struct kv *kv = for_write ? db_lookup_write(c->db, key, klen) : db_lookup_read(c->db, key, klen);
        if (kv && kv->type != KV_SET) {
            reply_error(c->reply, ERR_WRONGTYPE);
            return 0;
        }
        src->present[i] = kv != NULL;
        src->missing += kv == NULL;
        if (kv)
            src->sets[i] = setv_of(kv);
    }
    return 1;
}

static void free_sources(struct sources *src)
{
    free(src->sets);
    free(src->present);
}

static int has(const struct sources *src, int i, const struct coll_elem *m)
{
    return src->present[i] && setv_contains(&src->sets[i], m);
}

/* ---- sinks ------------------------------------------------------------------------ */

static void sink_open(struct sink *k, enum sink_kind kind, struct cmd_ctx *c, uint64_t limit)
{
    *k = (struct sink){ .kind = kind, .reply = c->reply, .limit = limit };
    if (kind == SINK_STORE)
        k->dst = setv_new_intset();
}

/* Takes one member of the result; returns 1 when no more are wanted. */
static int sink_emit(struct sink *k, const struct coll_elem *m)
{
    if (k->kind == SINK_STORE) {
        k->n += (uint64_t)setv_add(&k->dst, m);
        return 0;
    }
    if (k->kind == SINK_REPLY)
        coll_reply(k->reply, m);
    k->n++;
    return k->limit && k->n >= k->limit;
}

/* The *STORE ending (Redis's setKey): a non-empty result replaces argv[1] whatever
 * it held, dropping its TTL; an empty one deletes it. */
static void store_result(struct cmd_ctx *c, struct setv dst)
{
    uint64_t size = setv_size(&dst);
    if (size > 0) {
        db_set(c->db, kv_new_object(c->argv[1], c->argvlen[1], KV_SET, dst.enc, dst.obj), 0);
        notify_keyspace_event(NOTIFY_SET, c->cmd->name, c->dbid, c->argv[1], c->argvlen[1]);  /* "sinterstore"... */
        c->dirty++;
    } else {
        setv_discard(dst);
        if (db_lookup_write(c->db, c->argv[1], c->argvlen[1]) && db_delete(c->db, c->argv[1], c->argvlen[1])) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[1], c->argvlen[1]);
            c->dirty++;
        }
    }
    reply_int(c->reply, (long long)size);
}

/* Replies (or stores) what the sink took.  handle is the reply offset where a
 * SINK_REPLY result's members begin. */
static void sink_close(struct sink *k, struct cmd_ctx *c, size_t handle)
{
    if (k->kind == SINK_REPLY)
        reply_defer_end(c->reply, handle, '~', (long)k->n);
    else if (k->kind == SINK_COUNT)
        reply_int(c->reply, (long long)k->n);
    else
        store_result(c, k->dst);
}

/* ---- intersection ----------------------------------------------------------------- */

struct inter_walk {
    const struct sources *src;
    const int *order;               /* source indexes by ascending size; order[0] walked */
    struct sink *sink;
};

static int inter_visit(const struct coll_elem *m, void *arg)
{
    struct inter_walk *w = arg;
    for (int j = 1; j < w->src->n; j++)
        if (!has(w->src, w->order[j], m))
            return 0;
    return sink_emit(w->sink, m);
}

static int by_size(const void *a, const void *b, void *arg)
{
    const struct sources *src = arg;
    uint64_t x = setv_size(&src->sets[*(const int *)a]), y = setv_size(&src->sets[*(const int *)b]);
    return (x > y) - (x < y);
}

/* Streams the intersection of the sources into the sink (empty if any is missing). */
static void intersect(const struct sources *src, struct sink *sink)
{
    if (src->missing)
        return;
    int *order = malloc((size_t)src->n * sizeof(*order));
    if (!order)
        abort();
    for (int i = 0; i < src->n; i++)
        order[i] = i;
    qsort_r(order, (size_t)src->n, sizeof(*order), by_size, (void *)src);
    struct inter_walk w = { src, order, sink };
    setv_foreach(&src->sets[order[0]], inter_visit, &w);
    free(order);
}

/* What SINTER SMEMBERS SINTERCARD SINTERSTORE share: keys argv[first..first+n). */
static void inter_generic(struct cmd_ctx *c, int first, int n, enum sink_kind kind, uint64_t limit)
{
    struct sources src;
    struct sink sink;
    if (load_sources(c, first, n, kind == SINK_STORE, &src)) {
        sink_open(&sink, kind, c, limit);
        size_t handle = reply_defer_begin(c->reply);
        intersect(&src, &sink);
        sink_close(&sink, c, handle);
    }
    free_sources(&src);
}

/* SINTER key [key ...] / SMEMBERS key */
void set_sinter_command(struct cmd_ctx *c) { inter_generic(c, 1, c->argc - 1, SINK_REPLY, 0); }

/* SINTERSTORE destination key [key ...] */
void set_sinterstore_command(struct cmd_ctx *c) { inter_generic(c, 2, c->argc - 2, SINK_STORE, 0); }

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
void set_sintercard_command(struct cmd_ctx *c)
{
    long long numkeys, limit = 0;
    if (!arg_ll(c, 1, &numkeys, "ERR numkeys should be greater than 0"))
        return;
    if (numkeys < 1) {
        reply_error(c->reply, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c->reply, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int i = 2 + (int)numkeys; i < c->argc; i++) {
        if (!arg_is(c, i, "limit") || i + 1 >= c->argc) {
            reply_error(c->reply, ERR_SYNTAX);
            return;
        }
        if (!arg_ll(c, ++i, &limit, "ERR LIMIT can't be negative"))
            return;
        if (limit < 0) {
            reply_error(c->reply, "ERR LIMIT can't be negative");
            return;
        }
    }
    inter_generic(c, 2, (int)numkeys, SINK_COUNT, (uint64_t)limit);
}

/* ---- union and difference ----------------------------------------------------------- */

struct walk {
    const struct sources *src;
    int at;                         /* the source walked */
    int store;                      /* the sink deduplicates: no probing needed */
    struct sink *sink;
};

/* Union: a member of source `at` is new unless an earlier source has it. */
static int union_visit(const struct coll_elem *m, void *arg)
{
    struct walk *w = arg;
    for (int j = 0; !w->store && j < w->at; j++)
        if (has(w->src, j, m))
            return 0;
    return sink_emit(w->sink, m);
}

/* Difference: a member of the first source that no other source has. */
static int diff_visit(const struct coll_elem *m, void *arg)
{
    struct walk *w = arg;
    for (int j = 1; j < w->src->n; j++)
        if (has(w->src, j, m))
            return 0;
    return sink_emit(w->sink, m);
}

/* Keys argv[first..argc): the union (diff = 0) or the difference of the first
 * with the others. */
static void union_diff_generic(struct cmd_ctx *c, int first, enum sink_kind kind, int diff)
{
    struct sources src;
    struct sink sink;
    if (load_sources(c, first, c->argc - first, kind == SINK_STORE, &src)) {
        sink_open(&sink, kind, c, 0);
        size_t handle = reply_defer_begin(c->reply);
        struct walk w = { &src, 0, kind == SINK_STORE, &sink };
        for (; w.at < (diff ? 1 : src.n); w.at++)
            if (src.present[w.at])
                setv_foreach(&src.sets[w.at], diff ? diff_visit : union_visit, &w);
        sink_close(&sink, c, handle);
    }
    free_sources(&src);
}

/* SUNION key [key ...] */
void set_sunion_command(struct cmd_ctx *c) { union_diff_generic(c, 1, SINK_REPLY, 0); }

/* SUNIONSTORE destination key [key ...] */
void set_sunionstore_command(struct cmd_ctx *c) { union_diff_generic(c, 2, SINK_STORE, 0); }

/* SDIFF key [key ...] */
void set_sdiff_command(struct cmd_ctx *c) { union_diff_generic(c, 1, SINK_REPLY, 1); }

/* SDIFFSTORE destination key [key ...] */
void set_sdiffstore_command(struct cmd_ctx *c) { union_diff_generic(c, 2, SINK_STORE, 1); }
