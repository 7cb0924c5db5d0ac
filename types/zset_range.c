/* types/zset_range.c - the range commands: ZRANGE (BYSCORE BYLEX REV LIMIT
 * WITHSCORES), ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX and
 * ZREMRANGEBYRANK / BYSCORE / BYLEX, as Redis 7.0's zrangeGenericCommand and
 * zremrangeGenericCommand: same option parsing order, errors and edge cases (a
 * negative LIMIT offset gives nothing, a negative count means no limit).
 *
 * Ranges are found in O(log n) on skiplists (ranks, then a seek to rank + offset)
 * and walked from there; a listpack is walked from its start as Redis does. */
#include "conf/shared.h"
#include "keyspace/notify.h"
#include "types/zset_internal.h"

enum zr_type { ZR_AUTO, ZR_RANK, ZR_SCORE, ZR_LEX };

struct zrange_req {
    int key;                            /* argv index of the source key */
    int store;                          /* ZRANGESTORE: argv[1] is the destination */
    enum zr_type type;
    int rev, rev_fixed;                 /* rev_fixed: the command name set the direction */
    int withscores;
    long long offset, limit;            /* limit -1: none */
    long long start, end;
    struct zrange_score score;
    struct zrange_lex lex;
};

/* Where a range goes: the client (a deferred array) or a vector to store. */
struct zsink {
    struct cmd_ctx *c;
    int withscores;
    struct zvec vec;
    size_t handle;
    long n;
};

static void sink_emit(struct zsink *s, const struct zrange_req *q, const struct zelem *e)
{
    if (q->store)
        zvec_push(&s->vec, e->m, e->len, e->score);
    else
        zset_reply_elem(s->c->reply, e, s->withscores);
    s->n++;
}

/* ZRANGESTORE fills its result as Redis 7.0 does: one zsetAdd at a time, in range
 * order, into a zset created for the range's length (unknown, so 0, by score or lex):
 * while that zset is still a listpack, scores pass through its text and -0 becomes 0. */
static void listpack_phase_scores(struct zvec *v, uint64_t hint)
{
    struct conf_values *conf = conf_shared();
    if (hint > conf->zset_max_listpack_entries)
        return;
    for (size_t i = 0; i < v->n; i++) {
        if (i + 1 > conf->zset_max_listpack_entries || v->items[i].len > conf->zset_max_listpack_value)
            return;
        if (v->items[i].score == 0)
            v->items[i].score = 0.0;
    }
}

static void sink_end(struct zsink *s, const struct zrange_req *q)
{
    if (q->store) {
        listpack_phase_scores(&s->vec, q->type == ZR_RANK ? s->vec.n : 0);
        zset_store(s->c, 1, &s->vec);
        reply_int(s->c->reply, s->n);
        zvec_free(&s->vec);
    } else {
        zset_reply_defer_end(s->c->reply, s->handle, s->n, s->withscores);
    }
}

/* ---- parsing ------------------------------------------------------------------ */

static int parse_options(struct cmd_ctx *c, struct zrange_req *q)
{
    for (int j = q->key + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (!q->store && arg_is(c, j, "withscores")) {
            q->withscores = 1;
        } else if (arg_is(c, j, "limit") && left >= 2) {
            if (!arg_ll(c, j + 1, &q->offset, NULL) || !arg_ll(c, j + 2, &q->limit, NULL))
                return 0;
            j += 2;
        } else if (!q->rev_fixed && !q->rev && arg_is(c, j, "rev")) {
            q->rev = 1;
        } else if (q->type == ZR_AUTO && arg_is(c, j, "bylex")) {
            q->type = ZR_LEX;
        } else if (q->type == ZR_AUTO && arg_is(c, j, "byscore")) {
            q->type = ZR_SCORE;
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

static int parse_range(struct cmd_ctx *c, struct zrange_req *q)
{
    int lo = q->key + 1, hi = q->key + 2;
    if (q->rev && q->type != ZR_RANK) {          /* given as max, min */
        lo = q->key + 2;
        hi = q->key + 1;
    }
    const char *min = c->argv[lo], *max = c->argv[hi];
    size_t minlen = c->argvlen[lo], maxlen = c->argvlen[hi];
    if (q->type == ZR_RANK)
        return arg_ll(c, lo, &q->start, NULL) && arg_ll(c, hi, &q->end, NULL);
    if (q->type == ZR_SCORE && !zspec_parse_score(min, minlen, max, maxlen, &q->score)) {
        reply_error(c->reply, ERR_ZRANGE_FLOAT);
        return 0;
    }
    if (q->type == ZR_LEX && !zspec_parse_lex(min, minlen, max, maxlen, &q->lex)) {
        reply_error(c->reply, ERR_ZRANGE_LEX);
        return 0;
    }
    return 1;
}

static int parse_request(struct cmd_ctx *c, struct zrange_req *q)
{
    if (!parse_options(c, q))
        return 0;
    if (q->type == ZR_AUTO)
        q->type = ZR_RANK;
    if (q->limit != -1 && q->type == ZR_RANK) {
        reply_error(c->reply, "ERR syntax error, LIMIT is only supported in combination with either "
                              "BYSCORE or BYLEX");
        return 0;
    }
    if (q->withscores && q->type == ZR_LEX) {
        reply_error(c->reply, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return 0;
    }
    return parse_range(c, q);
}

/* ---- walking ------------------------------------------------------------------ */

/* Sanitizes a rank range as Redis does; 0 when it is empty. */
static int clamp_ranks(long long *start, long long *end, long long llen)
{
    if (*start < 0)
        *start += llen;
    if (*end < 0)
        *end += llen;
    if (*start < 0)
        *start = 0;
    if (*start > *end || *start >= llen)
        return 0;
    if (*end >= llen)
        *end = llen - 1;
    return 1;
}

static void range_by_rank(struct kv *kv, const struct zrange_req *q, struct zsink *s)
{
    long long start = q->start, end = q->end, llen = (long long)zset_length(kv);
    if (!clamp_ranks(&start, &end, llen))
        return;
    struct zset_it it;
    long long n = end - start + 1;
    int ok = zit_seek_rank(kv, (uint64_t)(q->rev ? llen - 1 - start : start), &it);
    for (; ok && n > 0; n--, ok = q->rev ? zit_prev(&it) : zit_next(&it)) {
        struct zelem e = zit_elem(&it);
        sink_emit(s, q, &e);
    }
}

/* The element the walk starts from: the first in range (the last one reversed),
 * moved by the LIMIT offset; 0 when there is none. */
static int seek_start(struct kv *kv, const struct zrange_req *q, zelem_bound_fn *before, zelem_bound_fn *after,
                      const void *spec, struct zset_it *it)
{
    if (q->offset < 0 || !zset_range_possible(kv, before, after, spec))
        return 0;
    if (!(q->rev ? zit_seek_last(kv, after, spec, it) : zit_seek_first(kv, before, spec, it)))
        return 0;
    struct zelem e = zit_elem(it);
    if (q->rev ? before(&e, spec) : after(&e, spec))
        return 0;
    if (q->offset == 0)
        return 1;
    uint64_t offset = (uint64_t)q->offset;
    if (q->rev)
        return offset <= it->rank && zit_seek_rank(kv, it->rank - offset, it);
    return offset < zset_length(kv) - it->rank && zit_seek_rank(kv, it->rank + offset, it);
}

static void range_by_bounds(struct kv *kv, const struct zrange_req *q, zelem_bound_fn *before,
                            zelem_bound_fn *after, const void *spec, struct zsink *s)
{
    struct zset_it it;
    long long limit = q->limit;
    int ok = seek_start(kv, q, before, after, spec, &it);
    for (; ok && limit-- != 0; ok = q->rev ? zit_prev(&it) : zit_next(&it)) {
        struct zelem e = zit_elem(&it);
        if (q->rev ? before(&e, spec) : after(&e, spec))
            break;
        sink_emit(s, q, &e);
    }
}

static void range_generic(struct cmd_ctx *c, struct zrange_req *q)
{
    q->limit = -1;
    if (!parse_request(c, q))
        return;
    int wrong;
    struct kv *kv = obj_lookup_read(c, q->key, KV_ZSET, &wrong);
    if (wrong)
        return;
    struct zsink s = { .c = c, .withscores = q->withscores };
    if (!q->store)
        s.handle = reply_defer_begin(c->reply);
    if (kv && q->type == ZR_RANK)
        range_by_rank(kv, q, &s);
    else if (kv && q->type == ZR_SCORE)
        range_by_bounds(kv, q, zspec_score_before, zspec_score_after, &q->score, &s);
    else if (kv)
        range_by_bounds(kv, q, zspec_lex_before, zspec_lex_after, &q->lex, &s);
    sink_end(&s, q);
}

/* ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
void zrange_command(struct cmd_ctx *c)
{
    struct zrange_req q = { .key = 1 };
    range_generic(c, &q);
}

/* ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] */
void zrangestore_command(struct cmd_ctx *c)
{
    struct zrange_req q = { .key = 2, .store = 1 };
    range_generic(c, &q);
}

static void fixed_range(struct cmd_ctx *c, enum zr_type type, int rev)
{
    struct zrange_req q = { .key = 1, .type = type, .rev = rev, .rev_fixed = 1 };
    range_generic(c, &q);
}

/* ZREVRANGE key start stop [WITHSCORES] */
void zrevrange_command(struct cmd_ctx *c) { fixed_range(c, ZR_RANK, 1); }

/* ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
void zrangebyscore_command(struct cmd_ctx *c) { fixed_range(c, ZR_SCORE, 0); }

/* ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
void zrevrangebyscore_command(struct cmd_ctx *c) { fixed_range(c, ZR_SCORE, 1); }

/* ZRANGEBYLEX key min max [LIMIT offset count] */
void zrangebylex_command(struct cmd_ctx *c) { fixed_range(c, ZR_LEX, 0); }

/* ZREVRANGEBYLEX key max min [LIMIT offset count] */
void zrevrangebylex_command(struct cmd_ctx *c) { fixed_range(c, ZR_LEX, 1); }

/* ---- ZREMRANGEBY* ------------------------------------------------------------- */

/* The ranks a score or lex range covers: from the first element in range forward
 * while elements stay before the end (Redis's zslDeleteRangeBy* and zzlDeleteRangeBy*,
 * only the latter checking zset_range_possible first). */
static uint64_t bounds_ranks(struct kv *kv, zelem_bound_fn *before, zelem_bound_fn *after, const void *spec,
                             uint64_t *start)
{
    struct zset_it it;
    uint64_t n = 0;
    *start = 0;
    if (zset_is_lp(kv) && !zset_range_possible(kv, before, after, spec))
        return 0;
    int ok = zit_seek_first(kv, before, spec, &it);
    *start = it.rank;
    for (; ok; ok = zit_next(&it), n++) {
        struct zelem e = zit_elem(&it);
        if (after(&e, spec))
            break;
    }
    return n;
}

static void zremrange_generic(struct cmd_ctx *c, enum zr_type type)
{
    struct zrange_req q = { .key = 1, .type = type };
    if (!parse_range(c, &q))
        return;
    int wrong;
    struct kv *kv = obj_lookup_write(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    uint64_t start = 0, count = 0;
    if (kv && type == ZR_RANK && clamp_ranks(&q.start, &q.end, (long long)zset_length(kv))) {
        start = (uint64_t)q.start;
        count = (uint64_t)(q.end - q.start + 1);
    } else if (kv && type == ZR_SCORE) {
        count = bounds_ranks(kv, zspec_score_before, zspec_score_after, &q.score, &start);
    } else if (kv && type == ZR_LEX) {
        count = bounds_ranks(kv, zspec_lex_before, zspec_lex_after, &q.lex, &start);
    }
    if (count == 0) {
        reply_int(c->reply, 0);
        return;
    }
    notify_keyspace_event(NOTIFY_ZSET, c->cmd->name, c->dbid, c->argv[1], c->argvlen[1]);
    if (count == zset_length(kv) && db_delete(c->db, c->argv[1], c->argvlen[1]))  /* all of it: free it whole */
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[1], c->argvlen[1]);
    else
        zset_delete_ranks(kv, start, count);
    c->dirty += count;
    reply_int(c->reply, (long long)count);
}

/* ZREMRANGEBYRANK key start stop */
void zremrangebyrank_command(struct cmd_ctx *c) { zremrange_generic(c, ZR_RANK); }

/* ZREMRANGEBYSCORE key min max */
void zremrangebyscore_command(struct cmd_ctx *c) { zremrange_generic(c, ZR_SCORE); }

/* ZREMRANGEBYLEX key min max */
void zremrangebylex_command(struct cmd_ctx *c) { zremrange_generic(c, ZR_LEX); }
